"""Booking on a real store file: what the slot finder offers, what the mutations write, what they refuse (and
that a refusal writes nothing), and that the database itself, not Python, makes a double booking impossible."""

from __future__ import annotations

import multiprocessing
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from agentdesk.clock import FixedClock, iso
from agentdesk.config import AppointmentSettings
from agentdesk.desks import booking_args as booker
from agentdesk.domain.booking import Preferences
from agentdesk.localstore import appointments as ap
from agentdesk.store import Store, StoreError

SETTINGS = AppointmentSettings()
NOW = datetime(2026, 11, 23, 14, 30, tzinfo=UTC)  # Monday 9:30 in New York
TUESDAY_9 = datetime(2026, 11, 24, 14, 0, tzinfo=UTC)  # Tuesday 9:00 in New York


def _fill(store: Store) -> None:
    """One New York account, three plumbers (levels 2, 4, 5; Dana speaks Spanish; Lee is away on Tuesday),
    Monday-Friday 9:00-17:00 with a lunch hour, and two customers."""
    rows: list[tuple[str, tuple[Any, ...]]] = [
        ("INSERT INTO account (id, name, time_zone, price_per_minute_cents, phone_number) VALUES (?, ?, ?, ?, ?)",
         ("acc", "Alder", "America/New_York", 118, "+18882180100")),
        ("INSERT INTO customer (id, account_id, name, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
         ("cus-1", "acc", "Ada Caller", iso(NOW), iso(NOW))),
        ("INSERT INTO customer (id, account_id, name, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
         ("cus-2", "acc", "Bo Caller", iso(NOW), iso(NOW))),
        ("INSERT INTO customer_phone (customer_id, account_id, e164) VALUES (?, ?, ?)",
         ("cus-2", "acc", "+13105550100")),  # a Los Angeles number
        ("INSERT INTO appointment_type (id, account_id, name, minutes, skill, min_level, buffer_minutes)"
         " VALUES (?, ?, ?, ?, ?, ?, ?)", ("visit", "acc", "Plumbing visit", 60, "plumbing", 3, 30)),
        ("INSERT INTO appointment_type (id, account_id, name, minutes, skill, min_level, buffer_minutes)"
         " VALUES (?, ?, ?, ?, ?, ?, ?)", ("quick", "acc", "Quick look", 30, "plumbing", 1, 0)),
    ]
    for pro, name, level, languages in (("pro-kim", "Kim", 2, '["en"]'), ("pro-lee", "Lee", 4, '["en"]'),
                                        ("pro-dana", "Dana", 5, '["en", "es"]')):
        rows.append(("INSERT INTO professional (id, account_id, name, languages, location) VALUES (?, ?, ?, ?, ?)",
                     (pro, "acc", name, languages, "New York, NY")))
        rows.append(("INSERT INTO professional_skill (professional_id, skill, account_id, level) VALUES (?, ?, ?, ?)",
                     (pro, "plumbing", "acc", level)))
        for weekday in range(5):
            for start, end in ((540, 720), (780, 1020)):
                rows.append(("INSERT INTO working_hours (professional_id, weekday, start_minute, account_id,"
                             " end_minute) VALUES (?, ?, ?, ?, ?)", (pro, weekday, start, "acc", end)))
    rows.append(("INSERT INTO time_off (id, account_id, professional_id, starts_at, ends_at) VALUES (?, ?, ?, ?, ?)",
                 ("off-1", "acc", "pro-lee", "2026-11-24T05:00:00.000000Z", "2026-11-25T05:00:00.000000Z")))
    with store.lock:
        store.conn.execute("BEGIN IMMEDIATE")
        for sql, params in rows:
            store.conn.execute(sql, params)
        store.conn.execute("COMMIT")


@pytest.fixture
def book_store(tmp_path: Path) -> Store:
    store = Store.open(tmp_path / "book.db", FixedClock(NOW))
    _fill(store)
    return store


def _kind(store: Store, type_id: str = "visit") -> ap.AppointmentType:
    kind = ap.appointment_type(store.conn, type_id)
    assert kind is not None
    return kind


