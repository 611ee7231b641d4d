"""The rules of booking a professional: quarter-hour units, working hours across time zones, what fits.

Working hours are wall-clock minutes in the account's time zone, so "Monday 9:00-17:00" means nine in the
morning there in summer and in winter; every instant the store keeps is UTC. Converting a wall-clock time
goes through zoneinfo, so a day with a daylight-saving change is 23 or 25 hours long and a span that crosses
the change is an hour shorter or longer, as it is for the professional.

A booking holds every quarter hour from its start to its end plus the type's buffer; the store's
`appointment_slot` table lets a professional's quarter hour be held once, and that unique key, not this
module, is what makes a double booking impossible. This module decides what to offer and explains refusals.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

UNIT_MINUTES = 15
UNIT = timedelta(minutes=UNIT_MINUTES)
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")

DAY_PARTS: dict[str, tuple[int, int]] = {
    "morning": (6 * 60, 12 * 60),
    "afternoon": (12 * 60, 17 * 60),
    "evening": (17 * 60, 22 * 60),
}
"""The caller's "time of day", in minutes of the caller's own clock: a start inside the range fits."""


@dataclass(frozen=True, slots=True)
class Hours:
    """One span of a professional's week: `weekday` (Monday 0), minutes from local midnight."""

    weekday: int
    start_minute: int
    end_minute: int


@dataclass(frozen=True, slots=True)
class Preferences:
    """What the caller asked for; empty sets mean "any"."""

    weekdays: frozenset[int] = frozenset()  # in the caller's time zone
    day_parts: frozenset[str] = frozenset()
    language: str | None = None
    location: str | None = None
    professional_id: str | None = None


ANY = Preferences()
"""No preference at all."""


def zone(name: str | None, fallback: str = "UTC") -> ZoneInfo:
    """The IANA zone `name`, or `fallback` when it is missing or unknown."""
    for candidate in (name, fallback, "UTC"):
        if candidate:
            try:
                return ZoneInfo(candidate)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return ZoneInfo("UTC")


def wall_to_utc(day: date, minute: int, tz: ZoneInfo) -> datetime:
    """`minute` minutes after midnight of `day` on the wall clocks of `tz`, as a UTC instant. A wall time that
    does not exist (skipped by a spring-forward change) is read with the offset in force before the change,
    which lands after the gap; an ambiguous one (repeated in the autumn) is its first occurrence."""
    local = datetime.combine(day, time()) + timedelta(minutes=minute)
    return local.replace(tzinfo=tz).astimezone(UTC)


def working_spans(day: date, hours: Iterable[Hours], tz: ZoneInfo) -> list[tuple[datetime, datetime]]:
    """The UTC intervals a professional works on the local date `day`, sorted."""
    weekday = day.weekday()
    spans = []
    for span in hours:
        if span.weekday == weekday:
            start, end = wall_to_utc(day, span.start_minute, tz), wall_to_utc(day, span.end_minute, tz)
            if end > start:
                spans.append((ceil_unit(start), end))
    return sorted(spans)


def ceil_unit(moment: datetime) -> datetime:
    """`moment` rounded up to the next quarter hour (UTC)."""
    moment = moment.astimezone(UTC)
    floored = moment.replace(minute=moment.minute - moment.minute % UNIT_MINUTES, second=0, microsecond=0)
    return floored if floored == moment else floored + UNIT


def is_unit_start(moment: datetime) -> bool:
    """True when `moment` is exactly on a quarter hour."""
    return moment.minute % UNIT_MINUTES == 0 and moment.second == 0 and moment.microsecond == 0


