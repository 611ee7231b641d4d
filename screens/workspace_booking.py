"""The workspace's appointment keys: the booker for the open customer, the day's outbound work, and booking again
what the backend refused.

`AppointmentKeys` is composed into the workspace (it holds the screen, not the other way round); bookings are
made by the bookings desk.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from concurrent.futures import Future
from typing import Any

from textual.screen import Screen

from agentdesk.desks.workstation import Desks
from agentdesk.localstore.appointments import Proposal
from agentdesk.localstore.replica import Rejection
from agentdesk.records import Account, Customer
from screens.booker import Booker, BookerContext
from screens.outbound import OutboundWork

AfterSaved = Callable[[Future[int], Callable[[], Any]], None]
"""Run the callable on the UI once the future's commit succeeded."""


class AppointmentKeys:
    """Appointments from the workspace of `screen`; `then` runs after a change, to show it."""

    def __init__(
        self, screen: Screen[Any], desks: Desks, accounts: Mapping[str, Account], after_saved: AfterSaved,
        then: Callable[[], Any],
    ) -> None:
        self.screen = screen
        self.desks = desks
        self.accounts = accounts
        self.after_saved = after_saved
        self.then = then

    def book(self, customer: Customer | None, account: Account) -> None:
        """The booker for `customer` (of `account`); during their call, the booking is tied to it."""
        if customer is None:
            self.screen.notify("Find the caller (/) or add them (n) first: a booking belongs to a customer.",
                               severity="warning")
            return
        call = self.desks.calls.call
        context = BookerContext(
            customer_id=customer.id, customer_name=customer.name, customer_language=customer.language,
            account_id=account.id, account_name=account.name, account_zone=account.time_zone,
            interaction_id=call.interaction_id if call is not None and call.customer_id == customer.id else None,
        )

        def done(said: str | None) -> None:
            if said:
                self.screen.notify(said, timeout=8)
                self.then()

        self.screen.app.push_screen(Booker(self.desks.bookings, context), done)

    def outbound(self) -> None:
        """Today's outbound calls."""

        def done(changed: bool | None) -> None:
            if changed:
                self.then()

        self.screen.app.push_screen(OutboundWork(self.desks.outbound, dict(self.accounts)), done)

    def rebooking_offers(self, refused: list[Rejection]) -> dict[int, list[tuple[str, Proposal]]]:
        """For each refused booking, the three nearest free slots (worker thread)."""
        return self.desks.bookings.rebooking_offers(refused, self.accounts)

    def rebook_refused(self, rejection: Rejection, proposal: Proposal) -> None:
        """Book the refused booking's customer in `proposal`; the agent is told to call them."""
        rebooked = self.desks.bookings.rebook_refused(rejection, proposal, self.accounts)
        if rebooked is None:
            self.screen.notify("That appointment type is no longer offered.", severity="warning")
            return

        def saved() -> None:
            self.screen.notify(rebooked.said, timeout=8)
            self.then()

        self.after_saved(rebooked.saved, saved)
