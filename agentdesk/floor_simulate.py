"""`agentdesk simulate --agents N`: a whole floor of desks against a backend, for demos, tests and load.

Each simulated agent does what a desk does: it reports its state changes to the floor (`POST /floor/events`)
and pushes the same call's mutations (`/sync/push`), so the backend stores the interactions exactly as real
desks leave them. Agents sign in, take calls (a share abandoned while ringing), put callers on hold (some near
the 10 s cap, some held until the cap takes them off), wrap up, and now and then take a break.
"""

from __future__ import annotations

import asyncio
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx

HOLD_CAP_S = 10.0
ABANDON_SHARE = 0.1
HOLD_SHARE = 0.4
BREAK_SHARE = 0.05
BREAK_REASONS = ("break", "lunch", "training", "coaching")
PRICE_CENTS = 100


def _now() -> datetime:
    return datetime.now(UTC)


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass
class SimulatedAgent:
    """One desk: its sign-in, its accounts, and the mutation ids it has pushed."""

    agent_id: str
    token: str
    accounts: list[str]
    group: str = field(default_factory=lambda: f"sim-{uuid.uuid4().hex[:16]}")
    next_mutation: int = 1


@dataclass
class FloorTally:
    """What the simulated floor did, for the closing line and the tests."""

    events: int = 0
    refused: int = 0
    calls: int = 0
    abandoned: int = 0
    holds: int = 0
    cap_hits: int = 0
    breaks: int = 0


