"""Plain, immutable records that the store hands to screens and widgets.

Widgets see these, never database rows. Text fields hold the raw stored text (evidence); widgets sanitise
untrusted text right before display.
"""

from __future__ import annotations

from dataclasses import dataclass, field
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


# -- tickets (issue 3) -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class InboxRow:
    """One open ticket in the inbox."""

    id: str
    case_number: str
    account_id: str
    account_name: str
    customer_name: str
    subject: str
    status: str
    priority: str
    kind: str
    channel: str
    awaiting_since: datetime | None  # the SLA clock runs from here; None when nothing is owed
    assignee_name: str | None


@dataclass(frozen=True, slots=True)
class InboxCursor:
    """Where the next inbox page starts: strictly after (response_due_at, id)."""

    due: str
    id: str


@dataclass(frozen=True, slots=True)
class InboxQuery:
    """What the inbox shows: the agent's accounts, narrowed by state, kind, channel and a search."""

    account_ids: tuple[str, ...] | None = None  # None: every account in the store
    statuses: tuple[str, ...] | None = None
    kinds: tuple[str, ...] | None = None
    channels: tuple[str, ...] | None = None
    search: str = ""  # a case number (CS-...), or words of the customer's name or the subject


@dataclass(frozen=True, slots=True)
class InboxPage:
    """A page of the inbox, most urgent first."""

    rows: tuple[InboxRow, ...]
    next_cursor: InboxCursor | None  # None on the last page


@dataclass(frozen=True, slots=True)
class TicketOrder:
    """The order a refund or cancellation is about."""

    id: str
    number: str
    placed_at: datetime
    status: str
    total_cents: int
    recurring: bool


@dataclass(frozen=True, slots=True)
class TicketCard:
    """A ticket's header: who, what, where in its life, its clock, consent and save-the-sale."""

    id: str
    account_id: str
    account_name: str
    time_zone: str
    customer_id: str
    customer_name: str
    case_number: str
    subject: str
    status: str
    priority: str
    kind: str
    channel: str
    created_at: datetime
    awaiting_since: datetime | None
    assignee_id: str | None
    assignee_name: str | None
    order: TicketOrder | None
    consent_how: str | None
    consent_at: datetime | None
    review_requested: bool
    help_offered_at: datetime | None
    save_outcome: str | None
    message_count: int


@dataclass(frozen=True, slots=True)
class ThreadMessage:
    """One message of a ticket: a customer's message, a public reply or an internal note."""

    id: str
    kind: Literal["customer", "reply", "note"]
    author: str
    created_at: datetime
    preview: str  # the start of the body (a long body is read page by page)
    length: int  # characters in the whole body
    delivery: str | None  # replies: queued, delivered, failed


@dataclass(frozen=True, slots=True)
class ThreadCursor:
    """Where the next (older) page of a thread starts: strictly before (created_at, id)."""

    at: str
    id: str


@dataclass(frozen=True, slots=True)
class ThreadPage:
    """A page of a ticket's thread, oldest first on the page."""

    messages: tuple[ThreadMessage, ...]
    older: ThreadCursor | None  # None when this page holds the first message


@dataclass(frozen=True, slots=True)
class Draft:
    """What the agent was writing on a ticket."""

    ticket_id: str
    kind: Literal["reply", "note"]
    body: str
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class ReplyTemplate:
    """A reply with fields ({{ customer_name }}, {{ case_number }}, ...) for the composer."""

    id: str
    name: str
    body: str
