"""A new agent works save-the-sale from the keyboard at 80x24 and 120x35: a refund inside the window, one outside
it (a template that says "refunded" cannot go out), a cancellation saved by help, and a resolved ticket found
again and reopened when the customer writes. The store, the screen and the customer's messages agree."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest

from agentdesk.clock import iso
from screens.app import AgentDeskApp
from screens.ticket_dialogs import Choice, ConsentToResolve
from screens.tickets import TicketsInbox
from tests.desk import screen_text, settle
from tests.ui.test_tickets import OUT_OF_WINDOW, WITHIN_WINDOW, _messages, _offer_delivered, _open, _row, _ticket, told
from widgets import TicketComposer, TicketInbox

SIZES = [(80, 24), (120, 35)]


async def _offer_and_deliver(pilot, app: AgentDeskApp, ticket_id: str) -> None:  # noqa: ANN001
    await pilot.press("ctrl+b")
    await settle(pilot)
    await pilot.press("enter")  # send the offer of help
    await settle(pilot)
    _offer_delivered(app.store, ticket_id)
    await _open(pilot, ticket_id)


def _order_status(app: AgentDeskApp, ticket_id: str) -> str:
    return app.store.conn.execute("SELECT o.status FROM customer_order o JOIN ticket t ON t.order_id = o.id"
                                  " WHERE t.id = ?", (ticket_id,)).fetchone()[0]


@pytest.mark.parametrize("size", SIZES)
async def test_a_refund_inside_the_window_by_the_refund_template(app: AgentDeskApp, size: tuple[int, int]) -> None:
    ticket_id, case = _ticket(app.store, WITHIN_WINDOW)
    async with app.run_test(size=size) as pilot:
        await _open(pilot, ticket_id)
        said = told(app)
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert "resolved with its outcome" in said[-1]  # no resolving a refund request without an outcome
        await _offer_and_deliver(pilot, app, ticket_id)
        await pilot.press("ctrl+t")
        await settle(pilot)
        names = [label for _, label, _ in app.screen.options]  # type: ignore[attr-defined]
        await pilot.press(*["down"] * names.index("Refund confirmation"))
        await settle(pilot)
        assert isinstance(app.screen, Choice) and "We have refunded order" in screen_text(app)  # the preview
        await pilot.press("enter")
        await settle(pilot)
        assert screen_text(app).count("Hello") >= 1  # the composer shows the template from its start
        await pilot.press("ctrl+s")  # the reply states a refund: it records it through the rules
        await settle(pilot)
        row = _row(app.store, ticket_id)
        assert (row["status"], row["save_outcome"]) == ("resolved", "refunded")
        assert _order_status(app, ticket_id) == "refunded"
        refunds = [m for m in _messages(app.store, ticket_id) if m[0] == "reply" and "We have refunded order" in m[1]]
        assert [m[2] for m in refunds] == ["queued"]  # the customer is told, once
        assert app.screen.query_one(TicketComposer).text == ""
        # The outcome and the customer's agreement both stay in view, at 80x24 too.
        assert "Save the sale: refunded; agreed in writing" in screen_text(app) and case in screen_text(app)


@pytest.mark.parametrize("size", SIZES)
async def test_outside_the_window_the_refund_template_is_refused_and_the_policy_is_sent(
    app: AgentDeskApp, size: tuple[int, int]
) -> None:
    ticket_id, _ = _ticket(app.store, OUT_OF_WINDOW)
    async with app.run_test(size=size) as pilot:
        await _open(pilot, ticket_id)
        await _offer_and_deliver(pilot, app, ticket_id)
        screen = app.screen
        said = told(app)
        screen.query_one(TicketComposer).insert("We have refunded order 42.")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "60 days" in said[-1]  # refused by the rules: nothing is sent
        assert screen.query_one(TicketComposer).text == "We have refunded order 42."
        assert _order_status(app, ticket_id) == "delivered"
        assert not any("We have refunded" in m[1] for m in _messages(app.store, ticket_id))
        await pilot.press("ctrl+b")
        await settle(pilot)
        await pilot.press("down", "enter")  # saved, by mistake ...
        await settle(pilot)
        assert isinstance(app.screen, ConsentToResolve)
        await pilot.press("escape")  # ... caught: the customer never agreed to withdraw
        await settle(pilot)
        assert _row(app.store, ticket_id)["save_outcome"] is None
        await pilot.press("ctrl+b")
        await settle(pilot)
        await pilot.press("down", "down", "enter", "enter")  # refused by policy; send the reason
        await settle(pilot)
        row = _row(app.store, ticket_id)
        assert (row["save_outcome"], row["status"]) == ("refused", "pending")
        [why] = [m[1] for m in _messages(app.store, ticket_id) if m[0] == "reply" and "60 days after the order" in m[1]]
        ordered = re.search(r"ordered (\d{4}-\d\d-\d\d)", screen_text(app))
        assert ordered is not None and f"placed on {ordered[1]}" in why  # the customer is told why, with the date
        assert "cancel" not in why  # and only the rule that applies to a refund


@pytest.mark.parametrize("size", SIZES)
async def test_a_cancellation_saved_by_help(app: AgentDeskApp, size: tuple[int, int]) -> None:
    ticket_id, _ = _ticket(app.store, "t.kind = 'cancellation' AND o.recurring = 1 AND t.channel != 'phone'"
                                      " AND t.status IN ('new', 'open')")
    async with app.run_test(size=size) as pilot:
        await _open(pilot, ticket_id)
        await _offer_and_deliver(pilot, app, ticket_id)
        await pilot.press("ctrl+b")
        await settle(pilot)
        await pilot.press("down", "enter")  # saved
        await settle(pilot)
        await pilot.press("down", "enter")  # they agreed in writing, now
        await settle(pilot)
        row = _row(app.store, ticket_id)
        assert (row["save_outcome"], row["status"], row["consent_how"]) == ("saved", "resolved", "writing")
        assert _order_status(app, ticket_id) != "cancelled"
        assert "Save the sale: saved (request withdrawn); agreed in writing" in screen_text(app)


@pytest.mark.parametrize("size", SIZES)
async def test_a_resolved_ticket_is_found_again_and_reopens_when_the_customer_writes(
    app: AgentDeskApp, size: tuple[int, int]
) -> None:
    mine = ", ".join(f"'{a}'" for a in app.store.agent_accounts(app.agent.id))
    ticket_id, case = _ticket(app.store, f"t.status = 'resolved' AND t.kind = 'question' AND t.account_id IN ({mine})")
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await pilot.press("t")
        await settle(pilot)
        assert isinstance(app.screen, TicketsInbox)
        await pilot.press(*"s" * 5)  # new, open, pending, escalated, resolved
        await settle(pilot)
        view = app.screen.query_one(TicketInbox).view
        assert view is not None and view.rows and all(r.status == "resolved" for r in view.rows)
        await pilot.press("s", "s")  # back to every (open) state
        await pilot.press("slash", *case, "enter")
        await settle(pilot)
        view = app.screen.query_one(TicketInbox).view
        assert view is not None and [r.id for r in view.rows] == [ticket_id]
        app.store.mutate("ticket.add_message@1", {
            "message_id": str(uuid.uuid4()), "ticket_id": ticket_id, "kind": "customer", "author": "customer",
            "body": "It broke again.", "created_at": iso(app.clock.now())})
        await pilot.press("enter")
        await settle(pilot)
        row = _row(app.store, ticket_id)
        assert (row["status"], row["consent_how"], row["resolved_at"]) == ("open", None, None)
        assert "It broke again." in screen_text(app)


async def test_the_open_ticket_shows_what_a_sync_brought_and_ctrl_b_goes_on_from_there(app: AgentDeskApp) -> None:
    # The agent sends the offer of help and stays on the ticket; the relay delivers it and the customer answers
    # (both arrive by sync). The screen shows the answer, and Ctrl+B offers the outcome instead of refusing it
    # with "the offer of help has not reached the customer yet".
    ticket_id, _ = _ticket(app.store, WITHIN_WINDOW)
    async with app.run_test(size=(80, 24)) as pilot:
        await _open(pilot, ticket_id)
        await pilot.press("ctrl+b")
        await settle(pilot)
        await pilot.press("enter")  # send the offer of help
        await settle(pilot)
        assert "waits until it reaches the customer." in screen_text(app)
        _offer_delivered(app.store, ticket_id)
        app.store.mutate("ticket.add_message@1", {
            "message_id": str(uuid.uuid4()), "ticket_id": ticket_id, "kind": "customer", "author": "customer",
            "body": "No repair, thank you: my money back.", "created_at": iso(app.clock.now() + timedelta(minutes=5))})
        app.post_message(AgentDeskApp.SyncChanged("online", pulled=2))
        await settle(pilot)
        assert "No repair, thank you: my money back." in screen_text(app)
        assert "Ctrl+B records the outcome" in screen_text(app)
        said = told(app)
        await pilot.press("ctrl+b")
        await settle(pilot)
        assert isinstance(app.screen, Choice) and "how did it end" in screen_text(app), said


async def test_a_late_answer_reads_overdue_by_the_time_it_is_late(app: AgentDeskApp) -> None:
    ticket_id, case = _ticket(app.store, WITHIN_WINDOW)
    late = iso(app.clock.now() - timedelta(hours=7, minutes=30))  # 6 h goal: 1 h 30 late, not yet 12 h
    app.store.conn.execute("UPDATE ticket SET awaiting_since = ? WHERE id = ?", (late, ticket_id))
    async with app.run_test(size=(80, 24)) as pilot:
        await _open(pilot, ticket_id)
        assert "SLA: response overdue by 1h30m" in screen_text(app) and case in screen_text(app)
