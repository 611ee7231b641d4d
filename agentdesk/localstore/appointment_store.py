"""The store's appointment part (`store.appointments`): types, professionals, free slots, bookings, the day.

Like `store.tickets` it shares the store's connections; the queries live in `localstore.appointments`; reads go
through the store's read-only connection. Bookings are written as mutations (`appointment.book@1` ...), built
by `agentdesk.desks.booking_args`.
`OutboundTask` lives in `agentdesk.records`; importing it from here still works.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from agentdesk.clock import iso, parse_iso
from agentdesk.domain.booking import ANY, Preferences
from agentdesk.localstore import appointments as _ap
from agentdesk.localstore.holder import Connections
from agentdesk.records.appointments import AppointmentType, Booking, OutboundTask, Professional, Proposal


class Appointments:
    """Appointment reads and the outbound calls due, on the store's connections."""

    def __init__(self, connections: Connections) -> None:
        self._c = connections

    def appointment_types(self, account_id: str) -> list[AppointmentType]:
        """The account's appointment types, by name."""
        with self._c.reading() as reader:
            return _ap.appointment_types(reader, account_id)

    def professionals(self, account_id: str) -> list[Professional]:
        """The account's professionals with their skills, by name."""
        with self._c.reading() as reader:
            return _ap.professionals(reader, account_id)

    def free_slots(
        self, kind: AppointmentType, *, earliest: datetime, prefs: Preferences = ANY,
        caller_zone: ZoneInfo | None = None, count: int = 10, moving: str | None = None,
    ) -> list[Proposal]:
        """The next free start times for `kind` (see `localstore.appointments.free_slots`)."""
        with self._c.reading() as reader:
            return _ap.free_slots(reader, kind, earliest=earliest, prefs=prefs, caller_zone=caller_zone,
                                  count=count, moving=moving)

    def appointment(self, appointment_id: str) -> Booking | None:
        """One booking, or None."""
        with self._c.reading() as reader:
            return _ap.appointment(reader, appointment_id)

    def customer_appointments(
        self, customer_id: str, *, upcoming_after: datetime | None = None, limit: int = 20
    ) -> list[Booking]:
        """A customer's bookings, soonest first (only live ones ending after `upcoming_after` when given)."""
        with self._c.reading() as reader:
            return _ap.customer_appointments(reader, customer_id, upcoming_after=upcoming_after,
                                             limit=limit)

    def day_bookings(self, account_id: str, day: date, professional_id: str | None = None) -> list[Booking]:
        """The account's live bookings on its local date `day`."""
        with self._c.reading() as reader:
            return _ap.day_bookings(reader, account_id, day, professional_id)

    def caller_zone(self, customer_id: str | None, fallback: ZoneInfo) -> ZoneInfo:
        """The customer's time zone (from their phone number), else `fallback`."""
        with self._c.reading() as reader:
            return _ap.caller_zone(reader, customer_id, fallback)

    def outbound(self, until: datetime, accounts: list[str] | None = None, limit: int = 500, *,
                 viewer: str | None = None) -> list[OutboundTask]:
        """Open outbound calls due before `until` (overdue ones first), for `accounts` (all when None). A post-call
        survey names its call; `viewer`'s own calls' surveys are left out (nobody rates their own work)."""
        with self._c.reading() as reader:
            rows = reader.execute(
                "SELECT t.id, t.account_id, t.kind, t.due_at, t.customer_id, c.name,"
                " (SELECT e164 FROM customer_phone WHERE customer_id = t.customer_id ORDER BY rowid LIMIT 1),"
                " t.note, t.appointment_id, a.starts_at, ty.name, p.name,"
                " i.id, coalesce(i.answered_at, i.at), i.agent_id, g.name FROM task t"
                " LEFT JOIN customer c ON c.id = t.customer_id LEFT JOIN appointment a ON a.id = t.appointment_id"
                " LEFT JOIN appointment_type ty ON ty.id = a.type_id"
                " LEFT JOIN professional p ON p.id = a.professional_id"
                " LEFT JOIN interaction i ON i.id = t.interaction_id AND t.kind = 'survey'"
                " AND t.appointment_id IS NULL"
                " LEFT JOIN agent g ON g.id = i.agent_id"
                " WHERE t.status = 'open' AND t.due_at < ? AND (i.agent_id IS NULL OR i.agent_id != coalesce(?, ''))"
                " ORDER BY t.due_at, t.id LIMIT ?",
                (iso(until), viewer, limit * 4 if accounts else limit),
            ).fetchall()
        wanted = set(accounts) if accounts is not None else None
        found = []
        for (id_, account_id, kind, due_at, customer_id, name, phone, note, appointment_id, starts_at, what,
             professional, call_id, call_at, call_agent_id, call_agent) in rows:
            if wanted is not None and account_id not in wanted:
                continue
            found.append(OutboundTask(
                id_, account_id, kind, parse_iso(due_at), customer_id, name or "", phone, note or "",
                appointment_id, parse_iso(starts_at) if starts_at else None,
                f"{what} with {professional}" if what else "",
                call_id, parse_iso(call_at) if call_at else None, call_agent_id, call_agent or "",
            ))
        return found[:limit]
