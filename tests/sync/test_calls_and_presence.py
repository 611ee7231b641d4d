"""Presence and call events on a real backend: heartbeats with a time-to-live for supervisors, phone-system events
taken once each and only in possible orders, each ringing call offered to the longest-idle available agent and
popping up on that agent's workstation; `agentdesk simulate` drives a real stream."""

from __future__ import annotations

import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from agentdesk.config import Settings
from agentdesk.server import live
from agentdesk.server.admin import ensure_admin
from agentdesk.server.sync import Caller, SyncRefused
from screens.app import make_app
from sync.calls import BackendCallSource
from sync.loop import SyncLoop
from tests.desk import screen_text
from tests.sync.conftest import Backend

SQLITE_AND_PG = pytest.mark.parametrize("backend_engine", ["sqlite", "postgresql"], indirect=True)
SQLITE_ONLY = pytest.mark.parametrize("backend_engine", ["sqlite"], indirect=True)
STAMP = "2026-11-23T09:30:00.000000Z"


def beat(backend: Backend, agent: str, state: str = "available", *, now: float) -> None:
    role = backend.scalar("SELECT role FROM agent WHERE id = :a", a=agent)
    live.heartbeat(backend.engine, Caller(agent, role, None), {
        "client_group_id": f"g-{agent[:8]}", "agent_state": state, "call_state": "idle", "unsynced": 2,
        "oldest_unsynced_s": 40, "last_push_at": None, "last_pull_at": None}, now=now)


def two_agents_of_one_account(backend: Backend) -> tuple[str, str, str]:
    with backend.engine.connect() as conn:
        from sqlalchemy import text

        account, first, second = conn.execute(text(
            "SELECT a1.account_id, a1.agent_id, a2.agent_id FROM agent_account a1 JOIN agent_account a2"
            " ON a1.account_id = a2.account_id AND a1.agent_id < a2.agent_id"
            " JOIN agent x ON x.id = a1.agent_id JOIN agent y ON y.id = a2.agent_id"
            " WHERE x.role = 'agent' AND y.role = 'agent' ORDER BY 1, 2, 3 LIMIT 1")).one()
    return account, first, second


@SQLITE_AND_PG
def test_presence_is_kept_for_its_time_to_live_and_shown_to_supervisors_only(backend: Backend) -> None:
    account, agent, _ = two_agents_of_one_account(backend)
    beat(backend, agent, now=1000.0)
    supervisor = Caller(ensure_admin(backend.engine), "admin", None)
    floor = live.floor(backend.engine, supervisor, now=1010.0)
    assert [(row["agent_id"], row["unsynced"], row["oldest_unsynced_s"]) for row in floor] == [(agent, 2, 40)]
    assert live.floor(backend.engine, supervisor, now=1000.0 + live.PRESENCE_TTL_S + 1) == []
    with pytest.raises(SyncRefused):
        live.floor(backend.engine, Caller(agent, "agent", frozenset({account})), now=1010.0)