class FloorSimulator:
    """Drives `agents` against `client` (the backend); `speed` > 1 compresses every wait and call."""

    def __init__(self, client: httpx.AsyncClient, agents: list[SimulatedAgent], *, seed: int | None = None,
                 speed: float = 1.0, mean_talk_s: float = 120.0, mean_idle_s: float = 20.0,
                 report: Callable[[str], None] | None = None) -> None:
        self.client = client
        self.agents = agents
        self.rng = random.Random(seed)
        self.speed = speed
        self.mean_talk_s = mean_talk_s
        self.mean_idle_s = mean_idle_s
        self.report = report or (lambda _line: None)
        self.tally = FloorTally()

    async def run(self, duration: float | None = None, *, calls_each: int | None = None) -> FloorTally:
        """Run until `duration` seconds have passed or every agent has taken `calls_each` calls, then sign out."""
        stop = asyncio.Event()
        tasks = [asyncio.create_task(self._desk(agent, stop, calls_each)) for agent in self.agents]
        try:
            if duration is None:
                await asyncio.gather(*tasks)
            else:
                await asyncio.wait(tasks, timeout=duration)
                stop.set()
                await asyncio.gather(*tasks)
        finally:
            for task in tasks:
                task.cancel()
        return self.tally

    async def _wait(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds) / self.speed)

    async def _desk(self, agent: SimulatedAgent, stop: asyncio.Event, calls_each: int | None) -> None:
        rng = random.Random(self.rng.random())
        await self._wait(rng.uniform(0, 3))
        await self._event(agent, "available")
        taken = 0
        while not stop.is_set() and (calls_each is None or taken < calls_each):
            await self._wait(rng.expovariate(1 / self.mean_idle_s))
            if stop.is_set():
                break
            if rng.random() < BREAK_SHARE:
                self.tally.breaks += 1
                await self._event(agent, "away", reason=rng.choice(BREAK_REASONS))
                await self._wait(rng.uniform(30, 120))
                await self._event(agent, "available")
                continue
            await self._call(agent, rng)
            taken += 1
        await self._event(agent, "signed-out")

    async def _call(self, agent: SimulatedAgent, rng: random.Random) -> None:
        call_id, account = str(uuid.uuid4()), rng.choice(agent.accounts)
        caller = f"+1555{rng.randrange(10**6, 10**7)}"
        rang = _now()
        self.tally.calls += 1
        await self._event(agent, "ringing", rang, call_id=call_id, account_id=account, caller=caller)
        await self._push(agent, "call.ring@1", {"interaction_id": call_id, "account_id": account,
                                                "caller_number": caller, "ringing_at": _stamp(rang),
                                                "agent_id": agent.agent_id})
        if rng.random() < ABANDON_SHARE:
            self.tally.abandoned += 1
            await self._wait(rng.uniform(2, 40))
            await self._end(agent, call_id, None)
            return
        await self._wait(rng.uniform(1, 30))
        answered = _now()
        await self._event(agent, "answered", answered, call_id=call_id)
        await self._push(agent, "call.answer@1", {"interaction_id": call_id, "answered_at": _stamp(answered),
                                                  "agent_id": agent.agent_id})
        await self._wait(rng.expovariate(2 / self.mean_talk_s))
        if rng.random() < HOLD_SHARE:
            await self._hold(agent, call_id, account, rng)
        await self._wait(rng.expovariate(2 / self.mean_talk_s))
        await self._end(agent, call_id, answered)
        wrap_up = rng.randint(5, 45)
        await self._wait(wrap_up)
        await self._push(agent, "call.wrap_up@2", {"interaction_id": call_id, "outcome": "resolved", "notes": "",
                                                   "wrap_up_seconds": wrap_up})
        await self._event(agent, "wrapped-up", call_id=call_id, wrap_up_seconds=wrap_up)

    async def _hold(self, agent: SimulatedAgent, call_id: str, account: str, rng: random.Random) -> None:
        hold_id, started = str(uuid.uuid4()), _now()
        self.tally.holds += 1
        await self._event(agent, "held", started, call_id=call_id)
        await self._push(agent, "call.hold@1", {"hold_id": hold_id, "interaction_id": call_id, "account_id": account,
                                                "started_at": _stamp(started)})
        at_cap = rng.random() < 0.25  # a quarter held until the cap takes the caller off, some near it
        await self._wait(HOLD_CAP_S if at_cap else rng.choice((rng.uniform(1, 6), rng.uniform(7, 9.5))))
        ended = _now()
        seconds = round((ended - started).total_seconds() * self.speed, 3)
        self.tally.cap_hits += at_cap
        await self._event(agent, "resumed", ended, call_id=call_id, seconds=seconds, hit_cap=at_cap)
        await self._push(agent, "call.resume@1", {"hold_id": hold_id, "ended_at": _stamp(ended), "seconds": seconds,
                                                  "hit_cap": at_cap})

    async def _end(self, agent: SimulatedAgent, call_id: str, answered: datetime | None) -> None:
        ended = _now()
        billable = round((ended - answered).total_seconds()) if answered else 0
        await self._event(agent, "ended", ended, call_id=call_id)
        await self._push(agent, "call.end@1", {"interaction_id": call_id, "ended_at": _stamp(ended),
                                               "billable_seconds": billable, "price_per_minute_cents": PRICE_CENTS,
                                               "cost_cents": billable * PRICE_CENTS // 60})

    async def _event(self, agent: SimulatedAgent, kind: str, at: datetime | None = None, **fields: Any) -> None:
        body = {"type": kind, "at": _stamp(at or _now()), **fields}
        await self._send(agent, "/floor/events", body)
        self.tally.events += 1

    async def _push(self, agent: SimulatedAgent, name: str, args: dict[str, Any]) -> None:
        body = {"client_group_id": agent.group, "client_id": agent.group,
                "mutations": [{"id": agent.next_mutation, "name": name, "args": args}]}
        agent.next_mutation += 1
        await self._send(agent, "/sync/push", body)

    async def _send(self, agent: SimulatedAgent, path: str, body: dict[str, Any]) -> None:
        try:
            answer = await self.client.post(path, json=body, headers={"Authorization": f"Bearer {agent.token}"})
            if answer.status_code >= 300:
                self.tally.refused += 1
                self.report(f"{agent.agent_id}: {path} answered {answer.status_code}: {answer.text[:200]}")
        except httpx.HTTPError as error:
            self.tally.refused += 1
            self.report(f"{agent.agent_id}: {path} failed ({type(error).__name__})")
