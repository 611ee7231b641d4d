"""What a supervisor sees at 80x24: a quiet floor and an alarming one (fixed floor, fixed moment); from 100 columns
up, the agents' ratings too."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from textual.pilot import Pilot

from agentdesk.clock import FixedClock
from agentdesk.monitoring import FloorModel
from agentdesk.reporting.daily_report import daily_report
from agentdesk.reporting.day_reader import accounts
from agentdesk.reporting.sources import StoreSource
from agentdesk.store import Store
from screens.monitor_app import MonitorApp
from tests.floor.floors import NOW, alarming, queue, quiet
from tests.reporting import known_day
from widgets.work_list import WorkList


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


def test_ratings_from_100_columns_sorted_by_quality(snap_compare: Any) -> None:
    """At 100 columns the board adds each agent's quality and customer averages of the last 30 days with their
    counts; s four times sorts by the quality average, lowest first, the not yet rated last."""

    async def by_quality(pilot: Pilot[Any]) -> None:
        await _settle(pilot)
        await pilot.press("s", "s", "s", "s")
        await _settle(pilot)

    assert snap_compare(_app(quiet()), terminal_size=(100, 24), run_before=by_quality)


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


def _known_report(tmp_path: Path) -> str:
    """The known day's report as the backend keeps it (text form)."""
    path = tmp_path / "known.db"
    Store.open(path, FixedClock()).close()
    conn = sqlite3.connect(path)
    with conn:
        known_day.seed(lambda sql, params: conn.execute(sql, params))
    conn.close()
    source = StoreSource(path)
    try:
        return daily_report(source, accounts(source, known_day.ACCOUNT)[0], known_day.DAY)
    finally:
        source.close()


def test_the_daily_report_opened_from_the_floor(snap_compare: Any, tmp_path: Path) -> None:
    """r on a board of one account: its newest kept report from the top, its title line and first figures."""
    page = _known_report(tmp_path)
    days = {"account_id": known_day.ACCOUNT, "more": False,
            "days": [{"day": known_day.DAY.isoformat(), "produced_at": "2026-11-25T05:00:00.000000Z"},
                     {"day": "2026-11-23", "produced_at": "2026-11-24T05:00:00.000000Z"}]}

    def backend(request: httpx.Request) -> httpx.Response:  # the backend's two report routes, at the edge
        if request.url.path == "/reports":
            return httpx.Response(200, json=days)
        return httpx.Response(200, text=page, headers={"content-type": "text/plain; charset=utf-8"})

    floor = quiet()
    floor["accounts"] = [queue(known_day.ACCOUNT, "Known Outfitters")]
    app = _app(floor)

    async def report(pilot: Pilot[Any]) -> None:
        app.client = httpx.AsyncClient(base_url="http://backend", transport=httpx.MockTransport(backend))
        await _settle(pilot)
        await pilot.press("r")
        await pilot.app.workers.wait_for_complete()
        await _settle(pilot)

    assert snap_compare(app, terminal_size=(80, 24), run_before=report)


def test_work_to_move(snap_compare: Any) -> None:
    """w switches the board for the work a supervisor can move: an escalated ticket and a follow-up escalated to a
    supervisor (red), an overdue ticket and a follow-up for a senior agent (amber); a customer's name with a
    terminal control and markup is drawn as text."""
    rows = [
        {"kind": "ticket", "id": "t1", "account_id": "acc-1", "customer": "Bad\x1b[31m [b]Name", "status": "escalated",
         "level": None, "subject": "Refund for ORD-1234 never arrived", "assignee_id": None, "assignee": "",
         "age_seconds": 3 * 86_400},
        {"kind": "task", "id": "f1", "account_id": "acc-2", "customer": "Dana Reyes", "status": None,
         "level": "supervisor", "subject": "Wants a manager about the invoice", "assignee_id": "a0001",
         "assignee": "Agent 0001", "age_seconds": 5 * 3600},
        {"kind": "ticket", "id": "t2", "account_id": "acc-1", "customer": "Lee Park", "status": "open", "level": None,
         "subject": "Where is my order?", "assignee_id": "a0002", "assignee": "Agent 0002", "age_seconds": 7 * 3600},
        {"kind": "task", "id": "f2", "account_id": "acc-2", "customer": "Ana Silva", "status": None, "level": "senior",
         "subject": "Warranty question", "assignee_id": None, "assignee": "", "age_seconds": 20 * 60},
    ]

    async def work(pilot: Pilot[Any]) -> None:
        await _settle(pilot)
        await pilot.press("w")
        await _settle(pilot)
        pilot.app.screen.query_one(WorkList).show(rows)
        await _settle(pilot)

    assert snap_compare(_app(quiet()), terminal_size=(80, 24), run_before=work)
