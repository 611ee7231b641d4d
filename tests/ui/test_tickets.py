"""Working tickets from the keyboard: triage, reply, note, template, resolve with consent, save the sale."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from textual.pilot import Pilot

from agentdesk.clock import FixedClock, iso
from agentdesk.config import Settings
from agentdesk.store import Store
from screens.app import AgentDeskApp, make_app
from screens.ticket import TicketScreen
from screens.ticket_dialogs import CaseFromCall, Choice, ConsentToResolve
from screens.tickets import TicketsInbox
from tests.desk import WELL_KNOWN, advance, ring, screen_text, settle
from widgets import CustomerHistory, TicketComposer, TicketInbox
from widgets.ticket_inbox import sla_cell


def _ticket(store: Store, where: str) -> tuple[str, str]:
    row = store.conn.execute(
        "SELECT t.id, t.case_number FROM ticket t LEFT JOIN customer_order o ON o.id = t.order_id"
        f" WHERE {where} ORDER BY t.case_number LIMIT 1").fetchone()
    assert row is not None, where
    return row[0], row[1]


def _written_question(store: Store, where: str = "1") -> str:
    """A customer's written question still waiting for its answer. The demo settles cases older than 12 days, so
    the small test store may hold none open: then the oldest written question is taken as written again, open
    (the way a customer's new message reopens it: consent and resolution cleared)."""
    found = store.conn.execute(
        f"SELECT t.id FROM ticket t WHERE {QUESTION_IN_WRITING} AND {where} ORDER BY t.case_number LIMIT 1").fetchone()
    if found is not None:
        return str(found[0])
    ticket_id, _ = _ticket(store, f"t.kind = 'question' AND t.channel != 'phone' AND {where}")
    with store.lock:
        store.conn.execute(
            "UPDATE ticket SET status = 'open', consent_how = NULL, consent_at = NULL, consent_by = NULL,"
            " resolved_at = NULL, review_requested = 0 WHERE id = ?", (ticket_id,))
    return ticket_id


def _row(store: Store, ticket_id: str) -> dict[str, Any]:
    cursor = store.conn.execute("SELECT * FROM ticket WHERE id = ?", (ticket_id,))
    return dict(zip([d[0] for d in cursor.description], cursor.fetchone(), strict=True))


def _messages(store: Store, ticket_id: str) -> list[tuple[str, str, str | None]]:
    return store.conn.execute(
        "SELECT kind, body, delivery FROM ticket_message WHERE ticket_id = ? ORDER BY created_at, id",
        (ticket_id,)).fetchall()


def told(app: AgentDeskApp) -> list[str]:
    """Every notification the app shows from now on (the list fills as they come)."""
    said: list[str] = []
    notify = app.notify

    def record(message: str, *args: Any, **kwargs: Any) -> None:
        said.append(message)
        notify(message, *args, **kwargs)

    app.notify = record  # type: ignore[method-assign]
    return said


async def _open(pilot: Pilot[Any], ticket_id: str) -> TicketScreen:
    pilot.app.push_screen(TicketScreen(ticket_id))
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, TicketScreen)
    return screen


WITHIN_WINDOW = "t.kind = 'refund' AND o.placed_at > '2026-10-01' AND t.status = 'new'"
OUT_OF_WINDOW = "t.kind = 'refund' AND o.placed_at < '2026-09-20' AND t.status = 'new'"
NO_ORDER = "t.order_id IS NULL AND t.status IN ('new', 'open')"
QUESTION_IN_WRITING = "t.kind = 'question' AND t.channel != 'phone' AND t.status IN ('new', 'open')"


def _offer_delivered(store: Store, ticket_id: str) -> None:
    """The mail relay delivered the offer of help (what the backend's relay reports through sync)."""
    [offer] = store.conn.execute("SELECT m.id FROM ticket_message m JOIN ticket t ON t.id = m.ticket_id"
                                 " WHERE m.ticket_id = ? AND m.created_at = t.help_offered_at", (ticket_id,)).fetchone()
    store.mutate("ticket.mark_delivered@1", {"message_id": offer, "delivery": "delivered"})


