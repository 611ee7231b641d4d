"""The backend escalates tickets nobody answered within 12 h, once, and terminals see it after their next pull."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import text

from agentdesk.clock import iso
from agentdesk.server.jobs import escalate_overdue
from tests.sync.conftest import Backend


def test_an_unanswered_ticket_is_escalated_after_12_hours_and_terminals_see_it(backend: Backend, terminals: Any) -> None:
    agent, accounts = backend.agent_with_accounts()
    desk = terminals(agent, accounts)
    now = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
    with backend.engine.begin() as conn:
        conn.execute(text("UPDATE sync_state SET version = version + 1 WHERE id = 1"))
        conn.execute(text("UPDATE ticket SET awaiting_since = NULL"))
        late, waiting = conn.execute(text(
            "SELECT id FROM ticket WHERE status IN ('new', 'open') AND account_id = :a ORDER BY id LIMIT 2"),
            {"a": accounts[0]}).scalars().all()
        for ticket, hours in ((late, 12.5), (waiting, 11.5)):
            conn.execute(text("UPDATE ticket SET awaiting_since = :t WHERE id = :i"),
                         {"t": iso(now - timedelta(hours=hours)), "i": ticket})
    desk.engine.sync_once()

    assert escalate_overdue(backend.engine, now) == 1
    assert escalate_overdue(backend.engine, now) == 0  # once
    desk.engine.sync_once()

    status = dict(desk.store.conn.execute("SELECT id, status FROM ticket WHERE id IN (?, ?)", (late, waiting)))
    assert status[late] == "escalated"
    assert status[waiting] in ("new", "open")
