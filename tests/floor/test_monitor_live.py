"""Monitoring mode against a real backend on loopback: the board follows the floor, goes stale when the backend
goes away and comes back live on its own; an agent's sign-in is refused."""

from __future__ import annotations

import asyncio
import threading
import time
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
import uvicorn
from click.testing import CliRunner

from agentdesk.cli import main
from agentdesk.server.app import create_app
from screens.monitor import MonitorScreen
from screens.monitor_app import MonitorApp
from tests.sync.conftest import Backend
from widgets.agent_board import AgentBoard


def _serve(backend: Backend, port: int) -> uvicorn.Server:
    server = uvicorn.Server(uvicorn.Config(create_app(backend.engine), host="127.0.0.1", port=port,
                                           log_level="warning", lifespan="off"))
    threading.Thread(target=server.run, daemon=True).start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    return server


async def _until(pilot: Any, check: Any, seconds: float = 15.0) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "the monitor did not get there in time"
        await pilot.pause(0.1)


def _board_text(app: MonitorApp) -> str:
    board = app.screen.query_one(AgentBoard)
    return "\n".join(board.render_line(y).text for y in range(board.size.height))


@pytest.mark.parametrize("backend_engine", ["sqlite"], indirect=True)
def test_the_board_follows_the_floor_goes_stale_and_comes_back(backend: Backend) -> None:
    supervisor = str(backend.scalar("SELECT id FROM agent WHERE role = 'supervisor' ORDER BY id"))
    agent_id, _ = backend.agent_with_accounts(2)
    name = str(backend.scalar("SELECT name FROM agent WHERE id = :a", a=agent_id))
    app = MonitorApp(backend.url, backend.token(supervisor))
    desk = httpx.Client(base_url=backend.url, headers={"Authorization": f"Bearer {backend.token(agent_id)}"})

    async def scenario() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            screen = app.screen
            assert isinstance(screen, MonitorScreen)
            await _until(pilot, lambda: app.model.version >= 0)
            at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
            assert (await asyncio.to_thread(desk.post, "/floor/events",
                                            json={"type": "away", "at": at, "reason": "coaching"})).status_code == 204
            await _until(pilot, lambda: any(name[:10] in line and "away" in line and "coaching" in line
                                            for line in _board_text(app).splitlines()))
            # the backend goes away: the board says since when, dims, and keeps trying
            server = _running_server(backend)
            server.should_exit = server.force_exit = True  # a crash, not a drain: the stream is cut
            await _until(pilot, lambda: screen.stale_since is not None)
            await pilot.pause(0.6)
            status = str(screen.query_one("#status").render())
            assert "stale since" in status and "reconnecting" in status
            assert screen.query_one(AgentBoard).has_class("-stale")
            # the backend is back on the same address: live again without a key pressed
            await asyncio.sleep(0.5)
            _serve(backend, int(backend.url.rsplit(":", 1)[1]))
            await _until(pilot, lambda: screen.stale_since is None, 20)
            await pilot.pause(0.6)
            assert "live" in str(screen.query_one("#status").render())

    try:
        asyncio.run(scenario())
    finally:
        desk.close()


def _running_server(backend: Backend) -> uvicorn.Server:
    """The fixture's uvicorn server (found among the live threads' targets)."""
    for thread in threading.enumerate():
        target = getattr(thread, "_target", None)
        server = getattr(target, "__self__", None)
        if isinstance(server, uvicorn.Server) and server.config.port == int(backend.url.rsplit(":", 1)[1]):
            return server
    raise AssertionError("no server found")


@pytest.mark.parametrize("backend_engine", ["sqlite"], indirect=True)
def test_an_agents_sign_in_is_refused_monitoring_mode(backend: Backend) -> None:
    agent_id, _ = backend.agent_with_accounts(2)
    result = CliRunner().invoke(main, ["monitor", "--server", backend.url],
                                env={"AGENTDESK_TOKEN": backend.token(agent_id)})
    assert result.exit_code == 1
    assert "for supervisors and admins" in result.output


@pytest.mark.parametrize("backend_engine", ["sqlite"], indirect=True)
def test_a_message_typed_on_the_monitor_reaches_the_agents_desk(backend: Backend) -> None:
    supervisor = str(backend.scalar("SELECT id FROM agent WHERE role = 'supervisor' ORDER BY id"))
    agent_id, _ = backend.agent_with_accounts(2)
    app = MonitorApp(backend.url, backend.token(supervisor))
    desk = httpx.Client(base_url=backend.url, headers={"Authorization": f"Bearer {backend.token(agent_id)}"})

    async def scenario() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            screen = app.screen
            await _until(pilot, lambda: app.model.version >= 0)
            at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
            await asyncio.to_thread(desk.post, "/floor/events", json={"type": "available", "at": at})
            await _until(pilot, lambda: app.model.agents[agent_id]["state"] == "available")
            await pilot.pause(0.6)
            board = screen.query_one(AgentBoard)
            board.cursor = next(i for i, r in enumerate(board.rows) if r["agent_id"] == agent_id)
            await pilot.press("m")
            await pilot.pause()
            for key in "Take line 2":
                await pilot.press("space" if key == " " else key)
            await pilot.press("enter")
            await _until(pilot, lambda: bool(app.screen.app._notifications))  # noqa: SLF001
            left = await asyncio.to_thread(desk.get, "/floor/notices")
            assert [(n["kind"], n["text"]) for n in left.json()] == [("message", "Take line 2")]
            await pilot.press("a")
            await pilot.pause()
            for key in "coaching":
                await pilot.press(key)
            await pilot.press("enter")
            await _until(pilot, lambda: app.model.agents[agent_id]["state"] == "away", 10)
            assert app.model.agents[agent_id]["reason"] == "coaching"

    try:
        asyncio.run(scenario())
    finally:
        desk.close()
