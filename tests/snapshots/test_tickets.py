"""The tickets inbox and a ticket, at 80x24 and 120x35: fixed clock (14:30 UTC), fixed demo data, no blink."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import TextArea

from agentdesk.clock import iso
from screens.app import AgentDeskApp
from screens.ticket import TicketScreen
from tests.desk import settle
from tests.ui.test_tickets import WITHIN_WINDOW, _offer_delivered, _ticket, _written_question

SIZES = pytest.mark.parametrize("size", [(80, 24), (120, 35)], ids=["80x24", "120x35"])


def hold_cursor(field: TextArea) -> None:
    """The composer's cursor shown and still: its blink paused visible (setting cursor_blink to False leaves a text
    area's cached lines as they were drawn, so whether the cursor shows depended on the moment)."""
    field._pause_blink(visible=True)


def refund_with_a_thread(app: AgentDeskApp) -> str:
    """The demo refund request with the longest thread (a customer message, a note, a reply...)."""
    row = app.store.conn.execute(
        "SELECT t.id FROM ticket t WHERE t.kind = 'refund' AND t.order_id IS NOT NULL ORDER BY"
        " (SELECT count(*) FROM ticket_message m WHERE m.ticket_id = t.id) DESC, t.case_number LIMIT 1"
    ).fetchone()
    assert row is not None
    return str(row[0])


class TestTickets:
    """Triage in the inbox (SLA countdowns in every colour), then one refund ticket with its thread, refund
    window and composer."""

    @SIZES
    def test_inbox(self, snap_compare: Any, app: AgentDeskApp, size: tuple[int, int]) -> None:
        async def run_before(pilot: Pilot[Any]) -> None:
            await settle(pilot)
            await pilot.press("t")
            await settle(pilot)

        assert snap_compare(app, terminal_size=size, run_before=run_before)

    @SIZES
    def test_refund_ticket(self, snap_compare: Any, app: AgentDeskApp, size: tuple[int, int]) -> None:
        async def run_before(pilot: Pilot[Any]) -> None:
            await settle(pilot)
            pilot.app.push_screen(TicketScreen(refund_with_a_thread(app)))
            await settle(pilot)
            hold_cursor(pilot.app.screen.query_one(TextArea))
            await pilot.press(*"Hello, we can help with that.")
            await settle(pilot)

        assert snap_compare(app, terminal_size=size, run_before=run_before)


# The ticket's dialogs at 80x24, each opened by its key on the refund ticket above.
TICKET_DIALOGS = [
    ("template", ("ctrl+t",)),            # the template picker, with its preview
    ("state", ("ctrl+o",)),               # pending, escalated, reopen, close, review
    ("assign", ("ctrl+g",)),              # the agents, the one who has it greyed
    ("save_the_sale", ("ctrl+b",)),       # help first: the offer
    ("inbox_search", ("slash",)),         # in the inbox (no ticket opened): search
]


@pytest.mark.parametrize("keys", [keys for _, keys in TICKET_DIALOGS], ids=[name for name, _ in TICKET_DIALOGS])
def test_ticket_dialog_at_80x24(snap_compare: Any, app: AgentDeskApp, keys: tuple[str, ...]) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("t")
        await settle(pilot)
        if keys != ("slash",):
            pilot.app.push_screen(TicketScreen(refund_with_a_thread(app)))
            await settle(pilot)
            hold_cursor(pilot.app.screen.query_one(TextArea))
        await pilot.press(*keys)
        await settle(pilot)
        await settle(pilot)

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


# A customer's long e-mail: a complaint with the whole earlier correspondence quoted below it (about 40,000
# characters, three pages of the reader).
LONG_EMAIL = "Hello,\n\nI am writing again about my order because nobody has answered my last three e-mails. " \
    "The parcel arrived with the box crushed and the handle of the kettle snapped off, and I sent photos the same " \
    "day. I would like my money back, not another kettle.\n\nMy earlier messages are below so you have everything." \
    "\n\nRegards,\nAnn Fischer\n\n" + "".join(
        f"> On day {n} of waiting I wrote: I am still waiting for an answer about the broken kettle. I have the "
        f"photos and the box if your courier wants to collect them. Please tell me what happens next ({n}).\n"
        for n in range(1, 200))


