"""`agentdesk schedule`: each professional's day printed, and as an .ics file that a real iCalendar parser reads
back into exactly the store's bookings (UTC times, UIDs, statuses), across a daylight-saving change too."""

from __future__ import annotations

import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner, Result
from icalendar import Calendar

from agentdesk.cli import main
from agentdesk.clock import FixedClock, iso
from agentdesk.demo import DemoSummary
from agentdesk.domain.text import PAYLOADS, one_line, sanitize
from agentdesk.records import Booking
from agentdesk.schedule import UID_DOMAIN
from agentdesk.store import Store

TEST_CONFIG = Path(__file__).resolve().parents[1] / "agentdesk-test.toml"
EXE = str(Path(sys.executable).with_name("agentdesk"))
HOSTILE = "Trudy \x1b]0;You have been hacked\x07\x1b[31mRed\x1b[0m [@click=app.quit]Oswald[/] " + "".join(
    payload for payload in PAYLOADS if "\ud800" not in payload and len(payload) < 1000)
"""A customer's name with every kind of terminal control (those SQLite can store: no lone surrogates)."""


@pytest.fixture
def desk(small_demo: tuple[Path, DemoSummary], tmp_path: Path) -> Path:
    """A copy of the small demo store, closed: the command opens it itself."""
    path = tmp_path / "agentdesk.db"
    shutil.copyfile(small_demo[0], path)
    return path


@contextmanager
def opened(path: Path) -> Iterator[Store]:
    store = Store.open(path, FixedClock())
    try:
        yield store
    finally:
        store.close()


def edit(path: Path, *statements: tuple[str, tuple[object, ...]]) -> None:
    """Write to the store by hand, in one transaction (what a pull from the backend would leave)."""
    with opened(path) as store, store.lock:
        store.conn.execute("BEGIN IMMEDIATE")
        for sql, params in statements:
            store.conn.execute(sql, params)
        store.conn.execute("COMMIT")


def run(path: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--config", str(TEST_CONFIG), "--store", str(path), "schedule", *args],
                              catch_exceptions=False)


def busiest_day(path: Path) -> date:
    with opened(path) as store:
        (day,) = store.conn.execute(
            "SELECT substr(starts_at, 1, 10) FROM appointment GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1"
        ).fetchone()
    return date.fromisoformat(day)


def bookings(path: Path, day: date) -> list[Booking]:
    with opened(path) as store:
        return [b for account in store.accounts() for b in store.day_bookings(account.id, day)]


def events(folder: Path) -> dict[str, dict[str, object]]:
    """Every VEVENT of every .ics in `folder`, by UID, as the parser decodes it."""
    found: dict[str, dict[str, object]] = {}
    for path in sorted(folder.glob("*.ics")):
        calendar = Calendar.from_ical(path.read_bytes())
        assert calendar["VERSION"] == "2.0" and "AgentDesk" in str(calendar["PRODID"])
        for event in calendar.walk("VEVENT"):
            uid = str(event["UID"])
            assert uid not in found
            found[uid] = {
                "start": event.decoded("DTSTART"), "end": event.decoded("DTEND"), "status": str(event["STATUS"]),
                "summary": str(event["SUMMARY"]), "description": str(event["DESCRIPTION"]),
                "location": str(event.get("LOCATION", "")), "file": path.name,
            }
    return found


def test_the_calendar_files_hold_exactly_the_stores_bookings_of_the_day(desk: Path, tmp_path: Path) -> None:
    day = busiest_day(desk)
    live = bookings(desk, day)
    assert len(live) >= 3
    tentative, cancelled = live[0], live[1]
    edit(desk, ("UPDATE appointment SET status = 'tentative' WHERE id = ?", (tentative.id,)),
         ("UPDATE appointment SET status = 'cancelled', cancelled_at = ? WHERE id = ?", (iso(datetime.now(UTC)),
                                                                                       cancelled.id)))
    expected = {b.id: b for b in bookings(desk, day)}
    assert cancelled.id not in expected and expected[tentative.id].status == "tentative"

    out = tmp_path / "out"
    result = run(desk, "--date", day.isoformat(), "--out", str(out))

    assert result.exit_code == 0, result.output
    found = events(out)
    assert set(found) == {f"{appointment_id}@{UID_DOMAIN}" for appointment_id in expected}
    for appointment_id, booked in expected.items():
        event = found[f"{appointment_id}@{UID_DOMAIN}"]
        assert event["start"] == booked.starts_at and event["end"] == booked.ends_at
        assert event["start"].tzinfo is not None and event["start"].utcoffset() == timedelta(0)  # type: ignore[attr-defined]
        assert event["status"] == ("TENTATIVE" if appointment_id == tentative.id else "CONFIRMED")
        assert booked.reference in str(event["description"]) and one_line(booked.customer_name, 80) in str(
            event["description"])
        assert str(event["summary"]).startswith(booked.type_name)
        assert event["location"] == booked.location
    assert f"{tentative.reference} · tentative" in result.stdout
    assert cancelled.reference not in result.stdout
    assert "Wrote" in result.stderr and str(out.resolve()) in result.stderr


