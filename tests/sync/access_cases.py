"""One case per registered mutation for the access walk (tests/sync/test_access.py).

Each case builds a mutation's arguments from the rows it names (`Rows`: argument → id, as in
`agentdesk.mutations.access.REFERENCES`) and from what earlier cases made. In the order listed the cases are
one working day of an agent on their own account (a customer, a call, a case, a booking), so each is applied
when it names the agent's own rows; the walk swaps one named row at a time for another account's.
A new mutation in the registry without a case here fails `test_every_registered_mutation_has_a_case`.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from agentdesk.clock import iso
from agentdesk.localstore.numbers import CROCKFORD

Rows = dict[str, str]
Args = dict[str, Any]

FORGED_NAME = "Forged Supervisor"


@dataclass
class Day:
    """What the walk knows: the forged author, the clock, and what earlier cases made (`made`)."""

    forged_agent: str
    start: datetime
    made: dict[str, Any] = field(default_factory=dict)
    rng: random.Random = field(default_factory=lambda: random.Random(18))

    def at(self, minutes: int) -> str:
        return iso(self.start + timedelta(minutes=minutes))

    def case_number(self) -> str:
        def part(n: int) -> str:
            return "".join(self.rng.choice(CROCKFORD) for _ in range(n))
        return f"CS-{part(5)}-{part(3)}"


def new() -> str:
    return str(uuid.uuid4())


Case = Callable[[Day, Rows], Args]


def _by(day: Day) -> Args:
    return {"agent_id": day.forged_agent}


def _authored(day: Day) -> Args:
    return {"agent_id": day.forged_agent, "author": FORGED_NAME}


CASES: dict[str, Case] = {
    "customer.create@1": lambda d, r: {
        "customer_id": d.made["customer"], "account_id": r["account_id"], "name": "Walk Customer",
        "created_at": d.at(0)},
    "customer.update@1": lambda d, r: {
        "customer_id": r["customer_id"], "field": "name", "base": "Walk Custmer", "value": "Walked Customer",
        "changed_at": d.at(1), "note_id": new(), **_by(d)},
    "comment.add@1": lambda d, r: {
        "comment_id": new(), "account_id": r["account_id"],
        "customer_id": r["customer_id"], "body": "Called about the parcel.", "created_at": d.at(2), **_by(d)},
    "call.ring@1": lambda d, r: {
        "interaction_id": d.made["call"], "account_id": r["account_id"], "customer_id": r["customer_id"],
        "caller_number": "+18005550142", "ringing_at": d.at(3), **_by(d)},
    "call.link_customer@1": lambda d, r: {"interaction_id": r["interaction_id"], "customer_id": r["customer_id"]},
    "call.answer@1": lambda d, r: {"interaction_id": r["interaction_id"], "answered_at": d.at(4), **_by(d)},
    "call.hold@1": lambda d, r: {
        "hold_id": d.made["hold"], "account_id": r["account_id"], "interaction_id": r["interaction_id"],
        "started_at": d.at(5)},
    "call.resume@1": lambda d, r: {"hold_id": r["hold_id"], "ended_at": d.at(6), "seconds": 60.0, "hit_cap": False},
    "faq.use@1": lambda d, r: {
        "use_id": new(), "account_id": r["account_id"], "faq_id": r["faq_id"], "interaction_id": r["interaction_id"],
        "used_at": d.at(7), **_by(d)},
    "call.escalate@1": lambda d, r: {
        "task_id": d.made["task"], "account_id": r["account_id"], "customer_id": r["customer_id"],
        "interaction_id": r["interaction_id"], "level": "senior", "note": "Call back about the parcel.",
        "due_at": d.at(600), "created_at": d.at(8), **_by(d)},
    "call.end@1": lambda d, r: {
        "interaction_id": r["interaction_id"], "ended_at": d.at(9), "billable_seconds": 300,
        "price_per_minute_cents": 100, "cost_cents": 500, "outcome": None},
    "call.wrap_up@1": lambda d, r: {
        "interaction_id": r["interaction_id"], "outcome": "Solved", "notes": "Parcel found.", "wrap_up_seconds": 20},
    "call.wrap_up@2": lambda d, r: {
        "interaction_id": r["interaction_id"], "outcome": "Solved", "notes": "Parcel found.", "wrap_up_seconds": 25},
    "call.wrap_up@3": lambda d, r: {
        "interaction_id": r["interaction_id"], "outcome": "Solved", "notes": "Parcel found.", "wrap_up_seconds": 30,
        "wrapped_at": d.at(9), "survey_task_id": new(), "survey_due_at": d.at(900), **_by(d)},
    "ticket.open@1": lambda d, r: {
        "ticket_id": d.made["ticket"], "account_id": r["account_id"], "customer_id": r["customer_id"],
        "case_number": d.case_number(), "subject": "Refund for the order", "kind": "refund", "channel": "phone",
        "status": "open", "opened_at": d.at(10), "assignee_id": r["assignee_id"], "order_id": r["order_id"],
        "confirmation_id": new(), "confirmation": "Your case is open.", **_authored(d)},
    "ticket.add_message@1": lambda d, r: {
        "message_id": d.made["message"], "ticket_id": r["ticket_id"], "kind": "reply", "body": "We are on it.",
        "created_at": d.at(11), **_authored(d)},
    "ticket.add_message@2": lambda d, r: {
        "message_id": new(), "ticket_id": r["ticket_id"], "kind": "reply", "body": "Here is what we found.",
        "created_at": d.at(11), "interaction_id": new(), "handled_seconds": 240, **_authored(d)},
    "ticket.mark_delivered@1": lambda d, r: {"message_id": r["message_id"], "delivery": "delivered"},
    "ticket.offer_help@1": lambda d, r: {
        "ticket_id": r["ticket_id"], "message_id": new(), "body": "May we fix it instead?", "offered_at": d.at(12),
        **_authored(d)},
    "ticket.save_the_sale@2": lambda d, r: {
        "ticket_id": r["ticket_id"], "outcome": "saved", "decided_at": d.at(13), "agreed_how": "call",
        "agreed_at": d.at(13), "note_id": new(), **_authored(d)},
    "ticket.correct_outcome@1": lambda d, r: {
        "ticket_id": r["ticket_id"], "outcome": "refused", "decided_at": d.at(13), "message_id": new(),
        "body": "This order is past the 60 days for a refund.", "note_id": new(), "reason": "The customer did not withdraw.",
        **_authored(d)},
    "ticket.save_the_sale@1": lambda d, r: {
        "ticket_id": r["ticket_id"], "outcome": "saved", "decided_at": d.at(13), **_by(d)},
    "ticket.record_consent@1": lambda d, r: {
        "ticket_id": r["ticket_id"], "how": "call", "given_at": d.at(14), "recorded_at": d.at(14), **_by(d)},
    "ticket.set_status@1": lambda d, r: {
        "ticket_id": r["ticket_id"], "status": "resolved", "changed_at": d.at(15), **_by(d)},
    "ticket.request_review@1": lambda d, r: {"ticket_id": r["ticket_id"], "requested_at": d.at(16), **_by(d)},
    "ticket.assign@1": lambda d, r: {
        "ticket_id": r["ticket_id"], "assignee_id": r["assignee_id"], "assigned_at": d.at(17), **_by(d)},
    "appointment.book@1": lambda d, r: {
        **d.made["booking"], "account_id": r["account_id"], "customer_id": r["customer_id"],
        "professional_id": r["professional_id"], "type_id": r["type_id"], "interaction_id": r["interaction_id"],
        "reminder_task_id": new(), "survey_task_id": new(), **_by(d)},
    "appointment.reschedule@1": lambda d, r: {
        **d.made["moved"], "appointment_id": r["appointment_id"], "professional_id": r["professional_id"], **_by(d)},
    "appointment.survey@1": lambda d, r: {
        "appointment_id": r["appointment_id"], "rating": 5, "comment": "On time.", "at": d.made["after_visit"],
        **_by(d)},
    "task.assign@1": lambda d, r: {
        "task_id": r["task_id"], "assignee_id": r["assignee_id"], "assigned_at": d.at(17), **_by(d)},
    "task.done@1": lambda d, r: {"task_id": r["task_id"], "at": d.at(18), "note": "Called back.", **_by(d)},
    "appointment.cancel@1": lambda d, r: {
        "appointment_id": r["appointment_id"], "at": d.made["after_visit"], "reason": "Moved away", **_by(d)},
    # Both the call and the reply named, so every row the rule reads is walked (the mutator takes one of them).
    "rating.record@1": lambda d, r: {
        "rating_id": new(), "account_id": r["account_id"], "interaction_id": r["interaction_id"],
        "message_id": r["message_id"], "source": "customer", "score": 4, "comment": "Quick and kind.",
        "at": d.at(19), **_by(d)},
}
"""In the order of the agent's day; keyed by `name@version` like the registry."""

OWN_ROWS: dict[str, dict[str, str]] = {
    # a case that names another of the agent's rows than the day's: argument → key of the agent's rows
    "ticket.open@1": {"customer_id": "order_customer"},  # a refund is for a customer who has an order
    "appointment.reschedule@1": {"professional_id": "moved_professional"},
}

DECIDED_ALREADY: dict[str, str] = {
    # the own case is refused for the ticket's rules, not for access: the day's ticket has its outcome by then
    # (`@1` is kept only to replay changes made before `@2`); the words say which rule refused it
    "ticket.save_the_sale@1": "already recorded",
    # the case names a call and a reply at once, so that the walk swaps each; a rating is of one of them
    "rating.record@1": "name either the interaction or the ticket reply",
}

MADE_BY: dict[str, str] = {
    # the row a case makes, and the argument that later cases name it by
    "customer.create@1": "customer_id",
    "comment.add@1": "comment_id",
    "call.ring@1": "interaction_id",
    "call.hold@1": "hold_id",
    "call.escalate@1": "task_id",
    "ticket.open@1": "ticket_id",
    "ticket.add_message@1": "message_id",
    "appointment.book@1": "appointment_id",
}
