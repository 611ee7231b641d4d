"""The workspace's ticket keys: the tickets inbox, and a case opened from a call in a few keys.

`CaseKeys` is composed into the workspace (it holds the screen, not the other way round); the case itself is
built and saved by the ticket desk.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

from textual.screen import Screen

from agentdesk.desks.calls import CallDesk
from agentdesk.desks.tickets import TicketDesk
from agentdesk.domain.calls import CallState
from agentdesk.records import Customer
from screens.ticket_dialogs import CaseFromCall
from screens.tickets import TicketsInbox

AfterSaved = Callable[[Future[int], Callable[[], Any]], None]
"""Run the callable on the UI once the future's commit succeeded."""


class CaseKeys:
    """Tickets from the workspace of `screen`."""

    def __init__(self, screen: Screen[Any], calls: CallDesk, tickets: TicketDesk, after_saved: AfterSaved) -> None:
        self.screen = screen
        self.calls = calls
        self.tickets = tickets
        self.after_saved = after_saved

    def open_inbox(self) -> None:
        """The tickets inbox of the accounts this agent works for."""
        store = self.tickets.store
        self.screen.app.push_screen(TicketsInbox(store.accounts(), store.agent_accounts(self.tickets.agent.id)))

    def case_from_call(self, customer: Customer | None, then: Callable[[], Any]) -> None:
        """Open a case for the caller (`customer`, when it is the one on screen): the number is read out at once,
        then the subject and what was said are asked; `then` runs once the case is saved."""
        call, screen = self.calls.call, self.screen
        if call is None or call.session.state not in (CallState.TALKING, CallState.ON_HOLD, CallState.ENDED):
            screen.notify("Open a case during a call (answer it first).", severity="warning")
            return
        if call.customer_id is None or customer is None or customer.id != call.customer_id:
            screen.notify("Find the caller (/) or add them (n) first: a case belongs to a customer.", severity="warning")
            return
        number = self.tickets.next_case_number()

        def save(result: tuple[str, str] | None) -> None:
            if result is None:
                return
            subject, said = result
            opened = self.tickets.open_case(call, customer, number, subject, said)

            def saved() -> None:
                queued = "the confirmation is queued to the customer" if customer.emails else \
                    "no confirmation (no e-mail address on file)"
                screen.notify(f"Case {number} opened; {queued}.", timeout=6, markup=False)
                then()

            self.after_saved(opened.saved, saved)

        screen.notify(f"New case {number}: read it to the caller.", timeout=8)
        screen.app.push_screen(CaseFromCall(number, customer.name, has_email=bool(customer.emails)), save)
