"""What quality review reads: the next interaction or reply to rate, and agents' rating averages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal


@dataclass(frozen=True, slots=True)
class ReviewCursor:
    """Where the review queue goes on: strictly after (at, id) of the last item shown."""

    at: str
    id: str


@dataclass(frozen=True, slots=True)
class ReviewHold:
    """One hold of a reviewed call."""

    started_at: datetime
    seconds: float | None  # None: never resumed (the call ended on hold)
    hit_cap: bool


@dataclass(frozen=True, slots=True)
class ReviewLine:
    """One message of a reviewed reply's ticket thread, up to and including the reply."""

    kind: Literal["customer", "reply", "note"]
    author: str
    at: datetime
    body: str  # untrusted (customers' words): sanitised by the widget that shows it


@dataclass(frozen=True, slots=True)
class ReviewItem:
    """An interaction (call, e-mail, chat, SMS, web form, fax) or a ticket reply waiting for its quality rating.

    Text fields hold the stored text as it is (customers' and other systems' words): widgets sanitise them.
    """

    kind: Literal["interaction", "reply"]
    id: str
    account_id: str
    account_name: str
    channel: str  # phone, email, chat, sms, web_form, fax; "ticket" for a reply
    direction: str
    agent_id: str | None
    agent_name: str
    customer_name: str
    at: datetime
    talk_seconds: int | None
    wrap_up_seconds: int | None
    outcome: str
    notes: str
    subject: str
    body: str
    holds: tuple[ReviewHold, ...]
    thread: tuple[ReviewLine, ...]
    customer_score: int | None  # the customer's own rating, when they gave one
    cursor: ReviewCursor


@dataclass(frozen=True, slots=True)
class RatingAverage:
    """One agent's ratings by one source over a window: the average (None with no ratings) and how many."""

    agent_id: str
    agent_name: str
    source: Literal["qc", "customer"]
    average: float | None
    count: int
