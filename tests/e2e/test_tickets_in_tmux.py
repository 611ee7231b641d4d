"""A ticket answered and resolved with the customer's consent, through the real `agentdesk` command in tmux."""

from __future__ import annotations

import shutil
import sqlite3
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from agentdesk.clock import iso
from tests.e2e.terminal import agentdesk_command
from tests.e2e.test_desk_in_tmux import Tmux

pytestmark = pytest.mark.e2e


def a_ticket_of_the_first_agent(store: Path) -> tuple[str, str]:
    """An open ticket waiting for an answer in the accounts of the agent the workstation starts as, made a plain
    question: the demo's open tickets are refunds and cancellations, which end through save the sale instead."""
    now = iso(datetime.now(UTC))
    with sqlite3.connect(store) as db:
        agent = db.execute("SELECT id FROM agent WHERE role = 'agent' ORDER BY name, id LIMIT 1").fetchone()[0]
        row = db.execute(
            "SELECT id, case_number FROM ticket WHERE status IN ('new', 'open') AND awaiting_since IS NOT NULL"
            " AND created_at < ? AND account_id IN (SELECT account_id FROM agent_account WHERE agent_id = ?)"
            " ORDER BY case_number LIMIT 1", (now, agent)).fetchone()
        assert row is not None
        db.execute("UPDATE ticket SET kind = 'question' WHERE id = ?", (row[0],))
    return row[0], row[1]


def test_agent_answers_a_ticket_and_resolves_it_with_consent(demo_template: Path, tmp_path: Path) -> None:
    store = tmp_path / "desk.db"
    shutil.copyfile(demo_template, store)
    ticket_id, case = a_ticket_of_the_first_agent(store)
    tmux = Tmux(agentdesk_command(store))
    try:
        tmux.wait_for("Top ten")
        tmux.keys("t")
        tmux.wait_for("my accounts")
        tmux.keys("/")
        tmux.wait_for("Search the tickets")
        tmux.type(case)
        tmux.keys("Enter")
        tmux.wait_for("page 1: 1 ticket")
        tmux.keys("Enter")
        tmux.wait_for("REPLY · goes to the customer")
        tmux.type("We have found your parcel; it arrives on Tuesday.")
        tmux.keys("C-s")
        tmux.wait_for("queued, not yet")
        tmux.keys("C-r")
        tmux.wait_for("how did the customer agree")
        tmux.keys("Enter")  # nothing is chosen for the agent: Enter alone records nothing
        tmux.wait_for("Enter records it")
        tmux.keys("Down")  # an e-mail ticket offers "in writing" first
        tmux.keys("Enter")
        tmux.wait_for("Customer agreed to resolve in writing")
        tmux.keys("C-q")
        time.sleep(1.0)
    finally:
        tmux.kill()
    with sqlite3.connect(store) as db:
        status, consent = db.execute("SELECT status, consent_how FROM ticket WHERE id = ?", (ticket_id,)).fetchone()
        reply = db.execute(
            "SELECT delivery FROM ticket_message WHERE ticket_id = ? AND kind = 'reply' AND body LIKE 'We have found%'",
            (ticket_id,)).fetchone()
        queued = [row[0] for row in db.execute("SELECT name FROM outbox ORDER BY id")]
    assert (status, consent) == ("resolved", "writing")
    assert reply == ("queued",)
    assert queued[-3:] == ["ticket.add_message", "ticket.record_consent", "ticket.set_status"]
