"""A call offered to the terminal, and the follow-ups and outbound calls that come from calls."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal


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
