"""The backend keeps each account's daily report once the account's midnight has passed: by the account's own
time zone, never before, catching up on the days it was down (at most a week), and never twice, even with two
backend processes at once; the kept report is the one `agentdesk report` computes from the raw rows."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import text

from agentdesk import models
from agentdesk.server.daily_reports import CATCH_UP_DAYS, kept_days, kept_report, produce_due_reports
from agentdesk.server.db import make_engine
from tests.reporting import known_day
from tests.reporting.test_report_command import run

TOKYO = "acct-tokyo"
NEW_YORK = known_day.ACCOUNT
DAY = known_day.DAY  # Tuesday 2026-11-24


def _utc(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, second, tzinfo=UTC)


def _with_tokyo(url: str) -> None:
    """A second account, nine hours ahead of UTC (New York is five behind)."""
    engine = make_engine(url)
    row = models.AccountRow(id=TOKYO, name="Tokyo Trading", time_zone="Asia/Tokyo", price_per_minute_cents=118,
                            phone_number="+81355500100", sla_policy="80/20").model_dump()
    with engine.begin() as conn:
        conn.execute(text(f"INSERT INTO account ({', '.join(row)}) VALUES ({', '.join(':' + c for c in row)})"), row)
    engine.dispose()


def _kept(url: str) -> set[tuple[str, str]]:
    engine = make_engine(url)
    with engine.connect() as conn:
        found = {(str(a), str(d)) for a, d in conn.execute(text("SELECT account_id, day FROM daily_report"))}
    engine.dispose()
    return found


def test_each_account_gets_its_report_at_its_own_midnight_and_not_before(known_database: str) -> None:
    _with_tokyo(known_database)
    engine = make_engine(known_database)
    try:
        # 14:30 UTC on the 24th: 23:30 in Tokyo, 09:30 in New York. A new database starts from yesterday.
        assert sorted(produce_due_reports(engine, _utc(24, 14, 30))) == [(NEW_YORK, date(2026, 11, 23)),
                                                                        (TOKYO, date(2026, 11, 23))]
        assert produce_due_reports(engine, _utc(24, 14, 59, 59)) == []  # a second before Tokyo's midnight
        assert produce_due_reports(engine, _utc(24, 15)) == [(TOKYO, DAY)]  # Tokyo's midnight
        assert produce_due_reports(engine, _utc(25, 4, 59, 59)) == []  # 23:59:59 in New York
        assert produce_due_reports(engine, _utc(25, 5)) == [(NEW_YORK, DAY)]  # New York's midnight
        assert [k.day for k in kept_days(engine, NEW_YORK)] == [DAY, date(2026, 11, 23)]  # newest first
        kept_text = kept_report(engine, NEW_YORK, DAY, "text")
        kept_csv = kept_report(engine, NEW_YORK, DAY, "csv")
    finally:
        engine.dispose()

    assert kept_text is not None and kept_text.startswith(
        "Daily report: Known Outfitters, Tuesday 2026-11-24 (America/New_York)")
    code, computed, err = run("report", "--account", NEW_YORK, "--date", DAY.isoformat(), "--database", known_database)
    assert code == 0, err
    assert kept_text == computed  # the kept report is the one computed from the raw rows, to the character
    assert "$24.19 for 20.5 billable minutes" in kept_text
    code, computed_csv, err = run("report", "--account", NEW_YORK, "--date", DAY.isoformat(), "--format", "csv",
                                  "--database", known_database)
    assert kept_csv == computed_csv


def test_a_restarted_backend_catches_up_the_missed_days_at_most_a_week(known_database: str) -> None:
    engine = make_engine(known_database)
    produce_due_reports(engine, _utc(25, 6))  # kept the 24th, then the backend stopped
    engine.dispose()

    restarted = make_engine(known_database)  # Saturday 28th, 01:00 in New York: the 25th, 26th and 27th missed
    try:
        assert produce_due_reports(restarted, _utc(28, 6)) == [(NEW_YORK, date(2026, 11, d)) for d in (25, 26, 27)]
        assert produce_due_reports(restarted, _utc(28, 7)) == []
        # down for a month: only the last week is made
        back = produce_due_reports(restarted, datetime(2026, 12, 28, 6, tzinfo=UTC))
        assert [d for _, d in back] == [date(2026, 12, 27) - timedelta(days=n) for n in range(CATCH_UP_DAYS)][::-1]
    finally:
        restarted.dispose()


def test_two_backends_at_midnight_keep_one_report_per_day(known_database: str) -> None:
    _with_tokyo(known_database)
    engines = [make_engine(known_database) for _ in range(2)]
    at_midnight = _utc(28, 5)  # New York's midnight; Tokyo is at 14:00 on the 28th
    start = threading.Barrier(2)
    kept: list[list[tuple[str, date]]] = [[], []]
    failures: list[BaseException] = []

    def backend(n: int) -> None:
        try:
            start.wait(10)
            kept[n] = produce_due_reports(engines[n], at_midnight)
        except BaseException as error:  # noqa: BLE001  (reported below)
            failures.append(error)

    try:
        threads = [threading.Thread(target=backend, args=(n,)) for n in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
        assert failures == []
        both = kept[0] + kept[1]
        assert sorted(both) == [(NEW_YORK, date(2026, 11, 27)), (TOKYO, date(2026, 11, 27))]  # each day once
        assert produce_due_reports(engines[0], at_midnight) == produce_due_reports(engines[1], at_midnight) == []
    finally:
        for engine in engines:
            engine.dispose()
    assert _kept(known_database) == {(NEW_YORK, "2026-11-27"), (TOKYO, "2026-11-27")}


def test_a_backend_from_before_kept_reports_gets_the_table_on_upgrade(known_database: str) -> None:
    from sqlalchemy import inspect

    from agentdesk.server.admin import init_backend, schema_is_current

    engine = make_engine(known_database)
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql("DROP TABLE daily_report")
            conn.exec_driver_sql("UPDATE alembic_version SET version_num = '0003_token_expiry'")
        assert not schema_is_current(engine)  # the backend would refuse to serve it until `agentdesk server init`
        init_backend(engine)
        assert schema_is_current(engine) and "daily_report" in inspect(engine).get_table_names()
        assert produce_due_reports(engine, _utc(25, 6)) == [(NEW_YORK, DAY)]
    finally:
        engine.dispose()
