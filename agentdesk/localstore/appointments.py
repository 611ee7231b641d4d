"""Appointments in a store: appointment types, suitable professionals, the next free slots, bookings, the day.

Every function takes a connection with `execute(sql, params)` and `?` placeholders, so the same code reads the
terminal's SQLite store and, inside a mutator, the backend's database (`server.db.MutatorConnection`).

Finding free slots walks the account's local days from the earliest allowed start: for one day it reads the
quarter hours already held by the suitable professionals (one range scan of `appointment_slot_day`) and their
time off, then, per professional and working span, finds every start whose units are all free. Proposals
are distinct start times, soonest first, each with the most skilled free professional (then the one with the
fewest bookings that day, then by name), so the agent can offer the caller a real choice of times.
The records these return live in `agentdesk.records`; importing them from here still works.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from agentdesk.clock import iso, parse_iso
from agentdesk.domain import booking
from agentdesk.domain.booking import ANY, UNIT, UNIT_MINUTES, Hours, Preferences
from agentdesk.records.appointments import AppointmentType, Booking, Professional, Proposal

HORIZON_DAYS = 92
"""How far ahead the booker looks for free slots (about three months)."""

MAX_PROPOSALS = 50

PROPOSAL_STEP_MINUTES = 30
"""Proposals start on the hour and half hour (local), a grid callers and professionals expect; a booking may
still start on any quarter hour (rescheduling to 9:15 is allowed), and 15-minute types are proposed every 15."""


def appointment_types(conn: Any, account_id: str) -> list[AppointmentType]:
    """The account's appointment types, by name."""
    rows = conn.execute(
        "SELECT id, account_id, name, minutes, skill, min_level, buffer_minutes FROM appointment_type"
        " WHERE account_id = ? ORDER BY name, id",
        (account_id,),
    ).fetchall()
    return [AppointmentType(*row) for row in rows]


def appointment_type(conn: Any, type_id: str) -> AppointmentType | None:
    """One appointment type, or None."""
    row = conn.execute(
        "SELECT id, account_id, name, minutes, skill, min_level, buffer_minutes FROM appointment_type"
        " WHERE id = ?",
        (type_id,),
    ).fetchone()
    return AppointmentType(*row) if row else None


def _json_list(text: str | None) -> tuple[str, ...]:
    try:
        value = json.loads(text or "[]")
    except ValueError:
        return ()
    return tuple(str(v) for v in value) if isinstance(value, list) else ()


def professional(conn: Any, professional_id: str) -> Professional | None:
    """One professional with their skills, or None."""
    row = conn.execute(
        "SELECT id, account_id, name, languages, location FROM professional WHERE id = ?", (professional_id,)
    ).fetchone()
    if row is None:
        return None
    skills = dict(conn.execute(
        "SELECT skill, level FROM professional_skill WHERE professional_id = ?", (professional_id,)
    ).fetchall())
    return Professional(row[0], row[1], row[2], _json_list(row[3]), row[4] or "", skills)


def professionals(conn: Any, account_id: str) -> list[Professional]:
    """The account's professionals, by name."""
    skills: dict[str, dict[str, int]] = defaultdict(dict)
    for professional_id, skill, level in conn.execute(
        "SELECT professional_id, skill, level FROM professional_skill WHERE account_id = ?", (account_id,)
    ).fetchall():
        skills[professional_id][skill] = level
    rows = conn.execute(
        "SELECT id, account_id, name, languages, location FROM professional WHERE account_id = ?"
        " ORDER BY name, id",
        (account_id,),
    ).fetchall()
    return [Professional(r[0], r[1], r[2], _json_list(r[3]), r[4] or "", skills.get(r[0], {})) for r in rows]


def suitable(
    conn: Any, kind: AppointmentType, prefs: Preferences
) -> list[tuple[str, str, int]]:
    """(id, name, level) of the professionals who may take `kind` and match the language and location asked."""
    rows = conn.execute(
        "SELECT p.id, p.name, s.level, p.languages, p.location FROM professional_skill s"
        " JOIN professional p ON p.id = s.professional_id"
        " WHERE s.account_id = ? AND s.skill = ? AND s.level >= ? ORDER BY p.name, p.id",
        (kind.account_id, kind.skill, kind.min_level),
    ).fetchall()
    found = []
    for professional_id, name, level, languages, location in rows:
        if prefs.professional_id and professional_id != prefs.professional_id:
            continue
        if prefs.language and prefs.language not in _json_list(languages):
            continue
        if prefs.location and prefs.location.casefold() != (location or "").casefold():
            continue
        found.append((professional_id, name, level))
    return found


