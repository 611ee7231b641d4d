"""Escalation when no FAQ answers the caller's question: first a senior agent, then the supervisor.

The caller is told that the team will check and call back, and a follow-up task makes sure someone does.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

Level = Literal["senior", "supervisor"]

FOLLOW_UP_WITHIN: dict[Level, timedelta] = {
    # A supervisor is reached only after a senior could not answer, so the caller has waited once already.
    "senior": timedelta(hours=2),
    "supervisor": timedelta(hours=1),
}

PROMISE_STEP_MINUTES = 5
"""The time told to the caller is rounded up to this step: easier to say, and never earlier than the task."""


def next_level(current: Level | None) -> Level:
    """Who the question goes to next: a senior agent first, then the supervisor (who stays the last level)."""
    return "senior" if current is None else "supervisor"


def follow_up_due(now: datetime, level: Level) -> datetime:
    """When the follow-up call back to the customer is due, for an escalation made at `now`."""
    return now + FOLLOW_UP_WITHIN[level]


def caller_line(due: datetime, time_zone: str) -> str:
    """The sentence the agent reads to the caller, with the callback time in the account's time zone.

    A naive `due` is taken as UTC (the product stores UTC). An unknown zone falls back to UTC and says so,
    because a callback time must never be told in the wrong zone without a label.
    """
    aware = due if due.tzinfo is not None else due.replace(tzinfo=UTC)
    suffix = ""
    try:
        zone = ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        zone, suffix = ZoneInfo("UTC"), " UTC"
    local = _round_up(aware.astimezone(zone))
    hour = local.hour % 12 or 12
    meridiem = "AM" if local.hour < 12 else "PM"
    when = f"{hour}:{local.minute:02d} {meridiem}{suffix}"
    return f"I'm checking this with my team; we will call you back by {when}."


def _round_up(moment: datetime) -> datetime:
    step = PROMISE_STEP_MINUTES * 60
    seconds = moment.minute * 60 + moment.second + moment.microsecond / 1_000_000
    extra = math.ceil(seconds / step) * step - seconds
    return (moment + timedelta(seconds=extra)).replace(second=0, microsecond=0)
