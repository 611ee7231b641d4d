"""Call sources: where the workstation hears about calls offered to its agent.

The workspace listens to a `CallSource`. Here the source is a demo generator (a key rings a call, or calls
arrive on their own); the central backend's call events will feed the same interface.
"""

from __future__ import annotations

import asyncio
import random
import uuid
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
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
    """Rings calls on the accounts' lines, each from one of that line's own customers or from an unknown number,
    on a key or on their own.

    A line is chosen first, then a caller of that line's account: a known caller always belongs to the account
    whose line rang (as on a real phone system), so the FAQ shown and the cases opened are the right account's.
    Arrivals on their own follow a Poisson process (exponential gaps with the configured mean), the usual model
    of independent callers. Call ids are random UUIDs, never drawn from the seed: a restart on the same store, or
    another terminal with the same seed, never rings a call whose id is already stored.
    """

    def __init__(
        self,
        clock: Clock,
        known_by_line: Mapping[str, Sequence[str]] | Callable[[], Mapping[str, Sequence[str]]],
        dialled_numbers: Sequence[str],
        *,
        seed: int = 2026,
        unknown_share: float = 0.25,
        mean_seconds_between_calls: float | None = None,
    ) -> None:
        if not dialled_numbers:
            raise ValueError("The demo call source needs at least one account number to ring.")
        self._clock = clock
        # Read on the first ring when given as a function: start-up does not wait for it.
        self._read_known = known_by_line if callable(known_by_line) else (lambda: known_by_line)
        self._known: dict[str, list[str]] | None = None
        self._dialled = list(dialled_numbers)
        self._rng = random.Random(seed)
        self._unknown_share = unknown_share
        self._mean_gap = mean_seconds_between_calls
        self._queue: asyncio.Queue[IncomingCall] = asyncio.Queue()

    def next_call(self) -> IncomingCall:
        """Make up the next call: a line, then one of its account's customers' numbers, or one nobody has on file."""
        rng = self._rng
        line = rng.choice(self._dialled)
        if self._known is None:
            self._known = {number: list(callers) for number, callers in self._read_known().items()}
        known = self._known.get(line) or []
        if known and rng.random() >= self._unknown_share:
            caller = rng.choice(known)
            # A known caller's number arrives in the spellings phone systems use.
            digits = caller.lstrip("+")
            if caller.startswith("+1") and len(digits) == 11:
                caller = rng.choice([caller, digits, f"({digits[1:4]}) {digits[4:7]}-{digits[7:]}"])
        else:
            caller = f"+1{rng.randint(201, 989)}{rng.randint(200, 999)}{rng.randint(0, 9999):04d}"
        return IncomingCall(
            call_id=str(uuid.uuid4()),
            caller_number=caller,
            dialled_number=line,
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
