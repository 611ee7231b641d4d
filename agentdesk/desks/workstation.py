"""The desks of one workstation, built together over one writer, clock and agent."""

from __future__ import annotations

from dataclasses import dataclass

from agentdesk.clock import Clock
from agentdesk.config import Settings
from agentdesk.desks.bookings import BookingDesk
from agentdesk.desks.calls import CallDesk
from agentdesk.desks.customers import CustomerDesk
from agentdesk.desks.outbound import OutboundDesk
from agentdesk.desks.review import ReviewDesk
from agentdesk.desks.tickets import TicketDesk
from agentdesk.desks.writer import LocalWriter
from agentdesk.domain.hold import HoldPolicy
from agentdesk.domain.sla import RingPolicy
from agentdesk.records import Agent
from agentdesk.store import Store, StoreError


@dataclass(frozen=True, slots=True)
class Desks:
    """Every desk of the workstation; the screens are handed these."""

    calls: CallDesk
    tickets: TicketDesk
    bookings: BookingDesk
    outbound: OutboundDesk
    customers: CustomerDesk
    review: ReviewDesk


def open_desks(settings: Settings, store: Store, writer: LocalWriter, clock: Clock, agent: Agent) -> Desks:
    """The desks for `agent`, configured from `settings`."""
    calls = CallDesk(
        store, writer, clock, agent,
        hold_policy=HoldPolicy(settings.hold.cap_seconds, settings.hold.warn_seconds),
        ring_policy=RingPolicy(settings.phone.ring_cycle_seconds, settings.phone.answer_before_ring),
        region=settings.phone.default_region,
        survey_share=settings.quality.survey_share,
    )
    return Desks(
        calls=calls,
        tickets=TicketDesk(store, writer, clock, agent),
        bookings=BookingDesk(store, writer, clock, agent, settings.appointments),
        outbound=OutboundDesk(store, writer, clock, agent),
        customers=CustomerDesk(store, writer, clock, agent),
        review=ReviewDesk(store, writer, clock, agent),
    )


def pick_agent(store: Store, agent_id: str | None, *, reviewer: bool = False) -> Agent:
    """The agent this terminal works as: the configured one, else the first front-line agent (with `reviewer`:
    the first quality reviewer, and a configured agent must be one who may review)."""
    from agentdesk.mutations.ratings import REVIEWERS

    if agent_id:
        agent = store.agent(agent_id)
        if reviewer and agent.role not in REVIEWERS:
            raise StoreError(f"{agent.name} works as {agent.role}: the quality review is for quality control, "
                             "supervisors and admins. Sign in as one of them, or set [agent] id to one.")
        return agent
    agents = store.agents()
    if not agents:
        raise StoreError("The local store has no agents. Run `agentdesk demo` to fill it with demo data.")
    if reviewer:
        found = next((a for a in agents if a.role == "qc"), None) or next(
            (a for a in agents if a.role in REVIEWERS), None)
        if found is None:
            raise StoreError("Nobody in the local store may review (quality control, supervisor or admin).")
        return found
    return next((a for a in agents if a.role == "agent"), agents[0])
