"""A real desk with a backend tells the live floor each call step as it saves it, and shows what its supervisor
leaves for it."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

from agentdesk.config import Settings
from screens.app import make_app
from sync.loop import SyncLoop
from tests.desk import WELL_KNOWN, ring
from tests.sync.conftest import Backend, terminals  # noqa: F401  (fixture)


async def _until(pilot: Any, check: Any, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "not in time"
        await pilot.pause(0.1)


@pytest.mark.parametrize("backend_engine", ["sqlite"], indirect=True)
async def test_the_desk_reports_its_call_and_shows_the_supervisors_message(
        backend: Backend, terminals: Any, settings: Settings) -> None:  # noqa: F811
    agent, accounts = backend.agent_with_accounts()
    mine = terminals(agent, accounts)
    mine.engine.sync_once()
    supervisor = str(backend.scalar("SELECT id FROM agent WHERE role = 'supervisor' ORDER BY id"))
    boss = httpx.Client(base_url=backend.url, headers={"Authorization": f"Bearer {backend.token(supervisor)}"})

    def state() -> str:
        return next(r["state"] for r in boss.get("/floor").json()["agents"] if r["agent_id"] == agent)

    app = make_app(settings, mine.store, clock=mine.store.clock, sync_loop=SyncLoop(mine.engine, interval_s=30.0))
    try:
        async with app.run_test(size=(120, 35)) as pilot:
            await _until(pilot, lambda: state() == "available")
            await ring(pilot, WELL_KNOWN)
            await _until(pilot, lambda: state() == "ringing")
            await pilot.press("a")
            await _until(pilot, lambda: state() == "on call")
            said = boss.post("/floor/actions", json={"name": "agent.message@1",
                                                     "args": {"agent_id": agent, "text": "Great call, keep going"}})
            assert said.status_code == 200
            await _until(pilot, lambda: any("Great call, keep going" in str(n.message) for n in app._notifications))
    finally:
        boss.close()
