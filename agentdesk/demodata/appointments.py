"""Demo appointment book: each account's appointment types, its professionals' skill levels, working weeks and
time off, and bookings around the demo's "today" with their reminders and surveys.

Drawn from a generator of its own after every other demo row, so the rest of the demo (which the workspace's
snapshots show) stays as it was. The well-known caller and the two hostile names get no bookings, so their
histories are unchanged. Bookings are confirmed (the demo stands for data pulled from the backend) and go
through the same quarter-hour units as a booking made at a terminal, so the demo never double-books either.
"""

from __future__ import annotations

import json
import random
import sqlite3
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta

from agentdesk.clock import iso
from agentdesk.demodata.world import World
from agentdesk.domain import booking

# (name, minutes, skill, minimum level, buffer minutes) per account, in the order of demodata.content.ACCOUNTS.
TYPES: tuple[tuple[tuple[str, int, str, int, int], ...], ...] = (
    (("Plumbing visit", 60, "plumbing", 2, 30), ("Furnace tune-up", 90, "heating", 3, 30),
     ("Electrical safety check", 60, "electrical", 3, 15), ("Air-conditioning service", 60, "cooling", 2, 30),
     ("Home inspection", 120, "inspection", 4, 30)),
    (("Boot fitting", 30, "boot fitting", 2, 0), ("Gear repair drop-off", 15, "repairs", 1, 0),
     ("Kayak lesson", 90, "kayak lessons", 3, 15), ("Climbing gear check", 45, "climbing gear", 2, 15),
     ("Pack fitting", 30, "fitting", 1, 0)),
    (("Check-up", 30, "check-ups", 1, 15), ("Hygienist visit", 45, "hygiene", 2, 15),
     ("Orthodontic consultation", 60, "orthodontics", 4, 15), ("Implant assessment", 60, "implants", 4, 30),
     ("Children's check-up", 30, "children", 2, 15)),
    (("Claims review call", 30, "claims review", 2, 0), ("Vet liaison call", 30, "vet liaison", 2, 15),
     ("Policy review", 45, "underwriting", 3, 0), ("Exotic pet cover consultation", 45, "exotic pets", 4, 15)),
)

# Weekly patterns: (weekdays, [(start minute, end minute), ...]) in the account's time zone.
WEEKS = (
    (range(5), ((8 * 60, 12 * 60), (13 * 60, 17 * 60))),
    (range(1, 6), ((9 * 60, 13 * 60), (14 * 60, 18 * 60))),
    (range(4), ((7 * 60 + 30, 15 * 60 + 30),)),
)

REMINDER_BEFORE = timedelta(hours=24)
SURVEY_AFTER = timedelta(hours=2)
_COMMENTS = ("Very thorough, thank you.", "Arrived on time and explained everything.", "A bit rushed.",
             "Would book again.", "Had to wait twenty minutes.", "")


def add_appointment_book(conn: sqlite3.Connection, world: World, seed: int) -> dict[str, int]:
    """Insert the demo's appointment types, skills, hours, time off and bookings; the counts."""
    rng = random.Random(seed * 104_729 + 11)

    def new_id() -> str:
        return str(uuid.UUID(int=rng.getrandbits(128), version=4))

    counts = {"appointment_type": 0, "appointment": 0, "time_off": 0}
    for account, types in zip(world.accounts, TYPES, strict=False):
        people = conn.execute(
            "SELECT id, skills FROM professional WHERE account_id = ? ORDER BY rowid", (account.id,)
        ).fetchall()
        if not people:
            continue
        kinds = []
        for name, minutes, skill, level, buffer in types:
            type_id = new_id()
            conn.execute(
                "INSERT INTO appointment_type (id, account_id, name, minutes, skill, min_level, buffer_minutes)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (type_id, account.id, name, minutes, skill, level, buffer),
            )
            kinds.append((type_id, minutes, skill, level, buffer))
            counts["appointment_type"] += 1
        skills: dict[str, dict[str, int]] = {}
        for professional_id, listed in people:
            skills[professional_id] = {skill: rng.randint(2, 5) for skill in json.loads(listed)}
        # Every type has at least two professionals skilled enough for it.
        for n, (_, _, skill, level, _) in enumerate(kinds):
            able = [p for p, s in skills.items() if s.get(skill, 0) >= level]
            for professional_id, _ in people[n % len(people):] + people[: n % len(people)]:
                if len(able) >= 2:
                    break
                if professional_id not in able:
                    skills[professional_id][skill] = max(level, 4)
                    able.append(professional_id)
        weeks: dict[str, list[tuple[int, int, int]]] = {}
        for professional_id, _ in people:
            conn.execute("UPDATE professional SET skills = ? WHERE id = ?",
                         (json.dumps(sorted(skills[professional_id])), professional_id))
            for skill, level in sorted(skills[professional_id].items()):
                conn.execute(
                    "INSERT INTO professional_skill (professional_id, skill, account_id, level) VALUES (?, ?, ?, ?)",
                    (professional_id, skill, account.id, level),
                )
            days, spans = WEEKS[rng.randrange(len(WEEKS))]
            weeks[professional_id] = [(day, start, end) for day in days for start, end in spans]
            conn.executemany(
                "INSERT INTO working_hours (professional_id, weekday, start_minute, account_id, end_minute)"
                " VALUES (?, ?, ?, ?, ?)",
                [(professional_id, day, start, account.id, end) for day, start, end in weeks[professional_id]],
            )
        tz = booking.zone(account.spec.time_zone)
        away: dict[str, tuple[datetime, datetime]] = {}
        for professional_id, _ in people:
            if rng.random() < 0.35:
                first = world.base.date() + timedelta(days=rng.randint(3, 40))
                start = booking.wall_to_utc(first, 0, tz)
                end = booking.wall_to_utc(first + timedelta(days=rng.randint(1, 5)), 0, tz)
                away[professional_id] = (start, end)
                conn.execute(
                    "INSERT INTO time_off (id, account_id, professional_id, starts_at, ends_at, reason)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    (new_id(), account.id, professional_id, iso(start), iso(end), "Annual leave"),
                )
                counts["time_off"] += 1
        customers = [row[0] for row in conn.execute(
            "SELECT id FROM customer WHERE account_id = ? ORDER BY rowid LIMIT 400 OFFSET 3", (account.id,)
        )]
        if customers:
            counts["appointment"] += _bookings(conn, rng, new_id, account.id, tz, kinds, skills, weeks, away,
                                               customers, world.base)
    return counts


