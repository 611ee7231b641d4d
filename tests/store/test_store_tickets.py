"""Tickets in the local store: the inbox by SLA clock, threads, mutations through their life, drafts, cases."""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path

import pytest

from agentdesk.clock import FixedClock, iso
from agentdesk.localstore.numbers import terminal_prefix
from agentdesk.records import InboxQuery
from agentdesk.store import Store, StoreError

NOW = FixedClock().now()


def _id() -> str:
    return str(uuid.uuid4())


def _customer(store: Store) -> tuple[str, str]:
    row = store.conn.execute("SELECT id, account_id FROM customer WHERE rowid = 10").fetchone()
    return row[0], row[1]


def _open(store: Store, *, channel: str = "email", kind: str = "question", opened_at=NOW, order_id=None,
          message: str | None = "Where is my parcel?") -> str:
    customer_id, account_id = _customer(store)
    ticket_id = _id()
    args = {
        "ticket_id": ticket_id, "account_id": account_id, "customer_id": customer_id,
        "case_number": store.next_case_number(), "subject": "Parcel", "kind": kind, "channel": channel,
        "opened_at": iso(opened_at), "order_id": order_id,
    }
    if message:
        args |= {"first_message_id": _id(), "first_message": message}
    store.mutate("ticket.open@1", args)
    return ticket_id


def _row(store: Store, ticket_id: str) -> dict:
    cursor = store.conn.execute("SELECT * FROM ticket WHERE id = ?", (ticket_id,))
    return dict(zip([d[0] for d in cursor.description], cursor.fetchone(), strict=True))


def test_inbox_is_most_urgent_first_and_pages_without_gaps_or_repeats(demo_store: Store) -> None:
    everything = demo_store.conn.execute(
        "SELECT id FROM ticket WHERE status NOT IN ('resolved', 'closed') ORDER BY response_due_at, id").fetchall()
    seen, cursor = [], None
    while True:
        page = demo_store.inbox(InboxQuery(), after=cursor, limit=7)
        seen.extend(row.id for row in page.rows)
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert seen == [r[0] for r in everything]
    assert len(seen) == len(set(seen)) > 7
    dues = [r.awaiting_since for r in demo_store.inbox(InboxQuery(), limit=200).rows if r.awaiting_since]
    assert dues == sorted(dues)


def test_inbox_filters_by_account_state_kind_channel_and_searches(demo_store: Store) -> None:
    account = demo_store.accounts()[0].id
    rows = demo_store.inbox(InboxQuery(account_ids=(account,), kinds=("refund",)), limit=200).rows
    assert rows and all(r.account_id == account and r.kind == "refund" for r in rows)
    rows = demo_store.inbox(InboxQuery(statuses=("new",), channels=("web_form",)), limit=200).rows
    assert rows and all(r.status == "new" and r.channel == "web_form" for r in rows)
    target = demo_store.inbox(InboxQuery(), limit=1).rows[0]
    by_case = demo_store.inbox(InboxQuery(search=target.case_number.lower()), limit=10).rows
    assert [r.id for r in by_case] == [target.id]
    first_name = target.customer_name.split()[0]
    assert target.id in [r.id for r in demo_store.inbox(InboxQuery(search=first_name[:4]), limit=200).rows]
    assert demo_store.inbox(InboxQuery(search='"*) OR zzqx=zzqx --'), limit=10).rows == ()


