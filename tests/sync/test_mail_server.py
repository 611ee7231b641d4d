"""The mail desk in a real `agentdesk server --smtp-port` on loopback: a customer's mail sent with smtplib becomes
a ticket a terminal pulls, the customer gets the acknowledgement with the case number through the relay (a real
SMTP sink), and the agent's reply written at the terminal reaches the customer's mailbox and shows as delivered."""

from __future__ import annotations

import os
import signal
import smtplib
import sqlite3
import subprocess
import sys
import time
import uuid
from email.message import EmailMessage
from pathlib import Path

import httpx
import pytest

from agentdesk.clock import SystemClock, iso
from agentdesk.store import Store
from tests.sync.mail_sink import free_port, start_sink

EXE = str(Path(sys.executable).with_name("agentdesk"))


def _start(env: dict[str, str], port: int, smtp_port: int) -> subprocess.Popen[bytes]:
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


def _sync(env: dict[str, str], store: Path, port: int, token: str) -> None:
    done = subprocess.run([EXE, "--store", str(store), "sync", "--server", f"http://127.0.0.1:{port}",
                           "--deadline", "5"], env={**env, "AGENTDESK_TOKEN": token}, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr


def _until(check, timeout: float = 15.0):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError("waited in vain")


@pytest.mark.e2e
def test_mail_in_acknowledgement_out_and_the_agents_reply_delivered(tmp_path: Path) -> None:
    sink, controller, relay_port = start_sink()
    database = tmp_path / "backend.db"
    (tmp_path / "none.toml").write_text("")  # the user's own settings file stays out of the test
    env = {**os.environ, "AGENTDESK_DATABASE_URL": str(database), "AGENTDESK_CONFIG": str(tmp_path / "none.toml"),
           "AGENTDESK_MAIL__RELAY": f"smtp://127.0.0.1:{relay_port}", "AGENTDESK_MAIL__SEND_SECONDS": "0.2",
           "AGENTDESK_MAIL__SCHEDULES": "false"}  # only the tickets' mail reaches the sink, whatever the hour
    subprocess.run([EXE, "server", "init", "--demo", "--customers", "30"], env=env, check=True, capture_output=True,
                   timeout=120)
    backend = sqlite3.connect(database)
    agent = backend.execute("SELECT a.id FROM agent a JOIN agent_account aa ON aa.agent_id = a.id"
                            " WHERE a.role = 'agent' ORDER BY a.id LIMIT 1").fetchone()[0]
    token = subprocess.run([EXE, "server", "token", agent], env=env, check=True, capture_output=True,
                           text=True).stdout.strip()
    port, smtp_port = free_port(), free_port()
    server = _start(env, port, smtp_port)
    try:
        address = backend.execute("SELECT m.address FROM mail_mailbox m JOIN agent_account aa"
                                  " ON aa.account_id = m.account_id WHERE aa.agent_id = ? ORDER BY m.address",
                                  (agent,)).fetchone()[0]
        message = EmailMessage()
        message["From"], message["To"] = "Lin Customer <lin@customer.example>", address
        message["Subject"], message["Message-ID"] = "My parcel is lost", "<lost-1@customer.example>"
        message.set_content("Tracking says delivered, but nothing came.")
        with smtplib.SMTP("127.0.0.1", smtp_port, timeout=10) as smtp:
            smtp.send_message(message)
            with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
                smtp.sendmail("spam@else.example", ["someone@not-ours.example"], b"Subject: x\r\n\r\nx")
        assert next(iter(refused.value.recipients.values()))[0] == 550

        [ack] = sink.wait_for(1)
        number = backend.execute("SELECT case_number FROM ticket WHERE subject = 'My parcel is lost'").fetchone()[0]
        assert ack["Subject"] == f"[{number}] My parcel is lost" and ack["To"] == "lin@customer.example"
        assert ack["In-Reply-To"] == "<lost-1@customer.example>" and ack["Auto-Submitted"] == "auto-replied"
        assert number in ack.get_payload()

        store_path = tmp_path / "terminal.db"
        _sync(env, store_path, port, token)
        store = Store.open(store_path, SystemClock())
        ticket_id, status = store.conn.execute("SELECT id, status FROM ticket WHERE case_number = ?",
                                               (number,)).fetchone()
        assert status == "new"
        store.mutate("ticket.add_message@1", {
            "message_id": str(uuid.uuid4()), "ticket_id": ticket_id, "kind": "reply", "author": "Sam Agent",
            "body": "We have sent a new parcel today.", "created_at": iso(store.clock.now()), "agent_id": agent})
        store.close()
        _sync(env, store_path, port, token)

        reply = sink.wait_for(2)[1]
        assert reply["Subject"] == f"Re: [{number}] My parcel is lost" and reply["To"] == "lin@customer.example"
        assert reply["In-Reply-To"] == "<lost-1@customer.example>" and "Auto-Submitted" not in reply
        assert reply.get_payload().strip() == "We have sent a new parcel today."

        def delivered() -> bool:
            _sync(env, store_path, port, token)
            with sqlite3.connect(store_path) as local:
                return local.execute("SELECT delivery FROM ticket_message WHERE ticket_id = ? AND kind = 'reply'",
                                     (ticket_id,)).fetchone()[0] == "delivered"
        _until(delivered)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(20)
        controller.stop()
