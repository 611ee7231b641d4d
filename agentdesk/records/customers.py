"""Accounts, agents, customers and their history: what the call screen and the customer card show."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

Channel = Literal["phone", "email", "chat", "web_form", "sms", "fax"]
TimelineKind = Literal[
    "call", "email", "chat", "web_form", "sms", "fax", "comment", "ticket", "order", "appointment"
]
TIMELINE_KINDS: tuple[TimelineKind, ...] = (
    "call", "email", "chat", "web_form", "sms", "fax", "comment", "ticket", "order", "appointment",
)


@dataclass(frozen=True, slots=True)
class Account:
    """A client business the team answers for."""

    id: str
    name: str
    time_zone: str
    price_per_minute_cents: int
    greeting: str
    phone_number: str  # the number customers dial for this account, E.164


@dataclass(frozen=True, slots=True)
class Agent:
    """A person who works at a terminal."""

    id: str
    name: str
    role: Literal["agent", "senior", "supervisor", "qc", "admin"]


@dataclass(frozen=True, slots=True)
class CustomerMatch:
    """One row of a customer search result."""

    id: str
    account_id: str
    account_name: str
    name: str
    phone: str | None
    email: str | None
    matched_on: Literal["phone", "email", "order", "case", "name"]


@dataclass(frozen=True, slots=True)
class Customer:
    """The customer card."""

    id: str
    account_id: str
    account_name: str
    name: str
    phones: tuple[str, ...]
    emails: tuple[str, ...]
    language: str
    created_at: datetime
    interaction_count: int = 0
    open_tickets: int = 0


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """One thing in a customer's history: a call, a message, a comment, a ticket or an order."""

    kind: TimelineKind
    id: str
    at: datetime
    summary: str  # one line: outcome, subject, status, order number...
    detail: str = ""  # notes, body, order lines; may be long
    who: str = ""  # the agent (or "customer")
    status: str = ""  # ticket state, order status, call outcome
    duration_seconds: int | None = None
    recording_seconds: int | None = None  # a playable recording exists
    recording_uri: str | None = None  # where the recording is kept (the backend's name for it, or the demo's)


@dataclass(frozen=True, slots=True)
class HistoryCursor:
    """Where the next (older) page of a history starts: strictly before (at, id)."""

    at: str
    id: str


@dataclass(frozen=True, slots=True)
class HistoryPage:
    """A page of a customer's timeline, newest first."""

    entries: tuple[TimelineEntry, ...]
    next_cursor: HistoryCursor | None  # None when this is the oldest page
