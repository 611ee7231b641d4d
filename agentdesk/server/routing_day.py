"""A simulated day of calls through the backend's real call offering (`live.take_call_event`), to see what a
routing policy does to who takes the calls.

The day runs on its own clock (no real waiting): calls arrive at random (Poisson), each ringing call is
offered by the backend, rings a few seconds, is answered, talked for a random time and ended; the agent wraps
up, then reports available again. Terminals' heartbeats go through `live.heartbeat` at the changes routing sees
(wrap-up, available again), and an idle terminal's keep-alive is sent whenever the backend would otherwise forget
it before an offer. At every
offer the day checks the cap: an available agent idle past it must be the one offered the call.
"""

from __future__ import annotations

import heapq
import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import Engine

from agentdesk.clock import iso
from agentdesk.config import RoutingSettings
from agentdesk.server import live
from agentdesk.server.sync import Caller

KEEP_ALIVE_S = live.PRESENCE_TTL_S - 1
"""An idle terminal not heard from for this long beats again before the next offer (a real one beats every few
seconds; only the beat that keeps it on the floor at the offer matters here)."""


@dataclass(frozen=True, slots=True)
class DayShape:
    """The day's traffic: how many calls, how often, how long they last (seconds)."""

    calls: int = 2_000
    calls_per_hour: float = 480.0
    ring_seconds: tuple[float, float] = (2.0, 8.0)
    talk_mean_seconds: float = 20.0
    talk_min_seconds: float = 10.0
    wrap_up_seconds: tuple[float, float] = (5.0, 15.0)


@dataclass
class RoutingDay:
    """What the day did: calls per agent, calls nobody was free for, and the cap's record."""

    ratings: dict[str, float | None]
    taken: Counter[str] = field(default_factory=Counter)
    unoffered: int = 0
    offers_past_cap: int = 0
    """Offers made while an available agent had been idle past the cap."""
    cap_broken: list[str] = field(default_factory=list)
    """Offers that went to someone else while an agent past the cap waited (should stay empty)."""
    longest_idle_at_offer: float = 0.0
    """The longest any available agent had been idle when a call was offered."""
    hours: float = 0.0

    def top_quarter(self) -> list[str]:
        """The best-rated quarter of the agents (not yet rated ones last)."""
        ranked = sorted(self.ratings, key=lambda a: (-(self.ratings[a] or 0.0), a))
        return ranked[: max(1, len(ranked) // 4)]

    def top_quarter_share(self) -> float:
        total = sum(self.taken.values())
        return sum(self.taken[a] for a in self.top_quarter()) / total if total else 0.0

    def describe(self, names: dict[str, str] | None = None) -> str:
        """The split, one line per agent from the best rated, for a closing note."""
        names = names or {}
        total = sum(self.taken.values())
        lines = [f"{total:,} calls offered in {self.hours:.1f} h ({self.unoffered} found nobody free); top-rated"
                 f" quarter took {self.top_quarter_share():.1%}; {self.offers_past_cap} offers went by the cap,"
                 f" longest idle at an offer {self.longest_idle_at_offer:.0f} s"]
        for agent in sorted(self.ratings, key=lambda a: (-(self.ratings[a] or 0.0), a)):
            rating = self.ratings[agent]
            shown = f"{rating:.2f}" if rating is not None else "none"
            lines.append(f"  {names.get(agent, agent)}: rating {shown}, {self.taken[agent]} calls")
        return "\n".join(lines)


def simulate_day(engine: Engine, account_id: str, ratings: dict[str, float | None], *, routing: RoutingSettings,
                 start: datetime, seed: int = 20, shape: DayShape = DayShape()) -> RoutingDay:
    """Run a day of `shape.calls` calls to `account_id`, whose signed-in agents are the keys of `ratings` (their
    rating averages, for the report; the backend reads its own from the rating table)."""
    rng = random.Random(seed)
    draw = random.Random(seed + 1)
    day = RoutingDay(ratings=dict(ratings))
    clock = start.timestamp()
    idle_since: dict[str, float] = {}  # available agents, since when (as the backend holds it)
    beaten: dict[str, float] = {}
    events: list[tuple[float, int, str, str, str]] = []  # (time, order, kind, call, agent)
    order = 0

    def push(at: float, kind: str, call: str = "", agent: str = "") -> None:
        nonlocal order
        order += 1
        heapq.heappush(events, (at, order, kind, call, agent))

    def beat(agent: str, state: str, call_state: str, now: float) -> None:
        live.heartbeat(engine, Caller(agent, "agent", frozenset({account_id})), {
            "client_group_id": f"sim-{agent[:20]}", "agent_state": state, "call_state": call_state, "unsynced": 0,
            "oldest_unsynced_s": None, "last_push_at": None, "last_pull_at": None}, now=now)
        beaten[agent] = now

    def event(call: str, kind: str, now: float, **extra: str) -> str | None:
        stamp = iso(datetime.fromtimestamp(now, UTC))
        return live.take_call_event(engine, {"event_id": f"{call}-{kind}", "call_id": call, "type": kind,
                                             "at": stamp, **extra}, now=now, routing=routing, rng=draw).offered_to

    for agent in ratings:
        beat(agent, "available", "idle", clock)
        idle_since[agent] = clock
    arrival = clock
    for number in range(shape.calls):
        arrival += rng.expovariate(shape.calls_per_hour / 3600)
        push(arrival, "ring", f"sim-call-{number:05d}")
    while events:
        now, _, kind, call, agent = heapq.heappop(events)
        if kind == "ring":
            for waiting in idle_since:
                if now - beaten[waiting] >= KEEP_ALIVE_S:
                    beat(waiting, "available", "idle", now)
            offered = event(call, "ringing", now, account_id=account_id, caller_number="+18005550100")
            _check_cap(day, idle_since, offered, now, routing.idle_cap_seconds)
            if offered is None:
                day.unoffered += 1
                event(call, "ended", now + rng.uniform(*shape.ring_seconds))
                continue
            day.taken[offered] += 1
            del idle_since[offered]
            push(now + rng.uniform(*shape.ring_seconds), "answer", call, offered)
        elif kind == "answer":  # no beat: while its call is on, the backend counts the agent busy by the call
            event(call, "answered", now)
            talk = max(shape.talk_min_seconds, rng.expovariate(1 / shape.talk_mean_seconds))
            push(now + talk, "end", call, agent)
        elif kind == "end":
            event(call, "ended", now)
            beat(agent, "wrap-up", "idle", now)
            push(now + rng.uniform(*shape.wrap_up_seconds), "available", call, agent)
        else:
            beat(agent, "available", "idle", now)
            idle_since[agent] = now
        clock = now
    day.hours = (clock - start.timestamp()) / 3600
    return day


def _check_cap(day: RoutingDay, idle_since: dict[str, float], offered: str | None, now: float, cap: float) -> None:
    if not idle_since:
        return
    longest = min(idle_since, key=lambda a: (idle_since[a], a))
    waited = now - idle_since[longest]
    day.longest_idle_at_offer = max(day.longest_idle_at_offer, waited)
    if waited >= cap:
        day.offers_past_cap += 1
        if offered != longest:
            day.cap_broken.append(f"{iso(datetime.fromtimestamp(now, UTC))}: {longest} idle {waited:.0f} s,"
                                  f" the call went to {offered}")
