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


def _demo_backend(tmp_path: Path) -> tuple[dict[str, str], str, str]:
    """A new SQLite backend at tmp_path/backend.db with demo data: the environment naming it, an agent and
    that agent's sign-in token."""
    env = {**os.environ, "AGENTDESK_DATABASE_URL": str(tmp_path / "backend.db")}
    subprocess.run([EXE, "server", "init", "--demo", "--customers", "40"], env=env, check=True,
                   capture_output=True, timeout=120)
    with sqlite3.connect(tmp_path / "backend.db") as backend:
        agent = backend.execute("SELECT id FROM agent WHERE role = 'agent' ORDER BY id LIMIT 1").fetchone()[0]
    token = subprocess.run([EXE, "server", "token", agent], env=env, check=True, capture_output=True,
                           text=True).stdout.strip()
    return env, agent, token


def _sync(env: dict[str, str], store: Path, port: int, token: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [EXE, "--store", str(store), "sync", "--server", f"http://127.0.0.1:{port}", "--deadline", "2"],
        env={**env, "AGENTDESK_TOKEN": token}, capture_output=True, text=True, timeout=120,
    )


@pytest.mark.e2e
def test_a_killed_backend_loses_nothing_and_applies_nothing_twice(tmp_path: Path) -> None:
    env, agent, token = _demo_backend(tmp_path)
    backend = sqlite3.connect(tmp_path / "backend.db")
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
    env, agent, token = _demo_backend(tmp_path)
    backend = sqlite3.connect(tmp_path / "backend.db")
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
    # Killed once the backend has taken its first changes (a fixed wait missed the push on a loaded machine).
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and terminal.poll() is None and backend.execute(
            "SELECT count(*) FROM comment WHERE id LIKE 'kill-%'").fetchone()[0] == 0:
        time.sleep(0.02)
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


def _comment(store: Store, comment_id: str, account: str, customer: str, agent: str) -> None:
    store.mutate("comment.add@1", {"comment_id": comment_id, "account_id": account, "customer_id": customer,
                                   "agent_id": agent, "body": comment_id, "created_at": iso(store.clock.now())})


@pytest.mark.e2e
def test_a_backend_put_back_from_a_backup_leaves_each_terminal_a_copy_of_it_and_its_unsynced_work(
    tmp_path: Path,
) -> None:
    """The backend's file is put back from last night's backup (`agentdesk server restored` starts a new epoch).
    A terminal that synced changes after that backup, and has more queued, syncs again: it now shows what the
    backend holds, and every change it had not synced yet reaches the backend."""
    env, agent, token = _demo_backend(tmp_path)
    database = tmp_path / "backend.db"
    port = _port()
    server = _start(env, port)
    store_path = tmp_path / "terminal.db"
    try:
        assert _sync(env, store_path, port, token).returncode == 0
        store = Store.open(store_path, SystemClock())
        account, customer = store.conn.execute("SELECT account_id, id FROM customer ORDER BY id LIMIT 1").fetchone()
        _comment(store, "before-backup", account, customer, agent)
        store.close()
        assert _sync(env, store_path, port, token).returncode == 0
        with sqlite3.connect(database) as live, sqlite3.connect(tmp_path / "backup.db") as backup:
            live.backup(backup)  # last night's backup
        store = Store.open(store_path, SystemClock())
        _comment(store, "after-backup", account, customer, agent)
        store.close()
        assert _sync(env, store_path, port, token).returncode == 0
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(10)

    # The backend's disk is lost; its file comes back from the backup and the operator says so.
    for leftover in tmp_path.glob("backend.db*"):
        leftover.unlink()
    (tmp_path / "backup.db").rename(database)
    restored = subprocess.run([EXE, "server", "restored"], env=env, capture_output=True, text=True, timeout=60)
    assert restored.returncode == 0, restored.stderr
    assert "copies its accounts again" in restored.stderr
    store = Store.open(store_path, SystemClock())
    _comment(store, "queued-while-restored", account, customer, agent)
    store.close()

    server = _start(env, port)
    try:
        result = _sync(env, store_path, port, token)
        assert result.returncode == 0, result.stdout + result.stderr
        assert _sync(env, store_path, port, token).returncode == 0  # and it syncs as usual afterwards
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(10)
    with sqlite3.connect(database) as backend:
        on_backend = {r[0] for r in backend.execute("SELECT id FROM comment WHERE customer_id = ?", (customer,))}
        backend_count = backend.execute("SELECT count(*) FROM comment WHERE account_id = ?", (account,)).fetchone()[0]
    local = sqlite3.connect(store_path)
    on_terminal = {r[0] for r in local.execute("SELECT id FROM comment WHERE customer_id = ?", (customer,))}
    assert {"before-backup", "queued-while-restored"} <= on_backend
    assert "after-backup" not in on_backend  # taken after the backup: the restore lost it, not the terminal
    assert on_terminal == on_backend
    assert local.execute("SELECT count(*) FROM comment WHERE account_id = ?", (account,)).fetchone()[0] == backend_count
    assert local.execute("SELECT count(*) FROM outbox").fetchone()[0] == 0
