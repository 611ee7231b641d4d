"""Service levels: answer before the 3rd ring, and the industry's "80 % within 20 s" family of targets."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

_SERVICE_LEVEL = re.compile(r"\s*(\d{1,3})\s*%?\s*/\s*(\d{1,6})\s*s?\s*")


@dataclass(frozen=True, slots=True)
class RingPolicy:
    """The ring cadence and the promise to answer before ring number `answer_before_ring`.

    The North American cadence is 2 s of ring and 4 s of silence, a 6 s cycle, so "before the 3rd ring"
    means within 12 s of the first ring.
    """

    cycle_seconds: float = 6.0
    answer_before_ring: int = 3

    def __post_init__(self) -> None:
        if not (math.isfinite(self.cycle_seconds) and self.cycle_seconds > 0):
            raise ValueError(f"A ring cycle must last more than 0 s, not {self.cycle_seconds}.")
        if self.answer_before_ring < 2:
            raise ValueError(f"The answer promise must be ring 2 or later, not {self.answer_before_ring}.")

    @property
    def deadline_seconds(self) -> float:
        """Seconds from the first ring by which the call must be answered (12 s by default)."""
        return (self.answer_before_ring - 1) * self.cycle_seconds

    def ring_number(self, elapsed: float) -> int:
        """The ring the caller hears `elapsed` seconds after the first ring began (1 in the first cycle)."""
        if not math.isfinite(elapsed) or elapsed <= 0:
            return 1
        return int(elapsed // self.cycle_seconds) + 1


@dataclass(frozen=True, slots=True)
class ServiceLevel:
    """A target such as 80/20: `percent` of calls answered within `seconds`."""

    percent: int = 80
    seconds: int = 20

    def __post_init__(self) -> None:
        if not 0 < self.percent <= 100:
            raise ValueError(f"A service level's percentage must be 1 to 100, not {self.percent}.")
        if self.seconds <= 0:
            raise ValueError(f"A service level's answer time must be more than 0 s, not {self.seconds}.")

    def __str__(self) -> str:
        return f"{self.percent}/{self.seconds}"

    @classmethod
    def parse(cls, text: str) -> ServiceLevel:
        """Read a target written as contracts write it: `80/20`, `90 / 20`, `70%/40s`."""
        match = _SERVICE_LEVEL.fullmatch(text)
        if match is None:
            raise ValueError(f"{text[:40]!r} is not a service level; write percent/seconds, e.g. 80/20.")
        return cls(int(match[1]), int(match[2]))

    def achieved(self, answer_times: Sequence[float]) -> float:
        """The percentage of calls answered within the target's seconds.

        Pass `math.inf` for a caller who gave up: they count against the level. With no calls at all nothing
        was missed, so the level is 100 %.
        """
        if not answer_times:
            return 100.0
        return 100.0 * self._within(answer_times) / len(answer_times)

    def met(self, answer_times: Sequence[float]) -> bool:
        """True when at least `percent` % of the calls were answered within `seconds`."""
        # Whole numbers, not the float percentage: 7 of 10 against 70 % must not miss by a rounding error.
        return self._within(answer_times) * 100 >= self.percent * len(answer_times)

    def _within(self, answer_times: Sequence[float]) -> int:
        # NaN compares false and so counts as a miss: a broken reading must not flatter the figure.
        return sum(1 for t in answer_times if t <= self.seconds)