def working_hours(conn: Any, professional_ids: Sequence[str]) -> dict[str, list[Hours]]:
    """Each professional's weekly spans."""
    hours: dict[str, list[Hours]] = defaultdict(list)
    for start in range(0, len(professional_ids), 500):
        chunk = professional_ids[start:start + 500]
        for professional_id, weekday, start_minute, end_minute in conn.execute(
            "SELECT professional_id, weekday, start_minute, end_minute FROM working_hours"
            f" WHERE professional_id IN ({', '.join('?' * len(chunk))})",
            tuple(chunk),
        ).fetchall():
            hours[professional_id].append(Hours(weekday, start_minute, end_minute))
    return hours


def time_off(
    conn: Any, professional_ids: Sequence[str], start: datetime, end: datetime
) -> dict[str, list[tuple[datetime, datetime]]]:
    """Each professional's time off that meets [start, end)."""
    away: dict[str, list[tuple[datetime, datetime]]] = defaultdict(list)
    wanted = set(professional_ids)
    for professional_id, starts_at, ends_at in conn.execute(
        "SELECT professional_id, starts_at, ends_at FROM time_off WHERE starts_at < ? AND ends_at > ?",
        (iso(end), iso(start)),
    ).fetchall():
        if professional_id in wanted:
            away[professional_id].append((parse_iso(starts_at), parse_iso(ends_at)))
    return away


def held(
    conn: Any, account_id: str, start: datetime, end: datetime, ignore: str | None = None
) -> dict[str, set[int]]:
    """The quarter hours held in [start, end), by professional, as quarter-hour numbers (`quarter`); those of
    appointment `ignore` left out, so a booking being moved does not stand in its own way."""
    busy: dict[str, set[int]] = defaultdict(set)
    numbers: dict[str, int] = {}  # a day has under a hundred distinct quarter hours: parse each once
    for professional_id, unit, appointment_id in conn.execute(
        "SELECT professional_id, unit_start, appointment_id FROM appointment_slot"
        " WHERE account_id = ? AND unit_start >= ? AND unit_start < ?",
        (account_id, booking.unit_key(start), booking.unit_key(end)),
    ).fetchall():
        if appointment_id != ignore:
            number = numbers.get(unit)
            if number is None:
                number = numbers[unit] = quarter(datetime.fromisoformat(unit[:19]).replace(tzinfo=UTC))
            busy[professional_id].add(number)
    return busy


def quarter(moment: datetime) -> int:
    """A quarter hour's number: quarter hours since 1970 (UTC)."""
    return int(moment.timestamp()) // (UNIT_MINUTES * 60)


def account_zone(conn: Any, account_id: str) -> ZoneInfo:
    """The account's time zone (UTC when the account names none or an unknown one)."""
    row = conn.execute("SELECT time_zone FROM account WHERE id = ?", (account_id,)).fetchone()
    return booking.zone(row[0] if row else None)


