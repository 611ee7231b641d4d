"""Save the sale through the real backend (SQLite and PostgreSQL): a refund asked on day 59 and decided on day 62
is refunded on the backend too, and a terminal whose clock runs ahead cannot date a decision into the future: the
backend judges time by its own clock and the terminal's optimistic refund is undone."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from agentdesk.clock import iso, parse_iso
from tests.sync.conftest import Backend, Terminal


def _refund_ticket(terminal: Terminal, agent: str, *, asked_on_day: int) -> tuple[str, str, datetime]:
    """A refund request by e-mail for an old delivered order, asked `asked_on_day` days after the order; the offer
    of help is sent and delivered. Returns the ticket, its order and when the request arrived."""
    store = terminal.store
    # An order old enough that every time in the story is in the backend's past.
    latest = iso(datetime.now(UTC) - timedelta(days=asked_on_day + 10))
    order_id, customer_id, placed = store.conn.execute(
        "SELECT id, customer_id, placed_at FROM customer_order WHERE account_id = ? AND status = 'delivered'"
        " AND placed_at < ? ORDER BY placed_at DESC LIMIT 1", (terminal.accounts[0], latest)).fetchone()
    arrived = parse_iso(placed) + timedelta(days=asked_on_day)
    ticket_id, offer = str(uuid.uuid4()), str(uuid.uuid4())
    store.mutate("ticket.open@1", {
        "ticket_id": ticket_id, "account_id": terminal.accounts[0], "customer_id": customer_id,
        "case_number": store.next_case_number(), "subject": "Refund please", "kind": "refund", "channel": "email",
        "opened_at": iso(arrived), "order_id": order_id,
        "first_message_id": str(uuid.uuid4()), "first_message": "It does not fit; please refund it."})
    store.mutate("ticket.offer_help@1", {
        "ticket_id": ticket_id, "message_id": offer, "author": "Bo", "body": "May we exchange the size instead?",
        "offered_at": iso(arrived + timedelta(hours=1)), "agent_id": agent})
    store.mutate("ticket.mark_delivered@1", {"message_id": offer, "delivery": "delivered"})
    return ticket_id, order_id, arrived


def _refund(terminal: Terminal, agent: str, ticket_id: str, at: datetime) -> None:
    terminal.store.mutate("ticket.save_the_sale@2", {
        "ticket_id": ticket_id, "outcome": "refunded", "decided_at": iso(at), "agent_id": agent, "author": "Bo",
        "note_id": str(uuid.uuid4()), "message_id": str(uuid.uuid4()),
        "body": "We have refunded your order; the money arrives in 3 to 5 working days."})


def test_a_refund_asked_on_day_59_and_decided_on_day_62_is_refunded_everywhere(
    backend: Backend, terminals: Any
) -> None:
    agent, accounts = backend.agent_with_accounts()
    first, second = terminals(agent, accounts), terminals(agent, accounts)
    first.engine.sync_once()
    second.engine.sync_once()
    ticket_id, order_id, arrived = _refund_ticket(first, agent, asked_on_day=59)
    _refund(first, agent, ticket_id, arrived + timedelta(days=3))

    first.engine.sync_once()
    second.engine.sync_once()

    assert first.store.rejections() == [] and first.store.outbox_count() == 0
    assert backend.scalar("SELECT status FROM ticket WHERE id = :t", t=ticket_id) == "resolved"
    assert backend.scalar("SELECT save_outcome FROM ticket WHERE id = :t", t=ticket_id) == "refunded"
    assert backend.scalar("SELECT status FROM customer_order WHERE id = :o", o=order_id) == "refunded"
    assert backend.scalar("SELECT count(*) FROM ticket_message WHERE ticket_id = :t AND kind = 'reply'"
                          " AND delivery = 'queued'", t=ticket_id) == 1  # the customer is told
    row = second.store.conn.execute(
        "SELECT t.status, t.save_outcome, o.status FROM ticket t JOIN customer_order o ON o.id = t.order_id"
        " WHERE t.id = ?", (ticket_id,)).fetchone()
    assert tuple(row) == ("resolved", "refunded", "refunded")


def test_a_terminal_clock_ahead_cannot_date_a_refund_into_the_future(backend: Backend, terminals: Any) -> None:
    agent, accounts = backend.agent_with_accounts()
    terminal = terminals(agent, accounts)
    terminal.engine.sync_once()
    ticket_id, order_id, _arrived = _refund_ticket(terminal, agent, asked_on_day=20)
    ahead = datetime.now(UTC) + timedelta(hours=2)
    _refund(terminal, agent, ticket_id, ahead)
    assert terminal.store.conn.execute("SELECT status FROM ticket WHERE id = ?", (ticket_id,)).fetchone()[0] == \
        "resolved"  # the terminal believed its clock

    terminal.engine.sync_once()

    [refused] = terminal.store.rejections()
    assert refused.name == "ticket.save_the_sale@2" and "clock is ahead" in refused.reason
    assert backend.scalar("SELECT status FROM customer_order WHERE id = :o", o=order_id) == "delivered"
    assert backend.scalar("SELECT save_outcome FROM ticket WHERE id = :t", t=ticket_id) is None
    row = terminal.store.conn.execute(
        "SELECT t.status, t.save_outcome, o.status FROM ticket t JOIN customer_order o ON o.id = t.order_id"
        " WHERE t.id = ?", (ticket_id,)).fetchone()
    assert tuple(row) == ("open", None, "delivered")  # undone: the store agrees with the backend


def test_a_case_dated_ahead_of_the_backends_clock_is_refused(backend: Backend, terminals: Any) -> None:
    agent, accounts = backend.agent_with_accounts()
    terminal = terminals(agent, accounts)
    terminal.engine.sync_once()
    store, ticket_id = terminal.store, str(uuid.uuid4())
    customer_id = store.conn.execute("SELECT id FROM customer WHERE account_id = ? LIMIT 1",
                                     (accounts[0],)).fetchone()[0]
    store.mutate("ticket.open@1", {
        "ticket_id": ticket_id, "account_id": accounts[0], "customer_id": customer_id,
        "case_number": store.next_case_number(), "subject": "From the future", "kind": "refund", "channel": "phone",
        "opened_at": iso(datetime.now(UTC) + timedelta(hours=3))})

    terminal.engine.sync_once()

    [refused] = terminal.store.rejections()
    assert refused.name == "ticket.open@1" and "clock is ahead" in refused.reason
    assert backend.scalar("SELECT count(*) FROM ticket WHERE id = :t", t=ticket_id) == 0
