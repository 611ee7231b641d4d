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


def test_tickets_past_and_near_the_goal(snap_compare: Any) -> None:
    """t switches the queue panel to the tickets and e-mail: Alder has tickets past the 6 h goal (red, and an
    alert), Birch some near it (amber)."""
    floor = alarming()
    floor["accounts"][0]["tickets"] = {"open": 14, "due_soon": 2, "breached": 3, "escalated_today": 1}
    floor["accounts"][1]["tickets"] = {"open": 6, "due_soon": 1, "breached": 0, "escalated_today": 0}

    async def tickets(pilot: Pilot[Any]) -> None:
        await _settle(pilot)
        await pilot.press("t")
        await _settle(pilot)

    assert snap_compare(_app(floor), terminal_size=(80, 24), run_before=tickets)
