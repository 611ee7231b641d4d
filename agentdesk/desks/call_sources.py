"""Call sources: where the workstation hears about calls offered to its agent.

The workspace listens to a `CallSource`. Here the source is a demo generator (a key rings a call, or calls
arrive on their own); the central backend's call events will feed the same interface.
"""

from __future__ import annotations

import asyncio
import random
import uuid
from collections.abc import AsyncIterator, Sequence
from typing import Protocol

from agentdesk.clock import Clock
from agentdesk.records import IncomingCall


class CallSource(Protocol):
    """Anything that offers calls to this terminal."""

    def calls(self) -> AsyncIterator[IncomingCall]:
        """Calls as they are offered, forever."""
        ...

    def ring_now(self) -> bool:
        """Offer a call now, where the source can (demo only); False when it cannot."""
        ...


class DemoCallSource:
    """Rings calls from known customers' numbers and from unknown ones, on a key or on their own.

    Arrivals on their own follow a Poisson process (exponential gaps with the configured mean), the usual
    model of independent callers.
    """

    def __init__(
        self,
        clock: Clock,
        known_numbers: Sequence[str],
        dialled_numbers: Sequence[str],
        *,
        seed: int = 2026,
        unknown_share: float = 0.25,
        mean_seconds_between_calls: float | None = None,
    ) -> None:
        if not dialled_numbers:
            raise ValueError("The demo call source needs at least one account number to ring.")
        self._clock = clock
        self._known = list(known_numbers)
        self._dialled = list(dialled_numbers)
        self._rng = random.Random(seed)
        self._unknown_share = unknown_share
        self._mean_gap = mean_seconds_between_calls
        self._queue: asyncio.Queue[IncomingCall] = asyncio.Queue()

    def next_call(self) -> IncomingCall:
        """Make up the next call: a known customer's number, or one nobody has on file."""
        rng = self._rng
        if self._known and rng.random() >= self._unknown_share:
            caller = rng.choice(self._known)
            # A known caller's number arrives in the spellings phone systems use.
            digits = caller.lstrip("+")
            caller = rng.choice([caller, digits, f"({digits[1:4]}) {digits[4:7]}-{digits[7:]}"])
        else:
            caller = f"+1{rng.randint(201, 989)}{rng.randint(200, 999)}{rng.randint(0, 9999):04d}"
        return IncomingCall(
            call_id=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            caller_number=caller,
            dialled_number=rng.choice(self._dialled),
            offered_at=self._clock.now(),
        )

    def ring_now(self) -> bool:
        self._queue.put_nowait(self.next_call())
        return True

    async def _arrivals(self) -> None:
        assert self._mean_gap is not None
        while True:
            await asyncio.sleep(self._rng.expovariate(1.0 / self._mean_gap))
            self._queue.put_nowait(self.next_call())

    async def calls(self) -> AsyncIterator[IncomingCall]:
        arrivals = asyncio.create_task(self._arrivals()) if self._mean_gap else None
        try:
            while True:
                yield await self._queue.get()
        finally:
            if arrivals is not None:
                arrivals.cancel()
