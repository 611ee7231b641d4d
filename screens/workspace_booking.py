"""The workspace's appointment keys: the booker for the open customer, and the day's outbound work."""

from __future__ import annotations

from typing import TYPE_CHECKING

from screens.booker import Booker, BookerContext
from screens.outbound import OutboundWork

if TYPE_CHECKING:
    from screens.workspace import Workspace

    _Base = Workspace
else:
    _Base = object


class BookingHandlers(_Base):
    """Mixed into the workspace."""

    def action_book(self) -> None:
        customer = self.customer
        if customer is None:
            self.notify("Find the caller (/) or add them (n) first: a booking belongs to a customer.",
                        severity="warning")
            return
        call = self.desk.call
        account = self.accounts.get(customer.account_id, self.account)
        context = BookerContext(
            customer_id=customer.id, customer_name=customer.name, customer_language=customer.language,
            account_id=account.id, account_name=account.name, account_zone=account.time_zone,
            interaction_id=call.interaction_id if call is not None and call.customer_id == customer.id else None,
        )

        def done(said: str | None) -> None:
            if said:
                self.notify(said, timeout=8)
                self.reload_customer()

        self.app.push_screen(Booker(self.desk, context, self.agentdesk.settings.appointments), done)

    def action_outbound(self) -> None:
        def done(changed: bool | None) -> None:
            if changed:
                self.reload_customer()

        self.app.push_screen(OutboundWork(self.desk, self.accounts), done)
