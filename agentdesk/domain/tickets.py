"""The life of a ticket: its states and the moves between them, consent to resolve, the SLA clock, the refund
window and the save-the-sale outcomes. Pure rules, no I/O: the local mutators and (later) the backend share them.

States: new, open, pending (waiting for the customer), escalated, resolved, closed. A ticket is resolved only
with the customer's permission, recorded with how it was given (on a call, in writing) and when. Closed is
final: a customer who writes again gets a new case.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from agentdesk.errors import MoveRefused as MoveRefused


class Status(StrEnum):
    """Where a ticket is in its life (stored as the value)."""

    NEW = "new"
    OPEN = "open"
    PENDING = "pending"  # waiting for the customer
    ESCALATED = "escalated"
    RESOLVED = "resolved"
    CLOSED = "closed"


STATUS_WORDS: dict[str, str] = {
    "new": "new", "open": "open", "pending": "pending customer", "escalated": "escalated",
    "resolved": "resolved", "closed": "closed",
}
"""How each state reads on screen."""

OPEN_STATUSES = frozenset({Status.NEW, Status.OPEN, Status.PENDING, Status.ESCALATED})
"""The states an inbox shows: work still to do."""

MOVES: dict[Status, frozenset[Status]] = {
    Status.NEW: frozenset({Status.OPEN, Status.PENDING, Status.ESCALATED, Status.RESOLVED}),
    Status.OPEN: frozenset({Status.PENDING, Status.ESCALATED, Status.RESOLVED}),
    Status.PENDING: frozenset({Status.OPEN, Status.ESCALATED, Status.RESOLVED}),
    Status.ESCALATED: frozenset({Status.OPEN, Status.PENDING, Status.RESOLVED}),
    Status.RESOLVED: frozenset({Status.OPEN, Status.CLOSED}),
    Status.CLOSED: frozenset(),
}
"""Every allowed move; anything else is refused with a reason."""

KINDS = ("question", "refund", "cancellation", "escalation", "follow_up")
CHANNELS = ("phone", "email", "chat", "web_form", "sms", "fax")
PRIORITIES = ("low", "normal", "high", "urgent")


class ConsentHow(StrEnum):
    """How the customer gave permission to resolve."""

    CALL = "call"
    WRITING = "writing"


@dataclass(frozen=True, slots=True)
class Consent:
    """The customer's permission to mark the ticket resolved."""

    how: ConsentHow
    given_at: datetime


def parse_status(value: str) -> Status:
    """A stored state; `MoveRefused` for one this AgentDesk does not know."""
    try:
        return Status(value)
    except ValueError:
        raise MoveRefused(f"{value[:20]!r} is not a ticket state.") from None


def check_move(
    current: str, target: str, *, consent: Consent | None = None, opened_at: datetime | None = None,
    now: datetime | None = None,
) -> Status:
    """The target state when moving `current` -> `target` is allowed; `MoveRefused` with the reason if not.

    Resolving needs `consent`, given after the ticket was opened (`opened_at`) and not in the future (`now`).
    """
    here, there = parse_status(current), parse_status(target)
    if here == there:
        raise MoveRefused(f"The ticket is already {STATUS_WORDS[here]}.")
    if here is Status.CLOSED:
        raise MoveRefused("A closed ticket cannot change; open a new case if the customer writes again.")
    if there not in MOVES[here]:
        raise MoveRefused(f"A {STATUS_WORDS[here]} ticket cannot become {STATUS_WORDS[there]}.")
    if there is Status.RESOLVED:
        if consent is None:
            raise MoveRefused("A ticket is resolved only with the customer's permission: record how and when "
                              "they gave it.")
        if opened_at is not None and consent.given_at < opened_at:
            raise MoveRefused("The permission is dated before the ticket was opened.")
        if now is not None and consent.given_at > now + timedelta(minutes=5):
            raise MoveRefused("The permission is dated in the future.")
    return there


def check_review(status: str, already_requested: bool) -> None:
    """A resolved ticket can be sent for review, once."""
    if parse_status(status) is not Status.RESOLVED:
        raise MoveRefused("Only a resolved ticket can be sent for review.")
    if already_requested:
        raise MoveRefused("The ticket is already waiting for review.")


def check_message(status: str, kind: str) -> None:
    """Replies and notes go on any ticket but a closed one (a reply to a resolved one reopens it)."""
    if parse_status(status) is Status.CLOSED and kind != "note":
        raise MoveRefused("The ticket is closed; open a new case to write to the customer.")