async def test_t_opens_the_inbox_most_urgent_first_and_enter_opens_a_ticket(app: AgentDeskApp) -> None:
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        await pilot.press("t")
        await settle(pilot)
        assert isinstance(app.screen, TicketsInbox)
        view = app.screen.query_one(TicketInbox).view
        assert view is not None and view.rows
        waiting = [r.awaiting_since for r in view.rows if r.awaiting_since]
        assert waiting == sorted(waiting)
        mine = set(app.store.agent_accounts(app.agent.id))
        assert all(r.account_id in mine for r in view.rows)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, TicketScreen) and app.screen.ticket_id == view.rows[0].id


async def test_the_inbox_filters_by_kind_and_account_and_finds_a_case_number(app: AgentDeskApp) -> None:
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        await pilot.press("t")
        await settle(pilot)
        await pilot.press("k")  # refunds
        await settle(pilot)
        inbox = app.screen.query_one(TicketInbox)
        assert inbox.view is not None and inbox.view.rows
        assert all(r.kind == "refund" for r in inbox.view.rows)
        case = inbox.view.rows[-1].case_number
        await pilot.press("a")  # the first account by name
        await settle(pilot)
        first = app.store.accounts()[0]
        assert all(r.account_id == first.id and r.kind == "refund" for r in inbox.view.rows)
        assert first.name in screen_text(app)
        await pilot.press("a", "a", "a", "a")  # round to my accounts again
        await pilot.press("slash", *case.lower(), "enter")
        await settle(pilot)
        assert [r.case_number for r in inbox.view.rows] == [case]


async def test_a_reply_is_sent_shown_as_queued_and_stops_the_clock(app: AgentDeskApp) -> None:
    ticket_id, _ = _ticket(app.store, WITHIN_WINDOW)
    assert _row(app.store, ticket_id)["awaiting_since"] is not None
    async with app.run_test(size=(120, 35)) as pilot:
        await _open(pilot, ticket_id)
        await pilot.press(*"We can help with that.")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert _messages(app.store, ticket_id)[-1] == ("reply", "We can help with that.", "queued")
        row = _row(app.store, ticket_id)
        assert row["awaiting_since"] is None and row["status"] == "open"
        text = screen_text(app)
        assert "REPLY to the customer" in text and "queued, not yet delivered" in text
        assert "answered, nothing owed" in text
        assert app.screen.query_one(TicketComposer).text == ""


async def test_an_empty_reply_is_refused_with_a_message(app: AgentDeskApp) -> None:
    ticket_id, _ = _ticket(app.store, WITHIN_WINDOW)
    async with app.run_test(size=(120, 35)) as pilot:
        await _open(pilot, ticket_id)
        before, said = app.store.outbox_count(), told(app)
        await pilot.press("space", "enter", "ctrl+s")
        await settle(pilot)
        assert said == ["The reply is empty: write something first."]
        assert app.store.outbox_count() == before


async def test_a_note_is_plainly_an_internal_note_and_never_a_reply(app: AgentDeskApp) -> None:
    ticket_id, _ = _ticket(app.store, WITHIN_WINDOW)
    async with app.run_test(size=(120, 35)) as pilot:
        await _open(pilot, ticket_id)
        composer = app.screen.query_one(TicketComposer)
        assert composer.mode == "reply" and "REPLY · goes to the customer" in screen_text(app)
        await pilot.press("f2")
        assert composer.mode == "note" and composer.has_class("-note")
        assert "INTERNAL NOTE · never shown to the customer" in screen_text(app)
        await pilot.press(*"Customer sounded upset")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert _messages(app.store, ticket_id)[-1] == ("note", "Customer sounded upset", None)
        assert _row(app.store, ticket_id)["awaiting_since"] is not None  # a note does not answer the customer
        assert "INTERNAL NOTE · never shown to the customer · " in screen_text(app)


async def test_resolve_asks_how_the_customer_agreed_and_records_it(app: AgentDeskApp) -> None:
    ticket_id = _written_question(app.store)
    case = _row(app.store, ticket_id)["case_number"]
    async with app.run_test(size=(120, 35)) as pilot:
        await _open(pilot, ticket_id)
        said = told(app)
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert isinstance(app.screen, ConsentToResolve)
        await pilot.press("enter")  # nothing is chosen yet: Enter records nothing
        await settle(pilot)
        assert isinstance(app.screen, ConsentToResolve) and _row(app.store, ticket_id)["consent_how"] is None
        await pilot.press("down", "enter")  # in writing (the ticket's own channel comes first), now
        await settle(pilot)
        row = _row(app.store, ticket_id)
        assert (row["status"], row["consent_how"], row["consent_at"]) == ("resolved", "writing", iso(app.clock.now()))
        assert row["consent_by"] == app.agent.id
        assert said == [f"{case} resolved."]
        assert "Customer agreed to resolve in writing" in screen_text(app)


