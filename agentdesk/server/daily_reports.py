"""The daily report of every account, produced by the backend once the account's local midnight has passed, and
kept: the client has it by midnight whether or not anyone asked for it.

The job runs with the backend's other clock work (every minute). For each account it produces every day that
has ended since the last report kept, at most the last `CATCH_UP_DAYS` (a backend that was down for a weekend
catches up on start); an account with no report kept yet starts from yesterday. The table's key (account, day)
and an insert that gives way to a row already there make two backend processes keep one report per day, on
SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, text

from agentdesk.clock import iso
from agentdesk.domain.daily_figures import FigureRules
from agentdesk.reporting.daily_report import FORMATS, figures_of, render
from agentdesk.reporting.day_reader import AccountInfo, accounts
from agentdesk.server.db import EngineSource, writing

CATCH_UP_DAYS = 7
"""How many ended days a backend produces at most for an account, newest first (yesterday and six before)."""

_KEEP = text("INSERT INTO daily_report (account_id, day, produced_at, text, csv, html)"
             " VALUES (:account_id, :day, :produced_at, :text, :csv, :html)"
             " ON CONFLICT (account_id, day) DO NOTHING")


@dataclass(frozen=True, slots=True)
class KeptDay:
    """One kept report's day and when it was produced."""

    day: date
    produced_at: str


def days_due(account: AccountInfo, last_kept: date | None, now: datetime) -> list[date]:
    """The account's ended days with no report yet, oldest first: after `last_kept` (or from yesterday when
    nothing is kept) up to yesterday in its time zone, at most the last CATCH_UP_DAYS."""
    yesterday = account.local_today(now) - timedelta(days=1)
    first = yesterday if last_kept is None else max(last_kept + timedelta(days=1),
                                                    yesterday - timedelta(days=CATCH_UP_DAYS - 1))
    return [first + timedelta(days=n) for n in range((yesterday - first).days + 1)]


def produce_due_reports(engine: Engine, now: datetime | None = None,
                        rules: FigureRules | None = None) -> list[tuple[str, date]]:
    """Produce and keep every report due at `now`; the (account, day) pairs this call kept (a day another
    process kept first is left as it is and not listed)."""
    now = now or datetime.now(UTC)
    rules = rules or FigureRules()
    source = EngineSource(engine)
    with engine.connect().execution_options(read_only=True) as conn:
        last = {str(a): date.fromisoformat(d) for a, d in conn.execute(
            text("SELECT account_id, max(day) FROM daily_report GROUP BY account_id"))}
    kept = []
    for account in accounts(source):
        for day in days_due(account, last.get(account.id), now):
            figures = figures_of(source, account, day, rules)
            forms = {form: render(figures, form, rules) for form in FORMATS}
            with writing(engine) as conn:
                added = conn.execute(_KEEP, {"account_id": account.id, "day": day.isoformat(),
                                             "produced_at": iso(now), **forms}).rowcount
            if added:
                kept.append((account.id, day))
    return kept


def kept_days(engine: Engine, account_id: str, *, before: date | None = None, limit: int = 31) -> list[KeptDay]:
    """The account's kept reports, newest first: up to `limit` days, those before `before` when given."""
    sql = "SELECT day, produced_at FROM daily_report WHERE account_id = :a"
    params: dict[str, Any] = {"a": account_id, "n": limit}
    if before is not None:
        sql += " AND day < :before"
        params["before"] = before.isoformat()
    with engine.connect().execution_options(read_only=True) as conn:
        rows = conn.execute(text(sql + " ORDER BY day DESC LIMIT :n"), params).all()
    return [KeptDay(date.fromisoformat(day), str(at)) for day, at in rows]


def kept_report(engine: Engine, account_id: str, day: date, form: str) -> str | None:
    """The kept report of the account's `day` in `form` (text, csv or html), None when there is none."""
    if form not in FORMATS:
        raise ValueError(f"no report form {form!r}")
    with engine.connect().execution_options(read_only=True) as conn:
        return conn.execute(text(f"SELECT {form} FROM daily_report WHERE account_id = :a AND day = :d"),
                            {"a": account_id, "d": day.isoformat()}).scalar()
