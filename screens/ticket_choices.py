"""The choices the ticket screen offers for the life of a ticket (state, assignee, save-the-sale outcome), read
from the domain rules so a choice the rules refuse is shown greyed with its reason, or not at all.

Plain functions over a `TicketCard`: no screen, so the ticket screen composes them without an import circle.
"""

from __future__ import annotations

from collections.abc import Callable

from agentdesk.domain import ticket_outcomes as outcomes
from agentdesk.domain import tickets as rules
from agentdesk.records import Agent, TicketCard

Option = tuple[str, str, bool]
"""(value, label, enabled), as the `Choice` dialog lists them."""

_STATE_CHOICES = (
    ("open", "Open: working on it"),
    ("pending", "Pending customer: waiting for their answer"),
    ("escalated", "Escalated: needs a senior agent"),
    ("closed", "Closed: nothing more to do"),
)


def status_options(card: TicketCard) -> list[Option]:
    """The states `card` may move to now (and "review" once resolved); `MoveRefused` when none is possible."""
    here = rules.parse_status(card.status)
    allowed = rules.MOVES[here]
    options = [(value, label, rules.Status(value) in allowed) for value, label in _STATE_CHOICES]
    if here is rules.Status.RESOLVED:
        options.append(("review", "Send for review", not card.review_requested))
    if not any(enabled for _, _, enabled in options):
        raise rules.MoveRefused("A closed ticket cannot change; open a new case if the customer writes again.")
    return options


def assign_options(card: TicketCard, agents: list[Agent]) -> list[Option]:
    """Every agent who handles tickets (the one who has it greyed; quality reviewers rate work, they do not take
    it), and back to the queue ("-")."""
    options = [(a.id, f"{a.name} ({a.role})" + (" · has it now" if a.id == card.assignee_id else ""),
                a.id != card.assignee_id) for a in agents if a.role != "qc"]
    options.append(("-", "Nobody (back to the queue)", card.assignee_id is not None))
    return options


def save_the_sale_step(card: TicketCard) -> str:
    """Which step of save-the-sale comes next: "offer" (help first), "outcome", or "correct" (an outcome recorded
    by mistake can be replaced); `MoveRefused` when none."""
    if card.kind not in rules.SAVE_KINDS:
        raise rules.MoveRefused("Save the sale is for refund and cancellation tickets.")
    if card.save_outcome:
        if card.save_outcome not in outcomes.CORRECTABLE:
            raise rules.MoveRefused(f"The outcome is recorded ({outcomes.OUTCOME_WORDS[card.save_outcome]}); "
                                    "billing undoes a refund or a cancellation, not the desk.")
        return "correct"
    if card.help_offered_at is None:
        return "offer"
    if not card.offer_reached:
        raise rules.MoveRefused(outcomes.OFFER_NOT_REACHED)
    return "outcome"


_OUTCOME_CHOICES = (
    ("saved", "Saved: the customer agreed to withdraw the request"),
    ("refunded", "Refunded: refund the order and tell the customer"),
    ("cancelled", "Cancelled: cancel the order and tell the customer"),
    ("refused", "Refused by policy: tell the customer why"),
)


def outcome_options(card: TicketCard, check: Callable[[TicketCard, str], None]) -> list[Option]:
    """The outcomes the rules allow now (`check` raises `MoveRefused` for the others); a refused one is greyed with
    its reason, except one that never applies to this kind of ticket. The recorded outcome is left out."""
    never = "cancelled" if card.kind == "refund" else "refunded"
    options: list[Option] = []
    for value, label in _OUTCOME_CHOICES:
        if value in (never, card.save_outcome):
            continue
        try:
            check(card, value)
            options.append((value, label, True))
        except rules.MoveRefused as error:
            options.append((value, f"{label.split(':')[0]}: {error}", False))
    return options