async def test_a_refund_saved_after_help_was_offered(app: AgentDeskApp) -> None:
    ticket_id, _ = _ticket(app.store, WITHIN_WINDOW)
    async with app.run_test(size=(120, 35)) as pilot:
        await _open(pilot, ticket_id)
        assert "refund possible until" in screen_text(app)
        await pilot.press("ctrl+b")
        await settle(pilot)
        assert isinstance(app.screen, Choice) and "offer help first" in app.screen.title_text
        await pilot.press("enter")
        await settle(pilot)
        kind, body, delivery = _messages(app.store, ticket_id)[-1]
        assert (kind, delivery) == ("reply", "queued") and "may we help?" in body
        said = told(app)
        await pilot.press("ctrl+b")
        await settle(pilot)
        assert said[-1].startswith("The offer of help has not reached the customer yet")
        _offer_delivered(app.store, ticket_id)
        await _open(pilot, ticket_id)
        await pilot.press("ctrl+b")
        await settle(pilot)
        await pilot.press("enter")  # nothing chosen: nothing recorded
        await settle(pilot)
        assert _row(app.store, ticket_id)["save_outcome"] is None
        await pilot.press("down", "enter")  # saved: the customer withdrew the request
        await settle(pilot)
        assert isinstance(app.screen, ConsentToResolve)
        await pilot.press("down", "enter")  # they agreed in writing, now
        await settle(pilot)
        row = _row(app.store, ticket_id)
        assert row["save_outcome"] == "saved" and row["save_outcome_by"] == app.agent.id
        assert (row["status"], row["consent_how"]) == ("resolved", "writing")
        assert "Save the sale: saved (request withdrawn); agreed in writing" in screen_text(app)


async def test_a_refund_granted_inside_the_window_marks_the_order_refunded(app: AgentDeskApp) -> None:
    ticket_id, _ = _ticket(app.store, WITHIN_WINDOW)
    async with app.run_test(size=(120, 35)) as pilot:
        await _open(pilot, ticket_id)
        await pilot.press("ctrl+b")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        _offer_delivered(app.store, ticket_id)
        await _open(pilot, ticket_id)
        await pilot.press("ctrl+b")
        await settle(pilot)
        await pilot.press("down", "down", "enter")  # refunded
        await settle(pilot)
        assert isinstance(app.screen, Choice) and "We have refunded order" in app.screen.detail
        await pilot.press("enter")  # record it and tell the customer
        await settle(pilot)
        row = _row(app.store, ticket_id)
        assert row["save_outcome"] == "refunded" and row["status"] == "resolved"
        messages = _messages(app.store, ticket_id)
        told_refunded = [(kind, delivery) for kind, body, delivery in messages if "We have refunded order" in body]
        assert told_refunded == [("reply", "queued")]
        assert messages[-1][0] == "note" and messages[-1][1].startswith("Outcome: refunded")
        order = app.store.conn.execute("SELECT status FROM customer_order WHERE id = ?", (row["order_id"],)).fetchone()
        assert order[0] == "refunded"


async def test_out_of_the_window_the_ticket_shows_the_policy_and_no_refund(app: AgentDeskApp) -> None:
    ticket_id, _ = _ticket(app.store, OUT_OF_WINDOW)
    async with app.run_test(size=(120, 35)) as pilot:
        await _open(pilot, ticket_id)
        assert "up to 60 days after the order" in screen_text(app)
        await pilot.press("ctrl+b")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        _offer_delivered(app.store, ticket_id)
        await _open(pilot, ticket_id)
        await pilot.press("ctrl+b")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, Choice)
        assert [(key, enabled) for key, _, enabled in dialog.options] == [
            ("saved", True), ("refunded", False), ("refused", True)]
        # Down, Down, Enter aimed past the greyed refund lands on "refused by policy", which shows the message first.
        await pilot.press("down", "down", "enter")
        await settle(pilot)
        assert isinstance(app.screen, Choice) and "60 days after the order" in app.screen.detail
        await pilot.press("enter")
        await settle(pilot)
        row = _row(app.store, ticket_id)
        assert (row["save_outcome"], row["status"]) == ("refused", "pending")
        order = app.store.conn.execute("SELECT status FROM customer_order WHERE id = ?", (row["order_id"],)).fetchone()
        assert order[0] == "delivered"


