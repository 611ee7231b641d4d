"""Escalation when no FAQ answers the caller's question: first a senior agent, then the supervisor.

The caller is told that the team will check and call back, and a follow-up task makes sure someone does.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, time, timedelta
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


BUSINESS_HOURS = (time(9, 0), time(18, 0))
"""When callbacks are made, in the account's time zone, Monday to Friday (accounts keep no hours of their own yet)."""
BUSINESS_DAYS = frozenset(range(5))


def follow_up_due_in_hours(now: datetime, level: Level, time_zone: str) -> datetime:
    """When the follow-up is due, counting only the account's business hours: an escalation at 23:00 is called back
    the next working morning, never in the middle of the night."""
    try:
        zone = ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    aware = now if now.tzinfo is not None else now.replace(tzinfo=UTC)
    local = aware.astimezone(zone)
    left = FOLLOW_UP_WITHIN[level]
    opens, closes = BUSINESS_HOURS
    for _ in range(30):  # at most a few weeks of closed days in a row
        day_open = datetime.combine(local.date(), opens, zone)
        day_close = datetime.combine(local.date(), closes, zone)
        if local.weekday() in BUSINESS_DAYS and local < day_close:
            local = max(local, day_open)
            if local + left <= day_close:
                return (local + left).astimezone(aware.tzinfo)
            left -= day_close - local
        local = datetime.combine(local.date() + timedelta(days=1), opens, zone)
    return (aware + FOLLOW_UP_WITHIN[level]).astimezone(aware.tzinfo)


def caller_line(due: datetime, time_zone: str, *, zone_label: bool = False, now: datetime | None = None) -> str:
    """The sentence the agent reads to the caller, with the callback time in the account's time zone.

    `zone_label` names the zone (e.g. EST); with `now`, a callback on another day names the day.
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
    if zone_label and not suffix:
        suffix = f" {local.tzname()}"  # e.g. EST: the caller may live in another zone than the account
    day = ""
    if now is not None and local.date() != now.astimezone(zone).date():
        day = f" on {local.strftime('%A')}"  # a callback the next working day says which day
    when = f"{hour}:{local.minute:02d} {meridiem}{suffix}{day}"
    return f"I'm checking this with my team; we will call you back by {when}."


def _round_up(moment: datetime) -> datetime:
    step = PROMISE_STEP_MINUTES * 60
    seconds = moment.minute * 60 + moment.second + moment.microsecond / 1_000_000
    extra = math.ceil(seconds / step) * step - seconds
    return (moment + timedelta(seconds=extra)).replace(second=0, microsecond=0)
