"""The daily report on the monitor, against a real backend on loopback: `r` asks whose report when the board shows
several accounts, shows the newest kept report's text (its title line and its figures), steps to the day before
and back, and Escape returns to the floor."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from textual.widgets import Static

from agentdesk.monitoring import FloorModel
from agentdesk.server.daily_reports import kept_days, kept_report, produce_due_reports
from screens.monitor import MonitorScreen
from screens.monitor_app import MonitorApp
from screens.report import AccountChoice, ReportScreen
from tests.floor.floors import NOW as NOW_FLOOR
from tests.floor.floors import quiet
from tests.floor.test_monitor_live import _until
from tests.sync.conftest import Backend

NOW = datetime(2026, 12, 3, 12, tzinfo=UTC)


def _shown(app: MonitorApp, part: str) -> str:
    return str(app.screen.query_one(part, Static).render())


@pytest.mark.parametrize("backend_engine", ["sqlite"], indirect=True)
def test_r_opens_yesterdays_report_of_the_chosen_account(backend: Backend) -> None:
    supervisor = str(backend.scalar("SELECT id FROM agent WHERE role = 'supervisor' ORDER BY id"))
    produce_due_reports(backend.engine, NOW.replace(day=2))
    produce_due_reports(backend.engine, NOW)  # the 1st and the 2nd kept in every account
    first = str(backend.scalar("SELECT id FROM account ORDER BY name, id"))
    name = str(backend.scalar("SELECT name FROM account WHERE id = :a", a=first))
    newest, older = (k.day for k in kept_days(backend.engine, first))
    figure = next(line for line in (kept_report(backend.engine, first, newest, "text") or "").splitlines()
                  if line.startswith("Calls offered "))
    app = MonitorApp(backend.url, backend.token(supervisor))

    async def scenario() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await _until(pilot, lambda: app.model.version >= 0 and len(app.model.queues) > 1)
            await pilot.pause(0.6)
            await pilot.press("r")
            await _until(pilot, lambda: isinstance(app.screen, AccountChoice))
            await pilot.press("home", "enter")  # the first account by name
            await _until(pilot, lambda: isinstance(app.screen, ReportScreen)
                         and _shown(app, "#report-body").startswith("Daily report: "))
            body = _shown(app, "#report-body")
            assert body.splitlines()[0] == f"Daily report: {name}, {newest:%A %Y-%m-%d} ({_zone(backend, first)})"
            assert figure in body.splitlines()
            assert f"{newest:%Y-%m-%d}" in _shown(app, "#report-title")

            await pilot.press("p")  # the day before
            await _until(pilot, lambda: f"{older:%A %Y-%m-%d}" in _shown(app, "#report-body").splitlines()[0])
            await pilot.press("p")  # nothing older kept: said, and the day stays
            await _until(pilot, lambda: bool(app._notifications))  # noqa: SLF001
            await pilot.press("n")
            await _until(pilot, lambda: f"{newest:%A %Y-%m-%d}" in _shown(app, "#report-body").splitlines()[0])
            await pilot.press("escape")
            await _until(pilot, lambda: isinstance(app.screen, MonitorScreen))

    asyncio.run(scenario())


def _zone(backend: Backend, account_id: str) -> Any:
    return backend.scalar("SELECT time_zone FROM account WHERE id = :a", a=account_id)



def test_the_reports_text_is_shown_as_written_never_as_markup_or_terminal_codes() -> None:
    """A name in a report may hold markup or terminal codes (a customer wrote it): shown as plain characters."""
    hostile = "Daily report: [bold red]Acme[/] \x1b[31mred\x1b[0m [link=http://x]here[/link]\nCalls offered .. 5\n"

    def backend(request: httpx.Request) -> httpx.Response:  # the backend's answers, at the edge
        if request.url.path == "/reports":
            return httpx.Response(200, json={"account_id": "acc-1", "more": False,
                                             "days": [{"day": "2026-12-02", "produced_at": "x"}]})
        return httpx.Response(200, text=hostile)

    floor = quiet()
    floor["accounts"] = floor["accounts"][:1]
    model = FloorModel()
    model.take_snapshot(floor)
    app = MonitorApp(None, None, model=model, clock=lambda: NOW_FLOOR)

    async def scenario() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            app.client = httpx.AsyncClient(base_url="http://backend", transport=httpx.MockTransport(backend))
            await pilot.pause()
            await pilot.press("r")
            await _until(pilot, lambda: isinstance(app.screen, ReportScreen)
                         and "Calls offered" in _shown(app, "#report-body"))
            body = _shown(app, "#report-body")
            assert "[bold red]Acme[/]" in body and "[link=http://x]here[/link]" in body
            assert "\x1b" not in body
            await app.client.aclose()

    asyncio.run(scenario())
