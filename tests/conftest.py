"""Shared fixtures: a real SQLite store filled with a small demo data set, a fixed clock, the real App."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from agentdesk.clock import FixedClock
from agentdesk.config import Settings, load_settings
from agentdesk.store import Store
from screens.app import AgentDeskApp, make_app

TEST_CONFIG = Path(__file__).with_name("agentdesk-test.toml")
LONG_HISTORY = 300


@pytest.fixture(scope="session")
def settings() -> Settings:
    return load_settings(TEST_CONFIG, env={})


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory, settings: Settings) -> Path:
    """One demo store per test run; each test gets its own copy."""
    from agentdesk.demo import generate

    path = tmp_path_factory.mktemp("demo") / "template.db"
    store = Store.open(path, FixedClock())
    generate(store, customers=settings.demo.customers, seed=settings.demo.seed, long_history=LONG_HISTORY)
    store.close()
    return path


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@pytest.fixture
def store(demo_template: Path, tmp_path: Path, clock: FixedClock) -> Iterator[Store]:
    path = tmp_path / "agentdesk.db"
    shutil.copyfile(demo_template, path)
    opened = Store.open(path, clock)
    yield opened
    opened.close()


@pytest.fixture
def app(settings: Settings, store: Store, clock: FixedClock) -> AgentDeskApp:
    """The real workstation on its own copy of the demo store, with the fixed clock."""
    return make_app(settings, store, clock=clock)
