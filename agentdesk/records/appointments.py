"""Appointments: what can be booked, with whom, the free slots offered, bookings, and the outbound calls due."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from agentdesk.domain import booking


@dataclass(frozen=True, slots=True)
class AppointmentType:
    """What can be booked."""

    id: str
    account_id: str
    name: str
    minutes: int
    skill: str
    min_level: int
    buffer_minutes: int


@dataclass(frozen=True, slots=True)
class Professional:
    """A professional who can be booked, with what the booker filters on."""

    id: str
    account_id: str
    name: str
    languages: tuple[str, ...]
    location: str
    skills: dict[str, int]


@dataclass(frozen=True, slots=True)
class Proposal:
    """A free slot to offer: when, with whom."""

    starts_at: datetime
    ends_at: datetime
    professional_id: str
    professional_name: str
    level: int


@dataclass(frozen=True, slots=True)
class Booking:
    """A stored appointment with the names a screen shows."""

    id: str
    account_id: str
    customer_id: str
    customer_name: str
    professional_id: str
    professional_name: str
    type_id: str
    type_name: str
    starts_at: datetime
    ends_at: datetime
    status: str
    location: str
    note: str
    rating: int | None
    rating_comment: str | None

    @property
    def reference(self) -> str:
        """What the caller is told to quote."""
        return booking.reference(self.id)


@dataclass(frozen=True, slots=True)
class OutboundTask:
    """A call to make: a reminder before an appointment, a survey after one or after a call, or a follow-up."""

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
    call_id: str | None = None
    """On a post-call survey: the call the customer rates (`call_at` when it was answered, `call_agent` who took
    it, by id and name)."""
    call_at: datetime | None = None
    call_agent_id: str | None = None
    call_agent: str = ""
