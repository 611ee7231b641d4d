"""Floor benchmark, called from `bench/run.py`: a backend process (`agentdesk server`) on a fresh SQLite database,
1,000 simulated agents' desks working against it (200 with --quick), 5 monitors following its stream.

- `board_update_ms`: a monitor applying one second's changes of the 1,000-agent floor and composing its frame
  (queues, board lines on screen, alerts), p95 of 40 seconds' worth. Goal <= 50.
- `floor_fresh_ms`: a probe desk's state change sent to the backend until a real monitor's board (a headless
  `MonitorApp`) draws it, p95 over the probes, with the floor busy. Goal <= 1,000.
- `floor_backend_cpu`: the backend process's CPU seconds per wall second meanwhile. Goal <= 0.5.

Run alone: `python bench/floor_bench.py [--quick]`."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def board_update_ms(agents: int = 1000) -> float:
    """Apply one second's changes (a 1,000-agent floor moves about 1 in 20 agents a second; 100 taken, to be
    safe) and compose the frame; p95 over 40 rounds."""
    from screens.monitor_app import MonitorApp
    from tests.floor.floors import NOW, big
    from widgets.agent_board import AgentBoard

    floor = big(agents)
    rng = random.Random(5)
    states = ("available", "ringing", "on call", "on hold", "wrap-up", "away")
    app = MonitorApp(None, None)
    app.model.take_snapshot(floor)
    samples: list[float] = []

    async def run() -> None:
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            screen = app.screen
            board = screen.query_one(AgentBoard)
            for round_ in range(40):
                moved = [dict(r, state=rng.choice(states), since=NOW + round_)
                         for r in rng.sample(floor["agents"], 100)]
                started = time.perf_counter()
                app.model.take_changes({"version": round_ + 2, "agents": moved, "accounts": floor["accounts"]})
                screen.redraw()  # type: ignore[attr-defined]
                for y in range(board.size.height):
                    board.render_line(y)
                samples.append((time.perf_counter() - started) * 1000)
                await pilot.pause()

    asyncio.run(run())
    return _p95(samples)


def live_floor_figures(agents: int, seconds: float) -> dict[str, float]:
    """floor_fresh_ms and floor_backend_cpu with `agents` desks and 5 monitors on a backend process."""
    from agentdesk.clock import SystemClock
    from agentdesk.demo import generate
    from agentdesk.server.admin import init_backend, issue_token, load_store
    from agentdesk.server.db import make_engine
    from agentdesk.server.floor_staff import staff_floor
    from agentdesk.store import Store

    with tempfile.TemporaryDirectory() as tmp:
        database = str(Path(tmp) / "backend.db")
        engine = make_engine(database)
        init_backend(engine)
        store = Store.open(Path(tmp) / "demo.db", SystemClock())
        generate(store, customers=200, seed=2026, long_history=0)
        store.close()
        load_store(engine, Path(tmp) / "demo.db")
        probe = staff_floor(engine, agents + 1, seed=3)[-1]  # the desks 1..N are the simulator's
        with engine.connect() as conn:
            supervisor = str(conn.exec_driver_sql("SELECT id FROM agent WHERE role = 'supervisor' ORDER BY id").scalar())
        watcher = issue_token(engine, supervisor)
        engine.dispose()
        port = _port()
        exe = Path(sys.executable).with_name("agentdesk")
        backend = subprocess.Popen([str(exe), "server", "--database", database, "--port", str(port)],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        url = f"http://127.0.0.1:{port}"
        desks = None
        try:
            _wait_up(url)
            desks = subprocess.Popen([str(exe), "simulate", "--agents", str(agents), "--server", url, "--database",
                                     database, "--seed", "3"], stdout=subprocess.DEVNULL,
                                     stderr=open(Path(tmp) / "desks.log", "w"))  # noqa: SIM115
            return _measure(url, backend.pid, watcher, probe, seconds, agents)
        finally:
            if desks is not None:
                desks.terminate()
                desks.wait(15)
                log = (Path(tmp) / "desks.log").read_text().splitlines()
                print(f"floor: {len(log) - 1} requests of the desks refused or undelivered", file=sys.stderr)
                print("\n".join(log[:3] + log[-3:]), file=sys.stderr)
            backend.terminate()
            try:
                backend.wait(15)
            except subprocess.TimeoutExpired:
                backend.kill()
                raise RuntimeError("the backend did not stop within 15 s of being asked") from None


def _wait_up(url: str) -> None:
    import httpx

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError("the benchmark backend did not start")


def _measure(url: str, pid: int, watcher: str, probe: Any, seconds: float, expected: int) -> dict[str, float]:
    import httpx

    from screens.monitor_app import MonitorApp
    from widgets.agent_board import AgentBoard

    stop = threading.Event()

    async def follower() -> None:  # four more monitors reading the stream
        async with httpx.AsyncClient(base_url=url, timeout=None,
                                     headers={"Authorization": f"Bearer {watcher}"}) as client:
            async def one() -> None:
                async with client.stream("GET", "/floor/stream") as answer:
                    async for _ in answer.aiter_lines():
                        if stop.is_set():
                            return
            await asyncio.gather(*(one() for _ in range(4)), return_exceptions=True)

    threads = [threading.Thread(target=lambda: asyncio.run(follower()), daemon=True)]
    for thread in threads:
        thread.start()
    app = MonitorApp(url, watcher)
    samples: list[float] = []
    cpu: list[float] = []

    async def watch() -> None:
        desk = httpx.AsyncClient(base_url=url, timeout=30, headers={"Authorization": f"Bearer {probe.token}"})
        async with app.run_test(size=(120, 40)) as pilot:
            app.screen.sort = "name"  # type: ignore[attr-defined]
            while app.model.version < 0:
                await pilot.pause(0.1)
            deadline = time.monotonic() + 180  # the simulator signs its desks in (a token each) and they start
            while sum(r["state"] != "offline" for r in app.model.agents.values()) < 0.9 * expected:
                assert time.monotonic() < deadline, "the simulated desks did not come on the floor"
                await pilot.pause(0.5)
            await asyncio.sleep(5)
            cpu_start, wall_start = _cpu_seconds(pid), time.monotonic()
            board = app.screen.query_one(AgentBoard)
            away = False
            while time.monotonic() - wall_start < seconds:
                away = not away
                kind = "away" if away else "available"
                sent = time.perf_counter()
                await desk.post("/floor/events", json={"type": kind, "at": datetime.now(UTC).strftime(
                    "%Y-%m-%dT%H:%M:%S.%fZ"), "reason": "probe" if away else None})
                while not _drawn(board, probe.agent_id, app, kind):
                    await pilot.pause(0.02)
                    if time.perf_counter() - sent > 10:
                        break
                samples.append((time.perf_counter() - sent) * 1000)
                await asyncio.sleep(random.uniform(0.5, 1.5))
            cpu.append((_cpu_seconds(pid) - cpu_start) / (time.monotonic() - wall_start))
        await desk.aclose()

    try:
        asyncio.run(watch())
    finally:
        stop.set()
    return {"floor_fresh_ms": _p95(samples), "floor_backend_cpu": cpu[0]}


def _drawn(board: Any, agent_id: str, app: Any, state: str) -> bool:
    """True when the board's drawn lines show the probe agent in `state` (the frame, not only the model)."""
    row = app.model.agents.get(agent_id)
    if row is None or row["state"] != state:
        return False
    index = board.rows.index(row) if row in board.rows else -1
    if index < 0:
        return False
    board.scroll_to(y=index, animate=False, immediate=True)
    line = board.render_line(index - int(board.scroll_offset.y) + 1).text
    return state in line


def floor_figures(quick: bool) -> dict[str, float]:
    """The three floor keys."""
    figures = {"board_update_ms": board_update_ms(1000)}
    figures.update(live_floor_figures(200 if quick else 1000, 15 if quick else 40))
    return figures


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    print(json.dumps({k: round(v, 2) for k, v in floor_figures(parser.parse_args().quick).items()}))
