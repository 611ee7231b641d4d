"""Store fixtures: real SQLite files in tmp_path, a fixed clock, a small demo generated once per run."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from agentdesk.clock import FixedClock
from agentdesk.demo import DemoSummary, generate
from agentdesk.store import Store

SEED = 11
CUSTOMERS = 60
LONG_HISTORY = 450


@pytest.fixture(scope="session")
def small_demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, DemoSummary]:
    """A small demo store, made once; tests work on copies."""
    path = tmp_path_factory.mktemp("store-demo") / "demo.db"
    store = Store.open(path, FixedClock())
    summary = generate(store, customers=CUSTOMERS, seed=SEED, long_history=LONG_HISTORY)
    store.close()
    return path, summary


@pytest.fixture
def demo_store(small_demo: tuple[Path, DemoSummary], tmp_path: Path) -> Iterator[Store]:
    """A copy of the small demo store, open with a fixed clock."""
    path = tmp_path / "agentdesk.db"
    shutil.copyfile(small_demo[0], path)
    store = Store.open(path, FixedClock())
    yield store
    store.close()


@pytest.fixture
def summary(small_demo: tuple[Path, DemoSummary]) -> DemoSummary:
    """What the small demo holds."""
    return small_demo[1]


@pytest.fixture
def empty_store(tmp_path: Path) -> Iterator[Store]:
    """A new, empty store."""
    store = Store.open(tmp_path / "new" / "agentdesk.db", FixedClock())
    yield store
    store.close()