async def _long_email_open(pilot: Pilot[Any]) -> None:
    """The customer's long e-mail on the refund ticket; Shift+Tab from the composer reaches it, Enter reads it."""
    app = pilot.app
    assert isinstance(app, AgentDeskApp)
    ticket_id = refund_with_a_thread(app)
    app.store.mutate("ticket.add_message@1", {
        "message_id": "6a3d52a8-2d0e-4c4e-9d55-5c1c7b0f2e01", "ticket_id": ticket_id, "kind": "customer",
        "author": "Ann Fischer", "body": LONG_EMAIL, "created_at": iso(app.clock.now())})
    await settle(pilot)
    await pilot.press("t")
    await settle(pilot)
    pilot.app.push_screen(TicketScreen(ticket_id))
    await settle(pilot)
    hold_cursor(pilot.app.screen.query_one(TextArea))
    await pilot.press("shift+tab")
    await settle(pilot)
    await pilot.press("enter")


async def _resolve_a_written_question(pilot: Pilot[Any]) -> None:
    """A customer's written question answered: Ctrl+R asks how they agreed to resolve it."""
    app = pilot.app
    assert isinstance(app, AgentDeskApp)
    ticket_id = _written_question(app.store)
    await settle(pilot)
    await pilot.press("t")
    await settle(pilot)
    pilot.app.push_screen(TicketScreen(ticket_id))
    await settle(pilot)
    hold_cursor(pilot.app.screen.query_one(TextArea))
    await pilot.press("ctrl+r")


async def _correct_a_saved_sale(pilot: Pilot[Any]) -> None:
    """A refund recorded as saved by mistake (help offered and delivered, saved, agreed in writing now); Ctrl+B
    again asks why the outcome was wrong."""
    app = pilot.app
    assert isinstance(app, AgentDeskApp)
    ticket_id, _ = _ticket(app.store, WITHIN_WINDOW)
    await settle(pilot)
    await pilot.press("t")
    await settle(pilot)
    pilot.app.push_screen(TicketScreen(ticket_id))
    await settle(pilot)
    await pilot.press("ctrl+b")
    await settle(pilot)
    await pilot.press("enter")  # the offer of help ...
    await settle(pilot)
    _offer_delivered(app.store, ticket_id)  # ... reached the customer
    pilot.app.pop_screen()
    pilot.app.push_screen(TicketScreen(ticket_id))
    await settle(pilot)
    await pilot.press("ctrl+b")
    await settle(pilot)
    await pilot.press("down", "enter")  # saved ...
    await settle(pilot)
    await pilot.press("down", "enter")  # ... they agreed in writing, now
    await settle(pilot)
    app.clear_notifications()  # a few moments later, the notices of the saves have gone
    hold_cursor(pilot.app.screen.query_one(TextArea))
    await pilot.press("ctrl+b")


# The ticket's dialogs that come in a story at 80x24: reading a long message, resolving with consent, correcting an
# outcome.
TICKET_STORIES = [
    ("message_reader", _long_email_open),
    ("consent_to_resolve", _resolve_a_written_question),
    ("reason", _correct_a_saved_sale),
]


@pytest.mark.parametrize("story", [story for _, story in TICKET_STORIES], ids=[name for name, _ in TICKET_STORIES])
def test_ticket_story_dialog_at_80x24(
    snap_compare: Any, app: AgentDeskApp, story: Callable[[Pilot[Any]], Awaitable[None]]
) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await story(pilot)
        await settle(pilot)
        await settle(pilot)

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)
