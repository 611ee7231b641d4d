"""Save the sale as the contract says: how a refund or cancellation request ends, and when it may end so.

A refund or cancellation ticket is resolved only with an outcome. "Saved": the customer was helped and withdrew
the request (their agreement is recorded like a consent); "refunded" and "cancelled": the order changes and the
customer is told; "refused" (by policy): outside the refund window, or a one-off purchase asked to be cancelled,
the customer is told why. The outcome comes after the offer of help reached the customer. The refund window runs
from the order to the arrival of the request, not to the moment an agent answers it.

Time on the backend: a terminal's times are claims. The backend accepts a decision dated at most `CLOCK_SKEW`
ahead of its own clock, and never one dated before the request arrived (a terminal whose clock is behind).
Pure rules, no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from agentdesk.domain.tickets import REFUND_POLICY, SAVE_KINDS, MoveRefused, RefundWindow

CLOCK_SKEW = timedelta(minutes=5)
"""How far ahead of the backend's clock a terminal's time is still believed (clocks drift; NTP keeps them near)."""


OFFER_NOT_REACHED = ("The offer of help has not reached the customer yet: wait until it is delivered or the "
                     "customer answers, then record the outcome.")


class Outcome(StrEnum):
    """How a refund or cancellation request ended."""

    SAVED = "saved"  # helped; the customer withdrew the request
    REFUNDED = "refunded"
    CANCELLED = "cancelled"
    REFUSED = "refused"  # refused by policy; the customer was told why


OUTCOME_WORDS: dict[str, str] = {
    "saved": "saved (request withdrawn)", "refunded": "refunded", "cancelled": "cancelled",
    "refused": "refused by policy",
}
"""How each outcome reads on screen and in the ticket's history."""

CORRECTABLE = frozenset({Outcome.SAVED, Outcome.REFUSED})
"""Outcomes a correction may replace: a refund paid or a contract ended is undone by billing, not by a click."""


@dataclass(frozen=True, slots=True)
class OfferState:
    """Where the offer of help stands: offered at all, and whether the customer can have read it."""

    offered: bool
    reached: bool  # the offer reply was delivered, or the customer wrote after it, or it was said on a call


def check_outcome(
    kind: str, outcome: str, *, offer: OfferState, window: RefundWindow | None, recurring: bool | None,
) -> Outcome:
    """The outcome when it may be recorded on this ticket now; `MoveRefused` with the reason and the next step."""
    if kind not in SAVE_KINDS:
        raise MoveRefused("Only refund and cancellation tickets have a save-the-sale outcome.")
    try:
        result = Outcome(outcome)
    except ValueError:
        raise MoveRefused(f"{outcome[:20]!r} is not an outcome: saved, refunded, cancelled or refused.") from None
    if not offer.offered:
        raise MoveRefused("Offer help first (Ctrl+B sends the offer), then record the outcome.")
    if not offer.reached:
        raise MoveRefused(OFFER_NOT_REACHED)
    if kind == "refund":
        if result is Outcome.CANCELLED:
            raise MoveRefused("A refund request ends refunded, saved or refused, not cancelled.")
        if result in (Outcome.REFUNDED, Outcome.REFUSED) and window is None:
            raise MoveRefused("The ticket has no order; link the order before deciding the refund.")
        if result is Outcome.REFUNDED and window is not None and not window.open:
            raise MoveRefused(REFUND_POLICY)
        if result is Outcome.REFUSED and window is not None and window.open:
            raise MoveRefused("The request arrived inside the refund window: the policy does not refuse it.")
    else:
        if result is Outcome.REFUNDED:
            raise MoveRefused("A cancellation ends cancelled, saved or refused, not refunded.")
        if result is Outcome.CANCELLED and recurring is False:
            raise MoveRefused("Only recurring products are cancelled; this order is a one-off purchase.")
        if result is Outcome.REFUSED and recurring is not False:
            raise MoveRefused("A recurring product can be cancelled at any time: the policy does not refuse it.")
    return result


def check_decision_time(decided_at: datetime, arrived_at: datetime, backend_now: datetime | None) -> None:
    """A decision is dated after the request arrived and, on the backend, not ahead of its clock by more than
    `CLOCK_SKEW`; `MoveRefused` otherwise (the terminal's clock is wrong)."""
    if decided_at < arrived_at:
        raise MoveRefused("The decision is dated before the request arrived: this terminal's clock is behind. "
                          "Set the clock right and record the outcome again.")
    if backend_now is not None and decided_at > backend_now + CLOCK_SKEW:
        raise MoveRefused("The decision is dated ahead of the backend's clock: this terminal's clock is ahead. "
                          "Set the clock right and record the outcome again.")


def check_correction(current: str | None, replacement: str, reason: str) -> Outcome:
    """A recorded outcome may be replaced (both stay in the ticket's history) when it is saved or refused."""
    if not current:
        raise MoveRefused("No outcome is recorded yet: record it instead of correcting it.")
    if Outcome(current) not in CORRECTABLE:
        raise MoveRefused(f"A {OUTCOME_WORDS[current]} outcome cannot be corrected here: billing undoes it.")
    if replacement == current:
        raise MoveRefused(f"The outcome is already {OUTCOME_WORDS[current]}.")
    if not reason.strip():
        raise MoveRefused("Say why the outcome is corrected; the reason stays in the ticket's history.")
    try:
        return Outcome(replacement)
    except ValueError:
        raise MoveRefused(f"{replacement[:20]!r} is not an outcome.") from None


def needs_outcome(kind: str, outcome: str | None) -> bool:
    """True when the ticket cannot be resolved yet: a refund or cancellation request with no outcome."""
    return kind in SAVE_KINDS and not outcome


_STATED = re.compile(
    r"\b(?:we\s+have|we've|has\s+been|have\s+been|is\s+now)\s+(?:now\s+)?(refunded|cancell?ed|resolved|closed)\b",
    re.IGNORECASE)
_ACTION = {"refunded": "refund", "cancelled": "cancellation", "canceled": "cancellation", "resolved": "resolution",
           "closed": "resolution"}


def stated_action(body: str) -> str | None:
    """The action a reply tells the customer was done ("We have refunded order …"): refund, cancellation or
    resolution; None when it states none."""
    found = _STATED.search(body)
    return _ACTION[found[1].lower()] if found else None


def statement_needs(body: str, *, kind: str, outcome: str | None, status: str) -> str | None:
    """What sending `body` needs first: None (it may go as a plain reply), or the outcome to record with it
    ("refunded", "cancelled") through the save-the-sale rules; `MoveRefused` when it states what is not so."""
    action = stated_action(body)
    if action is None:
        return None
    if action == "resolution":
        if status not in ("resolved", "closed"):
            raise MoveRefused("This reply tells the customer the case is resolved, but it is not: resolve it first "
                              "(Ctrl+R, with their permission), or change the reply.")
        return None
    done = "refunded" if action == "refund" else "cancelled"
    if outcome == done:
        return None
    if kind != action or outcome:
        raise MoveRefused(f"This reply tells the customer the order was {done}, but no {action} is recorded on this "
                          f"ticket: record it first (Ctrl+B), or change the reply.")
    return done
