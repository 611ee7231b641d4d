"""`agentdesk monitor --demo`: a backend on a temporary database with the demo data, served on loopback, and a
simulated floor of agents working against it in the background, so a newcomer sees monitoring mode move."""

from __future__ import annotations

import asyncio
import socket
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from agentdesk.floor_simulate import FloorSimulator


@dataclass
class DemoFloor:
    """The running demo: where the backend answers, a supervisor's sign-in, and how to stop it all."""

    url: str
    token: str
    stop: threading.Event
    folder: tempfile.TemporaryDirectory[str]

    def close(self) -> None:
        """Stop the floor and the backend, and remove the temporary database."""
        self.stop.set()
        time.sleep(0.3)
        self.folder.cleanup()


def start_demo_floor(agents: int = 50, *, customers: int = 200, speed: float = 3.0, seed: int = 2026) -> DemoFloor:
    """Start everything in background threads and return once the backend answers."""
    import uvicorn

    from agentdesk.clock import SystemClock
    from agentdesk.demo import generate
    from agentdesk.server.admin import init_backend, issue_token, load_store
    from agentdesk.server.app import create_app
    from agentdesk.server.db import make_engine
    from agentdesk.server.floor_staff import staff_floor
    from agentdesk.store import Store

    folder = tempfile.TemporaryDirectory(prefix="agentdesk-demo-floor-")
    engine = make_engine(str(Path(folder.name) / "backend.db"))
    init_backend(engine)
    store = Store.open(Path(folder.name) / "demo.db", SystemClock())
    try:
        generate(store, customers=customers, seed=seed, long_history=0)
    finally:
        store.close()
    load_store(engine, Path(folder.name) / "demo.db")
    staffed = staff_floor(engine, agents, seed=seed)
    with engine.connect() as conn:
        from sqlalchemy import text

        supervisor = conn.execute(text("SELECT id FROM agent WHERE role = 'supervisor' ORDER BY id")).scalar()
    token = issue_token(engine, str(supervisor))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    server = uvicorn.Server(uvicorn.Config(create_app(engine), host="127.0.0.1", port=port, log_level="error",
                                           lifespan="off"))
    threading.Thread(target=server.run, daemon=True, name="demo-backend").start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("The demo backend did not start within 20 s; try again.")
        time.sleep(0.05)
    url = f"http://127.0.0.1:{port}"
    stop = threading.Event()

    async def floor() -> None:
        async with httpx.AsyncClient(base_url=url, timeout=20) as client:
            simulator = FloorSimulator(client, staffed, seed=seed, speed=speed, mean_talk_s=90, mean_idle_s=15)
            run = asyncio.create_task(simulator.run())
            while not stop.is_set() and not run.done():
                await asyncio.sleep(0.2)
            run.cancel()
        server.should_exit = True

    threading.Thread(target=lambda: asyncio.run(floor()), daemon=True, name="demo-floor").start()
    return DemoFloor(url, token, stop, folder)
