"""The appointment half of `agentdesk.store.Store`: types, professionals, free slots, bookings, the day.

A mixin like `TicketStore`: the queries live in `localstore.appointments`; reads go through the store's
read-only connection. Bookings are written as mutations (`appointment.book@1` ...), built by `agentdesk.booker`.
"""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from agentdesk.clock import iso, parse_iso
from agentdesk.domain.booking import ANY, Preferences
from agentdesk.localstore import appointments as _ap


@dataclass(frozen=True, slots=True)
class OutboundTask:
    """A call to make: a reminder before an appointment, a survey after one, or a follow-up."""

    id: str
    account_id: str
    kind: str  # follow_up, reminder, survey
    due_at: datetime
    customer_id: str | None
    customer_name: str
    phone: str | None
    note: str
    appointment_id: str | None
    appointment_at: datetime | None
    appointment_what: str  # "Plumbing visit with Dana Reyes"


class AppointmentStore:
    """Appointment reads, mixed into `Store` (which provides the connections and locks)."""

    _reader: sqlite3.Connection
    _read_lock: threading.Lock

    def appointment_types(self, account_id: str) -> list[_ap.AppointmentType]:
        """The account's appointment types, by name."""
        with self._read_lock:
            return _ap.appointment_types(self._reader, account_id)

    def professionals(self, account_id: str) -> list[_ap.Professional]:
        """The account's professionals with their skills, by name."""
        with self._read_lock:
            return _ap.professionals(self._reader, account_id)

    def free_slots(
        self, kind: _ap.AppointmentType, *, earliest: datetime, prefs: Preferences = ANY,
        caller_zone: ZoneInfo | None = None, count: int = 10, moving: str | None = None,
    ) -> list[_ap.Proposal]:
        """The next free start times for `kind` (see `localstore.appointments.free_slots`)."""
        with self._read_lock:
            return _ap.free_slots(self._reader, kind, earliest=earliest, prefs=prefs, caller_zone=caller_zone,
                                  count=count, moving=moving)

    def appointment(self, appointment_id: str) -> _ap.Booking | None:
        """One booking, or None."""
        with self._read_lock:
            return _ap.appointment(self._reader, appointment_id)

    def customer_appointments(
        self, customer_id: str, *, upcoming_after: datetime | None = None, limit: int = 20
    ) -> list[_ap.Booking]:
        """A customer's bookings, soonest first (only live ones ending after `upcoming_after` when given)."""
        with self._read_lock:
            return _ap.customer_appointments(self._reader, customer_id, upcoming_after=upcoming_after,
                                             limit=limit)

    def day_bookings(self, account_id: str, day: date, professional_id: str | None = None) -> list[_ap.Booking]:
        """The account's live bookings on its local date `day`."""
        with self._read_lock:
            return _ap.day_bookings(self._reader, account_id, day, professional_id)

    def caller_zone(self, customer_id: str | None, fallback: ZoneInfo) -> ZoneInfo:
        """The customer's time zone (from their phone number), else `fallback`."""
        with self._read_lock:
            return _ap.caller_zone(self._reader, customer_id, fallback)

    def outbound(self, until: datetime, accounts: list[str] | None = None, limit: int = 500) -> list[OutboundTask]:
        """Open outbound calls due before `until` (overdue ones first), for `accounts` (all when None)."""
        with self._read_lock:
            rows = self._reader.execute(
                "SELECT t.id, t.account_id, t.kind, t.due_at, t.customer_id, c.name,"
                " (SELECT e164 FROM customer_phone WHERE customer_id = t.customer_id ORDER BY rowid LIMIT 1),"
                " t.note, t.appointment_id, a.starts_at, ty.name, p.name FROM task t"
                " LEFT JOIN customer c ON c.id = t.customer_id LEFT JOIN appointment a ON a.id = t.appointment_id"
                " LEFT JOIN appointment_type ty ON ty.id = a.type_id"
                " LEFT JOIN professional p ON p.id = a.professional_id"
                " WHERE t.status = 'open' AND t.due_at < ? ORDER BY t.due_at, t.id LIMIT ?",
                (iso(until), limit * 4 if accounts else limit),
            ).fetchall()
        wanted = set(accounts) if accounts is not None else None
        found = []
        for (id_, account_id, kind, due_at, customer_id, name, phone, note, appointment_id, starts_at, what,
             professional) in rows:
            if wanted is not None and account_id not in wanted:
                continue
            found.append(OutboundTask(
                id_, account_id, kind, parse_iso(due_at), customer_id, name or "", phone, note or "",
                appointment_id, parse_iso(starts_at) if starts_at else None,
                f"{what} with {professional}" if what else "",
            ))
        return found[:limit]
