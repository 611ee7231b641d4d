"""Issue 17's story through the real `agentdesk` command in tmux: ten demo calls in a row, a restart on the same
store, more calls, a case opened, an escalation and wrap-ups; then the store is checked for everything the agent
was told to say."""

from __future__ import annotations

import re
import shutil
import sqlite3
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.e2e.terminal import agentdesk_command
from tests.e2e.test_desk_in_tmux import Tmux

pytestmark = pytest.mark.e2e


def _ringing_call(store: Path) -> tuple[str, str | None]:
    """The call ringing now, as the store has it (the ring is committed a moment after it shows)."""
    for _ in range(50):
        with sqlite3.connect(store) as db:
            row = db.execute("SELECT id, customer_id FROM interaction WHERE channel = 'phone' AND state = 'ringing'"
                             " ORDER BY rowid DESC LIMIT 1").fetchone()
        if row is not None:
            return row[0], row[1]
        time.sleep(0.1)
    raise AssertionError("the ringing call is not in the store")


def _faq_pane(screen: str) -> str:
    """The right-hand pane's text, its wrapped lines joined (the Say line wraps at 120 columns)."""
    return " ".join(line.rsplit("│", 1)[-1].strip(" ▎▊") for line in screen.splitlines() if "│" in line)


def _wait_for_say(tmux: Tmux, pattern: str, timeout: float = 20.0) -> re.Match[str]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = re.search(pattern, " ".join(_faq_pane(tmux.screen()).split()))
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(f"{pattern!r} never showed in the FAQ pane; the screen was:\n{tmux.screen()}")


def _wrap_up(tmux: Tmux, notes: str) -> None:
    tmux.keys("e")
    tmux.wait_for("Type the notes")  # the dialog's own hint: the last call's "Wrap-up saved" may still show
    tmux.type(notes)
    tmux.keys("C-s")
    tmux.wait_for("Wrap-up saved")
    tmux.wait_for("Available")


def _demo_call(tmux: Tmux, notes: str) -> None:
    tmux.keys("r")
    tmux.wait_for("RINGING")
    tmux.keys("a")
    tmux.wait_for("ON CALL")
    _wrap_up(tmux, notes)


def test_ten_calls_a_restart_a_case_and_an_escalation_keep_every_promise(demo_template: Path, tmp_path: Path) -> None:
    store = tmp_path / "desk.db"
    shutil.copyfile(demo_template, store)
    tmux = Tmux(agentdesk_command(store))
    try:
        tmux.wait_for("Available")
        for n in range(1, 11):
            _demo_call(tmux, f"Demo call {n}")
        tmux.keys("C-q")
        time.sleep(1.0)
    finally:
        tmux.kill()

    tmux = Tmux(agentdesk_command(store))
    said_case = said_callback = None
    try:
        tmux.wait_for("Available")
        _demo_call(tmux, "Demo call 11 after the restart")
        for _ in range(10):  # ring until a caller on file rings: a case belongs to a customer
            tmux.keys("r")
            tmux.wait_for("RINGING")
            _, customer_id = _ringing_call(store)
            tmux.keys("a")
            tmux.wait_for("ON CALL")
            if customer_id is not None:
                break
            _wrap_up(tmux, "Unknown caller, no case")
        else:
            raise AssertionError("no known caller rang in ten demo calls")
        assert "CS-" not in tmux.screen()
        tmux.keys("o")
        tmux.wait_for("New case for")
        assert not re.search(r"CS-[A-Z0-9]+-\d+", tmux.screen())  # nothing to read out before it is saved
        tmux.type("Boiler makes a noise")
        tmux.keys("Enter")
        tmux.type("Noise since Monday")
        tmux.keys("C-s")
        said_case = _wait_for_say(tmux, r"Say: Your case number is (CS-[A-Z0-9]+-\d+)\.")[1]
        tmux.keys("x")
        tmux.wait_for("Escalate to")
        tmux.type("Can the engineer come on a Saturday?")
        tmux.keys("Enter")
        said_callback = _wait_for_say(tmux, r"call you back by (\d{1,2}:\d\d [AP]M) ([A-Z]{2,5})")
        _wrap_up(tmux, "Case opened and escalated")
        tmux.keys("C-q")
        time.sleep(1.0)
    finally:
        tmux.kill()

    with sqlite3.connect(store) as db:
        notes = [r[0] for r in db.execute("SELECT notes FROM interaction WHERE notes LIKE 'Demo call %'")]
        assert sorted(notes) == sorted([f"Demo call {n}" for n in range(1, 11)] + ["Demo call 11 after the restart"])
        call_id, customer_id, account_id = db.execute(
            "SELECT id, customer_id, account_id FROM interaction WHERE notes = 'Case opened and escalated'").fetchone()
        ticket = db.execute("SELECT customer_id, account_id, subject FROM ticket WHERE case_number = ?",
                            (said_case,)).fetchone()
        assert ticket == (customer_id, account_id, "Boiler makes a noise")
        due_at, zone = db.execute(
            "SELECT t.due_at, a.time_zone FROM task AS t JOIN account AS a ON a.id = t.account_id"
            " WHERE t.interaction_id = ? AND t.kind = 'follow_up'", (call_id,)).fetchone()
        refused = db.execute("SELECT count(*) FROM sync_rejection").fetchone()[0]
    assert refused == 0  # nothing the agent did was refused
    due = datetime.fromisoformat(due_at.replace("Z", "+00:00")).astimezone(ZoneInfo(zone))
    told_hour, told_zone = said_callback[1], said_callback[2]
    assert told_zone == due.tzname()
    told = datetime.strptime(told_hour, "%I:%M %p").time()
    # The time told is the task's due time rounded up to five minutes, within the account's business hours.
    ahead = (told.hour * 3600 + told.minute * 60) - (due.hour * 3600 + due.minute * 60 + due.second + due.microsecond / 1e6)
    assert 0 <= ahead < 300
    assert 9 <= told.hour < 18 or (told.hour, told.minute) == (18, 0)
