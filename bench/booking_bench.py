"""Booking figures for `bench/run.py`.

- free_slots_ms: the next 10 free slots for an appointment type across 200 suitable professionals with 50,000
  booked appointments, p95 over searches from random moments of the booked weeks, with and without a time-of-day
  wish. The book is dense: from the bench's "now" each professional's working time is booked about nine
  slots in ten for ten weeks, so the finder has to look past held time, buffers and time off.
"""

from __future__ import annotations

import random
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from agentdesk.clock import FixedClock, iso
from agentdesk.domain import booking
from agentdesk.domain.booking import Preferences
from agentdesk.localstore import appointments as ap
from agentdesk.store import Store

NOW = datetime(2026, 11, 23, 14, 30, tzinfo=UTC)
PROFESSIONALS = 200
BOOKINGS = 50_000


def build_book(path: Path, seed: int = 2026) -> Store:
    """A store with one New York account, 200 plumbers and 50,000 bookings from NOW on."""
    rng = random.Random(seed)
    store = Store.open(path, FixedClock(NOW))
    zone = booking.zone("America/New_York")
    conn = store.conn
    with store.lock:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO account (id, name, time_zone, price_per_minute_cents, phone_number)"
                     " VALUES ('acc', 'Bench', 'America/New_York', 118, '+18880000000')")
        conn.execute("INSERT INTO customer (id, account_id, name, created_at, updated_at)"
                     " VALUES ('cus', 'acc', 'Bench Caller', ?, ?)", (iso(NOW), iso(NOW)))
        conn.execute("INSERT INTO appointment_type (id, account_id, name, minutes, skill, min_level, buffer_minutes)"
                     " VALUES ('visit', 'acc', 'Visit', 60, 'plumbing', 2, 30)")
        weeks = ((range(5), ((480, 720), (780, 1020))), (range(1, 6), ((540, 780), (840, 1080))))
        people = []
        for n in range(PROFESSIONALS):
            pro = f"pro-{n:03d}"
            days, spans = weeks[n % 2]
            people.append((pro, days, spans))
            conn.execute("INSERT INTO professional (id, account_id, name, languages) VALUES (?, 'acc', ?, ?)",
                         (pro, f"Professional {n:03d}", '["en", "es"]' if n % 4 == 0 else '["en"]'))
            conn.execute("INSERT INTO professional_skill VALUES (?, 'plumbing', 'acc', ?)", (pro, 2 + n % 4))
            conn.executemany("INSERT INTO working_hours VALUES (?, ?, ?, 'acc', ?)",
                             [(pro, d, s, e) for d in days for s, e in spans])
            if n % 10 == 0:
                off = booking.wall_to_utc(NOW.date() + timedelta(days=rng.randint(1, 30)), 0, zone)
                conn.execute("INSERT INTO time_off VALUES (?, 'acc', ?, ?, ?, 'leave')",
                             (f"off-{n}", pro, iso(off), iso(off + timedelta(days=3))))
        appointments, units = [], []
        made = 0
        day = NOW.date()
        while made < BOOKINGS:
            for pro, days, spans in people:
                if day.weekday() not in days:
                    continue
                for start_minute, end_minute in spans:
                    minute = start_minute
                    while minute + 60 <= end_minute and made < BOOKINGS:
                        if rng.random() < 0.9:
                            start = booking.wall_to_utc(day, minute, zone)
                            if start >= NOW:
                                appointment_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
                                appointments.append((appointment_id, pro, iso(start), iso(start + timedelta(hours=1))))
                                units.extend((pro, unit, appointment_id) for unit in booking.held_units(start, 60, 30))
                                made += 1
                        minute += 90
            day += timedelta(days=1)
        conn.executemany(
            "INSERT INTO appointment (id, account_id, customer_id, professional_id, type_id, starts_at, ends_at,"
            " status, booked_at, updated_at) VALUES (?, 'acc', 'cus', ?, 'visit', ?, ?, 'confirmed', ?, ?)",
            [(a, p, s, e, iso(NOW), iso(NOW)) for a, p, s, e in appointments])
        conn.executemany("INSERT INTO appointment_slot VALUES (?, ?, 'acc', ?)", units)
        conn.execute("COMMIT")
    return store


def free_slots_ms(samples: int = 200, seed: int = 7) -> tuple[float, float, int]:
    """(p95 ms, median ms, bookings) of finding the next 10 free slots."""
    with tempfile.TemporaryDirectory() as tmp:
        store = build_book(Path(tmp) / "book.db")
        kind = ap.appointment_type(store.conn, "visit")
        assert kind is not None
        rng = random.Random(seed)
        wishes = [Preferences(), Preferences(day_parts=frozenset({"afternoon"})),
                  Preferences(weekdays=frozenset({5})), Preferences(language="es")]
        took = []
        for n in range(samples):
            earliest = NOW + timedelta(minutes=15 * rng.randrange(4 * 24 * 42))
            started = time.perf_counter()
            found = store.free_slots(kind, earliest=earliest, prefs=wishes[n % len(wishes)])
            took.append((time.perf_counter() - started) * 1000)
            assert len(found) == 10
        bookings = store.conn.execute("SELECT count(*) FROM appointment").fetchone()[0]
        store.close()
    ordered = sorted(took)
    return ordered[round(0.95 * (len(ordered) - 1))], ordered[len(ordered) // 2], int(bookings)


def booking_figures(quick: bool) -> dict[str, float]:
    p95, median, bookings = free_slots_ms(samples=60 if quick else 200)
    return {"free_slots_ms": p95, "free_slots_median_ms": median, "free_slots_bookings": bookings}


if __name__ == "__main__":
    print(booking_figures(quick=False))
