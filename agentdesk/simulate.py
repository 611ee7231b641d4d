"""`agentdesk simulate`: a phone system's stream of calls to a backend, for demos and load.

Calls arrive at random (a Poisson process at `rate` per minute) from customers' and unknown numbers to the
accounts' numbers; a share hang up while ringing (before the 3rd ring or a little after), the rest are answered
within a few rings, talk for an exponentially distributed time, and some are held once, under the 10 s cap.
"""

from __future__ import annotations

import asyncio
import random
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

import httpx

MEAN_TALK_S = 180.0
ABANDON_SHARE = 0.08
HOLD_SHARE = 0.3


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class Simulator:
    """Sends call events to `client` (signed in as the phone system); `speed` > 1 compresses the call's times."""

    def __init__(self, client: httpx.AsyncClient, accounts: list[str], callers: list[str], *, rate_per_min: float,
                 seed: int | None = None, speed: float = 1.0, report: Callable[[str], None] | None = None) -> None:
        self.client = client
        self.accounts = accounts
        self.callers = callers
        self.rate_per_min = rate_per_min
        self.rng = random.Random(seed)
        self.speed = speed
        self.report = report or (lambda _line: None)
        self.sent = 0
        self.refused = 0

    async def _send(self, call_id: str, kind: str, **extra: object) -> None:
        body = {"event_id": str(uuid.uuid4()), "call_id": call_id, "type": kind, "at": _now(), **extra}
        try:
            answer = await self.client.post("/calls/events", json=body)
            self.sent += 1
            if answer.status_code >= 400:
                self.refused += 1
                self.report(f"{kind} for {call_id[:8]} refused: {answer.status_code} {answer.text[:120]}")
        except httpx.HTTPError as error:
            self.refused += 1
            self.report(f"{kind} for {call_id[:8]} not delivered: {type(error).__name__}")

    async def _wait(self, seconds: float) -> None:
        await asyncio.sleep(seconds / self.speed)

    async def one_call(self) -> None:
        call_id = str(uuid.uuid4())
        known = self.rng.random() < 0.75 and self.callers
        caller = self.rng.choice(self.callers) if known else f"+1555{self.rng.randrange(10**7):07d}"
        dialled = self.rng.choice(self.accounts)
        await self._send(call_id, "ringing", caller_number=caller, dialled_number=dialled,
                         ivr_choice=self.rng.choice(["1", "2", "3", None]))
        if self.rng.random() < ABANDON_SHARE:
            await self._wait(self.rng.uniform(2, 20))
            await self._send(call_id, "ended")
            return
        await self._wait(self.rng.uniform(1, 11))
        await self._send(call_id, "answered")
        talk = self.rng.expovariate(1 / MEAN_TALK_S)
        if self.rng.random() < HOLD_SHARE:
            await self._wait(talk / 2)
            await self._send(call_id, "held")
            await self._wait(self.rng.uniform(2, 9.5))
            await self._send(call_id, "resumed")
            talk /= 2
        await self._wait(talk)
        await self._send(call_id, "ended")

    async def run(self, duration_s: float | None) -> None:
        """Start calls until `duration_s` has passed (None: forever), then let the calls in progress finish."""
        loop = asyncio.get_running_loop()
        end = None if duration_s is None else loop.time() + duration_s
        calls: set[asyncio.Task[None]] = set()
        while end is None or loop.time() < end:
            task = asyncio.create_task(self.one_call())
            calls.add(task)
            task.add_done_callback(calls.discard)
            await asyncio.sleep(self.rng.expovariate(self.rate_per_min / 60.0))
        if calls:
            await asyncio.gather(*calls)
