"""Injected time: the wall clock for records, the monotonic clock for timers.

Every timestamp the product writes comes from a `Clock`, so tests and snapshots are deterministic.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """Where the product reads the time."""

    def now(self) -> datetime:
        """The wall-clock time, timezone-aware, in UTC (business data only, never for ordering)."""
        ...

    def monotonic(self) -> float:
        """Seconds from an arbitrary origin that never go backwards (for timers)."""
        ...


class SystemClock:
    """The real clocks of this machine."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def monotonic(self) -> float:
        return time.monotonic()


class FixedClock:
    """A clock that moves only when told to: for tests, snapshots and benchmarks."""

    def __init__(self, start: datetime | None = None, monotonic_start: float = 1000.0) -> None:
        self._now = start or datetime(2026, 11, 23, 14, 30, tzinfo=UTC)
        self._mono = monotonic_start

    def now(self) -> datetime:
        return self._now

    def monotonic(self) -> float:
        return self._mono

    def advance(self, seconds: float) -> None:
        """Move both clocks forward by `seconds`."""
        self._now += timedelta(seconds=seconds)
        self._mono += seconds


def iso(moment: datetime) -> str:
    """A UTC timestamp as stored: ISO 8601 with microseconds and a Z, so text order is time order."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_iso(text: str) -> datetime:
    """The inverse of `iso`."""
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
