"""The workspace's appointment keys: the booker for the open customer, and the day's outbound work."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import TYPE_CHECKING

from agentdesk import booker
from agentdesk.clock import parse_iso
from agentdesk.domain import booking
from agentdesk.localstore.appointments import Proposal
from agentdesk.localstore.replica import Rejection
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

    def rebooking_offers(self, refused: list[Rejection]) -> dict[int, list[tuple[str, Proposal]]]:
        """For each refused booking, the three free slots nearest after the one that was taken (worker thread)."""
        offers: dict[int, list[tuple[str, Proposal]]] = {}
        lead = timedelta(minutes=self.agentdesk.settings.appointments.lead_minutes)
        for rejection in refused:
            if not rejection.name.startswith("appointment.book@"):
                continue
            try:
                args = json.loads(rejection.args)
                kind = next(t for t in self.store.appointment_types(args["account_id"]) if t.id == args["type_id"])
                wanted = parse_iso(args["starts_at"])
            except (ValueError, KeyError, StopIteration):
                continue
            account = self.accounts.get(kind.account_id)
            zone = booking.zone(account.time_zone if account else None)
            earliest = max(wanted, self.desk.clock.now() + lead)
            found = self.store.free_slots(kind, earliest=earliest, count=3)
            offers[rejection.mutation_id] = [
                (f"{booking.short_time(p.starts_at, zone)} {p.professional_name}", p) for p in found
            ]
        return offers

    def rebook_refused(self, rejection: Rejection, proposal: Proposal) -> None:
        """Book the refused booking's customer in `proposal` (same type, call and note; new ids)."""
        args = json.loads(rejection.args)
        kind = next((t for t in self.store.appointment_types(args["account_id"]) if t.id == args["type_id"]), None)
        if kind is None:
            self.notify("That appointment type is no longer offered.", severity="warning")
            return
        fresh = booker.book_args(
            kind, customer_id=args["customer_id"], professional_id=proposal.professional_id,
            start=proposal.starts_at, now=self.desk.clock.now(), settings=self.agentdesk.settings.appointments,
            agent_id=self.desk.agent.id, interaction_id=args.get("interaction_id"), note=args.get("note") or "",
        )
        future = self.desk.writer.submit("appointment.book@1", fresh)
        account = self.accounts.get(kind.account_id)
        when = booking.short_time(proposal.starts_at, booking.zone(account.time_zone if account else None))

        def saved() -> None:
            self.notify(f"Rebooked {booking.reference(str(fresh['appointment_id']))}: {kind.name} with"
                        f" {proposal.professional_name}, {when} (tentative). Call the customer to tell them.",
                        timeout=8)
            self.reload_customer()

        self.after_saved(future, saved)
