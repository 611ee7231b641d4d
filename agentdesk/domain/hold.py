"""The hold promise: no caller waits on hold longer than the cap (10 s), and the agent is warned before it.

Times are monotonic seconds (`Clock.monotonic`), so a wall-clock jump never stretches or cuts a hold.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

RELEASE_LINE = "Thank you for holding, I'm back with you. Let me tell you what I have found so far."
"""What the agent says when the cap has taken the caller off hold."""

WARNING_TEXT = "The hold cap is close: take the caller back now."
"""What the screen says to the agent from the warning until the cap."""


@dataclass(frozen=True, slots=True)
class HoldPolicy:
    """How long a hold may last (`cap_seconds`) and when the agent is warned (`warn_seconds`)."""

    cap_seconds: float = 10.0
    warn_seconds: float = 7.0

    def __post_init__(self) -> None:
        if not (math.isfinite(self.cap_seconds) and math.isfinite(self.warn_seconds)):
            raise ValueError("The hold cap and warning must be finite numbers of seconds.")
        if not 0 < self.warn_seconds < self.cap_seconds:
            raise ValueError(
                f"The hold warning ({self.warn_seconds} s) must come after 0 s and before the cap "
                f"({self.cap_seconds} s)."
            )


class HoldPhase(StrEnum):
    """Where a hold stands against the cap."""

    HOLDING = "holding"
    WARNING = "warning"
    RELEASED = "released"


@dataclass(frozen=True, slots=True)
class HoldReading:
    """The hold countdown at one moment: seconds on hold, seconds left before the cap, and the phase."""

    elapsed: float
    remaining: float
    phase: HoldPhase


def read_hold(policy: HoldPolicy, started: float, now: float) -> HoldReading:
    """Read the countdown of a hold that started at `started` (monotonic seconds) at `now`."""
    # A tick read just before the hold's own start (clock sources disagreeing) counts as zero, never negative.
    elapsed = max(0.0, now - started)
    remaining = max(0.0, policy.cap_seconds - elapsed)
    if elapsed >= policy.cap_seconds:
        phase = HoldPhase.RELEASED
    elif elapsed >= policy.warn_seconds:
        phase = HoldPhase.WARNING
    else:
        phase = HoldPhase.HOLDING
    return HoldReading(elapsed, remaining, phase)