def free_slots(
    conn: Any,
    kind: AppointmentType,
    *,
    earliest: datetime,
    prefs: Preferences = ANY,
    caller_zone: ZoneInfo | None = None,
    count: int = 10,
    horizon_days: int = HORIZON_DAYS,
    moving: str | None = None,
) -> list[Proposal]:
    """The next `count` free start times for `kind` at or after `earliest`, soonest first (see the module)."""
    count = max(1, min(count, MAX_PROPOSALS))
    tz = account_zone(conn, kind.account_id)
    caller_tz = caller_zone or tz
    people = suitable(conn, kind, prefs)
    if not people:
        return []
    ids = [p[0] for p in people]
    hours = working_hours(conn, ids)
    need = -(-(kind.minutes + kind.buffer_minutes) // UNIT_MINUTES)
    length = timedelta(minutes=kind.minutes)
    earliest = booking.ceil_unit(earliest)
    step = PROPOSAL_STEP_MINUTES if kind.minutes >= PROPOSAL_STEP_MINUTES else UNIT_MINUTES
    first_day = earliest.astimezone(tz).date()
    best: dict[datetime, tuple[tuple[int, int, str], Proposal]] = {}
    for offset in range(horizon_days):
        day = first_day + timedelta(days=offset)
        day_start = booking.wall_to_utc(day, 0, tz)
        day_end = booking.wall_to_utc(day + timedelta(days=1), 0, tz)
        if prefs.weekdays and not _may_suit(day_start, day_end, caller_tz, prefs.weekdays):
            continue  # not a day the caller can come: no need to read it
        spans = {pid: booking.working_spans(day, hours.get(pid, ()), tz) for pid in ids}
        if not any(spans.values()):
            continue
        reach = day_end + timedelta(minutes=kind.minutes + kind.buffer_minutes)
        busy = held(conn, kind.account_id, day_start, reach, moving)
        away = time_off(conn, ids, day_start, reach)
        for professional_id, name, level in people:
            taken = busy.get(professional_id, set())
            periods = away.get(professional_id, [])
            for span_start, span_end in spans[professional_id]:
                grid = (step - span_start.astimezone(tz).minute % step) % step // UNIT_MINUTES
                for start in _starts(span_start, span_end, length, need, taken, earliest, grid, step):
                    end = start + length
                    if periods and booking.overlaps(start, end, periods):
                        continue
                    if not booking.fits_preferences(start, caller_tz, prefs):
                        continue
                    rank = (-level, len(taken), name)
                    known = best.get(start)
                    if known is None or rank < known[0]:
                        best[start] = (rank, Proposal(start, end, professional_id, name, level))
        if len(best) >= count:
            break
    return [best[start][1] for start in sorted(best)[:count]]


def _may_suit(day_start: datetime, day_end: datetime, caller_tz: ZoneInfo, weekdays: frozenset[int]) -> bool:
    """True when the account's day [day_start, day_end) meets one of the caller's weekdays on their clock."""
    first = day_start.astimezone(caller_tz).weekday()
    last = (day_end - timedelta(microseconds=1)).astimezone(caller_tz).weekday()
    return first in weekdays or last in weekdays


def _starts(
    span_start: datetime, span_end: datetime, length: timedelta, need: int, taken: set[int], earliest: datetime,
    first: int, step: int,
) -> list[datetime]:
    """Starts in one working span, on the proposal grid (unit `first`, then every `step` minutes), whose `need`
    quarter hours are all free; the appointment itself must end by the span's end, its buffer may run past."""
    last_start = span_end - length
    if last_start < span_start:
        return []
    starts = int((last_start - span_start) / UNIT) + 1
    units = starts - 1 + need
    origin = quarter(span_start)
    free_run = [0] * (units + 1)
    for k in range(units - 1, -1, -1):
        free_run[k] = 0 if origin + k in taken else free_run[k + 1] + 1
    found = []
    for k in range(first, starts, step // UNIT_MINUTES):
        if free_run[k] >= need:
            start = span_start + UNIT * k
            if start >= earliest:
                found.append(start)
    return found


def why_not(
    conn: Any, kind: AppointmentType, professional_id: str, start: datetime, *, now: datetime,
    moving: str | None = None,
) -> str | None:
    """Why `professional_id` cannot take `kind` at `start` (a sentence), or None when the slot is free."""
    person = professional(conn, professional_id)
    if person is None or person.account_id != kind.account_id:
        return f"there is no professional {professional_id[:40]} for this account"
    if person.skills.get(kind.skill, 0) < kind.min_level:
        have = person.skills.get(kind.skill)
        level = f"level {have}" if have else "no"
        return (f"{person.name} has {level} {kind.skill} skill; a {kind.name} needs level {kind.min_level}"
                " or more")
    if not booking.is_unit_start(start):
        return "appointments start on the quarter hour"
    if start < now:
        return f"{iso(start)[:16].replace('T', ' ')} UTC is in the past"
    tz = account_zone(conn, kind.account_id)
    end = start + timedelta(minutes=kind.minutes)
    if not booking.within_hours(start, end, working_hours(conn, [professional_id]).get(professional_id, []), tz):
        return f"{person.name} does not work {booking.short_time(start, tz)}-{end.astimezone(tz):%H:%M}"
    away = time_off(conn, [professional_id], start, end).get(professional_id)
    if away:
        return f"{person.name} is away {booking.short_time(away[0][0], tz)} to {booking.short_time(away[0][1], tz)}"
    units = booking.held_units(start, kind.minutes, kind.buffer_minutes)
    clash = conn.execute(
        f"SELECT appointment_id FROM appointment_slot WHERE professional_id = ? AND unit_start IN"
        f" ({', '.join('?' * len(units))})",
        (professional_id, *units),
    ).fetchall()
    if any(row[0] != moving for row in clash):
        return f"{person.name} is already booked at {booking.short_time(start, tz)}"
    return None


_BOOKING_SQL = (
    "SELECT a.id, a.account_id, a.customer_id, c.name, a.professional_id, p.name, a.type_id, t.name,"
    " a.starts_at, a.ends_at, a.status, p.location, a.note, a.rating, a.rating_comment FROM appointment a"
    " LEFT JOIN customer c ON c.id = a.customer_id LEFT JOIN professional p ON p.id = a.professional_id"
    " LEFT JOIN appointment_type t ON t.id = a.type_id"
)


def _booking(row: Sequence[Any]) -> Booking:
    (id_, account_id, customer_id, customer_name, professional_id, professional_name, type_id, type_name,
     starts_at, ends_at, status, location, note, rating, rating_comment) = row
    return Booking(id_, account_id, customer_id, customer_name or "", professional_id, professional_name or "",
                   type_id, type_name or "", parse_iso(starts_at), parse_iso(ends_at), status, location or "",
                   note or "", rating, rating_comment)


def appointment(conn: Any, appointment_id: str) -> Booking | None:
    """One booking, or None."""
    row = conn.execute(_BOOKING_SQL + " WHERE a.id = ?", (appointment_id,)).fetchone()
    return _booking(row) if row else None


def customer_appointments(conn: Any, customer_id: str, *, upcoming_after: datetime | None = None,
                          limit: int = 20) -> list[Booking]:
    """A customer's bookings (cancelled ones too), soonest first; only those ending after
    `upcoming_after` when given."""
    if upcoming_after is None:
        rows = conn.execute(_BOOKING_SQL + " WHERE a.customer_id = ? ORDER BY a.starts_at, a.id LIMIT ?",
                            (customer_id, limit)).fetchall()
    else:
        rows = conn.execute(
            _BOOKING_SQL + " WHERE a.customer_id = ? AND a.ends_at > ? AND a.status <> 'cancelled'"
            " ORDER BY a.starts_at, a.id LIMIT ?",
            (customer_id, iso(upcoming_after), limit),
        ).fetchall()
    return [_booking(row) for row in rows]


def day_bookings(conn: Any, account_id: str, day: date, professional_id: str | None = None) -> list[Booking]:
    """The account's live bookings on the local date `day` (its time zone), by professional and time."""
    tz = account_zone(conn, account_id)
    start, end = booking.wall_to_utc(day, 0, tz), booking.wall_to_utc(day + timedelta(days=1), 0, tz)
    # The professional's condition only when one is asked for (PostgreSQL cannot type a bare `? IS NULL`).
    only, params = ("", ()) if professional_id is None else (" AND a.professional_id = ?", (professional_id,))
    rows = conn.execute(
        _BOOKING_SQL + " WHERE a.account_id = ? AND a.starts_at >= ? AND a.starts_at < ?"
        " AND a.status <> 'cancelled'" + only + " ORDER BY p.name, a.professional_id, a.starts_at",
        (account_id, iso(start), iso(end), *params),
    ).fetchall()
    return [_booking(row) for row in rows]


def caller_zone(conn: Any, customer_id: str | None, fallback: ZoneInfo) -> ZoneInfo:
    """The customer's time zone, from their phone number when it names exactly one zone; else `fallback`."""
    if not customer_id:
        return fallback
    from phonenumbers import parse
    from phonenumbers.phonenumberutil import NumberParseException
    from phonenumbers.timezone import time_zones_for_number

    for (e164,) in conn.execute(
        "SELECT e164 FROM customer_phone WHERE customer_id = ? ORDER BY rowid LIMIT 3", (customer_id,)
    ).fetchall():
        try:
            zones = time_zones_for_number(parse(e164))
        except NumberParseException:
            continue
        if len(zones) == 1:
            return booking.zone(zones[0], str(fallback.key))
    return fallback


def utc(moment: datetime) -> datetime:
    """`moment` in UTC."""
    return moment.astimezone(UTC)
