"""Every change a terminal can make, by name and version: the one list the local store and the backend resolve.

A changed meaning gets a new version (`call.end@2`) and a new line here; old versions stay listed as long as
outboxes may hold them. Each names the rows it reads or points at and who makes it (`access.reads`): the
store and the backend check those rows' accounts before the mutator runs. `uses_region` marks the mutations
whose raw phone numbers need the terminal's default region (the store adds it to the arguments before they are
saved).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from agentdesk.errors import UnknownMutation
from agentdesk.mutations import appointments, calls, customers, ratings, ticket_outcomes, tickets
from agentdesk.mutations.access import Access, MayActOn, check, reads
from agentdesk.mutations.shared import Mutator

__all__ = ["Mutator", "Registered", "mutator", "registered", "resolve", "unregister"]


@dataclass(frozen=True, slots=True)
class Registered:
    """A mutation with its name and version, its access rule; `uses_region` when raw phone numbers need a default
    region."""

    name: str
    version: int
    apply: Mutator
    access: Access | None = None
    """The rows it reads or points at and who makes it (`mutations.access`); None: not open to terminals'
    pushes (the backend refuses it), only run where it is called directly (tests' throw-away mutations)."""
    uses_region: bool = False

    @property
    def full_name(self) -> str:
        """`name@version`, as terminals send it."""
        return f"{self.name}@{self.version}"

    def run(self, conn: Any, args: Mapping[str, Any], *, may_act_on: MayActOn | None = None) -> None:
        """Check the rows the change names (`access.check`), then apply it: the way every change is run."""
        if self.access is not None:
            check(conn, self.full_name, self.access, args, may_act_on)
        self.apply(conn, args)


AGENT, AUTHOR = ("agent_id",), ("agent_id", "author")

SHIPPED: tuple[Registered, ...] = (
    # customers and comments
    Registered("customer.create", 1, customers.create_customer, reads("account_id"), uses_region=True),
    Registered("customer.update", 1, customers.update_customer, reads("customer_id", by=AGENT)),
    Registered("comment.add", 1, customers.add_comment, reads("account_id", "customer_id", by=AGENT)),
    # the life of a call, FAQ use and escalation
    Registered("call.ring", 1, calls.ring, reads("account_id", "customer_id", by=AGENT)),
    Registered("call.link_customer", 1, calls.link_customer, reads("interaction_id", "customer_id")),
    Registered("call.answer", 1, calls.answer, reads("interaction_id", by=AGENT)),
    Registered("call.hold", 1, calls.hold, reads("account_id", "interaction_id")),
    Registered("call.resume", 1, calls.resume, reads("hold_id")),
    Registered("call.end", 1, calls.end, reads("interaction_id")),
    Registered("call.wrap_up", 1, calls.wrap_up, reads("interaction_id")),
    Registered("call.wrap_up", 2, calls.wrap_up_billed, reads("interaction_id")),
    Registered("call.wrap_up", 3, calls.wrap_up_surveyed, reads("interaction_id", by=AGENT)),
    Registered("faq.use", 1, calls.use_faq, reads("account_id", "interaction_id", "faq_id", by=AGENT)),
    Registered("call.escalate", 1, calls.escalate, reads("account_id", "customer_id", "interaction_id", by=AGENT)),
    # tickets
    Registered("ticket.open", 1, tickets.open_ticket,
               reads("account_id", "customer_id", "order_id", "assignee_id", by=AUTHOR)),
    Registered("ticket.add_message", 1, tickets.add_message, reads("ticket_id", by=AUTHOR)),
    Registered("ticket.add_message", 2, tickets.add_message_billed, reads("ticket_id", by=AUTHOR)),
    Registered("ticket.mark_delivered", 1, tickets.mark_delivered, reads("message_id")),
    Registered("ticket.record_consent", 1, tickets.record_consent, reads("ticket_id", by=AGENT)),
    Registered("ticket.set_status", 1, tickets.set_status, reads("ticket_id", by=AGENT)),
    Registered("ticket.request_review", 1, tickets.request_review, reads("ticket_id", by=AGENT)),
    Registered("ticket.assign", 1, tickets.assign, reads("ticket_id", "assignee_id", by=AGENT)),
    Registered("ticket.offer_help", 1, tickets.offer_help, reads("ticket_id", by=AUTHOR)),
    Registered("ticket.save_the_sale", 1, tickets.save_the_sale, reads("ticket_id", by=AGENT)),
    Registered("ticket.save_the_sale", 2, ticket_outcomes.record_outcome, reads("ticket_id", by=AUTHOR)),
    Registered("ticket.correct_outcome", 1, ticket_outcomes.correct_outcome, reads("ticket_id", by=AUTHOR)),
    # appointments and outbound tasks
    Registered("appointment.book", 1, appointments.book_appointment, reads(
        "account_id", "customer_id", "professional_id", "type_id", "interaction_id", by=AGENT)),
    Registered("appointment.reschedule", 1, appointments.reschedule,
               reads("appointment_id", "professional_id", by=AGENT)),
    Registered("appointment.cancel", 1, appointments.cancel, reads("appointment_id", by=AGENT)),
    Registered("appointment.survey", 1, appointments.survey, reads("appointment_id", by=AGENT)),
    Registered("task.done", 1, appointments.task_done, reads("task_id", by=AGENT)),
    Registered("task.assign", 1, calls.assign_task, reads("task_id", "assignee_id", by=AGENT)),
    # quality
    Registered("rating.record", 1, ratings.record, reads("account_id", "interaction_id", "message_id", by=AGENT)),
)
"""The mutations this AgentDesk ships."""

_REGISTRY: dict[tuple[str, int], Registered] = {}


def _add(entry: Registered) -> None:
    if (entry.name, entry.version) in _REGISTRY:
        raise ValueError(f"{entry.name}@{entry.version} is registered twice")
    _REGISTRY[(entry.name, entry.version)] = entry


for _entry in SHIPPED:
    _add(_entry)


def mutator(
    name: str, version: int, *, uses_region: bool = False, access: Access | None = None
) -> Callable[[Mutator], Mutator]:
    """Register `fn` as mutation `name@version` beside the shipped ones (tests add throw-away mutations)."""

    def register(fn: Mutator) -> Mutator:
        _add(Registered(name, version, fn, access, uses_region))
        return fn

    return register


def unregister(name: str, version: int) -> None:
    """Forget `name@version` (tests register throw-away mutators)."""
    _REGISTRY.pop((name, version), None)


def resolve(full_name: str) -> Registered:
    """The mutation for `"<name>@<version>"`; `UnknownMutation` when there is none."""
    name, _, version = str(full_name).rpartition("@")
    found = _REGISTRY.get((name, int(version))) if name and version.isdigit() else None
    if found is None:
        raise UnknownMutation(
            f"This AgentDesk does not know the change {str(full_name)[:80]!r}; nothing was saved. "
            "Update AgentDesk if this keeps happening."
        )
    return found


def registered() -> list[str]:
    """Every registered `name@version`, sorted."""
    return sorted(f"{name}@{version}" for name, version in _REGISTRY)
