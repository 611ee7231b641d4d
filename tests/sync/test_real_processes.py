"""Real processes: `agentdesk server` under uvicorn on loopback and the `agentdesk sync` command on a store file.
The backend is killed with SIGKILL while a terminal has queued work; after a restart everything lands once."""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import pytest

from agentdesk.clock import SystemClock, iso
from agentdesk.store import Store

EXE = str(Path(sys.executable).with_name("agentdesk"))


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen([EXE, "server", "--port", str(port)], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise AssertionError(process.stderr.read().decode() if process.stderr else "the backend did not start")


def _sync(env: dict[str, str], store: Path, port: int, token: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [EXE, "--store", str(store), "sync", "--server", f"http://127.0.0.1:{port}", "--deadline", "2"],
        env={**env, "AGENTDESK_TOKEN": token}, capture_output=True, text=True, timeout=120,
    )


@pytest.mark.e2e
def test_a_killed_backend_loses_nothing_and_applies_nothing_twice(tmp_path: Path) -> None:
    env = {**os.environ, "AGENTDESK_DATABASE_URL": str(tmp_path / "backend.db")}
    subprocess.run([EXE, "server", "init", "--demo", "--customers", "40"], env=env, check=True,
                   capture_output=True, timeout=120)
    backend = sqlite3.connect(tmp_path / "backend.db")
    agent = backend.execute("SELECT id FROM agent WHERE role = 'agent' ORDER BY id LIMIT 1").fetchone()[0]
    token = subprocess.run([EXE, "server", "token", agent], env=env, check=True, capture_output=True,
                           text=True).stdout.strip()
    port = _port()
    server = _start(env, port)
    store_path = tmp_path / "terminal.db"
    first = _sync(env, store_path, port, token)
    assert first.returncode == 0, first.stderr
    assert "rows pulled" in first.stderr

    store = Store.open(store_path, SystemClock())
    account, customer = store.conn.execute("SELECT account_id, id FROM customer ORDER BY id LIMIT 1").fetchone()
    ids = [str(uuid.uuid4()) for _ in range(5)]
    for n, comment_id in enumerate(ids):
        store.mutate("comment.add@1", {"comment_id": comment_id, "account_id": account, "customer_id": customer,
                                       "agent_id": agent, "body": f"queued {n}", "created_at": iso(store.clock.now())})
    store.close()

    server.send_signal(signal.SIGKILL)
    server.wait(10)
    down = _sync(env, store_path, port, token)
    assert down.returncode != 0 and "Not synced" in down.stderr

    server = _start(env, port)
    try:
        up = _sync(env, store_path, port, token)
        assert up.returncode == 0, up.stderr
        again = _sync(env, store_path, port, token)
        assert again.returncode == 0, again.stderr
    finally:
        server.send_signal(signal.SIGKILL)
        server.wait(10)

    marks = ", ".join("?" for _ in ids)
    assert backend.execute(f"SELECT count(*) FROM comment WHERE id IN ({marks})", ids).fetchone()[0] == 5
    local = sqlite3.connect(store_path)
    assert local.execute("SELECT count(*) FROM outbox").fetchone()[0] == 0
    assert local.execute(f"SELECT count(*) FROM comment WHERE id IN ({marks})", ids).fetchone()[0] == 5


@pytest.mark.e2e
def test_killing_the_terminal_and_the_backend_mid_push_loses_nothing(tmp_path: Path) -> None:
    """10,000 changes queued; the terminal is killed while pushing, then the backend is killed while taking
    them; after restarts every change is on the backend exactly once and the outbox is empty."""
    env = {**os.environ, "AGENTDESK_DATABASE_URL": str(tmp_path / "backend.db")}
    subprocess.run([EXE, "server", "init", "--demo", "--customers", "40"], env=env, check=True,
                   capture_output=True, timeout=120)
    backend = sqlite3.connect(tmp_path / "backend.db")
    agent = backend.execute("SELECT id FROM agent WHERE role = 'agent' ORDER BY id LIMIT 1").fetchone()[0]
    token = subprocess.run([EXE, "server", "token", agent], env=env, check=True, capture_output=True,
                           text=True).stdout.strip()
    port = _port()
    server = _start(env, port)
    store_path = tmp_path / "terminal.db"
    assert _sync(env, store_path, port, token).returncode == 0

    store = Store.open(store_path, SystemClock())
    account, customer = store.conn.execute("SELECT account_id, id FROM customer ORDER BY id LIMIT 1").fetchone()
    for n in range(10_000):
        store.mutate("comment.add@1", {"comment_id": f"kill-{n:05d}", "account_id": account, "customer_id": customer,
                                       "agent_id": agent, "body": f"queued {n}", "created_at": iso(store.clock.now())})
    store.close()

    sync_command = [EXE, "--store", str(store_path), "sync", "--server", f"http://127.0.0.1:{port}", "--deadline", "2"]
    terminal = subprocess.Popen(sync_command, env={**env, "AGENTDESK_TOKEN": token},
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1.5)
    terminal.send_signal(signal.SIGKILL)  # the terminal dies mid-push
    terminal.wait(10)
    taken = backend.execute("SELECT count(*) FROM comment WHERE id LIKE 'kill-%'").fetchone()[0]
    assert 0 < taken < 10_000, taken  # it really was killed in the middle

    terminal = subprocess.Popen(sync_command, env={**env, "AGENTDESK_TOKEN": token},
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1.0)
    server.send_signal(signal.SIGKILL)  # and now the backend dies while taking changes
    server.wait(10)
    terminal.wait(60)

    server = _start(env, port)
    try:
        for _ in range(3):
            if _sync(env, store_path, port, token).returncode == 0:
                break
    finally:
        server.send_signal(signal.SIGKILL)
        server.wait(10)
    assert backend.execute("SELECT count(*), count(DISTINCT id) FROM comment WHERE id LIKE 'kill-%'").fetchone() == (
        10_000, 10_000)
    local = sqlite3.connect(store_path)
    assert local.execute("SELECT count(*) FROM outbox").fetchone()[0] == 0
    assert local.execute("SELECT count(*) FROM comment WHERE id LIKE 'kill-%'").fetchone()[0] == 10_000
    assert local.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
