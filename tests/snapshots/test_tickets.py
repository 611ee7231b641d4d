"""The tickets inbox and a ticket, at 80x24 and 120x35: fixed clock (14:30 UTC), fixed demo data, no blink."""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import TextArea

from screens.app import AgentDeskApp
from screens.ticket import TicketScreen
from tests.desk import settle

SIZES = pytest.mark.parametrize("size", [(80, 24), (120, 35)], ids=["80x24", "120x35"])


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
            pilot.app.screen.query_one(TextArea).cursor_blink = False
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
            pilot.app.screen.query_one(TextArea).cursor_blink = False
        await pilot.press(*keys)
        await settle(pilot)
        await settle(pilot)

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)
