"""The desks on a real store: each step an agent takes is one desk call, saved as the mutations it needs."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from agentdesk.clock import FixedClock
from agentdesk.config import Settings
from agentdesk.desks.workstation import Desks, open_desks, pick_agent
from agentdesk.desks.writer import LocalWriter
from agentdesk.domain import tickets as rules
from agentdesk.records import Customer, IncomingCall
from agentdesk.store import Store


@pytest.fixture
def desks(settings: Settings, store: Store, clock: FixedClock) -> Iterator[Desks]:
    writer = LocalWriter(store)
    yield open_desks(settings, store, writer, clock, pick_agent(store, None))
    writer.close()


def _known_customer(store: Store) -> Customer:
    row = store.conn.execute("SELECT customer_id FROM customer_phone ORDER BY rowid LIMIT 1").fetchone()
    return store.customer(row[0])


def _case_on_a_call(desks: Desks, store: Store, clock: FixedClock) -> tuple[str, Customer]:
    """A known customer calls, the agent answers and opens a case for them: the case's ticket id."""
    customer = _known_customer(store)
    account = next(a for a in store.accounts() if a.id == customer.account_id)
    desks.calls.offer(IncomingCall("00000000-0000-4000-8000-000000000077", customer.phones[0], account.phone_number,
                                   clock.now()))
    desks.calls.answer()
    number = desks.tickets.next_case_number()
    call = desks.calls.call
    assert call is not None and call.customer_id == customer.id
    desks.tickets.open_case(call, customer, number, "Parcel never came", "It was due on Monday.").saved.result(10)
    row = store.conn.execute("SELECT id FROM ticket WHERE case_number = ?", (number,)).fetchone()
    return row[0], customer


def test_resolving_a_ticket_records_the_permission_and_the_state_in_one_step(
    desks: Desks, store: Store, clock: FixedClock
) -> None:
    ticket_id, _ = _case_on_a_call(desks, store, clock)
    clock.advance(600)
    card = store.ticket(ticket_id)
    desks.tickets.resolve(card, "call", clock.now()).result(10)
    card = store.ticket(ticket_id)
    assert card.status == "resolved"
    row = store.conn.execute("SELECT consent_how FROM ticket WHERE id = ?", (ticket_id,)).fetchone()
    assert row[0] == "call"


def test_a_permission_dated_before_the_ticket_is_refused_and_nothing_is_saved(
    desks: Desks, store: Store, clock: FixedClock
) -> None:
    ticket_id, _ = _case_on_a_call(desks, store, clock)
    waiting = store.outbox_count()
    card = store.ticket(ticket_id)
    with pytest.raises(rules.MoveRefused, match="before the ticket"):
        desks.tickets.resolve(card, "call", clock.now() - timedelta(days=1))
    desks.tickets.writer.flush()
    assert store.ticket(ticket_id).status == "open"
    assert store.outbox_count() == waiting


def test_a_consent_time_is_read_in_the_accounts_zone(desks: Desks) -> None:
    now = desks.tickets.clock.now()  # 14:30 UTC is 09:30 in New York in November
    assert desks.tickets.consent_time("now", "America/New_York") == now
    assert desks.tickets.consent_time("09:00", "America/New_York") == now - timedelta(minutes=30)
    assert desks.tickets.consent_time("nine", "America/New_York") is None


def test_a_new_customer_and_a_comment_show_in_the_history(desks: Desks, store: Store) -> None:
    account = store.accounts()[0]
    created = desks.customers.create(account.id, "Ada Quill", "+12025550143", "ada@example.com")
    created.saved.result(10)
    customer = store.customer(created.customer_id)
    assert (customer.name, customer.account_id) == ("Ada Quill", account.id)
    desks.customers.add_comment(customer, "Prefers a call after 5 pm.").result(10)
    page = store.history(customer.id, kinds=frozenset({"comment"}), before=None, limit=10)
    assert any("after 5 pm" in entry.summary + entry.detail for entry in page.entries)


