"""A busy random day: the report's figures equal the same figures recomputed here, plainly, from the raw rows."""

from __future__ import annotations

import csv
import io
import random
import sqlite3
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from sqlalchemy import text

from agentdesk import models
from agentdesk.cli import main
from agentdesk.clock import FixedClock, iso
from agentdesk.server.admin import init_backend
from agentdesk.server.db import make_engine
from agentdesk.store import Store
from tests.reporting.conftest import PG_URL

DAY = date(2026, 3, 29)  # Paris moves its clocks forward this night: a 23-hour day
ZONE = ZoneInfo("Europe/Paris")
ACCOUNT = "acct-random"
PRICE = 97


def seed(execute: Any) -> None:
    rng = random.Random(20)

    def insert(row: Any) -> None:
        values = row.model_dump()
        execute(f"INSERT INTO {type(row).__tablename__} ({', '.join(values)}) VALUES "
                f"({', '.join(':' + c for c in values)})", values)

    insert(models.AccountRow(id=ACCOUNT, name="Random Rentals", time_zone="Europe/Paris", price_per_minute_cents=PRICE,
                          phone_number="+33100000000", sla_policy="70/40"))
    start = datetime(2026, 3, 28, 22, tzinfo=ZONE).astimezone(UTC)
    for n in range(400):
        rang = start + timedelta(seconds=rng.uniform(0, 28 * 3600))  # from 22:00 the day before to 03:00 after
        wait = round(rng.expovariate(1 / 25), 3)
        answered = rng.random() < 0.85
        connected = round(rng.uniform(20, 900), 3) if answered else None
        id_ = f"call-{n}"
        answered_at = rang + timedelta(seconds=wait) if answered else None
        ended_at = (answered_at + timedelta(seconds=connected)) if answered_at and connected else (
            rang + timedelta(seconds=wait))
        insert(models.Interaction(
            id=id_, account_id=ACCOUNT, channel="phone", direction="in" if rng.random() < 0.9 else "out",
            state="ended", ringing_at=iso(rang), answered_at=iso(answered_at) if answered_at else None,
            ended_at=iso(ended_at), wrap_up_seconds=rng.choice([None, 0, 15, 42, 120]) if answered else None,
            price_per_minute_cents=rng.choice([None, PRICE, 120]), at=iso(rang)))
        for h in range(rng.choice([0, 0, 0, 1, 2]) if answered_at else 0):
            seconds = 10.0 if rng.random() < 0.2 else round(rng.uniform(1, 9.9), 3)
            held = answered_at + timedelta(seconds=5 + 12 * h)
            insert(models.HoldEvent(id=f"{id_}-{h}", account_id=ACCOUNT, interaction_id=id_, started_at=iso(held),
                                    ended_at=iso(held + timedelta(seconds=seconds)), seconds=seconds,
                                    hit_cap=seconds >= 10.0))


@pytest.fixture(params=["store", "sqlite", "postgresql"])
def where(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[list[str], Any]]:
    """The report's arguments for a database holding the random day, and a function reading its raw rows."""
    if request.param == "store":
        path = tmp_path / "random.db"
        Store.open(path, FixedClock()).close()
        conn = sqlite3.connect(path)
        with conn:
            seed(lambda sql, params: conn.execute(sql, params))
        yield ["--store", str(path)], lambda sql: conn.execute(sql).fetchall()
        conn.close()
        return
    schema = None
    if request.param == "sqlite":
        url = str(tmp_path / "backend.db")
    else:
        schema = f"t_{uuid.uuid4().hex[:12]}"
        admin = make_engine(PG_URL)
        with admin.begin() as conn:
            conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
        url = f"{PG_URL}?options=-csearch_path%3D{schema}"
    engine = make_engine(url)
    init_backend(engine)
    with engine.begin() as conn:
        seed(lambda sql, params: conn.execute(text(sql), params))

    def raw(sql: str) -> list[tuple[Any, ...]]:
        with engine.connect() as c:
            return [tuple(r) for r in c.execute(text(sql))]

    yield ["--database", url], raw
    engine.dispose()
    if schema:
        with admin.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        admin.dispose()


def when(value: str) -> datetime:
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


def recompute(raw: Any) -> dict[str, float]:
    """The figures, the plain way: each call's local date decides whether it is in the day."""
    calls = raw("SELECT id, direction, ringing_at, answered_at, ended_at, wrap_up_seconds, price_per_minute_cents"
                " FROM interaction WHERE channel = 'phone'")
    holds: dict[str, list[tuple[float, bool]]] = {}
    for call_id, seconds, cap in raw("SELECT interaction_id, seconds, hit_cap FROM hold_event"):
        holds.setdefault(call_id, []).append((seconds, bool(cap)))
    waits, abandons, handles, cents, within, hold_count, caps = [], [], [], 0, 0, 0, 0
    for id_, direction, rang, answered, ended, wrap, price in calls:
        if when(rang).astimezone(ZONE).date() != DAY:
            continue
        hold_count += len(holds.get(id_, []))
        caps += sum(cap for _, cap in holds.get(id_, []))
        if answered:
            handled = (when(ended) - when(answered)).total_seconds() + (wrap or 0)
            cost = Decimal(str(handled)) * (PRICE if price is None else price) / 60
            cents += int(cost.quantize(Decimal(1), rounding=ROUND_HALF_UP))
        if direction != "in":
            continue
        if answered:
            wait = (when(answered) - when(rang)).total_seconds()
            waits.append(wait)
            within += wait <= 40
            handles.append(handled)
        elif (when(ended) - when(rang)).total_seconds() >= 5:
            abandons.append((when(ended) - when(rang)).total_seconds())
    offered = len(waits) + len(abandons)
    return {
        "calls_offered": offered, "calls_answered": len(waits), "calls_abandoned": len(abandons),
        "service_level_of_answered": 100 * within / len(waits),
        "service_level_of_offered": 100 * within / offered, "asa_seconds": sum(waits) / len(waits),
        "aht_seconds": sum(handles) / len(handles), "average_time_to_abandon_seconds": sum(abandons) / len(abandons),
        "abandonment_rate": 100 * len(abandons) / offered, "holds": hold_count, "hold_cap_hits": caps,
        "cost_cents": cents,
    }


def test_the_report_equals_the_figures_recomputed_from_the_raw_rows(where: tuple[list[str], Any]) -> None:
    args, raw = where
    result = CliRunner().invoke(main, ["report", "--account", ACCOUNT, "--date", DAY.isoformat(), "--format", "csv",
                                       *args])
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout)))
    figures = {r[1]: float(r[2]) for r in rows if r[0] == "figure" and r[2] != ""}
    expected = recompute(raw)
    assert expected["calls_offered"] > 250  # a busy day, with calls on both sides of it left out
    for key, value in expected.items():
        assert figures[key] == pytest.approx(value, abs=5e-7), key  # the CSV keeps 6 decimals
    hours = sorted({r[0] for r in rows if r[0].startswith("hour ")})
    assert "hour 02" in hours  # 02:00 does not exist in Paris that night: it stays empty
    assert sum(float(r[2]) for r in rows if r[0] == "hour 02" and r[1] == "offered") == 0
