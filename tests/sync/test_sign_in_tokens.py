"""Sign-in tokens end: they expire, an operator revokes them with `agentdesk server token --revoke`, and a
revocation or a demotion counts from the next request on every backend process sharing the database."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine, text

from agentdesk.clock import FixedClock
from agentdesk.server.admin import issue_token
from agentdesk.server.deps import token_digest
from agentdesk.store import Store
from screens.app import describe_connection
from sync.engine import SignedOut, SyncEngine, SyncError, Transient
from tests.sync.conftest import Backend

EXE = str(Path(sys.executable).with_name("agentdesk"))


def _url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def _agent(engine: Engine, role: str) -> str:
    with engine.connect() as conn:
        return str(conn.execute(text("SELECT id FROM agent WHERE role = :r ORDER BY id LIMIT 1"), {"r": role}).scalar())


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def two_backends(backend_engine: Engine) -> Iterator[list[str]]:
    """Two `agentdesk server` processes on the same database, each on its own loopback port."""
    env = {**os.environ, "AGENTDESK_DATABASE_URL": _url(backend_engine)}
    started: list[tuple[subprocess.Popen[bytes], str]] = []
    for _ in range(2):
        port = _port()
        process = subprocess.Popen([EXE, "server", "--port", str(port)], env=env,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        started.append((process, f"http://127.0.0.1:{port}"))
    try:
        for process, url in started:
            deadline = time.monotonic() + 90  # a shared, loaded machine starts a process slowly
            while True:
                try:
                    if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                assert process.poll() is None, process.stderr.read().decode() if process.stderr else "stopped"
                assert time.monotonic() < deadline, "the backend did not start"
                time.sleep(0.1)
        yield [url for _, url in started]
    finally:
        for process, _ in started:
            process.terminate()
            process.wait(10)


def _cli(engine: Engine, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([EXE, "server", *args, "--database", _url(engine)], capture_output=True, text=True,
                          timeout=120)


def _me(url: str, token: str) -> httpx.Response:
    return httpx.get(f"{url}/auth/me", headers={"Authorization": f"Bearer {token}"}, timeout=10)


def _pull(url: str, token: str) -> httpx.Response:
    return httpx.post(f"{url}/sync/pull", json={"client_group_id": "g-tokens"},
                      headers={"Authorization": f"Bearer {token}"}, timeout=30)


def test_a_revoked_token_stops_at_the_next_request_on_every_backend(two_backends: list[str],
                                                                   backend_engine: Engine) -> None:
    supervisor = _agent(backend_engine, "supervisor")
    issued = _cli(backend_engine, "token", supervisor)
    assert issued.returncode == 0, issued.stderr
    token, other = issued.stdout.strip(), issue_token(backend_engine, supervisor)
    for url in two_backends:  # each process has now checked (and may remember) the sign-in
        assert _me(url, token).status_code == 200
        assert _pull(url, token).status_code == 200

    revoked = _cli(backend_engine, "token", "--revoke", token)
    assert revoked.returncode == 0, revoked.stderr
    assert "Revoked 1 sign-in" in revoked.stderr
    for url in two_backends:
        for answer in (_me(url, token), _pull(url, token)):
            assert answer.status_code == 401, (url, answer.text)
            assert answer.json()["code"] == "sign_in_revoked"
        assert _me(url, other).status_code == 200  # the agent's other sign-in is untouched

    everything = _cli(backend_engine, "token", "--revoke", "--agent", supervisor)
    assert everything.returncode == 0, everything.stderr
    assert all(_pull(url, other).status_code == 401 for url in two_backends)
    again = _cli(backend_engine, "token", "--revoke", token)
    assert again.returncode == 1 and "No sign-in was revoked" in again.stderr


def test_a_demoted_supervisor_is_an_agent_at_the_next_request(two_backends: list[str],
                                                              backend_engine: Engine) -> None:
    supervisor = _agent(backend_engine, "supervisor")
    token = issue_token(backend_engine, supervisor)
    for url in two_backends:
        assert _me(url, token).json()["role"] == "supervisor"
        assert _pull(url, token).json()["accounts"] is None  # every account
    with backend_engine.begin() as conn:
        conn.execute(text("UPDATE agent SET role = 'agent' WHERE id = :a"), {"a": supervisor})
    for url in two_backends:
        assert _me(url, token).json()["role"] == "agent"
        assert _pull(url, token).json()["accounts"] is not None  # only the accounts the agent works for


def test_an_expired_token_is_refused_and_the_terminal_says_so(backend: Backend, tmp_path: Path,
                                                              demo_template: Path) -> None:
    agent = _agent(backend.engine, "agent")
    token = backend.token(agent)
    with backend.engine.connect() as conn:
        until = conn.execute(text("SELECT expires_at FROM agent_token WHERE token_hash = :h"),
                             {"h": token_digest(token)}).scalar()
    assert 6.9 * 86_400 < until - time.time() <= 7 * 86_400  # a week by default
    assert _me(backend.url, token).status_code == 200
    with backend.engine.begin() as conn:
        conn.execute(text("UPDATE agent_token SET expires_at = :t WHERE token_hash = :h"),
                     {"t": time.time() - 1, "h": token_digest(token)})
    answer = _me(backend.url, token)
    assert answer.status_code == 401 and answer.json()["code"] == "sign_in_expired"

    store = Store.open(tmp_path / "terminal.db", FixedClock())
    try:
        client = httpx.Client(base_url=backend.url, headers={"Authorization": f"Bearer {token}"}, timeout=10)
        engine = SyncEngine(store, client, FixedClock(), deadline_s=2)
        with pytest.raises(SignedOut):
            engine.sync_once()
        assert describe_connection(engine.status) == "your sign-in expired: run agentdesk login"
    finally:
        store.close()


@pytest.mark.parametrize("backend_engine", ["sqlite"], indirect=True)
def test_a_token_lasts_as_long_as_the_settings_say(backend_engine: Engine, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("[server]\ntoken_days = 2.5\n")
    agent = _agent(backend_engine, "agent")
    issued = subprocess.run([EXE, "server", "token", agent, "--database", _url(backend_engine)],
                            env={**os.environ, "AGENTDESK_CONFIG": str(config)}, capture_output=True, text=True,
                            timeout=120)
    assert issued.returncode == 0, issued.stderr
    with backend_engine.connect() as conn:
        until = conn.execute(text("SELECT expires_at FROM agent_token WHERE token_hash = :h"),
                             {"h": token_digest(issued.stdout.strip())}).scalar()
    assert 2.4 * 86_400 < until - time.time() <= 2.5 * 86_400


def test_a_backend_failure_is_not_sent_again_in_a_busy_loop(tmp_path: Path) -> None:
    """A 500 is the backend failing on this very request: the round ends after one try (a busy 503 is retried
    within the round's deadline); the change stays in the outbox for the next round."""
    seen: list[str] = []

    def failing(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.path)
        return httpx.Response(500, text="Internal Server Error")

    store = Store.open(tmp_path / "terminal.db", FixedClock())
    try:
        client = httpx.Client(base_url="http://backend", transport=httpx.MockTransport(failing))
        engine = SyncEngine(store, client, FixedClock(), deadline_s=5, sleep=lambda _s: None)
        with pytest.raises(SyncError) as failed:
            engine.sync_once()
        assert not isinstance(failed.value, Transient)
        assert len(seen) == 1
        assert "changes are kept" in str(failed.value)
    finally:
        store.close()
