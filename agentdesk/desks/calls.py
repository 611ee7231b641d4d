"""The agent's phone line: one call at a time from ring to wrap-up, every step saved as a mutation.

`CallDesk` joins the pure call rules (`domain.calls`, `domain.hold`) to the local store. It holds no screen:
the workspace calls it and shows what it returns; tests drive it directly.
"""

from __future__ import annotations

import uuid
from concurrent.futures import Future
from dataclasses import dataclass, field
from enum import StrEnum

from agentdesk.clock import Clock, iso
from agentdesk.desks.base import Desk
from agentdesk.desks.writer import LocalWriter
from agentdesk.domain import call_survey, escalation, phones, pricing
from agentdesk.domain.calls import CallError, CallSession, CallState, Hold
from agentdesk.domain.hold import HoldPhase, HoldPolicy, HoldReading, read_hold
from agentdesk.domain.sla import RingPolicy
from agentdesk.records import Account, Agent, IncomingCall
from agentdesk.store import Store

ABANDON_AFTER_RINGS = 6
"""A demo caller who is not answered hangs up after this many rings (36 s at the North American cadence)."""


class TimerEvent(StrEnum):
    """What the passing of time did to the call."""

    HOLD_RELEASED = "hold released"
    ABANDONED = "abandoned"
    NOT_RECORDED = "not recorded"
    """The ring could not be saved: the line is free again (the writer told the agent why)."""


@dataclass
class ActiveCall:
    """The call on this agent's line, with what the screen needs to show it."""

    session: CallSession
    account: Account
    caller: str  # E.164 when the number could be read, else as delivered
    customer_id: str | None
    escalation_level: escalation.Level | None = None
    faq_used: list[str] = field(default_factory=list)
    ended_wall: str | None = None
    ring_saved: Future[int] | None = None
    """The commit of the ring: a call whose ring was not saved cannot be answered, held or ended."""

    @property
    def interaction_id(self) -> str:
        return self.session.call_id


