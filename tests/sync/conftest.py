"""A real backend for sync tests: `create_app` under uvicorn on loopback, on SQLite or on PostgreSQL, loaded with
the demo data; terminals are real store files with a sync engine whose HTTP transport can be told to fail."""

from __future__ import annotations

import random
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from sqlalchemy import Engine, select, text

from agentdesk.clock import FixedClock
from agentdesk.models import AgentAccount
from agentdesk.server.admin import init_backend, issue_token, load_store
from agentdesk.server.app import create_app
from agentdesk.server.db import make_engine
from agentdesk.store import Store
from sync.engine import SyncEngine

PG_URL = "postgresql://postgres@127.0.0.1:5432/test"


@pytest.fixture(params=["sqlite", "postgresql"])
def backend_engine(request: pytest.FixtureRequest, tmp_path: Path, demo_template: Path) -> Iterator[Engine]:
    """A new backend database with the demo data: an SQLite file, or a schema of its own in PostgreSQL."""
    if request.param == "sqlite":
        engine = make_engine(str(tmp_path / "backend.db"))
        schema = None
    else:
        schema = f"t_{uuid.uuid4().hex[:12]}"
        admin = make_engine(PG_URL)
        with admin.begin() as conn:
            conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
        admin.dispose()
        engine = make_engine(f"{PG_URL}?options=-csearch_path%3D{schema}")
    init_backend(engine)
    load_store(engine, demo_template)
    yield engine
    engine.dispose()
    if schema:
        admin = make_engine(PG_URL)
        with admin.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        admin.dispose()


@dataclass
class Backend:
    engine: Engine
    url: str

    def agent_with_accounts(self, count: int = 2) -> tuple[str, list[str]]:
        """A front-line agent working for exactly `count` accounts (the demo's agents work for two)."""
        with self.engine.connect() as conn:
            rows = conn.execute(text(
                "SELECT a.id, count(*) FROM agent a JOIN agent_account aa ON aa.agent_id = a.id"
                " WHERE a.role = 'agent' GROUP BY a.id ORDER BY a.id")).all()
            agent = next(r[0] for r in rows if r[1] == count)
            accounts = list(conn.execute(
                select(AgentAccount.account_id).where(AgentAccount.agent_id == agent)).scalars())  # type: ignore[arg-type]
        return agent, sorted(accounts)

    def accounts_of(self, agent_id: str) -> list[str]:
        with self.engine.connect() as conn:
            return sorted(conn.execute(text("SELECT account_id FROM agent_account WHERE agent_id = :a"),
                                       {"a": agent_id}).scalars())

    def token(self, agent_id: str) -> str:
        return issue_token(self.engine, agent_id)

    def scalar(self, sql: str, **params: Any) -> Any:
        with self.engine.connect() as conn:
            return conn.execute(text(sql), params).scalar()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def served(engine: Engine, app: FastAPI) -> Iterator[Backend]:
    """`app` (on `engine`) served by uvicorn on a loopback port, in a thread, until the block ends."""
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "the backend did not start"
        time.sleep(0.02)
    try:
        yield Backend(engine, f"http://127.0.0.1:{port}")
    finally:
        server.should_exit = True
        thread.join(10)


@pytest.fixture
def backend(backend_engine: Engine) -> Iterator[Backend]:
    """The backend's HTTP API served by uvicorn on a loopback port, in a thread."""
    with served(backend_engine, create_app(backend_engine)) as running:
        yield running


@dataclass
class Faults:
    """What the network does to the next requests: each a probability, drawn from a seeded generator."""

    drop_request: float = 0.0  # never reaches the backend
    drop_response: float = 0.0  # the backend did the work; the answer is lost (a timeout)
    duplicate: float = 0.0  # the request arrives twice
    busy: float = 0.0  # 503 with Retry-After, or 429
    down: bool = False  # the backend is unreachable
    rng: random.Random = field(default_factory=lambda: random.Random(7))
    seen: list[str] = field(default_factory=list)


class FaultyTransport(httpx.BaseTransport):
    """A real HTTP transport with a hostile network in front of it."""

    def __init__(self, faults: Faults) -> None:
        self.inner = httpx.HTTPTransport()
        self.faults = faults

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        f = self.faults
        if f.down or f.rng.random() < f.drop_request:
            f.seen.append("dropped request")
            raise httpx.ConnectError("network unreachable", request=request)
        if f.rng.random() < f.busy:
            f.seen.append("busy")
            status = f.rng.choice([429, 503])
            return httpx.Response(status, headers={"Retry-After": "0"}, json={"detail": "busy"}, request=request)
        if f.rng.random() < f.duplicate:
            f.seen.append("duplicate")
            first = self.inner.handle_request(request)
            first.read()
            first.close()
        response = self.inner.handle_request(request)
        if f.rng.random() < f.drop_response:
            response.read()
            response.close()
            f.seen.append("dropped response")
            raise httpx.ReadTimeout("no answer", request=request)
        return response

    def close(self) -> None:
        self.inner.close()


@dataclass
class Terminal:
    store: Store
    engine: SyncEngine
    faults: Faults
    agent_id: str
    accounts: list[str]


@pytest.fixture
def terminals(backend: Backend, tmp_path: Path) -> Iterator[Any]:
    """Make terminals: `terminals(agent_id, accounts)` → a Terminal with an empty store signed in as the agent."""
    made: list[Terminal] = []

    def make(agent_id: str, accounts: list[str], name: str | None = None, store_path: Path | None = None) -> Terminal:
        clock = FixedClock()
        path = store_path or tmp_path / f"{name or uuid.uuid4().hex[:8]}.db"
        store = Store.open(path, clock)
        faults = Faults()
        client = httpx.Client(base_url=backend.url, transport=FaultyTransport(faults), timeout=10,
                              headers={"Authorization": f"Bearer {backend.token(agent_id)}"})
        engine = SyncEngine(store, client, clock, deadline_s=5, sleep=lambda _s: None, rng=random.Random(1))
        terminal = Terminal(store, engine, faults, agent_id, accounts)
        made.append(terminal)
        return terminal

    yield make
    for terminal in made:
        terminal.engine.client.close()
        terminal.store.close()