def status_after_reply(status: str) -> Status:
    """A reply answers the customer: a new ticket becomes open, a resolved one is reopened."""
    here = parse_status(status)
    return Status.OPEN if here in (Status.NEW, Status.RESOLVED) else here


def status_after_customer_message(status: str) -> Status:
    """The customer wrote: a ticket waiting for them, or resolved, is open again."""
    here = parse_status(status)
    return Status.OPEN if here in (Status.PENDING, Status.RESOLVED) else here


# -- the SLA clock ----------------------------------------------------------------------------------------


class SlaPhase(StrEnum):
    """How urgent the ticket's clock is."""

    NONE = "none"  # nothing owed to the customer
    OK = "ok"
    AMBER = "amber"  # the response goal is near
    RED = "red"  # the response goal is missed
    ESCALATE = "escalate"  # no response within the escalation time


@dataclass(frozen=True, slots=True)
class TicketSla:
    """The ticket clocks of the contract: first response within 6 h, automatic escalation after 12 h."""

    response_hours: float = 6.0
    escalate_hours: float = 12.0
    amber_share: float = 0.25
    """The clock turns amber when less than this share of the response time is left (1 h 30 min of 6 h)."""

    def due(self, awaiting_since: datetime) -> datetime:
        """When the response to a message received at `awaiting_since` is due."""
        return awaiting_since + timedelta(hours=self.response_hours)

    def escalates(self, awaiting_since: datetime) -> datetime:
        """When an unanswered message received at `awaiting_since` is escalated."""
        return awaiting_since + timedelta(hours=self.escalate_hours)


@dataclass(frozen=True, slots=True)
class SlaReading:
    """The countdown shown for a ticket."""

    phase: SlaPhase
    seconds_left: float | None  # to the response goal; negative once missed; None when nothing is owed
    seconds_to_escalation: float | None

    @property
    def label(self) -> str:
        """`4h05m`, `-0h12m` (late), `ESC +1h` once past escalation, `—` when nothing is owed."""
        if self.seconds_left is None:
            return "—"
        if self.phase is SlaPhase.ESCALATE and self.seconds_to_escalation is not None:
            return f"ESC +{_hours_minutes(-self.seconds_to_escalation)}"
        sign = "-" if self.seconds_left < 0 else ""
        return f"{sign}{_hours_minutes(abs(self.seconds_left))}"


def sla_label(reading: SlaReading, status: str) -> str:
    """The countdown as the desk shows it: "ESC +…" only when the backend escalated the ticket (its state says so);
    past 12 h but not escalated (offline, or not yet synced) it is "due ESC +…", a promise not yet kept."""
    label = reading.label
    if reading.phase is SlaPhase.ESCALATE and status != Status.ESCALATED:
        return f"due {label}"
    return label


