"""An agent's call, driven through the real `agentdesk` command in tmux, as a person would."""

from __future__ import annotations

import shlex
import shutil
import sqlite3
import subprocess
import time
import uuid
from pathlib import Path

import pytest

from tests.e2e.terminal import agentdesk_command

pytestmark = pytest.mark.e2e


class Tmux:
    """One tmux server on a private socket, one session, fixed size."""

    def __init__(self, command: list[str], cols: int = 120, rows: int = 35) -> None:
        self.socket = f"agentdesk-test-{uuid.uuid4().hex[:8]}"
        self._run("new-session", "-d", "-x", str(cols), "-y", str(rows), shlex.join(command))

    def _run(self, *args: str) -> str:
        result = subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True, text=True, timeout=10)
        return result.stdout

    def keys(self, *keys: str, pause: float = 0.4) -> None:
        for key in keys:
            self._run("send-keys", key)
            time.sleep(pause)

    def type(self, text: str) -> None:
        self._run("send-keys", "-l", text)
        time.sleep(0.4)

    def screen(self) -> str:
        return self._run("capture-pane", "-p")

    def wait_for(self, text: str, timeout: float = 20.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            screen = self.screen()
            if text in screen:
                return screen
            time.sleep(0.2)
        raise AssertionError(f"{text!r} never showed; the screen was:\n{self.screen()}")

    def kill(self) -> None:
        self._run("kill-server")


def test_agent_takes_a_call_holds_to_the_cap_and_wraps_up(demo_template: Path, tmp_path: Path) -> None:
    store = tmp_path / "desk.db"
    shutil.copyfile(demo_template, store)
    tmux = Tmux(agentdesk_command(store))
    try:
        tmux.wait_for("Available")
        tmux.wait_for("Top ten")
        tmux.keys("r")
        tmux.wait_for("RINGING")
        tmux.keys("a")
        tmux.wait_for("ON CALL")
        tmux.keys("2")
        tmux.wait_for("b back")
        tmux.keys("h")
        tmux.wait_for("ON HOLD")
        screen = tmux.wait_for("Off hold at the cap", timeout=15)
        assert "ON CALL" in screen
        tmux.keys("e")
        tmux.wait_for("Wrap-up")
        tmux.type("Explained the opening hours")
        tmux.keys("C-s")
        tmux.wait_for("Available")
        tmux.keys("C-q")
        time.sleep(1.0)
    finally:
        tmux.kill()
    with sqlite3.connect(store) as db:
        row = db.execute(
            "SELECT id, billable_seconds, cost_cents FROM interaction WHERE notes = ?",
            ("Explained the opening hours",),
        ).fetchone()
        assert row is not None
        holds = db.execute("SELECT seconds, hit_cap FROM hold_event WHERE interaction_id = ?", (row[0],)).fetchall()
    assert row[1] >= 10 and row[2] > 0
    assert holds == [(10.0, 1)]
