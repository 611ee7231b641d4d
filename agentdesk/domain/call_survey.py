"""The post-call survey: which answered calls the customer is asked to rate, and when they are called back to ask.

The share is picked from the call's id, not by chance: the terminal that wraps the call up, the backend and the
tests all agree on which calls are surveyed, and a wrap-up written again picks the same.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from agentdesk.domain.escalation import BUSINESS_DAYS, BUSINESS_HOURS

_BUCKETS = 10_000


def surveyed(call_id: str, share: float) -> bool:
    """Whether the call of `call_id` falls in the surveyed `share` (0 none, 1 every call)."""
    if share <= 0:
        return False
    bucket = int.from_bytes(hashlib.sha256(call_id.encode("utf-8")).digest()[:8], "big") % _BUCKETS
    return bucket < share * _BUCKETS


def due(now: datetime, time_zone: str) -> datetime:
    """When the survey call is due: the next business morning (opening time, Monday to Friday) after the day of
    `now`, in the account's zone (UTC for an unknown zone). Returned in `now`'s zone (UTC when naive)."""
    try:
        zone = ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    aware = now if now.tzinfo is not None else now.replace(tzinfo=UTC)
    day = aware.astimezone(zone).date() + timedelta(days=1)
    while day.weekday() not in BUSINESS_DAYS:
        day += timedelta(days=1)
    return datetime.combine(day, BUSINESS_HOURS[0], zone).astimezone(aware.tzinfo)