def test_every_professional_gets_a_printed_day_a_calendar_and_a_morning_email(desk: Path, tmp_path: Path) -> None:
    day = busiest_day(desk)
    out = tmp_path / "out"
    result = run(desk, "--date", day.isoformat(), "--out", str(out))

    assert result.exit_code == 0, result.output
    with opened(desk) as store:
        people = [(a, p) for a in store.accounts() for p in store.professionals(a.id)]
    assert people and len(list(out.glob("*.ics"))) == len(people) == len(list(out.glob("*.txt")))
    for account, person in people:
        assert f"{person.name} · {account.name} · " in result.stdout
    headings = [line for line in result.stdout.splitlines() if line and not line.startswith(" ")]
    assert len(headings) == len(people)
    booked = next(b for b in bookings(desk, day))
    [email] = [p for p in out.glob("*.txt") if booked.reference in p.read_text(encoding="utf-8")]
    text = email.read_text(encoding="utf-8")
    assert text.startswith("Subject: Your day on ") and "appointment" in text.splitlines()[0]
    assert f"Good morning {booked.professional_name.split()[0]}," in text
    assert booked.type_name in text and "AgentDesk" in text.splitlines()[-1]
    assert email.with_suffix(".ics").exists()


def test_a_day_with_a_daylight_saving_change_has_its_times_right(desk: Path, tmp_path: Path) -> None:
    # New York leaves daylight time at 2:00 on Sunday 1 November 2026: the local day runs 04:00Z-05:00Z next day.
    with opened(desk) as store:
        [account] = [a for a in store.accounts() if a.time_zone == "America/New_York"]
        person = store.professionals(account.id)[0]
        type_id = store.appointment_types(account.id)[0].id
        (customer_id,) = store.conn.execute(
            "SELECT id FROM customer WHERE account_id = ? ORDER BY rowid LIMIT 1 OFFSET 5", (account.id,)).fetchone()

    def at(text: str) -> datetime:
        return datetime.fromisoformat(text).replace(tzinfo=UTC)

    slots = {
        "late-saturday": (at("2026-11-01T03:30"), 30),   # 23:30 EDT on 31 October: not this day
        "small-hours": (at("2026-11-01T04:30"), 30),     # 00:30-01:00 EDT
        "second-1-30": (at("2026-11-01T06:30"), 30),     # 01:30-02:00 EST, the repeated hour's second pass
        "morning": (at("2026-11-01T14:00"), 60),         # 09:00-10:00 EST
        "last": (at("2026-11-02T04:30"), 30),            # 23:30-00:00 EST, still 1 November
        "monday": (at("2026-11-02T05:00"), 30),          # 00:00 EST on 2 November: not this day
    }
    ids = {name: str(uuid.uuid5(uuid.NAMESPACE_URL, name)) for name in slots}
    edit(desk, ("INSERT INTO working_hours (professional_id, weekday, start_minute, account_id, end_minute)"
                " VALUES (?, 6, ?, ?, ?)", (person.id, 9 * 60, account.id, 17 * 60)),
         *[("INSERT INTO appointment (id, account_id, customer_id, professional_id, type_id, starts_at, ends_at,"
            " status, booked_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'confirmed', ?, ?)",
            (ids[name], account.id, customer_id, person.id, type_id, iso(start), iso(start + timedelta(minutes=length)),
             iso(start - timedelta(days=3)), iso(start - timedelta(days=3))))
           for name, (start, length) in slots.items()])
    out = tmp_path / "out"
    result = run(desk, "--date", "2026-11-01", "--professional", person.id, "--out", str(out))

    assert result.exit_code == 0, result.output
    found = events(out)
    inside = ["small-hours", "second-1-30", "morning", "last"]
    assert set(found) == {f"{ids[name]}@{UID_DOMAIN}" for name in inside}
    for name in inside:
        start, length = slots[name]
        event = found[f"{ids[name]}@{UID_DOMAIN}"]
        assert (event["start"], event["end"]) == (start, start + timedelta(minutes=length))
    lines = result.stdout.splitlines()
    assert lines[0] == f"{person.name} · {account.name} · Sunday 1 November 2026 (EST)"
    assert lines[1].startswith("  Working 09:00-17:00")
    times = [line.split()[0] for line in lines if line.startswith("  ") and " · AP-" in line]
    assert times == ["00:30-01:00", "01:30-02:00", "09:00-10:00", "23:30-00:00"]
    assert "  Free 10:00-17:00 (7 h)" in lines


