"""Sync figures for `bench/run.py`: a real backend (uvicorn on loopback, SQLite file or PostgreSQL) and real
terminal stores.

- drain_10k_s / drain_10k_pg_s: 10,000 mutations queued offline, pushed and acknowledged after reconnecting.
- initial_pull_100k_s: a new supervisor terminal (every account) pulls the benchmark store's customers with
  their histories from a backend loaded with it (100,000 customers in the full run).
- push_p95_ms_200: 200 simulated terminals, one push a second each for 10 s, against one backend process.
- ui_max_stall_ms: the longest event-loop stall of the workstation while its sync loop drains 10,000 changes.
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import uvicorn
from sqlalchemy import Engine, text

from agentdesk.clock import FixedClock, iso
from agentdesk.server.admin import ensure_admin, init_backend, issue_token, load_store
from agentdesk.server.app import create_app
from agentdesk.server.db import make_engine
from agentdesk.store import Store
from sync.engine import SyncEngine

PG_URL = "postgresql://postgres@127.0.0.1:5432/test"


@contextmanager
def backend(database: str, source: Path, *, process: bool = False) -> Iterator[tuple[Engine, str]]:
    """A backend loaded from `source` (a store file), served on a free loopback port; `database` is "sqlite"
    (a temporary file) or "postgresql" (a schema of its own, dropped afterwards). `process`: the real
    `agentdesk server` command in a process of its own (SQLite only) instead of a thread of this one."""
    with tempfile.TemporaryDirectory() as tmp:
        schema = None
        if database == "sqlite":
            engine = make_engine(str(Path(tmp) / "backend.db"))
        else:
            schema = f"bench_{uuid.uuid4().hex[:10]}"
            admin = make_engine(PG_URL)
            with admin.begin() as conn:
                conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
            admin.dispose()
            engine = make_engine(f"{PG_URL}?options=-csearch_path%3D{schema}", pool_size=20)
        init_backend(engine)
        load_store(engine, source)
        if database == "sqlite":
            # A backend at rest, as one that has been up a while: its own bulk load folded from the write-ahead
            # log into its file and on the disk, so the figures time the terminals and not that load's tail.
            raw = engine.raw_connection()  # outside any transaction, as a checkpoint must be
            try:
                raw.driver_connection.execute("PRAGMA wal_checkpoint(RESTART)")
            finally:
                raw.close()
            os.sync()
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        url = f"http://127.0.0.1:{port}"
        if process:
            exe = Path(sys.executable).with_name("agentdesk")
            child = subprocess.Popen([str(exe), "server", "--database", str(Path(tmp) / "backend.db"),
                                      "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            while True:
                try:
                    if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.1)
            stop: Callable[[], None] = lambda: (child.terminate(), child.wait(10))  # noqa: E731
        else:
            server = uvicorn.Server(uvicorn.Config(create_app(engine), host="127.0.0.1", port=port,
                                                   log_level="warning", lifespan="off"))
            thread = threading.Thread(target=server.run, daemon=True)
            thread.start()
            while not server.started:
                time.sleep(0.02)

            def stop() -> None:
                server.should_exit = True
                thread.join(10)
        try:
            yield engine, url
        finally:
            stop()
            engine.dispose()
            if schema:
                admin = make_engine(PG_URL)
                with admin.begin() as conn:
                    conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
                admin.dispose()


def _agent(engine: Engine) -> str:
    with engine.connect() as conn:
        return str(conn.execute(text(
            "SELECT a.id FROM agent a JOIN agent_account aa ON aa.agent_id = a.id WHERE a.role = 'agent'"
            " ORDER BY a.id LIMIT 1")).scalar())


def _terminal(url: str, token: str, path: Path) -> tuple[Store, SyncEngine]:
    store = Store.open(path, FixedClock())
    client = httpx.Client(base_url=url, timeout=120, headers={"Authorization": f"Bearer {token}"})
    return store, SyncEngine(store, client, store.clock)


def _queue(store: Store, agent: str, count: int) -> None:
    account, customer = store.conn.execute("SELECT account_id, id FROM customer ORDER BY id LIMIT 1").fetchone()
    for n in range(count):
        store.mutate("comment.add@1", {
            "comment_id": str(uuid.uuid4()), "account_id": account, "customer_id": customer, "agent_id": agent,
            "body": f"queued while offline {n}", "created_at": iso(store.clock.now()),
        })


def drain_s(database: str, source: Path, count: int = 10_000) -> float:
    with backend(database, source) as (engine, url), tempfile.TemporaryDirectory() as tmp:
        agent = _agent(engine)
        store, sync = _terminal(url, issue_token(engine, agent), Path(tmp) / "t.db")
        sync.sync_once()
        _queue(store, agent, count)
        started = time.perf_counter()
        sync.sync_once()
        took = time.perf_counter() - started
        assert store.outbox_count() == 0
        sync.client.close()
        store.close()
        return took


def initial_pull_s(source: Path) -> float:
    with backend("sqlite", source, process=True) as (engine, url), tempfile.TemporaryDirectory() as tmp:
        admin = ensure_admin(engine)
        store, sync = _terminal(url, issue_token(engine, admin), Path(tmp) / "t.db")
        started = time.perf_counter()
        sync.sync_once()
        took = time.perf_counter() - started
        sync.client.close()
        store.close()
        return took


class _Line:
    """One simulated terminal's keep-alive HTTP/1.1 connection, spoken by hand: a few microseconds a request, so
    200 of them in one process measure the backend and not the load generator (an httpx client per request
    cost more CPU than the backend's whole push and made the generator, not the server, the queue)."""

    def __init__(self, host: str, port: int, token: str) -> None:
        self.host, self.port, self.token = host, port, token
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def connect(self) -> None:
        if self.writer is None or self.writer.is_closing():
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)

    async def exchange(self, path: str, body: bytes) -> tuple[int, bytes]:
        """POST `body` to `path`: the status and the answer's body."""
        await self.connect()
        assert self.reader is not None
        head = (f"POST {path} HTTP/1.1\r\nHost: {self.host}\r\nAuthorization: Bearer {self.token}\r\n"
                f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n").encode()
        self.writer.write(head + body)
        await self.writer.drain()
        status_line = await self.reader.readline()
        length = 0
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            if name.strip().lower() == "content-length":
                length = int(value)
        answer = await self.reader.readexactly(length)
        return int(status_line.split()[1]), answer

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


def push_p95_ms(
    source: Path, terminals: int = 200, seconds: float = 10.0, *, pulls_on_hints: bool = True
) -> tuple[float, int, int]:
    """p95 push latency, failed requests and pulls made: `terminals` terminals, each on its own connections,
    each pushing one change a second (spread evenly over the second) and, like the workstation's sync loop,
    following the backend's hint stream and pulling when poked, at most every HINT_GAP_S. The terminals are
    signed in and connected (hint stream open) before the first push, as a floor is when work starts: the
    figure is the steady load, not 200 terminals opening their connections in the same second."""
    from sync.loop import HINT_GAP_S

    with backend("sqlite", source, process=True) as (engine, url):
        agent = _agent(engine)
        token = issue_token(engine, agent)
        with engine.connect() as conn:
            account, customer = conn.execute(text("SELECT account_id, id FROM customer WHERE account_id IN"
                                                  " (SELECT account_id FROM agent_account WHERE agent_id = :a)"
                                                  " LIMIT 1"), {"a": agent}).one()
            version, epoch = conn.execute(text("SELECT version, epoch FROM sync_state WHERE id = 1")).one()
        latencies: list[float] = []
        errors = pulls = 0
        address = httpx.URL(url)
        host, port = address.host, address.port or 80
        deadline = time.perf_counter() + 3600.0  # set when every terminal is connected
        ready: list[int] = []
        go = asyncio.Event()

        async def follow_hints(poked: asyncio.Event, connected: asyncio.Event) -> None:
            reader, writer = await asyncio.open_connection(host, port)
            writer.write(f"GET /sync/hints HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\n\r\n".encode())
            await writer.drain()
            try:
                while line := await reader.readline():
                    if line.startswith(b": connected"):
                        connected.set()
                    if line.startswith(b"data:"):
                        poked.set()
            finally:
                writer.close()

        async def pull_when_poked(group: str, poked: asyncio.Event) -> None:
            nonlocal errors, pulls
            line = _Line(host, port, token)
            cookie = int(version)
            while time.perf_counter() < deadline:
                try:
                    await asyncio.wait_for(poked.wait(), timeout=max(0.01, deadline - time.perf_counter()))
                except TimeoutError:
                    break
                poked.clear()
                body = json.dumps({"client_group_id": group, "cookie": cookie, "epoch": epoch}).encode()
                try:
                    status, answer = await line.exchange("/sync/pull", body)
                    pulls += 1
                    if status != 200:
                        errors += 1
                    else:
                        cookie = int(json.loads(answer)["cookie"])
                except (OSError, asyncio.IncompleteReadError, ValueError, IndexError):
                    errors += 1
                    line.close()
                    line = _Line(host, port, token)
                await asyncio.sleep(HINT_GAP_S)
            line.close()

        async def terminal(n: int) -> None:
            nonlocal errors
            line = _Line(host, port, token)
            nonlocal deadline
            group = f"bench-{n}-{uuid.uuid4().hex[:8]}"
            poked, connected = asyncio.Event(), asyncio.Event()
            hints = asyncio.create_task(follow_hints(poked, connected)) if pulls_on_hints else None
            if hints is not None:
                await connected.wait()
            await line.connect()
            ready.append(n)
            if len(ready) == terminals:
                deadline = time.perf_counter() + seconds + 2
                go.set()
            await go.wait()
            puller = asyncio.create_task(pull_when_poked(group, poked)) if pulls_on_hints else None
            await asyncio.sleep(n / terminals)  # spread the terminals over the second
            for mutation_id in range(1, int(seconds) + 1):
                body = json.dumps({"client_group_id": group, "client_id": group, "mutations": [{
                    "id": mutation_id, "name": "comment.add@1", "args": {
                        "comment_id": str(uuid.uuid4()), "account_id": account, "customer_id": customer,
                        "agent_id": agent, "body": "ping", "created_at": "2026-11-23T09:00:00.000000Z"}}]}).encode()
                started = time.perf_counter()
                try:
                    if (await line.exchange("/sync/push", body))[0] != 200:
                        errors += 1
                except (OSError, asyncio.IncompleteReadError, ValueError, IndexError):
                    errors += 1
                    line.close()
                    line = _Line(host, port, token)
                latencies.append((time.perf_counter() - started) * 1000)
                await asyncio.sleep(max(0.0, 1.0 - (time.perf_counter() - started)))
            line.close()
            if puller is not None and hints is not None:
                await puller
                hints.cancel()

        async def run() -> None:
            await asyncio.gather(*(terminal(n) for n in range(terminals)))

        # The load generator's own collector pauses (100 ms and more over 200 terminals' answers) would be timed
        # as the backend's latency: off while it runs, as timeit does.
        gc.collect()
        gc.disable()
        try:
            asyncio.run(run())
        finally:
            gc.enable()
        ordered = sorted(latencies)
        return ordered[int(0.95 * (len(ordered) - 1))], errors, pulls


def ui_max_stall_ms(source: Path, count: int = 10_000) -> float:
    """The workstation on screen (headless) while its background sync drains `count` queued changes: the
    longest the event loop was late for a 10 ms tick."""
    from agentdesk.config import load_settings
    from screens.app import make_app
    from sync.loop import SyncLoop

    with backend("sqlite", source) as (engine, url), tempfile.TemporaryDirectory() as tmp:
        agent = _agent(engine)
        store, sync = _terminal(url, issue_token(engine, agent), Path(tmp) / "t.db")
        sync.sync_once()
        _queue(store, agent, count)
        settings = load_settings(None, env={})
        settings = settings.model_copy(update={"agent": settings.agent.model_copy(update={"id": agent})})
        app = make_app(settings, store, sync_loop=SyncLoop(sync, interval_s=3600, hints=False))
        late: list[float] = []

        async def run() -> None:
            async with app.run_test(size=(120, 35)) as pilot:
                await pilot.pause(0.5)
                deadline = time.perf_counter() + 300
                app.sync_loop.wake()  # type: ignore[union-attr]
                while store.outbox_count() > 0 and time.perf_counter() < deadline:
                    started = time.perf_counter()
                    await asyncio.sleep(0.01)
                    late.append((time.perf_counter() - started - 0.01) * 1000)

        asyncio.run(run())
        assert store.outbox_count() == 0, "the drain did not finish"
        sync.client.close()
        store.close()
        return max(late)


def sync_figures(source: Path, quick: bool) -> dict[str, float]:
    figures: dict[str, float] = {}
    count = 2_000 if quick else 10_000
    figures["drain_10k_s"] = statistics.median(drain_s("sqlite", source, count) for _ in range(1 if quick else 3))
    figures["drain_10k_pg_s"] = statistics.median(drain_s("postgresql", source, count) for _ in range(1 if quick else 3))
    if quick:
        figures["drain_mutations"] = count
    figures["initial_pull_100k_s"] = initial_pull_s(source)
    p95_ms, errors, pulls = push_p95_ms(source, terminals=50 if quick else 200, seconds=5 if quick else 10)
    figures["push_p95_ms_200"] = p95_ms
    figures["push_errors_200"] = errors
    figures["push_bench_pulls_on_hints"] = pulls
    figures["push_p95_ms_200_without_pulls"], _, _ = push_p95_ms(
        source, terminals=50 if quick else 200, seconds=5 if quick else 10, pulls_on_hints=False)
    figures["ui_max_stall_ms"] = ui_max_stall_ms(source, count)
    return figures
