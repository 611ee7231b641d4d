"""The life of one phone call: ringing, answered, on and off hold, ended; on monotonic seconds.

These are pure rules with no I/O. Each step that the call's state forbids raises `CallError` with a sentence
the agent can act on, because the screen shows that message as it is. Times never run backwards within a call:
an event stamped before the previous one (two clock readings racing) is taken as happening at that moment.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from agentdesk.domain.sla import RingPolicy
from agentdesk.errors import CallError as CallError


class CallState(StrEnum):
    """Where a call stands; the values are what the screen shows."""

    RINGING = "ringing"
    TALKING = "on call"
    ON_HOLD = "on hold"
    ENDED = "ended"


@dataclass(slots=True)
class Hold:
    """One time the caller was put on hold; `hit_cap` when the cap, not the agent, ended it."""

    hold_id: str
    started: float
    ended: float | None = None
    hit_cap: bool = False

    def seconds(self, now: float) -> float:
        """How long the caller has been (or was) on hold."""
        until = self.ended if self.ended is not None else now
        return max(0.0, until - self.started)


@dataclass(slots=True)
class CallSession:
    """One call from its first ring to its end, with every hold."""

    call_id: str
    account_id: str
    caller: str  # E.164 when the number could be read, else as delivered
    rang_at: float
    state: CallState = CallState.RINGING
    answered_at: float | None = None
    ended_at: float | None = None
    holds: list[Hold] = field(default_factory=list)

    # -- steps ---------------------------------------------------------------------------------------

    def answer(self, now: float) -> None:
        """The agent picks up a ringing call."""
        if self.state is CallState.ENDED:
            raise CallError("This call has ended; there is nothing to answer.")
        if self.state is not CallState.RINGING:
            raise CallError("This call is already answered.")
        self.answered_at = self._at(now)
        self.state = CallState.TALKING

    def hold(self, now: float, hold_id: str) -> Hold:
        """Put the caller on hold; only an answered call that is not already on hold can be."""
        if self.state is CallState.ENDED:
            raise CallError("There is no active call to put on hold.")
        if self.state is CallState.RINGING:
            raise CallError("Answer the call before putting the caller on hold.")
        if self.state is CallState.ON_HOLD:
            raise CallError("The caller is already on hold.")
        if any(h.hold_id == hold_id for h in self.holds):
            raise CallError("This hold was already recorded; the caller is not put on hold twice.")
        hold = Hold(hold_id, self._at(now))
        self.holds.append(hold)
        self.state = CallState.ON_HOLD
        return hold

    def resume(self, now: float, *, hit_cap: bool = False) -> Hold:
        """Take the caller off hold; `hit_cap` when the hold cap did it."""
        hold = self.current_hold
        if hold is None:
            raise CallError("The caller is not on hold.")
        hold.ended = self._at(now)
        hold.hit_cap = hit_cap
        self.state = CallState.TALKING
        return hold

    def end(self, now: float) -> None:
        """The call ends from any live state; an open hold is closed first. Unanswered, it is missed."""
        if self.state is CallState.ENDED:
            raise CallError("This call has already ended.")
        if self.current_hold is not None:
            self.resume(now)
        self.ended_at = self._at(now)
        self.state = CallState.ENDED

    # -- readings ------------------------------------------------------------------------------------

    @property
    def current_hold(self) -> Hold | None:
        """The hold in progress, if the caller is on hold."""
        if self.state is not CallState.ON_HOLD or not self.holds:
            return None
        last = self.holds[-1]
        return last if last.ended is None else None

    @property
    def was_missed(self) -> bool:
        """The call ended without ever being answered."""
        return self.state is CallState.ENDED and self.answered_at is None

    def ring_count(self, now: float, cycle_seconds: float = 6.0) -> int:
        """The ring the caller hears (1 in the first cycle); it stops counting once answered or ended."""
        stopped = self.answered_at if self.answered_at is not None else self.ended_at
        until = stopped if stopped is not None else now
        return RingPolicy(cycle_seconds=cycle_seconds).ring_number(until - self.rang_at)

    def talk_seconds(self, now: float) -> float:
        """Seconds from the answer to the end (or to `now` while live); 0 if never answered."""
        if self.answered_at is None:
            return 0.0
        until = self.ended_at if self.ended_at is not None else now
        return max(0.0, until - self.answered_at)

    def billable_seconds(self, now: float) -> float:
        """Handling time billed to the account: the talk time, holds included (see `domain.pricing`)."""
        return self.talk_seconds(now)

    def hold_seconds_total(self, now: float) -> float:
        """Seconds the caller spent on hold in all, the open hold counted up to `now`."""
        return sum(h.seconds(now) for h in self.holds)

    def _at(self, now: float) -> float:
        """`now`, or the latest moment already recorded if `now` is earlier (keeps every duration >= 0)."""
        stamps = [self.rang_at, self.answered_at, *(t for h in self.holds for t in (h.started, h.ended))]
        return max(now, *(t for t in stamps if t is not None))
