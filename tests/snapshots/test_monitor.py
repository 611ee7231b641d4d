"""What a supervisor sees at 80x24: a quiet floor and an alarming one (fixed floor, fixed moment)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from textual.pilot import Pilot

from agentdesk.monitoring import FloorModel
from screens.monitor_app import MonitorApp
from tests.floor.floors import NOW, alarming, quiet


@pytest.fixture(autouse=True)
def utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The alert list shows local times: the snapshots are drawn in UTC wherever they run."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def _app(floor: dict[str, Any]) -> MonitorApp:
    model = FloorModel()
    model.take_snapshot(floor)
    return MonitorApp(None, None, model=model, clock=lambda: NOW)


async def _settle(pilot: Pilot[Any]) -> None:
    await pilot.pause()
    await pilot.pause()


def test_quiet_floor(snap_compare: Any) -> None:
    assert snap_compare(_app(quiet()), terminal_size=(80, 24), run_before=_settle)


def test_alarming_floor(snap_compare: Any) -> None:
    assert snap_compare(_app(alarming()), terminal_size=(80, 24), run_before=_settle)