def unit_key(moment: datetime) -> str:
    """A quarter hour as stored in `appointment_slot.unit_start` (the store's UTC text)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:00.000000Z")


def held_units(start: datetime, minutes: int, buffer_minutes: int) -> list[str]:
    """Every quarter hour a booking at `start` holds: its length and then its buffer."""
    count = -(-(minutes + buffer_minutes) // UNIT_MINUTES)
    return [unit_key(start + UNIT * k) for k in range(count)]


def within_hours(start: datetime, end: datetime, hours: Sequence[Hours], tz: ZoneInfo) -> bool:
    """True when [start, end) lies inside one working span (on the start's local date or the day before, for a
    span that runs past midnight in UTC terms)."""
    local_day = start.astimezone(tz).date()
    for day in (local_day, local_day - timedelta(days=1)):
        for span_start, span_end in working_spans(day, hours, tz):
            if span_start <= start and end <= span_end:
                return True
    return False


def overlaps(start: datetime, end: datetime, periods: Iterable[tuple[datetime, datetime]]) -> bool:
    """True when [start, end) meets any of `periods`."""
    return any(p_start < end and start < p_end for p_start, p_end in periods)


def fits_preferences(start: datetime, caller_tz: ZoneInfo, prefs: Preferences) -> bool:
    """True when a start suits the caller's preferred days and time of day (on the caller's clock)."""
    local = start.astimezone(caller_tz)
    if prefs.weekdays and local.weekday() not in prefs.weekdays:
        return False
    if prefs.day_parts:
        minute = local.hour * 60 + local.minute
        if not any(DAY_PARTS[part][0] <= minute < DAY_PARTS[part][1] for part in prefs.day_parts):
            return False
    return True


def parse_weekdays(text: str) -> frozenset[int]:
    """"mon,wed" / "Mon Wed" / "weekdays" / "weekend" / "" → weekday numbers; ValueError names a bad word."""
    found: set[int] = set()
    for word in text.replace(",", " ").split():
        key = word.strip().lower()[:3]
        if word.lower() in {"weekdays", "workdays"}:
            found.update(range(5))
        elif word.lower() in {"weekend", "weekends"}:
            found.update((5, 6))
        elif key in (names := [d.lower() for d in WEEKDAYS]):
            found.add(names.index(key))
        else:
            raise ValueError(f"{word[:20]!r} is not a day (Mon..Sun, weekdays, weekend)")
    return frozenset(found)


def spoken_time(moment: datetime, tz: ZoneInfo) -> str:
    """A time as an agent says it: "Tuesday 24 November, 9:30 am"."""
    local = moment.astimezone(tz)
    hour = local.hour % 12 or 12
    suffix = "am" if local.hour < 12 else "pm"
    return f"{local:%A} {local.day} {local:%B}, {hour}:{local.minute:02d} {suffix}"


def short_time(moment: datetime, tz: ZoneInfo) -> str:
    """A compact local time for lists: "Tue 24 Nov 09:30"."""
    local = moment.astimezone(tz)
    return f"{local:%a} {local.day:2d} {local:%b} {local:%H:%M}"


def zone_label(tz: ZoneInfo, moment: datetime) -> str:
    """The zone's abbreviation at `moment` (EST, EDT, GMT ...), or its name when it has none."""
    abbreviation = moment.astimezone(tz).tzname() or ""
    return abbreviation if abbreviation and abbreviation[0] not in "+-" else str(tz.key)


def reference(appointment_id: str) -> str:
    """The short reference read to the caller: AP- and the first eight characters of the id."""
    return "AP-" + appointment_id.replace("-", "")[:8].upper()


_CLOCK_TIME = re.compile(r"^(\d{1,2})(?:[:.h](\d{2}))?(am|pm|a|p)?$")
_FILLER = frozenset({"at", "around", "about", "by", "on", "in", "the"})


def day_part_of(word: str) -> str | None:
    """The time of day a clock time names ("10am", "3pm", "14:30", "9"), None when `word` is not a clock time;
    ValueError when it is one we do not book at. A bare 1 to 5 is taken as the afternoon, as callers mean it."""
    match = _CLOCK_TIME.match(word.casefold())
    if match is None:
        return None
    hour, minute, meridiem = int(match[1]), int(match[2] or 0), match[3]
    if meridiem:
        if not 1 <= hour <= 12:
            raise ValueError(f"{word[:20]!r} is not a time of day")
        hour = hour % 12 + (12 if meridiem.startswith("p") else 0)
    elif 1 <= hour <= 5:
        hour += 12
    if hour > 23 or minute > 59:
        raise ValueError(f"{word[:20]!r} is not a time of day")
    at = hour * 60 + minute
    for part, (start, end) in DAY_PARTS.items():
        if start <= at < end:
            return part
    raise ValueError(f"{word[:20]!r} is outside the hours we book (6 AM to 10 PM)")


def parse_preferences(text: str, languages: set[str], locations: set[str]) -> Preferences:
    """The caller's wishes from one line of words: days (mon..sun, weekdays, weekend), a time of day
    (morning, afternoon, evening, or a clock time such as 10am or 14:30, read as its time of day), a language
    code the professionals speak, a location; ValueError names a word it does not understand."""
    days: set[int] = set()
    parts: set[str] = set()
    language = location = None
    by_location = {place.casefold(): place for place in locations}
    for word in text.replace(",", " ").split():
        key = word.casefold()
        if key in DAY_PARTS:
            parts.add(key)
        elif key in _FILLER:
            continue
        elif part := day_part_of(key):
            parts.add(part)
        elif key in languages:
            language = key
        elif matches := [place for folded, place in by_location.items() if folded.startswith(key) and len(key) >= 3]:
            location = matches[0]
        else:
            try:
                days |= parse_weekdays(word)
            except ValueError:
                raise ValueError(
                    f"{word[:20]!r} is not a day, a time of day (morning, afternoon, evening, or a time such as"
                    f" 10am), a language ({', '.join(sorted(languages))}) or a location"
                ) from None
    return Preferences(frozenset(days), frozenset(parts), language, location)