def _hours_minutes(seconds: float) -> str:
    minutes = int(seconds // 60)
    if minutes >= 48 * 60:  # long overdue: days say it better than thousands of hours
        return f"{minutes // 1440}d{minutes % 1440 // 60:02d}h"
    return f"{minutes // 60}h{minutes % 60:02d}m"


def read_sla(awaiting_since: datetime | None, now: datetime, policy: TicketSla | None = None) -> SlaReading:
    """The ticket's clock at `now`, for the oldest customer message not yet answered (None: nothing owed)."""
    policy = policy or TicketSla()
    if awaiting_since is None:
        return SlaReading(SlaPhase.NONE, None, None)
    left = (policy.due(awaiting_since) - now).total_seconds()
    to_escalation = (policy.escalates(awaiting_since) - now).total_seconds()
    if to_escalation <= 0:
        phase = SlaPhase.ESCALATE
    elif left <= 0:
        phase = SlaPhase.RED
    elif left <= policy.response_hours * 3600 * policy.amber_share:
        phase = SlaPhase.AMBER
    else:
        phase = SlaPhase.OK
    return SlaReading(phase, left, to_escalation)


# -- refunds, cancellations and save-the-sale ----------------------------------------------------------------

REFUND_DAYS = 60
"""A refund can be requested up to 60 days after the order."""

REFUND_POLICY = (f"Refunds can be requested up to {REFUND_DAYS} days after the order. This order is outside "
                 "that window: offer help, a repair or a replacement instead.")


@dataclass(frozen=True, slots=True)
class RefundWindow:
    """Whether an order can still be refunded, seen from the account's time zone."""

    order_date: date  # the order's date where the account is
    last_day: date  # the last day a refund can be requested
    days_left: int  # 0 on the last day; negative once the window has closed

    @property
    def open(self) -> bool:
        return self.days_left >= 0

    @property
    def label(self) -> str:
        """One line for the ticket screen: the order date and the days left, or the policy."""
        if not self.open:
            return f"Ordered {self.order_date.isoformat()}: {REFUND_POLICY}"
        left = "last day today" if self.days_left == 0 else f"{self.days_left} day{'s' * (self.days_left != 1)} left"
        return f"Ordered {self.order_date.isoformat()}: refund possible until {self.last_day.isoformat()} ({left})."


def refund_window(ordered_at: datetime, now: datetime, time_zone: str) -> RefundWindow:
    """The refund window of an order placed at `ordered_at`, counted in calendar days of the account's zone:
    an order placed on 1 March local time can be refunded through 30 April (1 March + 60 days), to midnight."""
    zone = ZoneInfo(time_zone)
    order_day = ordered_at.astimezone(zone).date()
    today = now.astimezone(zone).date()
    last = order_day + timedelta(days=REFUND_DAYS)
    return RefundWindow(order_day, last, (last - today).days)


class SaveOutcome(StrEnum):
    """How a refund or cancellation request ended, for the report."""

    SAVED = "saved"  # the customer was helped and withdrew the request
    REFUNDED = "refunded"
    CANCELLED = "cancelled"


SAVE_KINDS = frozenset({"refund", "cancellation"})


def check_save_outcome(
    kind: str, outcome: str, *, help_offered: bool, already: str | None, window: RefundWindow | None,
    recurring: bool | None = None,
) -> SaveOutcome:
    """The outcome when it may be recorded; `MoveRefused` with the reason if not.

    Help is offered first; a refund needs the order inside its window; a cancellation is of a recurring product
    (at any time); an outcome is recorded once.
    """
    if kind not in SAVE_KINDS:
        raise MoveRefused("Only refund and cancellation tickets have a save-the-sale outcome.")
    try:
        result = SaveOutcome(outcome)
    except ValueError:
        raise MoveRefused(f"{outcome[:20]!r} is not an outcome: saved, refunded or cancelled.") from None
    if already:
        raise MoveRefused(f"The outcome is already recorded ({already}).")
    if not help_offered:
        raise MoveRefused("Offer help first (send the offer template), then record the outcome.")
    if result is SaveOutcome.REFUNDED:
        if kind != "refund":
            raise MoveRefused("A cancellation ends cancelled or saved, not refunded.")
        if window is None:
            raise MoveRefused("The ticket has no order to refund.")
        if not window.open:
            raise MoveRefused(REFUND_POLICY)
    if result is SaveOutcome.CANCELLED:
        if kind != "cancellation":
            raise MoveRefused("A refund request ends refunded or saved, not cancelled.")
        if recurring is False:
            raise MoveRefused("Only recurring products are cancelled; this order is a one-off purchase.")
    return result


OPEN_STATES = frozenset({"new", "open", "pending", "escalated"})
"""States in which a ticket is still the desk's work."""


@dataclass(frozen=True, slots=True)
class TicketFigures:
    """One account's tickets (e-mail, chat, forms and cases) for the floor monitor, at one moment: still open, a
    first response due within the amber share of the 6 h goal, past the goal, and escalated by the 12 h rule
    since the account's midnight."""

    open: int = 0
    due_soon: int = 0
    breached: int = 0
    escalated_today: int = 0


def ticket_figures(tickets: list[tuple[str, datetime | None]], now: datetime, time_zone: str,
                   policy: TicketSla | None = None) -> TicketFigures:
    """The figures of one account's tickets, each given as (status, awaiting_since or None). A ticket escalated
    by the rule was escalated when its 12 h ran out, so "today" is judged by that moment in the account's zone."""
    policy = policy or TicketSla()
    midnight = datetime.combine(now.astimezone(ZoneInfo(time_zone)).date(), datetime.min.time(), ZoneInfo(time_zone))
    amber = timedelta(hours=policy.response_hours * policy.amber_share)
    open_ = due_soon = breached = escalated_today = 0
    for status, awaiting_since in tickets:
        if status not in OPEN_STATES:
            continue
        open_ += 1
        if awaiting_since is None or status == "pending":
            continue
        due = policy.due(awaiting_since)
        if due <= now:
            breached += 1
        elif status != "escalated" and due - now <= amber:
            due_soon += 1
        if status == "escalated" and midnight <= policy.escalates(awaiting_since) <= now:
            escalated_today += 1
    return TicketFigures(open_, due_soon, breached, escalated_today)