async def test_a_template_fills_the_case_and_a_missing_field_is_named(app: AgentDeskApp) -> None:
    ticket_id, case = _ticket(app.store, NO_ORDER)
    async with app.run_test(size=(120, 35)) as pilot:
        screen = await _open(pilot, ticket_id)
        said = told(app)
        await pilot.press("ctrl+t")
        await settle(pilot)
        names = [label for _, label, _ in app.screen.options]  # type: ignore[attr-defined]
        await pilot.press(*["down"] * names.index("Order update"), "enter")
        await settle(pilot)
        assert len(said) == 1 and "{{ order_number }}" in said[0] and "no order" in said[0]
        assert screen.query_one(TicketComposer).text == ""
        await pilot.press("ctrl+t")
        await settle(pilot)
        await pilot.press(*["down"] * names.index("Case opened"), "enter")
        await settle(pilot)
        assert case in screen.query_one(TicketComposer).text


async def test_the_draft_survives_a_restart(settings: Settings, store: Store, clock: FixedClock) -> None:
    ticket_id, _ = _ticket(store, WITHIN_WINDOW)
    first = make_app(settings, store, clock=clock)
    async with first.run_test(size=(120, 35)) as pilot:
        screen = await _open(pilot, ticket_id)
        await pilot.press("f2", *"Half a thought")
        await pilot.pause(0.8)  # the draft is saved after half a second of quiet
        await settle(pilot)
    draft = store.draft(ticket_id)
    assert draft is not None and (draft.kind, draft.body) == ("note", "Half a thought")
    second = make_app(settings, store, clock=clock)
    async with second.run_test(size=(120, 35)) as pilot:
        screen = await _open(pilot, ticket_id)
        composer = screen.query_one(TicketComposer)
        assert (composer.mode, composer.text) == ("note", "Half a thought")


async def test_a_case_from_a_call_shows_its_number_only_once_saved_and_queues_the_confirmation(
    app: AgentDeskApp,
) -> None:
    async with app.run_test(size=(120, 35)) as pilot:
        said = told(app)
        await ring(pilot, WELL_KNOWN)
        await pilot.press("a")
        await advance(pilot, 20)
        await pilot.press("o")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, CaseFromCall)
        shown_before_saving = screen_text(app) + " ".join(said)
        await pilot.press(*"Boiler makes a noise", "enter", *"Noise since Monday", "ctrl+s")
        await settle(pilot)
        row = app.store.conn.execute(
            "SELECT id, subject, channel, status, assignee_id, case_number FROM ticket WHERE subject = ?",
            ("Boiler makes a noise",)).fetchone()
        assert row is not None and row[1:5] == ("Boiler makes a noise", "phone", "open", app.agent.id), said
        number = row[5]
        # Nothing the agent could read out before the case existed.
        assert number.startswith("CS-") and number not in shown_before_saving
        note, reply = sorted(_messages(app.store, row[0]))
        assert note == ("note", "Noise since Monday", None)
        assert reply[0] == "reply" and reply[2] == "queued" and number in reply[1]
        customer = app.screen.customer
        assert customer is not None
        assert said[-1] == (f"Case {number} saved. Read this number to {customer.name}; "
                            "the confirmation is queued to them.")
        assert f"Your case number is {number}." in screen_text(app)


async def test_the_countdown_turns_amber_then_red(app: AgentDeskApp) -> None:
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        await pilot.press("t")
        await settle(pilot)
        inbox = app.screen.query_one(TicketInbox)
        row = next(r for r in inbox.view.rows if r.awaiting_since)
        assert "e05050" in str(sla_cell(row, row.awaiting_since + timedelta(hours=7)).style)
        assert "d7a000" in str(sla_cell(row, row.awaiting_since + timedelta(hours=5)).style)
        assert str(sla_cell(row, row.awaiting_since + timedelta(hours=1)).style) == ""