def test_a_reply_is_queued_stops_the_clock_and_a_note_does_not(demo_store: Store) -> None:
    ticket_id = _open(demo_store)
    row = _row(demo_store, ticket_id)
    assert row["status"] == "new" and row["awaiting_since"] == iso(NOW)
    assert row["response_due_at"] == iso(NOW + timedelta(hours=6))
    demo_store.mutate("ticket.add_message@1", {
        "message_id": _id(), "ticket_id": ticket_id, "kind": "note", "author": "Bo",
        "body": "Courier says Tuesday", "created_at": iso(NOW + timedelta(minutes=5))})
    assert _row(demo_store, ticket_id)["awaiting_since"] == iso(NOW)
    demo_store.mutate("ticket.add_message@1", {
        "message_id": _id(), "ticket_id": ticket_id, "kind": "reply", "author": "Bo",
        "body": "It arrives Tuesday.", "created_at": iso(NOW + timedelta(minutes=9))})
    row = _row(demo_store, ticket_id)
    assert row["status"] == "open" and row["awaiting_since"] is None
    assert row["first_response_at"] == iso(NOW + timedelta(minutes=9))
    page = demo_store.thread(ticket_id)
    assert [(m.kind, m.delivery) for m in page.messages] == [
        ("customer", None), ("note", None), ("reply", "queued")]
    with pytest.raises(StoreError, match="body is empty"):
        demo_store.mutate("ticket.add_message@1", {
            "message_id": _id(), "ticket_id": ticket_id, "kind": "reply", "author": "Bo", "body": "  \n",
            "created_at": iso(NOW)})


def test_resolving_needs_recorded_consent_and_a_reopen_forgets_it(demo_store: Store) -> None:
    ticket_id = _open(demo_store)
    later = iso(NOW + timedelta(minutes=30))
    with pytest.raises(StoreError, match="permission"):
        demo_store.mutate("ticket.set_status@1", {"ticket_id": ticket_id, "status": "resolved", "changed_at": later})
    assert _row(demo_store, ticket_id)["status"] == "new"
    agent = demo_store.agents()[0].id
    with pytest.raises(StoreError, match="before the ticket"):
        demo_store.mutate("ticket.record_consent@1", {
            "ticket_id": ticket_id, "how": "call", "given_at": iso(NOW - timedelta(days=1)), "agent_id": agent,
            "recorded_at": later})
    demo_store.mutate("ticket.record_consent@1", {
        "ticket_id": ticket_id, "how": "writing", "given_at": later, "agent_id": agent, "recorded_at": later})
    demo_store.mutate("ticket.set_status@1", {"ticket_id": ticket_id, "status": "resolved", "changed_at": later})
    row = _row(demo_store, ticket_id)
    assert (row["status"], row["consent_how"], row["consent_at"], row["resolved_at"]) == (
        "resolved", "writing", later, later)
    demo_store.mutate("ticket.request_review@1", {"ticket_id": ticket_id, "requested_at": later})
    assert _row(demo_store, ticket_id)["review_requested"] == 1
    demo_store.mutate("ticket.set_status@1", {"ticket_id": ticket_id, "status": "open", "changed_at": later})
    row = _row(demo_store, ticket_id)
    assert row["consent_how"] is None and row["review_requested"] == 0
    with pytest.raises(StoreError, match="cannot become closed"):
        demo_store.mutate("ticket.set_status@1", {"ticket_id": ticket_id, "status": "closed", "changed_at": later})


def _order(store: Store, days_ago: float, recurring: bool = False) -> str:
    customer_id, account_id = _customer(store)
    order_id = _id()
    with store.lock:
        store.conn.execute(
            "INSERT INTO customer_order (id, account_id, customer_id, number, placed_at, status, total_cents,"
            " recurring) VALUES (?, ?, ?, ?, ?, 'delivered', 4200, ?)",
            (order_id, account_id, customer_id, f"ORD-9{abs(hash(order_id)) % 10**8}",
             iso(NOW - timedelta(days=days_ago)), int(recurring)))
    return order_id


def test_save_the_sale_offers_help_first_then_records_the_outcome(demo_store: Store) -> None:
    agent = demo_store.agents()[0].id
    inside = _open(demo_store, kind="refund", order_id=_order(demo_store, 20))
    outside = _open(demo_store, kind="refund", order_id=_order(demo_store, 75))
    outcome = {"outcome": "refunded", "decided_at": iso(NOW + timedelta(hours=1)), "agent_id": agent}
    with pytest.raises(StoreError, match="Offer help first"):
        demo_store.mutate("ticket.save_the_sale@1", {"ticket_id": inside, **outcome})
    for ticket_id in (inside, outside):
        demo_store.mutate("ticket.offer_help@1", {
            "ticket_id": ticket_id, "message_id": _id(), "author": "Bo", "body": "Can we repair it instead?",
            "offered_at": iso(NOW + timedelta(minutes=10)), "agent_id": agent})
    demo_store.mutate("ticket.save_the_sale@1", {"ticket_id": inside, **outcome})
    row = _row(demo_store, inside)
    assert row["save_outcome"] == "refunded" and row["help_offered_at"] is not None
    assert demo_store.conn.execute("SELECT status FROM customer_order WHERE id = ?",
                                   (row["order_id"],)).fetchone()[0] == "refunded"
    with pytest.raises(StoreError, match="60 days"):
        demo_store.mutate("ticket.save_the_sale@1", {"ticket_id": outside, **outcome})
    demo_store.mutate("ticket.save_the_sale@1", {"ticket_id": outside, **outcome, "outcome": "saved"})
    assert _row(demo_store, outside)["save_outcome"] == "saved"


