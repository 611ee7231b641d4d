"""Ticket changes through the real backend (SQLite and PostgreSQL): a case opened offline, answered and resolved
with consent on one terminal arrives on another; the backend applies the same ticket rules."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from agentdesk.clock import iso
from tests.sync.conftest import Backend, Terminal


def _customer(terminal: Terminal) -> str:
    return terminal.store.conn.execute(
        "SELECT id FROM customer WHERE account_id = ? ORDER BY id LIMIT 1", (terminal.accounts[0],)).fetchone()[0]


def test_a_case_answered_and_resolved_with_consent_reaches_the_other_terminal(
    backend: Backend, terminals: Any
) -> None:
    agent, accounts = backend.agent_with_accounts()
    first, second = terminals(agent, accounts), terminals(agent, accounts)
    first.engine.sync_once()
    second.engine.sync_once()
    store, now = first.store, first.store.clock.now()
    ticket_id, case = str(uuid.uuid4()), store.next_case_number()
    store.mutate("ticket.open@1", {
        "ticket_id": ticket_id, "account_id": accounts[0], "customer_id": _customer(first), "case_number": case,
        "subject": "Parcel lost", "kind": "question", "channel": "email", "opened_at": iso(now),
        "first_message_id": str(uuid.uuid4()), "first_message": "Where is my parcel?"})
    later = iso(now + timedelta(minutes=20))
    store.mutate("ticket.add_message@1", {
        "message_id": str(uuid.uuid4()), "ticket_id": ticket_id, "kind": "reply", "author": "Bo",
        "body": "Found it: Tuesday.", "created_at": later, "agent_id": agent})
    store.mutate("ticket.record_consent@1", {
        "ticket_id": ticket_id, "how": "writing", "given_at": later, "agent_id": agent, "recorded_at": later})
    store.mutate("ticket.set_status@1", {"ticket_id": ticket_id, "status": "resolved", "changed_at": later})
    store.mutate("ticket.request_review@1", {"ticket_id": ticket_id, "requested_at": later})
    store.save_draft(ticket_id, "note", "local scratch", later)

    first.engine.sync_once()
    second.engine.sync_once()

    assert first.store.outbox_count() == 0 and first.store.rejections() == []
    row = second.store.conn.execute(
        "SELECT case_number, status, consent_how, review_requested, awaiting_since FROM ticket WHERE id = ?",
        (ticket_id,)).fetchone()
    assert row == (case, "resolved", "writing", 1, None)
    kinds = [r[0] for r in second.store.conn.execute(
        "SELECT kind FROM ticket_message WHERE ticket_id = ? ORDER BY created_at", (ticket_id,))]
    assert kinds == ["customer", "reply"]
    assert second.store.draft(ticket_id) is None  # drafts stay on the terminal they were typed on
    assert backend.scalar("SELECT status FROM ticket WHERE id = :t", t=ticket_id) == "resolved"