class CallDesk(Desk):
    """One agent's line: offer, answer, hold (capped), resume, end and wrap up, each step saved."""

    def __init__(
        self,
        store: Store,
        writer: LocalWriter,
        clock: Clock,
        agent: Agent,
        *,
        hold_policy: HoldPolicy | None = None,
        ring_policy: RingPolicy | None = None,
        region: str = "US",
        survey_share: float = 0.0,
    ) -> None:
        super().__init__(store, writer, clock, agent)
        self.survey_share = survey_share
        """The share of answered calls with a known customer that get a post-call survey (`[quality]`)."""
        self.hold_policy = hold_policy or HoldPolicy()
        self.ring_policy = ring_policy or RingPolicy()
        self.region = region
        self.call: ActiveCall | None = None
        self._wrap_started: float | None = None

    # -- reading -------------------------------------------------------------------------------------

    @property
    def state(self) -> CallState | None:
        """The line's state, or None when it is idle."""
        return self.call.session.state if self.call else None

    @property
    def in_wrap_up(self) -> bool:
        return self.call is not None and self.call.session.state is CallState.ENDED

    def hold_reading(self) -> HoldReading | None:
        """The hold countdown, when the caller is on hold."""
        if self.call is None or (hold := self.call.session.current_hold) is None:
            return None
        return read_hold(self.hold_policy, hold.started, self.clock.monotonic())

    def ring_number(self) -> int:
        """Which ring the caller hears now (frozen once answered)."""
        if self.call is None:
            return 0
        return self.call.session.ring_count(self.clock.monotonic(), self.ring_policy.cycle_seconds)

    # -- the life of a call ----------------------------------------------------------------------------

    def offer(self, incoming: IncomingCall) -> ActiveCall:
        """A call rings on this line; it is saved at once with its caller ID and account."""
        if self.call is not None:
            raise CallError("You are already on a call; the new call goes to the next available agent.")
        account = self.store.account_for_number(incoming.dialled_number)
        if account is None:
            raise CallError(f"No account answers on {incoming.dialled_number[:32]}; the call was not taken.")
        caller = phones.normalize(incoming.caller_number, self.region) or incoming.caller_number[:64]
        customer = self.store.customer_for_caller(caller, account.id)
        if customer is not None and customer.account_id != account.id:
            # Another account's customer: on this line they are a new caller (a case or a call on this account
            # cannot belong to another account's customer, and the store refuses it).
            customer = None
        session = CallSession(
            call_id=incoming.call_id, account_id=account.id, caller=caller, rang_at=self.clock.monotonic()
        )
        self.call = ActiveCall(session, account, caller, customer.id if customer else None)
        self.call.ring_saved = self.writer.submit(
            "call.ring@1",
            {
                "interaction_id": incoming.call_id,
                "account_id": account.id,
                "customer_id": self.call.customer_id,
                "caller_number": caller,
                "ringing_at": iso(incoming.offered_at),
                "agent_id": self.agent.id,
            },
        )
        return self.call

    def _live(self) -> ActiveCall:
        if self.call is None or self.call.session.state is CallState.ENDED:
            raise CallError("There is no active call.")
        return self.call

    def answer(self) -> ActiveCall:
        call = self._live()
        call.session.answer(self.clock.monotonic())
        self.writer.submit(
            "call.answer@1",
            {"interaction_id": call.interaction_id, "answered_at": iso(self.clock.now()), "agent_id": self.agent.id},
        )
        return call

    def hold(self) -> Hold:
        """Put the caller on hold; the countdown to the cap starts."""
        if self.call is None:
            raise CallError("There is no active call to put on hold.")
        call = self.call
        hold = call.session.hold(self.clock.monotonic(), str(uuid.uuid4()))
        self.writer.submit(
            "call.hold@1",
            {
                "hold_id": hold.hold_id,
                "interaction_id": call.interaction_id,
                "account_id": call.account.id,
                "started_at": iso(self.clock.now()),
            },
        )
        return hold

    def resume(self, *, hit_cap: bool = False) -> Hold:
        """Take the caller off hold; `hit_cap` when the cap did it."""
        call = self._live()
        now = self.clock.monotonic()
        if hit_cap:
            # The cap releases at exactly the cap, even when the tick that noticed came a little later.
            hold = call.session.current_hold
            if hold is not None:
                now = min(now, hold.started + self.hold_policy.cap_seconds)
        hold = call.session.resume(now, hit_cap=hit_cap)
        self.writer.submit(
            "call.resume@1",
            {
                "hold_id": hold.hold_id,
                "ended_at": iso(self.clock.now()),
                "seconds": round(hold.seconds(now), 3),
                "hit_cap": hit_cap,
            },
        )
        return hold

    def end(self) -> ActiveCall:
        """The call ends (hung up); an open hold is closed first. A call never answered is missed."""
        call = self._live()
        now = self.clock.monotonic()
        if call.session.current_hold is not None:
            self.resume()
        call.session.end(now)
        billable = round(call.session.billable_seconds(now))
        price = call.account.price_per_minute_cents
        call.ended_wall = iso(self.clock.now())
        self.writer.submit(
            "call.end@1",
            {
                "interaction_id": call.interaction_id,
                "ended_at": call.ended_wall,
                "billable_seconds": billable,
                "price_per_minute_cents": price,
                "cost_cents": pricing.cost_cents(billable, price),
                "outcome": "missed" if call.session.was_missed else None,
            },
        )
        if call.session.was_missed:
            self.call = None
        else:
            self._wrap_started = now
        return call

    def wrap_up(self, outcome: str, notes: str) -> Future[int]:
        """Save the outcome and notes; the line is free again. The future holds the commit (for the confirmation).

        An answered call with a known customer in the surveyed share (`survey_share`) also queues the customer's
        post-call survey, in the same change."""
        if self.call is None or self.call.session.state is not CallState.ENDED:
            raise CallError("Wrap-up comes after the call has ended.")
        call = self.call
        started = self._wrap_started if self._wrap_started is not None else self.clock.monotonic()
        now = self.clock.now()
        args: dict[str, object] = {
            "interaction_id": call.interaction_id,
            "outcome": outcome,
            "notes": notes,
            "wrap_up_seconds": round(self.clock.monotonic() - started),
            "wrapped_at": iso(now),
            "agent_id": self.agent.id,
        }
        if (call.customer_id is not None and call.session.answered_at is not None
                and call_survey.surveyed(call.interaction_id, self.survey_share)):
            # The customer is called the next business morning to rate the call: queued with the wrap-up.
            args["survey_task_id"] = str(uuid.uuid4())
            args["survey_due_at"] = iso(call_survey.due(now, call.account.time_zone))
        saved = self.writer.submit("call.wrap_up@3", args)
        self.call = None
        self._wrap_started = None
        return saved

    def link_customer(self, customer_id: str) -> None:
        """The caller turned out to be (or was just added as) this customer."""
        call = self.call
        if call is None:
            return
        call.customer_id = customer_id
        self.writer.submit("call.link_customer@1", {"interaction_id": call.interaction_id, "customer_id": customer_id})

    def record_faq_use(self, faq_id: str) -> None:
        """Note which FAQ answer was read on this call."""
        call = self.call
        if call is not None:
            call.faq_used.append(faq_id)
        self.writer.submit(
            "faq.use@1",
            {
                "use_id": str(uuid.uuid4()),
                "account_id": call.account.id if call else None,
                "faq_id": faq_id,
                "interaction_id": call.interaction_id if call else None,
                "agent_id": self.agent.id,
                "used_at": iso(self.clock.now()),
            },
        )

    def escalate(self, note: str, account: Account, customer_id: str | None) -> tuple[escalation.Level, str]:
        """No FAQ answered: a follow-up task for a senior agent, then the supervisor. Returns the level and
        the line the agent reads to the caller."""
        call = self.call
        current = call.escalation_level if call else None
        level = escalation.next_level(current)
        now = self.clock.now()
        due = escalation.follow_up_due_in_hours(now, level, account.time_zone)
        if call is not None:
            call.escalation_level = level
            if not note.strip():
                note = f"Caller {call.caller} asked a question no FAQ answered."
        self.writer.submit(
            "call.escalate@1",
            {
                "task_id": str(uuid.uuid4()),
                "account_id": account.id,
                "customer_id": customer_id,
                "interaction_id": call.interaction_id if call else None,
                "level": level,
                "note": note,
                "due_at": iso(due),
                "created_at": iso(now),
                "agent_id": self.agent.id,
            },
        )
        return level, escalation.caller_line(due, account.time_zone, zone_label=True, now=now)

    # -- time --------------------------------------------------------------------------------------------

    def check_timers(self) -> TimerEvent | None:
        """Apply what time does on its own: the hold cap and a caller who gives up ringing."""
        call = self.call
        if call is None:
            return None
        ring = call.ring_saved
        if ring is not None and ring.done() and ring.exception() is not None:
            # Answering or ending a call the store does not have would fail step after step: free the line.
            self.call = None
            return TimerEvent.NOT_RECORDED
        reading = self.hold_reading()
        if reading is not None and reading.phase is HoldPhase.RELEASED:
            self.resume(hit_cap=True)
            return TimerEvent.HOLD_RELEASED
        if call.session.state is CallState.RINGING and self.ring_number() > ABANDON_AFTER_RINGS:
            self.end()
            return TimerEvent.ABANDONED
        return None