def test_a_booking_made_and_cancelled_leaves_the_customer_without_it(desks: Desks, store: Store) -> None:
    customer = _known_customer(store)
    kind = store.appointment_types(customer.account_id)[0]
    slot = store.free_slots(kind, earliest=desks.bookings.earliest_start(), count=1)[0]
    appointment_id = desks.bookings.new_appointment_id()
    desks.bookings.book(kind, slot, customer_id=customer.id, appointment_id=appointment_id).result(10)
    upcoming = store.customer_appointments(customer.id, upcoming_after=desks.bookings.clock.now())
    assert appointment_id in [b.id for b in upcoming]
    desks.bookings.cancel(appointment_id, "the customer cannot come").result(10)
    upcoming = store.customer_appointments(customer.id, upcoming_after=desks.bookings.clock.now())
    assert appointment_id not in [b.id for b in upcoming]


def test_a_case_for_a_caller_without_e_mail_queues_no_confirmation(
    desks: Desks, store: Store, clock: FixedClock
) -> None:
    import dataclasses

    customer = dataclasses.replace(_known_customer(store), emails=())
    account = next(a for a in store.accounts() if a.id == customer.account_id)
    desks.calls.offer(IncomingCall("00000000-0000-4000-8000-000000000078", customer.phones[0], account.phone_number,
                                   clock.now()))
    desks.calls.answer()
    call = desks.calls.call
    assert call is not None
    number = desks.tickets.next_case_number()
    desks.tickets.open_case(call, customer, number, "No e-mail", "Call me instead.").saved.result(10)
    kinds = [r[0] for r in store.conn.execute(
        "SELECT m.kind FROM ticket_message m JOIN ticket t ON t.id = m.ticket_id WHERE t.case_number = ?", (number,))]
    assert kinds == ["note"]  # what was said; no confirmation that could never be delivered


def test_a_change_not_saved_is_told_in_the_agents_words_and_logged_in_full_beside_the_store(
    store: Store, tmp_path
) -> None:
    """The desk's log file sits beside its store: a refused change is written there with its name, the database's
    own words and its arguments, while `!` keeps the agent's sentence without any of them."""
    import logging

    from agentdesk.cli import _log_beside

    path = _log_beside(tmp_path / "desk.db")
    try:
        writer = LocalWriter(store)
        foreign = "00000000-0000-4000-8000-00000000dead"
        writer.submit("comment.add@1", {"comment_id": "00000000-0000-4000-8000-000000000001", "customer_id": foreign,
                                        "account_id": foreign, "body": "called back", "at": "2026-12-03T09:00:00.000000Z"})
        writer.close()
    finally:
        for handler in list(logging.getLogger("agentdesk").handlers):
            if getattr(handler, "baseFilename", None) == str(path):
                logging.getLogger("agentdesk").removeHandler(handler)
                handler.close()
    assert path == tmp_path / "desk.log"
    logged = path.read_text(encoding="utf-8")
    assert "comment.add@1 was not saved" in logged and foreign in logged
    told = [r.reason for r in store.rejections() if r.name == "comment.add@1"]
    assert len(told) == 1 and "comment.add" not in told[0] and foreign not in told[0] and "@1" not in told[0]


def test_a_reply_is_billed_the_time_from_opening_the_ticket_to_sending_it(
    desks: Desks, store: Store, clock: FixedClock
) -> None:
    """Written channels bill the agent's handling time: opened, 4 min of reading and writing, sent; the next reply
    on the same ticket counts from the one before; a note bills nothing."""
    ticket_id, channel, price = store.conn.execute(
        "SELECT t.id, t.channel, a.price_per_minute_cents FROM ticket t JOIN account a ON a.id = t.account_id"
        " WHERE t.status IN ('new', 'open') AND t.channel = 'email' ORDER BY t.id LIMIT 1").fetchone()
    desks.tickets.opened(ticket_id)
    clock.advance(240)
    desks.tickets.add_message(ticket_id, "note", "Checked the order first.").result(timeout=10)
    desks.tickets.add_message(ticket_id, "reply", "Your parcel left our warehouse today.").result(timeout=10)
    clock.advance(90)
    desks.tickets.add_message(ticket_id, "reply", "And here is its tracking number.").result(timeout=10)
    billed = store.conn.execute(
        "SELECT channel, direction, agent_id, billable_seconds, cost_cents FROM interaction"
        " WHERE subject LIKE (SELECT case_number FROM ticket WHERE id = ?) || '%' ORDER BY billable_seconds DESC",
        (ticket_id,)).fetchall()
    agent = desks.tickets.agent.id
    assert billed == [(channel, "out", agent, 240, round(4 * price)), (channel, "out", agent, 90, round(1.5 * price))]
