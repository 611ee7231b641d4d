"""The workstation with a backend: the status line tells online from offline (and since when, with the count of
unsynced changes), and another agent's change reaches the open screen within 2 s (a hint, then a pull)."""

from __future__ import annotations

import time
import uuid
from typing import Any

import pytest

from agentdesk.clock import iso
from agentdesk.config import Settings
from screens.app import make_app
from sync.loop import SyncLoop
from tests.desk import screen_text
from tests.sync.conftest import Backend

SQLITE_AND_PG = pytest.mark.parametrize("backend_engine", ["sqlite", "postgresql"], indirect=True)


async def wait_for(pilot: Any, predicate: Any, seconds: float) -> float:
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if predicate():
            return time.monotonic() - started
        await pilot.pause(0.05)
    raise AssertionError(f"not within {seconds} s; the screen shows: {screen_text(pilot.app)[:600]}")


@SQLITE_AND_PG
async def test_another_agents_change_reaches_the_open_screen_and_the_status_tells_the_truth(
    backend: Backend, terminals: Any, settings: Settings
) -> None:
    agent, accounts = backend.agent_with_accounts()
    mine, theirs = terminals(agent, accounts), terminals(agent, accounts)
    mine.engine.sync_once()
    theirs.engine.sync_once()
    customer_id, name = mine.store.conn.execute(
        "SELECT id, name FROM customer WHERE account_id = ? ORDER BY id LIMIT 1", (accounts[0],)).fetchone()
    app = make_app(settings, mine.store, clock=mine.store.clock,
                   sync_loop=SyncLoop(mine.engine, interval_s=30.0))  # only saves and hints make it sync
    async with app.run_test(size=(120, 35)) as pilot:
        await wait_for(pilot, lambda: "online" in screen_text(app), 5)
        app.screen.open_customer(customer_id)  # type: ignore[attr-defined]
        await wait_for(pilot, lambda: name in screen_text(app), 5)

        body = f"Rebooked by the evening shift {uuid.uuid4().hex[:6]}"
        theirs.store.mutate("comment.add@1", {
            "comment_id": str(uuid.uuid4()), "account_id": accounts[0], "customer_id": customer_id,
            "agent_id": agent, "body": body, "created_at": iso(theirs.store.clock.now()),
        })
        theirs.engine.sync_once()
        took = await wait_for(pilot, lambda: body[:30] in screen_text(app), 2.0)
        assert took <= 2.0

        mine.faults.down = True
        mine.engine.deadline_s = 0.5
        await pilot.press("c")
        await pilot.pause(0.2)
        await pilot.press(*"left a voicemail")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "offline since" in screen_text(app) and "1 unsynced" in screen_text(app), 5)

        mine.faults.down = False
        app.sync_loop.wake()  # type: ignore[union-attr]
        await wait_for(pilot, lambda: "online" in screen_text(app) and "all saved" in screen_text(app), 5)
    assert backend.scalar("SELECT count(*) FROM comment WHERE body = 'left a voicemail'") == 1


