"""The bookings desk: book, move and cancel appointments, and offer a new slot for a booking the backend refused.

The argument dicts are built by `booking_args` (ids and due times made once, so a replay after a sync is the same).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import datetime, timedelta

from agentdesk.clock import Clock, parse_iso
from agentdesk.config import AppointmentSettings
from agentdesk.desks import booking_args
from agentdesk.desks.base import Desk, new_id
from agentdesk.desks.writer import LocalWriter
from agentdesk.domain import booking
from agentdesk.localstore.appointments import AppointmentType, Proposal
from agentdesk.localstore.replica import Rejection
from agentdesk.records import Account, Agent
from agentdesk.store import Store


@dataclass(frozen=True, slots=True)
class Rebooked:
    """A refused booking booked again: what to tell the agent, and the commit to wait for."""

    said: str
    saved: Future[int]


class BookingDesk(Desk):
    """Appointments for the account's professionals, tentative until the backend confirms them."""

    def __init__(
        self, store: Store, writer: LocalWriter, clock: Clock, agent: Agent, settings: AppointmentSettings
    ) -> None:
        super().__init__(store, writer, clock, agent)
        self.settings = settings

    @staticmethod
    def new_appointment_id() -> str:
        """The id of a booking about to be made (its reference is read back to the caller before it is saved)."""
        return new_id()

    def earliest_start(self) -> datetime:
        """The first start time a booking made now may have (the configured lead time from now)."""
        return self.clock.now() + timedelta(minutes=self.settings.lead_minutes)

    def book(
        self, kind: AppointmentType, proposal: Proposal, *, customer_id: str, interaction_id: str | None = None,
        note: str = "", appointment_id: str | None = None,
    ) -> Future[int]:
        """Book `customer_id` in `proposal`."""
        args = booking_args.book_args(
            kind, customer_id=customer_id, professional_id=proposal.professional_id, start=proposal.starts_at,
            now=self.clock.now(), settings=self.settings, agent_id=self.agent.id, interaction_id=interaction_id,
            note=note, appointment_id=appointment_id or new_id(),
        )
        return self.submit("appointment.book@1", args)

    def reschedule(self, kind: AppointmentType, appointment_id: str, proposal: Proposal) -> Future[int]:
        """Move an appointment to `proposal` (perhaps with another professional)."""
        args = booking_args.reschedule_args(
            kind, appointment_id, professional_id=proposal.professional_id, start=proposal.starts_at,
            now=self.clock.now(), settings=self.settings, agent_id=self.agent.id,
        )
        return self.submit("appointment.reschedule@1", args)

    def cancel(self, appointment_id: str, reason: str = "") -> Future[int]:
        """Cancel an appointment."""
        return self.submit("appointment.cancel@1", booking_args.cancel_args(
            appointment_id, now=self.clock.now(), agent_id=self.agent.id, reason=reason))

    def rebooking_offers(
        self, refused: list[Rejection], accounts: Mapping[str, Account]
    ) -> dict[int, list[tuple[str, Proposal]]]:
        """For each refused booking, the three free slots nearest after the one that was taken (reads the store:
        call it off the UI thread)."""
        offers: dict[int, list[tuple[str, Proposal]]] = {}
        for rejection in refused:
            if not rejection.name.startswith("appointment.book@"):
                continue
            try:
                args = json.loads(rejection.args)
                kind = next(t for t in self.store.appointment_types(args["account_id"]) if t.id == args["type_id"])
                wanted = parse_iso(args["starts_at"])
            except (ValueError, KeyError, StopIteration):
                continue
            account = accounts.get(kind.account_id)
            zone = booking.zone(account.time_zone if account else None)
            found = self.store.free_slots(kind, earliest=max(wanted, self.earliest_start()), count=3)
            offers[rejection.mutation_id] = [
                (f"{booking.short_time(p.starts_at, zone)} {p.professional_name}", p) for p in found
            ]
        return offers

    def rebook_refused(self, rejection: Rejection, proposal: Proposal, accounts: Mapping[str, Account]) -> Rebooked | None:
        """Book the refused booking's customer in `proposal` (same type, call and note; new ids). None when the
        appointment type is no longer offered."""
        args = json.loads(rejection.args)
        kind = next((t for t in self.store.appointment_types(args["account_id"]) if t.id == args["type_id"]), None)
        if kind is None:
            return None
        appointment_id = new_id()
        future = self.book(kind, proposal, customer_id=args["customer_id"], interaction_id=args.get("interaction_id"),
                           note=args.get("note") or "", appointment_id=appointment_id)
        account = accounts.get(kind.account_id)
        when = booking.short_time(proposal.starts_at, booking.zone(account.time_zone if account else None))
        said = (f"Rebooked {booking.reference(appointment_id)}: {kind.name} with {proposal.professional_name}, {when}"
                " (tentative). Call the customer to tell them.")
        return Rebooked(said, future)