async def test_an_faq_answer_goes_into_the_composer(app: AgentDeskApp) -> None:
    ticket_id, _ = _ticket(app.store, WITHIN_WINDOW)
    async with app.run_test(size=(120, 35)) as pilot:
        screen = await _open(pilot, ticket_id)
        card = screen.card
        assert card is not None
        title = app.store.top_ten(card.account_id)[0].title
        await pilot.press("ctrl+f")
        await settle(pilot)
        await pilot.press(*max(title.split(), key=len))
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        text = screen.query_one(TicketComposer).text
        hits = app.store.search_faq(max(title.split(), key=len), account_id=card.account_id)
        assert text.startswith(hits[0].title + "\n")
        assert "[[" not in text  # links become their labels: plain text for the customer


async def test_a_ten_megabyte_message_is_previewed_and_read_page_by_page(app: AgentDeskApp) -> None:
    from screens.ticket_dialogs import MessageReader
    from widgets import MessageBox

    ticket_id, _ = _ticket(app.store, WITHIN_WINDOW)
    body = "".join(f"line {n:07d} " + "x" * 80 + "\n" for n in range(110_000))  # about 10 MB
    app.store.mutate("ticket.add_message@1", {
        "message_id": str(__import__("uuid").uuid4()), "ticket_id": ticket_id, "kind": "customer", "author": "Ann",
        "body": body, "created_at": iso(app.clock.now())})
    async with app.run_test(size=(120, 35)) as pilot:
        screen = await _open(pilot, ticket_id)
        box = list(screen.query(MessageBox))[-1]
        assert f"{len(body):,} characters in all" in screen_text(app)
        box.focus()
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, MessageReader)
        pages = -(-len(body) // 16_000)
        assert f"Page 1 of {pages} · {len(body):,} characters" in screen_text(app)
        assert "line 0000000" in screen_text(app)
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert f"Page 2 of {pages}" in screen_text(app)


async def test_hostile_text_on_a_ticket_is_shown_as_text(app: AgentDeskApp) -> None:
    from agentdesk.domain.text import PAYLOADS

    ticket_id, _ = _ticket(app.store, WITHIN_WINDOW)
    app.store.mutate("ticket.add_message@1", {
        "message_id": str(__import__("uuid").uuid4()), "ticket_id": ticket_id, "kind": "customer",
        "author": "Eve [@click=app.quit]x[/]", "body": "\n".join(PAYLOADS[:-1]), "created_at": iso(app.clock.now())})
    async with app.run_test(size=(120, 35)) as pilot:
        await _open(pilot, ticket_id)
        text = screen_text(app)
        assert "\x1b" not in text and "[@click=app.quit]" in text
        await pilot.click(offset=(30, 12))
        await settle(pilot)
        assert app.is_running


async def test_assign_and_move_to_pending_customer(app: AgentDeskApp) -> None:
    ticket_id, _ = _ticket(app.store, WITHIN_WINDOW)
    async with app.run_test(size=(120, 35)) as pilot:
        await _open(pilot, ticket_id)
        await pilot.press("ctrl+g")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, Choice)
        await pilot.press("enter")  # the first agent
        await settle(pilot)
        first = app.store.agents()[0]
        assert _row(app.store, ticket_id)["assignee_id"] == first.id
        assert f"with {first.name}" in screen_text(app)
        await pilot.press("ctrl+o")
        await settle(pilot)
        await pilot.press("down", "enter")  # pending customer
        await settle(pilot)
        assert _row(app.store, ticket_id)["status"] == "pending"


async def test_markup_in_a_customers_name_or_subject_is_text_in_the_inbox(app: AgentDeskApp) -> None:
    mine = f"t.account_id IN (SELECT account_id FROM agent_account WHERE agent_id = '{app.agent.id}')"
    ticket_id, case = _ticket(app.store, f"{mine} AND t.status = 'new'")
    with app.store.lock:
        app.store.conn.execute("UPDATE ticket SET subject = '[/' WHERE id = ?", (ticket_id,))
        app.store.conn.execute(
            "UPDATE customer SET name = '[bold red]Bob[/bold red]' WHERE id = (SELECT customer_id FROM ticket WHERE id = ?)",
            (ticket_id,))
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        await pilot.press("t")
        await settle(pilot)
        await pilot.press("slash", *case, "enter")
        await settle(pilot)
        text = screen_text(app)
        assert "page 1: 1 ticket" in text
        assert "[bold red]Bob" in text and " [/ " in text


