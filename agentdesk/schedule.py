"""A professional's day, for `agentdesk schedule`: as text on the terminal, as an iCalendar (.ics) file, and as
the morning e-mail, so a professional can plan the day without logging in to anything.

Times are the account's (where the professional works): working spans, time off and the bookings of the
local date, with the free gaps between them; a date with a daylight-saving change is 23 or 25 hours long, as
`domain.booking` reads it. Cancelled bookings are left out; tentative ones (not yet confirmed by the backend)
say so. Customer names are untrusted text: everything printed or written carries them sanitised (no terminal
control sequences), and the .ics carries them as escaped iCalendar text values with its times in UTC.

Reads take a connection with `execute`, like `localstore.appointments`; no Textual here.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from agentdesk.clock import iso, parse_iso
from agentdesk.domain import booking
from agentdesk.domain.text import one_line
from agentdesk.errors import NoMatch as NoMatch
from agentdesk.localstore import appointments as ap

UID_DOMAIN = "appointments.agentdesk"
"""The right-hand side of every event's UID: `<appointment id>@appointments.agentdesk`, stable across runs, so
a calendar app that imports tomorrow's file again updates the events instead of doubling them."""

PRODID = "-//AgentDesk//Professional's day//EN"


@dataclass(frozen=True, slots=True)
class Away:
    """Time off that meets the day, clipped to it."""

    starts_at: datetime
    ends_at: datetime
    reason: str


@dataclass(frozen=True, slots=True)
class Day:
    """One professional's local date: when they work, when they are away, what is booked."""

    professional: ap.Professional
    account_name: str
    zone: ZoneInfo
    on: date
    spans: list[tuple[datetime, datetime]]
    away: list[Away] = field(default_factory=list)
    bookings: list[ap.Booking] = field(default_factory=list)

    @property
    def starts_at(self) -> datetime:
        """Local midnight that begins the day (UTC)."""
        return booking.wall_to_utc(self.on, 0, self.zone)

    @property
    def ends_at(self) -> datetime:
        """Local midnight that ends it (UTC)."""
        return booking.wall_to_utc(self.on + timedelta(days=1), 0, self.zone)

    def free(self) -> list[tuple[datetime, datetime]]:
        """The working time left free: the spans minus bookings and time off."""
        busy = sorted([(b.starts_at, b.ends_at) for b in self.bookings] + [(a.starts_at, a.ends_at) for a in self.away])
        gaps = []
        for start, end in self.spans:
            cursor = start
            for b_start, b_end in busy:
                if b_end <= cursor or b_start >= end:
                    continue
                if b_start > cursor:
                    gaps.append((cursor, b_start))
                cursor = max(cursor, b_end)
            if cursor < end:
                gaps.append((cursor, end))
        return gaps


def _matches(query: str, id_: str, name: str) -> bool:
    return id_ == query.strip() or query.strip().casefold() in name.casefold()


def days(conn: Any, on: date, *, professional: str | None = None, account: str | None = None) -> list[Day]:
    """Every matching professional's day on the local date `on` (each in their account's zone), by account and
    name. `professional` and `account` match an id or, case-insensitively, part of the name; `NoMatch` says
    which matched nothing."""
    accounts = conn.execute("SELECT id, name, time_zone FROM account ORDER BY name, id").fetchall()
    if account is not None:
        accounts = [a for a in accounts if _matches(account, a[0], a[1])]
        if not accounts:
            raise NoMatch(f"No account matches {one_line(account, 60)!r}.")
    found: list[Day] = []
    for account_id, account_name, time_zone in accounts:
        zone = booking.zone(time_zone)
        people = ap.professionals(conn, account_id)
        if professional is not None:
            people = [p for p in people if _matches(professional, p.id, p.name)]
        if not people:
            continue
        ids = [p.id for p in people]
        hours = ap.working_hours(conn, ids)
        start, end = booking.wall_to_utc(on, 0, zone), booking.wall_to_utc(on + timedelta(days=1), 0, zone)
        away = _time_off(conn, ids, start, end)
        booked: dict[str, list[ap.Booking]] = defaultdict(list)
        for item in ap.day_bookings(conn, account_id, on):
            booked[item.professional_id].append(item)
        for person in people:
            found.append(Day(person, account_name, zone, on, booking.working_spans(on, hours.get(person.id, ()), zone),
                             away.get(person.id, []), sorted(booked.get(person.id, []), key=lambda b: b.starts_at)))
    if professional is not None and not found:
        where = f" in {one_line(account, 60)!r}" if account is not None else ""
        raise NoMatch(f"No professional matches {one_line(professional, 60)!r}{where}.")
    return found


def _time_off(conn: Any, ids: list[str], start: datetime, end: datetime) -> dict[str, list[Away]]:
    wanted = set(ids)
    away: dict[str, list[Away]] = defaultdict(list)
    for professional_id, starts_at, ends_at, reason in conn.execute(
        "SELECT professional_id, starts_at, ends_at, reason FROM time_off WHERE starts_at < ? AND ends_at > ?"
        " ORDER BY starts_at",
        (iso(end), iso(start)),
    ).fetchall():
        if professional_id in wanted:
            away[professional_id].append(Away(max(parse_iso(starts_at), start), min(parse_iso(ends_at), end),
                                              reason or ""))
    return away


# -- the printed day --------------------------------------------------------------------------------------------