def test_case_numbers_are_this_terminals_and_never_repeat(demo_store: Store) -> None:
    prefix = f"CS-{terminal_prefix(demo_store.client_group_id)}-"
    first, second = demo_store.next_case_number(), demo_store.next_case_number()
    assert first.startswith(prefix) and second.startswith(prefix) and first != second
    assert first.endswith("-001") and second.endswith("-002")
    ticket_id = _open(demo_store)
    assert _row(demo_store, ticket_id)["case_number"] == f"{prefix}003"


def test_case_numbers_continue_after_a_restart(demo_store: Store, tmp_path: Path) -> None:
    _open(demo_store)
    _open(demo_store)
    path = demo_store.path
    demo_store.close()
    reopened = Store.open(path, FixedClock())
    try:
        assert reopened.next_case_number().endswith("-003")
    finally:
        reopened.close()


def test_a_case_from_a_call_queues_the_confirmation_in_the_same_change(demo_store: Store) -> None:
    customer_id, account_id = _customer(demo_store)
    ticket_id, number = _id(), demo_store.next_case_number()
    before = demo_store.outbox_count()
    demo_store.mutate("ticket.open@1", {
        "ticket_id": ticket_id, "account_id": account_id, "customer_id": customer_id, "case_number": number,
        "subject": "Boiler noise", "kind": "question", "channel": "phone", "status": "open",
        "opened_at": iso(NOW), "agent_id": demo_store.agents()[0].id, "author": "Bo",
        "first_message_id": _id(), "first_message": "Caller reports a noise",
        "confirmation_id": _id(), "confirmation": f"Your case number is {number}."})
    assert demo_store.outbox_count() == before + 1
    kinds = [(m.kind, m.delivery) for m in demo_store.thread(ticket_id).messages]
    assert kinds == [("note", None), ("reply", "queued")]
    assert _row(demo_store, ticket_id)["awaiting_since"] is None


def test_drafts_survive_a_restart_and_are_never_queued_for_the_server(demo_store: Store) -> None:
    ticket_id = _open(demo_store)
    before = demo_store.outbox_count()
    demo_store.save_draft(ticket_id, "note", "half a thought", iso(NOW))
    path = demo_store.path
    demo_store.close()
    reopened = Store.open(path, FixedClock())
    try:
        draft = reopened.draft(ticket_id)
        assert draft is not None and (draft.kind, draft.body) == ("note", "half a thought")
        assert reopened.outbox_count() == before
        reopened.save_draft(ticket_id, "reply", "", iso(NOW))
        assert reopened.draft(ticket_id) is None
    finally:
        reopened.close()


def test_a_ten_megabyte_message_is_previewed_and_read_page_by_page(demo_store: Store) -> None:
    ticket_id = _open(demo_store)
    body = ("0123456789" * 100 + "\n") * 10_000  # about 10 MB
    demo_store.mutate("ticket.add_message@1", {
        "message_id": "big", "ticket_id": ticket_id, "kind": "customer", "author": "Ann", "body": body,
        "created_at": iso(NOW + timedelta(minutes=1))})
    message = demo_store.thread(ticket_id).messages[-1]
    assert message.length == len(body) and len(message.preview) == 2_000
    text, total = demo_store.message_text("big", 3)
    assert total == len(body) and text == body[3 * 16_000: 4 * 16_000]
