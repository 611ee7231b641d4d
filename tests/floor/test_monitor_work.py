"""The monitor's work view against a real backend on loopback: `w` lists the escalated work of the supervisor's
accounts, Enter gives the highlighted ticket to an agent picked from the account's people, `k` takes it over; each
says what happened, and the list shows the new assignee."""

from __future__ import annotations

import time
from typing import Any

import pytest
from sqlalchemy import text
from textual.widgets import OptionList

from screens.monitor_app import MonitorApp
from screens.monitor_work import AgentPick
from tests.sync.conftest import Backend
from widgets.work_list import WorkList


def _people_of(backend: Backend, account: str) -> list[Any]:
    with backend.engine.connect() as conn:
        return list(conn.execute(text("SELECT agent_id FROM agent_account WHERE account_id = :a"), {"a": account}))


async def _until(pilot: Any, check: Any, seconds: float = 15.0) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "the monitor did not get there in time"
        await pilot.pause(0.1)


def _said(app: MonitorApp, words: str) -> bool:
    return any(words in str(n.message) for n in app._notifications)


def _line(work: WorkList, index: int) -> str:
    return work.render_line(index + 1).text


@pytest.mark.parametrize("backend_engine", ["sqlite"], indirect=True)
async def test_a_supervisor_reassigns_an_escalated_ticket_and_takes_it_over(backend: Backend) -> None:
    supervisor = str(backend.scalar("SELECT id FROM agent WHERE role = 'supervisor' ORDER BY id"))
    agent_id, accounts = backend.agent_with_accounts(2)
    account = sorted(set(accounts) & set(backend.accounts_of(supervisor)))[0]
    ticket_id = str(backend.scalar("SELECT id FROM ticket WHERE account_id = :a AND status IN ('new', 'open')"
                                   " ORDER BY id", a=account))
    with backend.engine.begin() as conn:  # the oldest escalated ticket: the list's first row
        conn.execute(text("UPDATE ticket SET status = 'escalated', assignee_id = NULL,"
                          " awaiting_since = '2026-01-05T08:00:00.000000Z' WHERE id = :t"), {"t": ticket_id})
    agent_name = str(backend.scalar("SELECT name FROM agent WHERE id = :a", a=agent_id))
    customer = str(backend.scalar("SELECT c.name FROM ticket t JOIN customer c ON c.id = t.customer_id"
                                  " WHERE t.id = :t", t=ticket_id))
    app = MonitorApp(backend.url, backend.token(supervisor))

    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await _until(pilot, lambda: app.model.version >= 0)
        await pilot.press("w")
        work = app.screen.query_one(WorkList)
        await _until(pilot, lambda: bool(work.rows))
        assert work.rows[0]["id"] == ticket_id and work.has_focus
        assert "escalated" in _line(work, 0) and customer[:6] in _line(work, 0)

        await pilot.press("enter")
        await _until(pilot, lambda: isinstance(app.screen, AgentPick))
        people = app.screen.query_one(OptionList)
        listed = {person: line for person, _, line in app.screen.people}
        assert set(listed) <= {str(r[0]) for r in _people_of(backend, account)}
        assert listed[agent_id].endswith(" · agent · offline"), "each with their role and state on the floor"

        def highlighted() -> str | None:
            return people.get_option_at_index(people.highlighted).id if people.highlighted is not None else None

        for _ in range(people.option_count):
            if highlighted() == agent_id:
                break
            await pilot.press("down")
        assert highlighted() == agent_id
        await pilot.press("enter")
        await _until(pilot, lambda: _said(app, f"is now {agent_name[:28]}'s"))
        await _until(pilot, lambda: work.rows and work.rows[0]["assignee_id"] == agent_id)
        assert agent_name[:10] in _line(work, 0)
        assert backend.scalar("SELECT assignee_id FROM ticket WHERE id = :t", t=ticket_id) == agent_id

        await pilot.press("k")
        await _until(pilot, lambda: _said(app, "You have taken over the ticket"))
        await _until(pilot, lambda: work.rows and work.rows[0]["assignee_id"] == supervisor)
        assert backend.scalar("SELECT assignee_id FROM ticket WHERE id = :t", t=ticket_id) == supervisor

        await pilot.press("w")  # back to the floor
        assert not work.display
