"""Save the sale as an agent and a customer live it: the real `agentdesk` command in tmux, syncing to a real backend
(`agentdesk server` on loopback, taking the customer's mail on its SMTP port and relaying the desk's replies to a
mail sink standing in for the customer's mailbox). What is checked is what people notice: the case number on
screen, the customer's answer appearing on the open ticket, the outcome on the backend after sync, and the mail the
customer receives."""

from __future__ import annotations

import os
import re
import signal
import smtplib
import sqlite3
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from email.message import Message
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.terminal import TEST_CONFIG, agentdesk_command
from tests.e2e.test_desk_in_tmux import Tmux
from tests.sync.mail_sink import Sink, free_port, start_sink
from tests.sync.test_real_processes import EXE, _port

pytestmark = pytest.mark.e2e

TICKETS = (
    "SELECT t.case_number, e.email, a.name FROM ticket t JOIN customer_order o ON o.id = t.order_id"
    " JOIN customer_email e ON e.customer_id = t.customer_id JOIN account a ON a.id = t.account_id"
    " WHERE t.account_id = :account AND t.kind = :kind AND t.status IN ('new', 'open', 'escalated')"
    " AND t.help_offered_at IS NULL AND {window} ORDER BY t.case_number LIMIT 1")
DAYS = "julianday(t.created_at) - julianday(o.placed_at)"


