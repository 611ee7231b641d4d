"""Every change a terminal can make, by name and version: the one list the local store and the backend resolve.

A changed meaning gets a new version (`call.end@2`) and a new line here; old versions stay listed as long as
outboxes may hold them. `uses_region` marks the mutations whose raw phone numbers need the terminal's default
region (the store adds it to the arguments before they are saved).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from agentdesk.errors import UnknownMutation
from agentdesk.mutations import appointments, calls, customers, ticket_outcomes, tickets
from agentdesk.mutations.shared import Mutator

__all__ = ["Mutator", "Registered", "mutator", "registered", "resolve", "unregister"]


@dataclass(frozen=True, slots=True)
class Registered:
    """A mutation with its name and version; `uses_region` when raw phone numbers need a default region."""

    name: str
    version: int
    apply: Mutator
    uses_region: bool = False


SHIPPED: tuple[Registered, ...] = (
    # customers and comments
    Registered("customer.create", 1, customers.create_customer, uses_region=True),
    Registered("customer.update", 1, customers.update_customer),
    Registered("comment.add", 1, customers.add_comment),
    # the life of a call, FAQ use and escalation
    Registered("call.ring", 1, calls.ring),
    Registered("call.link_customer", 1, calls.link_customer),
    Registered("call.answer", 1, calls.answer),
    Registered("call.hold", 1, calls.hold),
    Registered("call.resume", 1, calls.resume),
    Registered("call.end", 1, calls.end),
    Registered("call.wrap_up", 1, calls.wrap_up),
    Registered("faq.use", 1, calls.use_faq),
    Registered("call.escalate", 1, calls.escalate),
    # tickets
    Registered("ticket.open", 1, tickets.open_ticket),
    Registered("ticket.add_message", 1, tickets.add_message),
    Registered("ticket.mark_delivered", 1, tickets.mark_delivered),
    Registered("ticket.record_consent", 1, tickets.record_consent),
    Registered("ticket.set_status", 1, tickets.set_status),
    Registered("ticket.request_review", 1, tickets.request_review),
    Registered("ticket.assign", 1, tickets.assign),
    Registered("ticket.offer_help", 1, tickets.offer_help),
    Registered("ticket.save_the_sale", 1, tickets.save_the_sale),
    Registered("ticket.save_the_sale", 2, ticket_outcomes.record_outcome),
    Registered("ticket.correct_outcome", 1, ticket_outcomes.correct_outcome),
    # appointments and outbound tasks
    Registered("appointment.book", 1, appointments.book_appointment),
    Registered("appointment.reschedule", 1, appointments.reschedule),
    Registered("appointment.cancel", 1, appointments.cancel),
    Registered("appointment.survey", 1, appointments.survey),
    Registered("task.done", 1, appointments.task_done),
)
"""The mutations this AgentDesk ships."""

_REGISTRY: dict[tuple[str, int], Registered] = {}


def _add(entry: Registered) -> None:
    if (entry.name, entry.version) in _REGISTRY:
        raise ValueError(f"{entry.name}@{entry.version} is registered twice")
    _REGISTRY[(entry.name, entry.version)] = entry


for _entry in SHIPPED:
    _add(_entry)


def mutator(name: str, version: int, *, uses_region: bool = False) -> Callable[[Mutator], Mutator]:
    """Register `fn` as mutation `name@version` beside the shipped ones (tests add throw-away mutations)."""

    def register(fn: Mutator) -> Mutator:
        _add(Registered(name, version, fn, uses_region))
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
