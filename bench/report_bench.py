"""`daily_report_ms`: one account's daily report (figures and the HTML page) read from the bench store."""

from __future__ import annotations

import statistics
import time
from datetime import date
from pathlib import Path


def busiest_day(store: Path) -> tuple[str, date]:
    """The account and UTC date with the most interactions: the heaviest report the store can ask for."""
    import sqlite3

    conn = sqlite3.connect(f"file:{store}?mode=ro", uri=True)
    try:
        account, day = conn.execute(
            "SELECT account_id, substr(at, 1, 10) AS d FROM interaction GROUP BY account_id, d"
            " ORDER BY count(*) DESC LIMIT 1").fetchone()
    finally:
        conn.close()
    return str(account), date.fromisoformat(day)


def report_figures(store: Path, runs: int = 3) -> dict[str, float]:
    """The report of the busiest account-day, produced `runs` times from a fresh read each time; the median."""
    from agentdesk.reporting.daily_report import daily_report
    from agentdesk.reporting.day_reader import accounts
    from agentdesk.reporting.sources import StoreSource

    account_id, day = busiest_day(store)
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        source = StoreSource(store)
        try:
            page = daily_report(source, accounts(source, account_id)[0], day, "html")
        finally:
            source.close()
        samples.append((time.perf_counter() - started) * 1000)
        assert "Daily report" in page
    return {"daily_report_ms": statistics.median(samples)}