def _book(store: Store, professional: str, start: datetime, *, customer: str = "cus-1", type_id: str = "visit",
          now: datetime = NOW) -> dict[str, object]:
    args = booker.book_args(_kind(store, type_id), customer_id=customer, professional_id=professional, start=start,
                            now=now, settings=SETTINGS)
    store.mutate("appointment.book@1", args)
    return args


def _count(store: Store, table: str) -> int:
    return int(store.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


def test_proposals_skip_held_time_buffers_time_off_and_the_unskilled(book_store: Store) -> None:
    store = book_store
    _book(store, "pro-dana", TUESDAY_9)  # Dana 9:00-10:00 and her buffer to 10:30
    found = ap.free_slots(store.conn, _kind(store), earliest=TUESDAY_9, count=6)
    # Kim's level (2) is too low for a visit; Lee is away on Tuesday; Dana is free again from 10:30.
    assert {p.professional_id for p in found} == {"pro-dana"}
    assert [p.starts_at for p in found][:3] == [TUESDAY_9 + timedelta(minutes=m) for m in (90, 120, 240)]
    # The lunch hour: a 60-minute visit must end by 12:00 and start again from 13:00.
    assert TUESDAY_9 + timedelta(hours=4) in [p.starts_at for p in found]
    assert all(not (TUESDAY_9 + timedelta(hours=3) < p.starts_at < TUESDAY_9 + timedelta(hours=4)) for p in found)
    quick = ap.free_slots(store.conn, _kind(store, "quick"), earliest=TUESDAY_9, count=3)
    assert quick[0].starts_at == TUESDAY_9 and quick[0].professional_id == "pro-kim"  # the only one free at 9


def test_proposals_follow_the_callers_wishes_in_the_callers_time(book_store: Store) -> None:
    store = book_store
    spanish = ap.free_slots(store.conn, _kind(store), earliest=TUESDAY_9, prefs=Preferences(language="es"))
    assert spanish and {p.professional_id for p in spanish} == {"pro-dana"}
    assert ap.free_slots(store.conn, _kind(store), earliest=TUESDAY_9, prefs=Preferences(language="fr")) == []
    los_angeles = ap.caller_zone(store.conn, "cus-2", ap.account_zone(store.conn, "acc"))
    assert str(los_angeles) == "America/Los_Angeles"
    mornings = ap.free_slots(store.conn, _kind(store), earliest=TUESDAY_9, caller_zone=los_angeles,
                             prefs=Preferences(day_parts=frozenset({"morning"}), weekdays=frozenset({3})))
    assert mornings
    for proposal in mornings:
        local = proposal.starts_at.astimezone(los_angeles)
        assert local.weekday() == 3 and 6 <= local.hour < 12


def test_book_reschedule_survey_and_cancel_write_the_booking_its_units_and_its_tasks(book_store: Store) -> None:
    store = book_store
    args = _book(store, "pro-dana", TUESDAY_9)
    booking_id = str(args["appointment_id"])
    row = store.conn.execute("SELECT status, starts_at, ends_at FROM appointment WHERE id = ?", (booking_id,)).fetchone()
    assert tuple(row) == ("tentative", iso(TUESDAY_9), iso(TUESDAY_9 + timedelta(hours=1)))
    assert _count(store, "appointment_slot") == 6  # 60 minutes and a 30-minute buffer
    due = dict(store.conn.execute("SELECT kind, due_at FROM task WHERE appointment_id = ?", (booking_id,)).fetchall())
    assert due == {"reminder": iso(TUESDAY_9 - timedelta(hours=24)),
                   "survey": iso(TUESDAY_9 + timedelta(hours=3))}

    later = TUESDAY_9 + timedelta(days=1, hours=4)  # Wednesday 13:00
    store.mutate("appointment.reschedule@1", booker.reschedule_args(
        _kind(store), booking_id, professional_id="pro-lee", start=later, now=NOW, settings=SETTINGS))
    held = store.conn.execute("SELECT DISTINCT professional_id, min(unit_start) FROM appointment_slot").fetchone()
    assert tuple(held) == ("pro-lee", iso(later))
    assert store.conn.execute("SELECT due_at FROM task WHERE appointment_id = ? AND kind = 'reminder'",
                              (booking_id,)).fetchone()[0] == iso(later - timedelta(hours=24))
    _book(store, "pro-dana", TUESDAY_9, customer="cus-2")  # the time given up is free again

    with pytest.raises(StoreError, match="has not happened yet"):
        store.mutate("appointment.survey@1", {"appointment_id": booking_id, "rating": 5, "at": iso(NOW)})
    after = later + timedelta(hours=3)
    store.mutate("appointment.survey@1", {"appointment_id": booking_id, "rating": 4, "comment": "On time",
                                          "at": iso(after)})
    assert tuple(store.conn.execute("SELECT rating, rating_comment FROM appointment WHERE id = ?",
                                    (booking_id,)).fetchone()) == (4, "On time")
    store.mutate("appointment.cancel@1", booker.cancel_args(booking_id, now=after, reason="Moved away"))
    status, note = store.conn.execute("SELECT status, note FROM appointment WHERE id = ?", (booking_id,)).fetchone()
    assert status == "cancelled" and note == "Cancelled: Moved away"
    assert store.conn.execute("SELECT count(*) FROM appointment_slot WHERE appointment_id = ?",
                              (booking_id,)).fetchone()[0] == 0
    assert store.conn.execute("SELECT count(*) FROM task WHERE appointment_id = ? AND status = 'open'",
                              (booking_id,)).fetchone()[0] == 0


@pytest.mark.parametrize(
    ("professional", "start", "type_id", "said"),
    [
        ("pro-dana", NOW - timedelta(days=1), "visit", "is in the past"),
        ("pro-dana", TUESDAY_9 - timedelta(minutes=30), "visit", "Dana does not work Tue 24 Nov 08:30"),
        ("pro-dana", TUESDAY_9 + timedelta(hours=2, minutes=30), "visit", "does not work"),  # into lunch
        ("pro-lee", TUESDAY_9, "visit", "Lee is away"),
        ("pro-kim", TUESDAY_9, "visit", "Kim has level 2 plumbing skill; a Plumbing visit needs level 3"),
        ("pro-nobody", TUESDAY_9, "visit", "there is no professional pro-nobody"),
        ("pro-dana", TUESDAY_9, "no-such-type", "there is no appointment type no-such-type"),
        ("pro-dana", TUESDAY_9 + timedelta(minutes=10), "visit", "start on the quarter hour"),
    ],
    ids=["past", "before-hours", "into-lunch", "time-off", "skill-level", "unknown-professional",
         "unknown-type", "off-the-quarter"],
)
def test_a_refused_booking_says_why_and_writes_nothing(
    book_store: Store, professional: str, start: datetime, type_id: str, said: str
) -> None:
    store = book_store
    kind = _kind(store) if type_id == "visit" else ap.AppointmentType(type_id, "acc", "?", 60, "plumbing", 1, 0)
    args = booker.book_args(kind, customer_id="cus-1", professional_id=professional, start=start, now=NOW,
                            settings=SETTINGS)
    before = {t: _count(store, t) for t in ("appointment", "appointment_slot", "task", "outbox")}
    with pytest.raises(StoreError) as refused:
        store.mutate("appointment.book@1", args)
    assert said in str(refused.value)
    assert {t: _count(store, t) for t in before} == before


def test_a_taken_slot_is_refused_with_free_alternatives(book_store: Store) -> None:
    store = book_store
    _book(store, "pro-dana", TUESDAY_9)
    with pytest.raises(StoreError) as refused:
        _book(store, "pro-dana", TUESDAY_9 + timedelta(minutes=30), customer="cus-2")
    message = str(refused.value)
    assert "Dana is already booked at Tue 24 Nov 09:30" in message and "free then: Tue 24 Nov 10:30 with Dana" in message
    with pytest.raises(StoreError, match="already cancelled"):
        args = _book(store, "pro-dana", TUESDAY_9 + timedelta(days=1))
        store.mutate("appointment.cancel@1", booker.cancel_args(str(args["appointment_id"]), now=NOW))
        store.mutate("appointment.reschedule@1", booker.reschedule_args(
            _kind(store), str(args["appointment_id"]), professional_id="pro-dana", start=TUESDAY_9 + timedelta(days=2),
            now=NOW, settings=SETTINGS))


def test_the_database_refuses_a_second_holder_of_a_quarter_hour(book_store: Store) -> None:
    """The rule lives in the schema: even SQL that skips every check in Python cannot double-book."""
    store = book_store
    args = _book(store, "pro-dana", TUESDAY_9)
    with store.lock, pytest.raises(sqlite3.IntegrityError, match="UNIQUE"):
        store.conn.execute(
            "INSERT INTO appointment_slot (professional_id, unit_start, account_id, appointment_id) VALUES (?, ?, ?, ?)",
            ("pro-dana", iso(TUESDAY_9 + timedelta(minutes=45)), "acc", str(args["appointment_id"])))


def _race(path: str, customer: str, start: str, barrier: Any, results: Any) -> None:
    """One terminal process: open the store, wait for the others, book Dana at `start`."""
    store = Store.open(Path(path), FixedClock(NOW))
    kind = ap.appointment_type(store.conn, "visit")
    assert kind is not None
    args = booker.book_args(kind, customer_id=customer, professional_id="pro-dana",
                            start=datetime.fromisoformat(start), now=NOW, settings=SETTINGS)
    # Skip the explanation in Python: the mutator's own check would see no clash in a store that every
    # process read before any of them wrote, so only the database's key stands between them.
    barrier.wait()
    try:
        with store.lock:
            store.conn.execute("BEGIN IMMEDIATE")
            try:
                store.conn.execute(
                    "INSERT INTO appointment (id, account_id, customer_id, professional_id, type_id, starts_at,"
                    " ends_at, status, booked_at, updated_at) VALUES (?, 'acc', ?, 'pro-dana', 'visit', ?, ?,"
                    " 'tentative', ?, ?)",
                    (args["appointment_id"], customer, args["starts_at"],
                     iso(datetime.fromisoformat(start) + timedelta(hours=1)), iso(NOW), iso(NOW)))
                from agentdesk.domain.booking import held_units

                for unit in held_units(datetime.fromisoformat(start), 60, 30):
                    store.conn.execute(
                        "INSERT INTO appointment_slot (professional_id, unit_start, account_id, appointment_id)"
                        " VALUES ('pro-dana', ?, 'acc', ?)", (unit, args["appointment_id"]))
                store.conn.execute("COMMIT")
                results.put("booked")
            except sqlite3.IntegrityError:
                store.conn.execute("ROLLBACK")
                results.put("refused")
    finally:
        store.close()


def test_terminals_racing_for_one_slot_leave_exactly_one_booking(book_store: Store) -> None:
    """Six processes, each with its own connection to the same store file, book overlapping times for Dana at
    the same moment (9:00, 9:15 ... with a 90-minute hold each): exactly one wins."""
    path = str(book_store.path)
    book_store.close()
    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(6), context.Queue()
    starts = [(TUESDAY_9 + timedelta(minutes=15 * n)).isoformat() for n in range(6)]
    workers = [context.Process(target=_race, args=(path, f"cus-{1 + n % 2}", start, barrier, results))
               for n, start in enumerate(starts)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
        assert worker.exitcode == 0
    outcomes = sorted(results.get(timeout=5) for _ in workers)
    assert outcomes == ["booked"] + ["refused"] * 5
    check = sqlite3.connect(path)
    assert check.execute("SELECT count(*) FROM appointment").fetchone()[0] == 1
    assert check.execute("SELECT count(*) FROM appointment_slot").fetchone()[0] == 6
    check.close()