@dataclass
class Backend:
    database: Path
    smtp_port: int
    sink: Sink
    env: dict[str, str]
    url: str

    def row(self, sql: str, *args: object) -> Any:
        with sqlite3.connect(self.database) as db:
            return db.execute(sql, args).fetchone()

    def customer_writes(self, sender: str, account_name: str, subject: str, body: str) -> None:
        to = f"support@{account_name.lower().replace(' ', '-')}.example"
        raw = f"From: {sender}\r\nTo: {to}\r\nSubject: {subject}\r\n\r\n{body}\r\n".encode()
        with smtplib.SMTP("127.0.0.1", self.smtp_port, timeout=10) as smtp:
            smtp.sendmail(sender, [to], raw)

    def mail_to(self, address: str, containing: str, timeout: float = 40.0) -> Message:
        """The message the customer received that contains `containing` (waits for the relay)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for message in self.sink.messages():
                body = message.get_payload(decode=True).decode()  # type: ignore[union-attr]
                if message["To"] == address and containing in body:
                    return message
            time.sleep(0.2)
        raise AssertionError(f"{address} never received {containing!r}: {[m['Subject'] for m in self.sink.messages()]}")

    def until(self, sql: str, *args: object, expected: tuple[object, ...], timeout: float = 40.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if tuple(self.row(sql, *args)) == expected:
                return
            time.sleep(0.3)
        assert tuple(self.row(sql, *args)) == expected


@pytest.fixture(scope="module")
def backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Backend]:
    """A demo backend on SQLite with its mail: the customer's mail in on a loopback SMTP port, replies out to a
    sink."""
    folder = tmp_path_factory.mktemp("backend")
    database = folder / "backend.db"
    sink, controller, relay_port = start_sink()
    env = {**os.environ, "AGENTDESK_CONFIG": str(TEST_CONFIG), "AGENTDESK_DATABASE_URL": str(database),
           "AGENTDESK_MAIL__RELAY": f"smtp://127.0.0.1:{relay_port}",
           "AGENTDESK_MAIL__SCHEDULES": "false"}  # only the customer's mail reaches the sink, whatever the hour
    subprocess.run([EXE, "server", "init", "--demo", "--customers", "40"], env=env, check=True,
                   capture_output=True, timeout=120)
    port, smtp_port = _port(), free_port()
    server = _start_with_mail(env, port, smtp_port)
    try:
        yield Backend(database, smtp_port, sink, env, f"http://127.0.0.1:{port}")
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(15)
        controller.stop()


def _start_with_mail(env: dict[str, str], port: int, smtp_port: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen([EXE, "server", "--port", str(port), "--smtp-port", str(smtp_port)], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise AssertionError(process.stderr.read().decode() if process.stderr else "the backend did not start")


def _agent_and_tickets(backend: Backend, kind: str, *windows: str) -> tuple[str, list[tuple[str, str, str]]]:
    """An agent of an account holding one `kind` ticket (not yet worked, the customer reachable by mail) for each
    of `windows`, and those tickets (case number, the customer's address, the account's name)."""
    with sqlite3.connect(backend.database) as db:
        for (account,) in db.execute("SELECT id FROM account ORDER BY name"):
            found = [db.execute(TICKETS.format(window=w), {"account": account, "kind": kind}).fetchone()
                     for w in windows]
            agent = db.execute("SELECT a.id FROM agent a JOIN agent_account aa ON aa.agent_id = a.id"
                               " WHERE aa.account_id = ? AND a.role = 'agent' ORDER BY a.name LIMIT 1",
                               (account,)).fetchone()
            if all(found) and agent:
                return agent[0], found  # type: ignore[return-value]
    raise AssertionError(f"the demo backend has no account with a {kind} ticket for each of {windows}")


def _desk(backend: Backend, agent: str, store: Path, cols: int, rows: int) -> Tmux:
    token = subprocess.run([EXE, "server", "token", agent], env=backend.env, check=True, capture_output=True,
                           text=True).stdout.strip()
    command = ["env", f"AGENTDESK_BACKEND__URL={backend.url}", f"AGENTDESK_TOKEN={token}", *agentdesk_command(store)]
    tmux = Tmux(command, cols=cols, rows=rows)
    tmux.wait_for("Top ten", timeout=60)
    tmux.wait_for("online", timeout=60)
    return tmux


def _open_case(tmux: Tmux, case: str) -> None:
    tmux.keys("t")
    tmux.wait_for("my accounts")
    tmux.keys("/")
    tmux.wait_for("Search the tickets")
    tmux.type(case)
    tmux.keys("Enter")
    tmux.wait_for("page 1: 1 ticket")
    tmux.keys("Enter")
    tmux.wait_for(f"{case} ·")


def _screen_until(tmux: Tmux, seen: Callable[[str], bool], what: str, timeout: float = 40.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        screen = tmux.screen()
        if seen(screen):
            return screen
        time.sleep(0.3)
    raise AssertionError(f"{what} never showed; the screen was:\n{tmux.screen()}")


def test_refunds_inside_and_outside_the_window_at_80x24(backend: Backend, tmp_path: Path) -> None:
    agent, [(inside, inside_mail, account), (outside, outside_mail, _)] = _agent_and_tickets(
        backend, "refund", f"{DAYS} < 55", f"{DAYS} > 65")
    tmux = _desk(backend, agent, tmp_path / "desk.db", 80, 24)
    try:
        # (a) Inside the window: help is offered first; the customer declines by mail; the refund is recorded.
        _open_case(tmux, inside)
        tmux.wait_for("refund possible until")
        tmux.keys("C-b")
        tmux.wait_for("Send the offer of help")
        tmux.keys("Enter")
        tmux.wait_for("Offer of help queued")
        offer = backend.mail_to(inside_mail, "may we help?")
        backend.customer_writes(inside_mail, account, f"Re: {offer['Subject']}", "No repair, thanks: I want my money back.")
        # The answer arrives by sync on the ticket the agent has open: no need to leave and come back.
        _screen_until(tmux, lambda s: "I want my money back" in s and "Ctrl+B records the outcome" in s,
                      "the customer's answer on the open ticket")
        tmux.keys("C-b")
        tmux.wait_for("how did it end?")
        tmux.keys("Down", "Down", "Enter")  # nothing was chosen for the agent: saved, then refunded
        tmux.wait_for("Record refunded and send")
        tmux.keys("Enter")
        screen = tmux.wait_for("Save the sale: refunded; agreed in writing")
        assert f"{inside} ·" in screen and "resolved" in screen
        backend.until("SELECT t.status, t.save_outcome, o.status FROM ticket t JOIN customer_order o"
                      " ON o.id = t.order_id WHERE t.case_number = ?", inside, expected=("resolved", "refunded", "refunded"))
        told = backend.mail_to(inside_mail, "We have refunded order")
        assert inside in told["Subject"]
        tmux.keys("Escape")

        # (b) Outside the window: the refund cannot be chosen; refused by policy, the customer is told why.
        _open_case(tmux, outside)
        ordered = re.search(r"ordered (\d{4}-\d\d-\d\d), asked on day (\d+)", tmux.wait_for("asked on day"))
        assert ordered is not None and int(ordered[2]) > 60
        tmux.keys("C-b")
        tmux.wait_for("Send the offer of help")
        tmux.keys("Enter")
        backend.mail_to(outside_mail, "may we help?")
        _screen_until(tmux, lambda s: "Ctrl+B records the outcome" in s, "the offer delivered")
        tmux.keys("C-b")
        screen = tmux.wait_for("how did it end?")
        assert "Refunded: Refunds can be requested up to 60 days" in screen  # greyed, with the reason
        tmux.keys("Down", "Down", "Enter")  # the refund is passed over: refused by policy
        screen = tmux.wait_for("Record refused by policy and send")
        assert "we cannot refund order" in screen and "placed on" in screen  # what the customer will read
        tmux.keys("Enter")
        tmux.wait_for("Save the sale: refused by policy.")
        backend.until("SELECT t.status, t.save_outcome, o.status FROM ticket t JOIN customer_order o"
                      " ON o.id = t.order_id WHERE t.case_number = ?", outside, expected=("pending", "refused", "delivered"))
        why = backend.mail_to(outside_mail, "we cannot refund order").get_payload(decode=True).decode()  # type: ignore[union-attr]
        why = re.sub(r"\s+", " ", why)
        assert f"placed on {ordered[1]}" in why and "60 days after the order" in why and "cancel" not in why
        assert outside in tmux.screen()
    finally:
        tmux.kill()


def test_a_cancellation_saved_then_reopened_by_the_customer_at_120x35(backend: Backend, tmp_path: Path) -> None:
    agent, [(case, mail, account)] = _agent_and_tickets(backend, "cancellation", "o.recurring")
    tmux = _desk(backend, agent, tmp_path / "desk.db", 120, 35)
    try:
        # (c) The customer takes the help offered and keeps the service: the sale is saved, the ticket resolved.
        _open_case(tmux, case)
        tmux.wait_for("recurring: can be cancelled at any time")
        tmux.keys("C-b")
        tmux.wait_for("Send the offer of help")
        tmux.keys("Enter")
        offer = backend.mail_to(mail, "may we help?")
        backend.customer_writes(mail, account, f"Re: {offer['Subject']}", "The better plan is fine, I keep it.")
        _screen_until(tmux, lambda s: "I keep it" in s and "Ctrl+B records the outcome" in s, "the customer's answer")
        tmux.keys("C-b")
        tmux.wait_for("how did it end?")
        tmux.keys("Down", "Enter")  # saved
        tmux.wait_for("how did the customer agree to withdraw")
        tmux.keys("Down", "Enter")  # in writing, now
        screen = tmux.wait_for("Save the sale: saved (request withdrawn); agreed in writing")
        assert "nothing owed to the customer" in screen
        query = ("SELECT t.status, t.save_outcome, t.consent_how IS NOT NULL, t.awaiting_since IS NULL, o.status"
                 " FROM ticket t JOIN customer_order o ON o.id = t.order_id WHERE t.case_number = ?")
        backend.until(query, case, expected=("resolved", "saved", 1, 1, "delivered"))

        # (d) The customer writes again: the ticket reopens on the backend and on the open screen, the old
        # agreement is forgotten, and the clock counts from the new message.
        backend.customer_writes(mail, account, f"Re: {offer['Subject']}", "Sorry, please cancel it after all.")
        screen = _screen_until(tmux, lambda s: "please cancel it after all" in s and " · open · " in s,
                               "the reopened ticket")
        assert "agreed in writing" not in screen and "response due in 5h5" in screen
        backend.until(query, case, expected=("open", "saved", 0, 0, "delivered"))
        with sqlite3.connect(tmp_path / "desk.db") as desk:
            here = desk.execute("SELECT status, consent_how, resolved_at FROM ticket WHERE case_number = ?",
                                (case,)).fetchone()
        assert here == ("open", None, None)  # the desk and the backend agree
        assert case in tmux.screen()
    finally:
        tmux.kill()
