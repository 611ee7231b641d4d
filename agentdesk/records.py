"""Plain, immutable records that the store hands to screens and widgets.

Widgets see these, never database rows. Text fields hold the raw stored text (evidence); widgets sanitise
untrusted text right before display.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

Channel = Literal["phone", "email", "chat", "web_form", "sms", "fax"]
TimelineKind = Literal["call", "email", "chat", "web_form", "sms", "fax", "comment", "ticket", "order"]
TIMELINE_KINDS: tuple[TimelineKind, ...] = (
    "call", "email", "chat", "web_form", "sms", "fax", "comment", "ticket", "order",
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
    role: Literal["agent", "senior", "supervisor", "admin"]


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


@dataclass(frozen=True, slots=True)
class FaqLink:
    """A link inside an FAQ answer."""

    label: str
    target: str  # "faq:<id>", "script:<name>" or "article:<name>"


@dataclass(frozen=True, slots=True)
class FaqArticle:
    """An FAQ answer: one of an account's top ten, or any article of the FAQ base."""

    id: str
    account_id: str | None  # None for the global FAQ base
    rank: int | None  # 1..10 for the top ten
    title: str
    body: str  # may contain links written as [[faq:<id>|label]]
    category: str
    product: str


@dataclass(frozen=True, slots=True)
class FaqHit:
    """One result of an FAQ search."""

    id: str
    title: str
    category: str
    product: str
    snippet: str


@dataclass(frozen=True, slots=True)
class IncomingCall:
    """A call offered to this terminal by a call source."""

    call_id: str  # becomes the interaction id
    caller_number: str  # as delivered by the phone system (raw)
    dialled_number: str  # the account's number
    offered_at: datetime


@dataclass(frozen=True, slots=True)
class FollowUpTask:
    """Someone must call the customer back (escalations, reminders, surveys)."""

    id: str
    account_id: str
    customer_id: str | None
    kind: Literal["follow_up", "reminder", "survey"]
    level: Literal["senior", "supervisor"] | None
    due_at: datetime
    note: str
    status: Literal["open", "done"] = "open"
    extra: dict[str, str] = field(default_factory=dict)
