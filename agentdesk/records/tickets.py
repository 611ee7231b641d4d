"""Tickets: the inbox, the card, the thread, drafts and reply templates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal


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
    offer_reached: bool = False
    """The offer of help reached the customer (delivered, answered, or said on a call): an outcome may follow."""


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