@SQLITE_AND_PG
def test_call_events_are_taken_once_in_possible_orders_and_offered_to_the_longest_idle(backend: Backend) -> None:
    account, first, second = two_agents_of_one_account(backend)
    now = time.time()
    beat(backend, second, now=now - 20)  # available for 20 s
    beat(backend, first, now=now - 20)
    beat(backend, first, "away", now=now - 10)
    beat(backend, first, now=now - 5)  # available again only for 5 s
    admin = httpx.Client(base_url=backend.url, headers={"Authorization": f"Bearer {backend.token(ensure_admin(backend.engine))}"})
    number = backend.scalar("SELECT phone_number FROM account WHERE id = :a", a=account)

    def event(call_id: str, kind: str, event_id: str | None = None, **extra: Any) -> httpx.Response:
        return admin.post("/calls/events", json={"event_id": event_id or str(uuid.uuid4()), "call_id": call_id,
                                                 "type": kind, "at": STAMP, **extra})

    one = event("call-1", "ringing", "ev-1", caller_number="+18005550123", dialled_number=number)
    assert one.status_code == 200 and one.json()["offered_to"] == second  # idle the longest
    again = event("call-1", "ringing", "ev-1", caller_number="+18005550123", dialled_number=number)
    assert again.json()["duplicate"] is True
    assert backend.scalar("SELECT count(*) FROM call_event WHERE call_id = 'call-1'") == 1

    two = event("call-2", "ringing", caller_number="+18005550124", dialled_number=number)
    assert two.json()["offered_to"] == first  # the other one is taken

    held_too_soon = event("call-1", "held")
    assert held_too_soon.status_code == 409 and "ringing call cannot be held" in held_too_soon.json()["detail"]
    assert event("call-1", "answered").json()["state"] == "answered"
    assert event("call-1", "ended").json()["state"] == "ended"
    assert event("call-1", "resumed").status_code == 409
    unknown = event("call-3", "ringing", caller_number="+18005550125", dialled_number="+19995550000")
    assert unknown.status_code == 422

    agent_client = httpx.Client(base_url=backend.url, headers={"Authorization": f"Bearer {backend.token(first)}"})
    assert agent_client.post("/calls/events", json={"event_id": "x", "call_id": "y", "type": "ringing",
                                                     "at": STAMP, "account_id": account}).status_code == 403
    assert [o["call_id"] for o in agent_client.get("/calls/offered").json()] == ["call-2"]


@SQLITE_ONLY
async def test_a_call_offered_by_the_backend_rings_on_the_agents_workstation(
    backend: Backend, terminals: Any, settings: Settings
) -> None:
    account, agent, _ = two_agents_of_one_account(backend)
    accounts = backend.accounts_of(agent)
    desk = terminals(agent, accounts)
    desk.engine.sync_once()
    token = backend.token(agent)
    app = make_app(settings.model_copy(update={"agent": settings.agent.model_copy(update={"id": agent})}),
                   desk.store, clock=desk.store.clock, sync_loop=SyncLoop(desk.engine, interval_s=0.5, hints=False),
                   call_source=BackendCallSource(backend.url, token, poll_s=0.1))
    async with app.run_test(size=(120, 35)) as pilot:
        deadline = time.monotonic() + 5
        while backend.scalar("SELECT count(*) FROM presence WHERE agent_id = :a", a=agent) == 0:
            assert time.monotonic() < deadline, "no heartbeat reached the backend"
            await pilot.pause(0.1)
        number = backend.scalar("SELECT phone_number FROM account WHERE id = :a", a=account)
        admin = httpx.Client(base_url=backend.url,
                             headers={"Authorization": f"Bearer {backend.token(ensure_admin(backend.engine))}"})
        offered = admin.post("/calls/events", json={"event_id": "ring-1", "call_id": str(uuid.uuid4()), "type": "ringing",
                                                    "at": STAMP, "caller_number": "+18005550199", "dialled_number": number})
        assert offered.json()["offered_to"] == agent
        started = time.monotonic()
        while "RINGING" not in screen_text(app):
            assert time.monotonic() - started < 3, screen_text(app)[:400]
            await pilot.pause(0.05)
        assert "+1 800-555-0199" in screen_text(app)


@SQLITE_ONLY
def test_simulate_sends_a_stream_the_backend_takes(backend: Backend) -> None:
    token = backend.token(ensure_admin(backend.engine))
    exe = str(Path(sys.executable).with_name("agentdesk"))
    done = subprocess.run([exe, "simulate", "--server", backend.url, "--token", token, "--rate", "600",
                           "--duration", "3", "--speed", "200", "--seed", "5"], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert "0 refused" in done.stderr
    calls = backend.scalar("SELECT count(*) FROM live_call")
    assert calls >= 10
    assert backend.scalar("SELECT count(*) FROM live_call WHERE state != 'ended'") == 0
    assert backend.scalar("SELECT count(*) FROM call_event WHERE type = 'ended'") == calls
