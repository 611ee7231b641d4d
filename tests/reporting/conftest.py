"""The known day in a real local store file, and in a real backend database (SQLite file or PostgreSQL schema)."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from agentdesk.clock import FixedClock
from agentdesk.server.admin import init_backend
from agentdesk.server.db import make_engine
from agentdesk.store import Store
from tests.reporting import known_day

PG_URL = "postgresql://postgres@127.0.0.1:5432/test"


@pytest.fixture
def known_store(tmp_path: Path) -> Path:
    """A migrated local store holding the known day."""
    path = tmp_path / "known.db"
    Store.open(path, FixedClock()).close()
    conn = sqlite3.connect(path)
    with conn:
        known_day.seed(lambda sql, params: conn.execute(sql, params))
    conn.close()
    return path


@pytest.fixture(params=["sqlite", "postgresql"])
def known_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of a backend database holding the known day: an SQLite file, or a PostgreSQL schema of its own."""
    schema = None
    if request.param == "sqlite":
        url = str(tmp_path / "backend.db")
    else:
        schema = f"t_{uuid.uuid4().hex[:12]}"
        admin = make_engine(PG_URL)
        with admin.begin() as conn:
            conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
        admin.dispose()
        url = f"{PG_URL}?options=-csearch_path%3D{schema}"
    engine = make_engine(url)
    init_backend(engine)
    with engine.begin() as conn:
        known_day.seed(lambda sql, params: conn.execute(text(sql), params))
    engine.dispose()
    yield url
    if schema:
        admin = make_engine(PG_URL)
        with admin.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        admin.dispose()