def _hm(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%H:%M")


def _range(start: datetime, end: datetime, zone: ZoneInfo) -> str:
    return f"{_hm(start, zone)}-{_hm(end, zone)}"


def _duration(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    return f"{hours} h {rest:02d}" if hours and rest else f"{hours} h" if hours else f"{rest} min"


def heading(day: Day) -> str:
    """"Dana Reyes · Alder Home Services · Tuesday 24 November 2026 (EST)"."""
    label = booking.zone_label(day.zone, booking.wall_to_utc(day.on, 12 * 60, day.zone))
    return (f"{one_line(day.professional.name, 60)} · {one_line(day.account_name, 60)} · "
            f"{day.on:%A} {day.on.day} {day.on:%B %Y} ({label})")


def agenda(day: Day) -> list[str]:
    """The day's lines under the heading: hours and place, then time off and bookings in time order, then the
    free gaps. Every shown value is sanitised."""
    zone, person = day.zone, day.professional
    lines = []
    if day.spans:
        place = f" at {one_line(person.location, 60)}" if person.location else ""
        lines.append("Working " + ", ".join(_range(s, e, zone) for s, e in day.spans) + place)
    else:
        lines.append("Not working on this day.")
    entries: list[tuple[datetime, str]] = []
    for off in day.away:
        whole = off.starts_at <= day.starts_at and off.ends_at >= day.ends_at
        when = "all day    " if whole else f"{_range(off.starts_at, off.ends_at, zone)}"
        entries.append((off.starts_at, f"{when}  Time off" + (f" ({one_line(off.reason, 60)})" if off.reason else "")))
    for item in day.bookings:
        entries.append((item.starts_at, f"{_range(item.starts_at, item.ends_at, zone)}  {one_line(item.type_name, 40)}"
                                        f" · {one_line(item.customer_name, 40)} · {item.reference} · {item.status}"))
    lines.extend(text for _, text in sorted(entries, key=lambda entry: entry[0]))
    if day.spans:
        free = day.free()
        total = sum(int((end - start).total_seconds()) // 60 for start, end in free)
        lines.append("Free " + (", ".join(_range(s, e, zone) for s, e in free) + f" ({_duration(total)})"
                                if free else "none"))
    return lines


def text(day: Day) -> str:
    """The day as printed: the heading and the agenda, indented."""
    return "\n".join([heading(day), *("  " + line for line in agenda(day))])


# -- the calendar file and the e-mail ---------------------------------------------------------------------------

def ics(day: Day, now: datetime) -> bytes:
    """The day's bookings as an iCalendar file: one VEVENT per booking, times in UTC, stamped `now`."""
    from icalendar import Calendar, Event

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", f"{one_line(day.professional.name, 60)} · {day.on.isoformat()}")
    calendar.add("x-wr-timezone", str(day.zone.key))
    stamp = now.astimezone(UTC).replace(microsecond=0)
    location = one_line(day.professional.location, 120)
    for item in day.bookings:
        customer = one_line(item.customer_name, 80)
        event = Event()
        event.add("uid", f"{item.id}@{UID_DOMAIN}")
        event.add("dtstamp", stamp)
        event.add("dtstart", item.starts_at.astimezone(UTC))
        event.add("dtend", item.ends_at.astimezone(UTC))
        event.add("summary", f"{one_line(item.type_name, 60)}: {customer}")
        event.add("description", f"Reference {item.reference}\nCustomer: {customer}\n"
                                 f"{one_line(item.type_name, 60)}, booked through AgentDesk"
                                 + (" (tentative: not yet confirmed)" if item.status == "tentative" else ""))
        if location:
            event.add("location", location)
        event.add("status", "CONFIRMED" if item.status == "confirmed" else "TENTATIVE")
        calendar.add_component(event)
    return calendar.to_ical()


def morning_email(day: Day) -> str:
    """The morning e-mail as text: a Subject line, a greeting, the day, a footer."""
    first = one_line(day.professional.name, 60).split(" ")[0] or "there"
    count = len(day.bookings)
    subject = f"Your day on {day.on:%A} {day.on.day} {day.on:%B}: {count} appointment{'' if count == 1 else 's'}"
    account = one_line(day.account_name, 60)
    opening = f"Here is your day at {account}:" if count else f"You have no appointments at {account} on this day."
    return "\n".join([
        f"Subject: {subject}", "", f"Good morning {first},", "", opening, "", heading(day),
        *("  " + line for line in agenda(day)), "",
        "Times are local (" + str(day.zone.key) + "). The attached calendar file holds every appointment and opens",
        "in any calendar app; importing it again updates the appointments instead of doubling them.",
        "If something looks wrong, call the desk and quote the reference.", "",
        "-- ", "AgentDesk (sent for you each morning; please do not reply)", "",
    ])


def slug(day: Day) -> str:
    """The files' name for the day: date, the professional's name in plain letters, and the start of their id
    (two professionals may share a name)."""
    name = "".join(ch if ch.isascii() and ch.isalnum() else "-" for ch in day.professional.name.lower())
    name = "-".join(part for part in name.split("-") if part)[:40].strip("-")
    short = "".join(ch for ch in day.professional.id if ch.isalnum())[:8]
    return "-".join(part for part in (day.on.isoformat(), name, short) if part)


def write(day: Day, folder: Path, now: datetime) -> tuple[Path, Path]:
    """Write the .ics and the e-mail text (.txt) for `day` into `folder`; their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    calendar, email = folder / f"{slug(day)}.ics", folder / f"{slug(day)}.txt"
    calendar.write_bytes(ics(day, now))
    email.write_text(morning_email(day), encoding="utf-8")
    return calendar, email