async def test_back_from_a_ticket_the_inbox_keeps_its_place(app: AgentDeskApp) -> None:
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        await pilot.press("t")
        await settle(pilot)
        inbox = app.screen.query_one(TicketInbox)
        await pilot.press("down", "down")
        chosen = inbox.highlighted_id
        assert chosen == inbox.view.rows[2].id
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, TicketScreen) and app.screen.ticket_id == chosen
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, TicketsInbox) and inbox.highlighted_id == chosen


async def test_consent_given_earlier_today_is_recorded_at_that_time_in_the_accounts_zone(app: AgentDeskApp) -> None:
    from datetime import datetime, time
    from zoneinfo import ZoneInfo

    from textual.widgets import Input

    # An account where 09:15 has already come at the clock's 14:30 UTC (New York or London).
    ticket_id = _written_question(app.store, "t.created_at < '2026-11-22' AND t.account_id IN"
                                  " (SELECT id FROM account WHERE time_zone IN ('America/New_York', 'Europe/London'))")
    async with app.run_test(size=(120, 35)) as pilot:
        screen = await _open(pilot, ticket_id)
        zone = ZoneInfo(screen.card.time_zone)
        await pilot.press("ctrl+r")
        await settle(pilot)
        app.screen.query_one("#when", Input).value = "09:15"
        await pilot.press("down", "enter")  # in writing, at 09:15 where the account is
        await settle(pilot)
        expected = datetime.combine(app.clock.now().astimezone(zone).date(), time(9, 15), zone)
        row = _row(app.store, ticket_id)
        assert (row["status"], row["consent_how"], row["consent_at"]) == ("resolved", "writing", iso(expected))


async def test_a_resolved_ticket_opens_from_the_customers_history_and_can_be_reopened(app: AgentDeskApp) -> None:
    """A ticket gone from the inbox (resolved) is still the customer's: Enter on it in their history opens it, and
    back on the desk the history shows what the agent did to it."""
    store = app.store
    found = store.conn.execute(  # type: ignore[attr-defined]
        "SELECT t.id, t.customer_id, t.case_number FROM ticket t JOIN agent_account aa ON aa.account_id = t.account_id"
        " WHERE t.status = 'resolved' AND aa.agent_id = ? ORDER BY t.case_number", (app.agent.id,)).fetchall()
    # One whose ticket is on the first page of the customer's history.
    ticket_id, customer_id, case = next(
        (t, c, n) for t, c, n in found if any(e.id == t for e in store.history(c, limit=10).entries))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.screen.open_customer(customer_id)
        await settle(pilot)
        history = app.screen.query_one(CustomerHistory)
        for _ in range(40):  # the history is read in a worker
            entries = list(history._entries.values())  # noqa: SLF001
            if any(e.id == ticket_id for e in entries):
                break
            await pilot.pause(0.05)
        row = next(i for i, e in enumerate(entries) if e.id == ticket_id)
        history.focus_timeline()
        history.query_one("#timeline").move_cursor(row=row)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, TicketScreen) and app.screen.ticket_id == ticket_id
        assert case in screen_text(app) and "resolved" in screen_text(app)
        await pilot.press("ctrl+o")
        await settle(pilot)
        assert isinstance(app.screen, Choice) and "Open: working on it" in screen_text(app)
        for _ in range(5):
            if app.screen.query_one("OptionList").highlighted_option.id == "open":  # type: ignore[attr-defined]
                break
            await pilot.press("down")
        await pilot.press("enter")
        await settle(pilot)
        app.writer.flush()
        await pilot.press("escape")
        await settle(pilot)
        assert store.conn.execute("SELECT status FROM ticket WHERE id = ?", (ticket_id,)).fetchone()[0] == "open"  # type: ignore[attr-defined]
        assert "open" in [e.status for e in history._entries.values() if e.id == ticket_id]  # noqa: SLF001