def _bookings(
    conn: sqlite3.Connection, rng: random.Random, new_id: Callable[[], str], account_id: str, tz: booking.ZoneInfo,
    kinds: list[tuple[str, int, str, int, int]], skills: dict[str, dict[str, int]],
    weeks: dict[str, list[tuple[int, int, int]]], away: dict[str, tuple[datetime, datetime]],
    customers: list[str], today: datetime,
) -> int:
    """About 150 bookings from three weeks before the demo's today to three weeks after it."""
    taken: set[tuple[str, str]] = set()
    made = 0
    for _ in range(200):
        type_id, minutes, skill, level, buffer = kinds[rng.randrange(len(kinds))]
        able = sorted(p for p, s in skills.items() if s.get(skill, 0) >= level)
        professional_id = able[rng.randrange(len(able))]
        day = today.date() + timedelta(days=rng.randint(-21, 21))
        spans = [(s, e) for d, s, e in weeks[professional_id] if d == day.weekday() and e - s >= minutes]
        if not spans:
            continue
        span_start, span_end = spans[rng.randrange(len(spans))]
        quarter = rng.randrange((span_end - span_start - minutes) // 15 + 1)
        start = booking.wall_to_utc(day, span_start + quarter * 15, tz)
        end = start + timedelta(minutes=minutes)
        off = away.get(professional_id)
        if off and booking.overlaps(start, end, [off]):
            continue
        units = booking.held_units(start, minutes, buffer)
        if any((professional_id, unit) in taken for unit in units):
            continue
        taken.update((professional_id, unit) for unit in units)
        appointment_id = new_id()
        customer_id = customers[rng.randrange(len(customers))]
        booked = start - timedelta(days=rng.randint(2, 20), minutes=rng.randint(0, 600))
        past = start < today
        rating = rng.choice((5, 5, 4, 4, 3, 2)) if past and rng.random() < 0.6 else None
        comment = rng.choice(_COMMENTS) if rating else None
        conn.execute(
            "INSERT INTO appointment (id, account_id, customer_id, professional_id, type_id, starts_at, ends_at,"
            " status, booked_at, updated_at, rating, rating_comment) VALUES (?, ?, ?, ?, ?, ?, ?, 'confirmed', ?, ?,"
            " ?, ?)",
            (appointment_id, account_id, customer_id, professional_id, type_id, iso(start), iso(end), iso(booked),
             iso(booked), rating, comment),
        )
        conn.executemany(
            "INSERT INTO appointment_slot (professional_id, unit_start, account_id, appointment_id)"
            " VALUES (?, ?, ?, ?)",
            [(professional_id, unit, account_id, appointment_id) for unit in units],
        )
        remind, ask = start - REMINDER_BEFORE, end + SURVEY_AFTER
        # Reminders before the demo's today were made; surveys were answered (a rating) or, after a day without
        # an answer, closed (so today's list is mostly today's calls, with yesterday's few left late).
        asked = rating is not None or ask < today - timedelta(days=1)
        for kind, due, done in (("reminder", remind, remind < today), ("survey", ask, asked)):
            conn.execute(
                "INSERT INTO task (id, account_id, customer_id, kind, due_at, note, status, created_at,"
                " appointment_id) VALUES (?, ?, ?, ?, ?, '', ?, ?, ?)",
                (new_id(), account_id, customer_id, kind, iso(due), "done" if done else "open",
                 iso(booked), appointment_id),
            )
        made += 1
    return made
