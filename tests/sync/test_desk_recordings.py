"""The desk plays a recording fetched from the backend on demand, with the agent's own sign-in."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from agentdesk.config import Settings
from agentdesk.sound.wav import decode_wav
from screens.app import make_app
from sync.loop import SyncLoop
from tests.desk import settle
from tests.sync.conftest import Backend
from tests.ui.test_recordings import _Headset, _recorded_call
from widgets import CustomerHistory


@pytest.fixture(autouse=True)
def _recordings_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AGENTDESK_RECORDINGS", str(tmp_path / "backend-recordings"))


@pytest.mark.parametrize("backend_engine", ["sqlite"], indirect=True)
async def test_a_recording_is_fetched_from_the_backend_when_played_and_kept_beside_the_store(
        backend: Backend, terminals: Any, settings: Settings, tmp_path: Path) -> None:
    agent, accounts = backend.agent_with_accounts()
    mine = terminals(agent, accounts)
    mine.engine.sync_once()  # the first copy: the calls and which have recordings, never their sound
    customer_id, row, entry = _recorded_call(mine.store, settings)
    cache = mine.store.path.parent / "recordings"
    headset = _Headset()
    app = make_app(settings, mine.store, clock=mine.store.clock, sync_loop=SyncLoop(mine.engine, interval_s=30.0),
                   sound=headset)
    async with app.run_test(size=(120, 35)) as pilot:
        assert not list(cache.glob("*.wav"))
        app.screen.open_customer(customer_id)  # type: ignore[attr-defined]
        await settle(pilot)
        app.screen.query_one(CustomerHistory).query_one("#timeline").move_cursor(row=row)
        await pilot.press("p")
        started = time.monotonic()
        while not app.screen.sound.player.loaded:  # type: ignore[attr-defined]
            assert time.monotonic() - started < 10, [str(n.message) for n in app._notifications]
            await pilot.pause(0.05)
        # Asked of the backend (which makes a demo call's file on first request), not made on the terminal.
        assert (tmp_path / "backend-recordings" / "demo" / f"{entry.id}.wav").exists()
        with httpx.Client(base_url=backend.url, headers={"Authorization": f"Bearer {backend.token(agent)}"}) as client:
            served = client.get(f"/recordings/{entry.id}").content
        assert (cache / f"{entry.id}.wav").read_bytes() == served
        assert headset.hear(1.0) == decode_wav(served).data[:8000 * 2]
