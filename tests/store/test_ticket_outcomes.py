"""Save the sale as the contract says, in the local store: an outcome ends the request, the customer is told,
the window is judged when the request arrived, a mistaken outcome is corrected with both kept, and a ticket the
customer writes to again forgets its old consent."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from agentdesk.clock import FixedClock, iso
from agentdesk.mutations.tickets import NOTHING_DUE
from agentdesk.store import Store, StoreError
from tests.store.test_store_tickets import _open, _order, _row

NOW = FixedClock().now()


def _id() -> str:
    return str(uuid.uuid4())


def _offer(store: Store, ticket_id: str, *, delivered: bool = True, at=NOW + timedelta(minutes=10)) -> str:
    agent, message_id = store.agents()[0].id, _id()
    store.mutate("ticket.offer_help@1", {
        "ticket_id": ticket_id, "message_id": message_id, "author": "Bo", "body": "Can we repair it instead?",
        "offered_at": iso(at), "agent_id": agent})
    if delivered:
        store.mutate("ticket.mark_delivered@1", {"message_id": message_id, "delivery": "delivered"})
    return message_id


def _decide(store: Store, ticket_id: str, outcome: str, at=NOW + timedelta(hours=1), *,
            name: str = "ticket.save_the_sale@2", **extra: object) -> None:
    args: dict[str, object] = {
        "ticket_id": ticket_id, "outcome": outcome, "decided_at": iso(at), "agent_id": store.agents()[0].id,
        "author": "Bo", "note_id": _id()}
    if outcome != "saved":
        args |= {"message_id": _id(), "body": f"About your request: {outcome}."}
    store.mutate(name, args | extra)


def _messages(store: Store, ticket_id: str) -> list[tuple[str, str, str | None]]:
    return [tuple(r) for r in store.conn.execute(
        "SELECT kind, body, delivery FROM ticket_message WHERE ticket_id = ? ORDER BY created_at, kind",
        (ticket_id,))]


def _order_status(store: Store, ticket_id: str) -> str:
    return store.conn.execute("SELECT o.status FROM customer_order o JOIN ticket t ON t.order_id = o.id"
                              " WHERE t.id = ?", (ticket_id,)).fetchone()[0]


def test_a_refund_inside_the_window_refunds_tells_the_customer_and_resolves(demo_store: Store) -> None:
    ticket_id = _open(demo_store, kind="refund", order_id=_order(demo_store, 20), message="Please refund it.")
    with pytest.raises(StoreError, match="Offer help first"):
        _decide(demo_store, ticket_id, "refunded")
    with pytest.raises(StoreError, match="only with its outcome"):
        demo_store.mutate("ticket.record_consent@1", {
            "ticket_id": ticket_id, "how": "writing", "given_at": iso(NOW), "agent_id": demo_store.agents()[0].id,
            "recorded_at": iso(NOW)})
        demo_store.mutate("ticket.set_status@1", {"ticket_id": ticket_id, "status": "resolved",
                                                  "changed_at": iso(NOW + timedelta(minutes=1))})
    demo_store.mutate("ticket.set_status@1", {"ticket_id": ticket_id, "status": "open", "changed_at": iso(NOW)})
    offer = _offer(demo_store, ticket_id, delivered=False)
    with pytest.raises(StoreError, match="not reached the customer"):
        _decide(demo_store, ticket_id, "refunded")
    demo_store.mutate("ticket.mark_delivered@1", {"message_id": offer, "delivery": "delivered"})
    _decide(demo_store, ticket_id, "refunded")
    row = _row(demo_store, ticket_id)
    assert (row["status"], row["save_outcome"], row["consent_how"]) == ("resolved", "refunded", "writing")
    assert row["resolved_at"] == iso(NOW + timedelta(hours=1)) and row["awaiting_since"] is None
    assert _order_status(demo_store, ticket_id) == "refunded"
    sent = [m for m in _messages(demo_store, ticket_id) if m[0] == "reply"]
    assert sent[-1] == ("reply", "About your request: refunded.", "queued")
    assert any(m[0] == "note" and "Outcome: refunded, recorded by Bo" in m[1] for m in _messages(demo_store, ticket_id))
    with pytest.raises(StoreError, match="already recorded"):
        _decide(demo_store, ticket_id, "saved", agreed_how="writing", agreed_at=iso(NOW + timedelta(hours=2)))


def test_a_request_made_on_day_59_is_still_refunded_on_day_62(demo_store: Store) -> None:
    ticket_id = _open(demo_store, kind="refund", order_id=_order(demo_store, 59))
    _offer(demo_store, ticket_id)
    _decide(demo_store, ticket_id, "refunded", at=NOW + timedelta(days=3))
    assert _row(demo_store, ticket_id)["save_outcome"] == "refunded"


def test_outside_the_window_the_refund_is_refused_by_policy_and_a_mistaken_saved_is_corrected(
    demo_store: Store,
) -> None:
    ticket_id = _open(demo_store, kind="refund", order_id=_order(demo_store, 93))
    _offer(demo_store, ticket_id)
    with pytest.raises(StoreError, match="60 days"):
        _decide(demo_store, ticket_id, "refunded")
    with pytest.raises(StoreError, match="agreement"):
        _decide(demo_store, ticket_id, "saved")
    # The agent meant "refused" and pressed "saved": the customer never withdrew.
    _decide(demo_store, ticket_id, "saved", agreed_how="writing", agreed_at=iso(NOW + timedelta(minutes=50)))
    assert _row(demo_store, ticket_id)["status"] == "resolved"
    with pytest.raises(StoreError, match="Say why"):
        _decide(demo_store, ticket_id, "refused", name="ticket.correct_outcome@1", reason=" ")
    _decide(demo_store, ticket_id, "refused", at=NOW + timedelta(hours=2), name="ticket.correct_outcome@1",
            reason="pressed saved by mistake")
    row = _row(demo_store, ticket_id)
    assert (row["status"], row["save_outcome"], row["consent_how"], row["resolved_at"]) == (
        "pending", "refused", None, None)
    assert _order_status(demo_store, ticket_id) == "delivered"
    notes = [m[1] for m in _messages(demo_store, ticket_id) if m[0] == "note"]
    assert notes[0].startswith("Outcome: saved (request withdrawn)")
    assert "saved (request withdrawn) was recorded by mistake; now refused by policy" in notes[1]
    assert "pressed saved by mistake" in notes[1]
    assert [m for m in _messages(demo_store, ticket_id) if m[0] == "reply"][-1] == (
        "reply", "About your request: refused.", "queued")  # the customer is told why


def test_a_cancellation_saved_by_help_resolves_with_the_customers_agreement(demo_store: Store) -> None:
    ticket_id = _open(demo_store, kind="cancellation", order_id=_order(demo_store, 200, recurring=True))
    _offer(demo_store, ticket_id)
    with pytest.raises(StoreError, match="not refunded"):
        _decide(demo_store, ticket_id, "refunded")
    agreed = iso(NOW + timedelta(minutes=40))
    _decide(demo_store, ticket_id, "saved", agreed_how="writing", agreed_at=agreed)
    row = _row(demo_store, ticket_id)
    assert (row["status"], row["save_outcome"], row["consent_how"], row["consent_at"]) == (
        "resolved", "saved", "writing", agreed)
    assert _order_status(demo_store, ticket_id) == "delivered"  # nothing was cancelled


def test_a_decision_dated_before_the_request_is_a_clock_behind(demo_store: Store) -> None:
    ticket_id = _open(demo_store, kind="refund", order_id=_order(demo_store, 20))
    _offer(demo_store, ticket_id)
    with pytest.raises(StoreError, match="clock is behind"):
        _decide(demo_store, ticket_id, "refunded", at=NOW - timedelta(days=2))


def test_the_customer_writing_again_reopens_and_forgets_the_old_consent(demo_store: Store) -> None:
    ticket_id = _open(demo_store)
    later = iso(NOW + timedelta(minutes=30))
    demo_store.mutate("ticket.record_consent@1", {
        "ticket_id": ticket_id, "how": "writing", "given_at": later, "agent_id": demo_store.agents()[0].id,
        "recorded_at": later})
    demo_store.mutate("ticket.set_status@1", {"ticket_id": ticket_id, "status": "resolved", "changed_at": later})
    demo_store.mutate("ticket.add_message@1", {
        "message_id": _id(), "ticket_id": ticket_id, "kind": "customer", "author": "customer",
        "body": "It broke again.", "created_at": iso(NOW + timedelta(days=1))})
    row = _row(demo_store, ticket_id)
    assert (row["status"], row["consent_how"], row["consent_at"], row["resolved_at"]) == ("open", None, None, None)


def test_a_call_consent_needs_a_call(demo_store: Store) -> None:
    ticket_id = _open(demo_store)
    later = iso(NOW + timedelta(minutes=30))
    with pytest.raises(StoreError, match="no call with this customer"):
        demo_store.mutate("ticket.record_consent@1", {
            "ticket_id": ticket_id, "how": "call", "given_at": later, "agent_id": demo_store.agents()[0].id,
            "recorded_at": later})


def test_a_saved_sale_owes_nothing_and_a_reopening_starts_the_clock_at_the_new_message(demo_store: Store) -> None:
    # The customer answers the offer "I'll keep it" and the sale is saved: nothing is owed on a resolved ticket.
    # Two days later they write again: the clock counts from that message, not from the old answer, so the
    # reopened ticket is not overdue (nor escalated by the backend) the moment it arrives.
    ticket_id = _open(demo_store, kind="cancellation", order_id=_order(demo_store, 200, recurring=True))
    _offer(demo_store, ticket_id)
    kept = NOW + timedelta(minutes=30)
    demo_store.mutate("ticket.add_message@1", {
        "message_id": _id(), "ticket_id": ticket_id, "kind": "customer", "author": "customer",
        "body": "The better plan is fine, I keep it.", "created_at": iso(kept)})
    _decide(demo_store, ticket_id, "saved", agreed_how="writing", agreed_at=iso(kept))
    row = _row(demo_store, ticket_id)
    assert (row["status"], row["awaiting_since"], row["response_due_at"]) == ("resolved", None, NOTHING_DUE)
    again = NOW + timedelta(days=2)
    demo_store.mutate("ticket.add_message@1", {
        "message_id": _id(), "ticket_id": ticket_id, "kind": "customer", "author": "customer",
        "body": "Please cancel after all.", "created_at": iso(again)})
    row = _row(demo_store, ticket_id)
    assert (row["status"], row["awaiting_since"], row["response_due_at"]) == (
        "open", iso(again), iso(again + timedelta(hours=6)))


def test_a_ticket_resolved_with_consent_owes_nothing(demo_store: Store) -> None:
    ticket_id = _open(demo_store)  # the customer's question is still unanswered when they agree in writing
    later = iso(NOW + timedelta(minutes=30))
    demo_store.mutate("ticket.record_consent@1", {
        "ticket_id": ticket_id, "how": "writing", "given_at": later, "agent_id": demo_store.agents()[0].id,
        "recorded_at": later})
    demo_store.mutate("ticket.set_status@1", {"ticket_id": ticket_id, "status": "resolved", "changed_at": later})
    row = _row(demo_store, ticket_id)
    assert (row["status"], row["awaiting_since"], row["response_due_at"]) == ("resolved", None, NOTHING_DUE)