@pytest.mark.parametrize("backend_engine", ["sqlite"], indirect=True)
async def test_a_refused_change_is_told_and_listed_with_its_reason(
    backend: Backend, terminals: Any, settings: Settings
) -> None:
    """Two desks answer the same ringing call while offline; the one that syncs second is told why its answer
    did not count, and finds it under Needs attention (!)."""
    agent, accounts = backend.agent_with_accounts()
    mine, theirs = terminals(agent, accounts), terminals(agent, accounts)
    call_id = str(uuid.uuid4())
    theirs.engine.sync_once()
    theirs.store.mutate("call.ring@1", {"interaction_id": call_id, "account_id": accounts[0], "customer_id": None,
                                        "caller_number": "+18005550142", "ringing_at": iso(theirs.store.clock.now()),
                                        "agent_id": agent})
    theirs.engine.sync_once()
    mine.engine.sync_once()
    now = iso(mine.store.clock.now())
    mine.store.mutate("call.answer@1", {"interaction_id": call_id, "answered_at": now, "agent_id": agent})
    theirs.store.mutate("call.answer@1", {"interaction_id": call_id, "answered_at": now, "agent_id": agent})
    theirs.engine.sync_once()  # theirs arrives first

    app = make_app(settings, mine.store, clock=mine.store.clock, sync_loop=SyncLoop(mine.engine, interval_s=30.0))
    async with app.run_test(size=(120, 35), notifications=True) as pilot:
        await wait_for(pilot, lambda: mine.store.rejections() != [], 5)
        await wait_for(pilot, lambda: "The backend refused 1 change" in screen_text(app), 5)
        await pilot.press("exclamation_mark")
        await wait_for(pilot, lambda: "Needs attention: 1 change" in screen_text(app), 3)
        assert "Answer — there is no ringing call" in screen_text(app)
        await pilot.press("enter")
        await wait_for(pilot, lambda: "Needs attention" not in screen_text(app), 3)
        await pilot.pause(0.2)
    assert mine.store.rejections() == []
    assert len(mine.store.rejections(include_dismissed=True)) == 1


@pytest.mark.parametrize("backend_engine", ["sqlite"], indirect=True)
def test_the_hint_stream_pokes_a_terminal_only_for_its_own_accounts(backend: Backend) -> None:
    """A change in an account the agent does not work for does not make their terminal pull; one in theirs does."""
    import queue
    import threading

    import httpx

    agent, accounts = backend.agent_with_accounts()
    with backend.engine.connect() as conn:
        from sqlalchemy import text

        other = conn.execute(text("SELECT id FROM account WHERE id NOT IN (SELECT account_id FROM agent_account"
                                  " WHERE agent_id = :a) ORDER BY id LIMIT 1"), {"a": agent}).scalar()
        outsider = conn.execute(text("SELECT agent_id FROM agent_account WHERE account_id = :o ORDER BY agent_id"
                                     " LIMIT 1"), {"o": other}).scalar()
        theirs_customer = conn.execute(text("SELECT id FROM customer WHERE account_id = :o LIMIT 1"),
                                       {"o": other}).scalar()
        my_customer = conn.execute(text("SELECT id FROM customer WHERE account_id = :a LIMIT 1"),
                                   {"a": accounts[0]}).scalar()
    assert other and outsider and theirs_customer and my_customer
    pokes: queue.Queue[str] = queue.Queue()

    def listen() -> None:
        headers = {"Authorization": f"Bearer {backend.token(agent)}"}
        with httpx.stream("GET", f"{backend.url}/sync/hints", headers=headers, timeout=30) as stream:
            for line in stream.iter_lines():
                pokes.put(line)

    threading.Thread(target=listen, daemon=True).start()
    assert pokes.get(timeout=5).startswith(": connected")

    def push(who: str, account: str, customer: str) -> None:
        body = {"client_group_id": f"hint-{uuid.uuid4().hex[:8]}", "client_id": "x", "mutations": [{
            "id": 1, "name": "comment.add@1", "args": {
                "comment_id": str(uuid.uuid4()), "account_id": account, "customer_id": customer, "agent_id": who,
                "body": "hint test", "created_at": "2026-11-23T09:00:00.000000Z"}}]}
        answer = httpx.post(f"{backend.url}/sync/push", json=body, timeout=10,
                            headers={"Authorization": f"Bearer {backend.token(who)}"})
        assert answer.status_code == 200 and answer.json()["applied"] == 1

    push(outsider, other, theirs_customer)
    time.sleep(1.0)  # four polls of the backend's version
    assert [line for line in list(pokes.queue) if line.startswith("data:")] == []
    push(agent, accounts[0], my_customer)
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline:
        try:
            if pokes.get(timeout=0.2).startswith("data:"):
                break
        except queue.Empty:
            continue
    else:
        raise AssertionError("no poke for a change in the agent's own account")