def test_time_off_shows_in_the_day_and_leaves_nothing_free(desk: Path, tmp_path: Path) -> None:
    with opened(desk) as store:
        professional_id, account_id, starts_at = store.conn.execute(
            "SELECT professional_id, account_id, starts_at FROM time_off ORDER BY starts_at, id LIMIT 1").fetchone()
        zone = ZoneInfo(store.account(account_id).time_zone)
    day = datetime.fromisoformat(starts_at).astimezone(zone).date()  # time off starts at local midnight
    result = run(desk, "--date", day.isoformat(), "--professional", professional_id, "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert "  all day      Time off (Annual leave)" in lines
    assert not any(" · AP-" in line for line in lines)
    assert "  Free none" in lines or "  Not working on this day." in lines


def test_professional_and_account_match_an_id_or_part_of_the_name(desk: Path, tmp_path: Path) -> None:
    with opened(desk) as store:
        account = store.accounts()[1]
        people = store.professionals(account.id)
    person = people[0]
    by_id = run(desk, "--date", "2026-11-24", "--professional", person.id, "--out", str(tmp_path / "a"))
    assert by_id.exit_code == 0, by_id.output
    assert [p.name for p in (tmp_path / "a").glob("*.ics")] == [f"2026-11-24-{_slug(person.name)}-"
                                                                f"{person.id.replace('-', '')[:8]}.ics"]
    part = person.name.split()[-1][1:].upper()
    by_name = run(desk, "--date", "2026-11-24", "--professional", part, "--out", str(tmp_path / "b"))
    assert by_name.exit_code == 0 and f"{person.name} · " in by_name.stdout
    narrowed = run(desk, "--date", "2026-11-24", "--account", account.name.split()[0].lower(),
                   "--out", str(tmp_path / "c"))
    assert narrowed.exit_code == 0
    assert len(list((tmp_path / "c").glob("*.ics"))) == len(people)
    assert all(f" · {account.name} · " in line for line in narrowed.stdout.splitlines()
               if line and not line.startswith(" "))


def _slug(name: str) -> str:
    return "-".join("".join(ch if ch.isalnum() else " " for ch in name.lower()).split())


@pytest.mark.parametrize(("args", "said"), [
    (["--professional", "Nobody Atall"], "Error: No professional matches 'Nobody Atall'."),
    (["--account", "No Such Account"], "Error: No account matches 'No Such Account'."),
    (["--date", "2026-02-30"], "Error: --date must be a date like 2026-11-24, not '2026-02-30'."),
    (["--date", "tomorrow"], "Error: --date must be a date like 2026-11-24, not 'tomorrow'."),
])
def test_what_matches_nothing_is_one_clear_line_and_exit_2(
    desk: Path, tmp_path: Path, args: list[str], said: str
) -> None:
    result = run(desk, *args, "--out", str(tmp_path / "out"))
    assert result.exit_code == 2
    assert result.output.strip() == said and result.stdout == ""
    assert not (tmp_path / "out").exists()


def test_without_options_today_in_utc_goes_to_a_schedules_folder_here(
    desk: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    here = tmp_path / "here"
    here.mkdir()
    monkeypatch.chdir(here)
    before = datetime.now(UTC).date()
    result = run(desk)
    assert result.exit_code == 0, result.output
    written = sorted(p.name for p in (here / "schedules").iterdir())
    assert written and all(name[:10] in {before.isoformat(), datetime.now(UTC).date().isoformat()} for name in written)
    assert f"Files: schedules{'/'}" in result.stdout.replace("\\", "/")


def test_an_empty_store_says_what_to_do(tmp_path: Path) -> None:
    result = run(tmp_path / "new.db", "--out", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert "has no professionals yet" in result.output and "agentdesk demo" in result.output


def test_hostile_customer_names_never_reach_the_terminal_or_the_files_as_controls(desk: Path, tmp_path: Path) -> None:
    day = busiest_day(desk)
    target = bookings(desk, day)[0]
    edit(desk, ("UPDATE customer SET name = ? WHERE id = ?", (HOSTILE, target.customer_id)))
    out = tmp_path / "out"
    done = subprocess.run(
        [EXE, "--config", str(TEST_CONFIG), "--store", str(desk), "schedule", "--date", day.isoformat(),
         "--out", str(out)],
        capture_output=True, timeout=60,
    )
    assert done.returncode == 0, done.stderr
    printed = done.stdout.decode("utf-8")
    assert "Trudy" in printed and "Oswald" in printed and target.reference in printed
    files = [p.read_bytes().decode("utf-8").replace("\r\n", "\n") for p in out.iterdir()]
    for text in [printed, done.stderr.decode("utf-8"), *files]:
        assert sanitize(text) == text
        assert not any(ch in text for ch in "\x1b\x07\x9b\x9d\x9c\u202e")
    [event] = [e for e in events(out).values() if target.reference in str(e["description"])]
    assert "\x1b" not in str(event["summary"]) and "Oswald" in str(event["summary"])


def test_the_command_line_loads_the_schedule_code_only_when_asked() -> None:
    code = "import sys, agentdesk.cli\nprint(sorted(m for m in sys.modules if m.startswith(('icalendar', 'agentdesk.schedule'))))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
