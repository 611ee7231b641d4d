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
from agentdesk.desks.tickets import CaseRefused, TicketDesk
from agentdesk.domain.calls import CallState
from agentdesk.records import Customer
from screens.ticket import TicketScreen
from screens.ticket_dialogs import CaseFromCall
from screens.tickets import TicketsInbox
from widgets import FaqPanel
from widgets.screen_text import one_line

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

    def open_ticket(self, ticket_id: str, then: Callable[[], Any]) -> None:
        """One ticket, whatever its state (a resolved or closed one is read, reviewed or reopened here); `then`
        runs when the agent comes back, so the history shows what changed."""
        self.screen.app.push_screen(TicketScreen(ticket_id), lambda _: then())

    def case_from_call(self, customer: Customer | None, then: Callable[[], Any]) -> None:
        """Open a case for the caller (`customer`, when it is the one on screen): the subject and what was said are
        asked; once the case is saved its number shows, to read to the caller, and `then` runs. When it cannot be
        saved the writer says so (no number to give) and lists it under `!`."""
        call, screen = self.calls.call, self.screen
        if call is None or call.session.state not in (CallState.TALKING, CallState.ON_HOLD, CallState.ENDED):
            screen.notify("Open a case during a call (answer it first).", severity="warning", timeout=4)
            return
        if call.customer_id is None or customer is None or customer.id != call.customer_id:
            screen.notify("Find the caller (/) or add them (n) first: a case belongs to a customer.", severity="warning",
                          timeout=4)
            return
        try:
            self.tickets.check_can_open(call, customer)
        except CaseRefused as refused:
            self.tickets.note_refused_case(call, customer, str(refused))
            screen.notify(f"{refused} It is listed under !.", title="No case opened", severity="error", timeout=8,
                          markup=False)
            return

        def save(result: tuple[str, str] | None) -> None:
            if result is None:
                return
            subject, said = result
            try:
                opened = self.tickets.open_case(call, customer, self.tickets.next_case_number(), subject, said)
            except CaseRefused as refused:
                screen.notify(str(refused), title="No case opened", severity="error", timeout=8)
                return

            def saved() -> None:
                if self.calls.call is call:  # the prompt belongs to this call: not shown once another one rang
                    screen.query_one(FaqPanel).show_say(f"Your case number is {opened.case_number}.")
                queued = "the confirmation is queued to them" if customer.emails else \
                    "no confirmation can be sent (no e-mail address on file): ask them to write it down"
                screen.notify(f"Case {opened.case_number} saved. Read this number to {one_line(customer.name, 40)}; "
                              f"{queued}.", timeout=6)
                then()

            self.after_saved(opened.saved, saved)

        screen.app.push_screen(CaseFromCall(customer.name, has_email=bool(customer.emails)), save)
