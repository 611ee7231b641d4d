"""The backend's mail desk watching an account's IMAP mailbox on a real Dovecot: where the server offers IDLE a
message put in the mailbox becomes a ticket as soon as the server announces it (the polling interval is set to five
minutes, so nothing else could have fetched it); where the server offers no IDLE the mailbox is polled; a dropped
connection is taken up again; the backend's stop ends the IMAP sessions."""

from __future__ import annotations

import imaplib
import logging
import threading
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, text

from agentdesk.config import MailSettings
from agentdesk.server.mail import idle
from agentdesk.server.mail.listener import MailDesk
from agentdesk.server.mail.schema import ensure_mail_schema
from tests.sync.dovecot import PASSWORD, deliver, kick, running_dovecot

NO_IDLE = "imap_capability = IMAP4rev1 LITERAL+ SASL-IR UIDPLUS\n"


@pytest.fixture
def mailbox_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHOP_IMAP_TEST", PASSWORD)


def _point_at(engine: Engine, port: int) -> str:
    ensure_mail_schema(engine, "2000-01-01T00:00:00.000000Z")
    with engine.begin() as conn:
        account = conn.execute(text("SELECT min(account_id) FROM mail_mailbox")).scalar()
        conn.execute(text("UPDATE mail_mailbox SET imap_url = :u, imap_user = 'kim', imap_password_env = 'SHOP_IMAP_TEST'"
                          " WHERE account_id = :a"), {"u": f"imap://127.0.0.1:{port}", "a": account})
    return str(account)


def _tickets(engine: Engine, account: str) -> list[str]:
    with engine.connect() as conn:
        return list(conn.execute(text("SELECT subject FROM ticket WHERE account_id = :a AND channel = 'email'"
                                      " AND subject LIKE 'Question %' ORDER BY subject"), {"a": account}).scalars())


def _wait_for_tickets(engine: Engine, account: str, count: int, within_s: float = 60.0) -> list[str]:
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        found = _tickets(engine, account)
        if len(found) >= count:
            return found
        time.sleep(0.05)
    raise AssertionError(f"{len(_tickets(engine, account))} tickets, expected {count}")


def _watchers() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("mail-imap")]


@pytest.fixture
def desk(backend_engine: Engine) -> Iterator[list[MailDesk]]:
    running: list[MailDesk] = []
    yield running
    for one in running:
        one.stop()


def test_a_message_put_in_the_mailbox_becomes_a_ticket_while_the_desk_waits_in_idle(
        backend_engine: Engine, mailbox_env: None, desk: list[MailDesk]) -> None:
    with running_dovecot() as port:
        account = _point_at(backend_engine, port)
        deliver(port, "Question 1: waiting before the start", "<i1@customer.example>")
        running = MailDesk(backend_engine, MailSettings(imap_seconds=300, send_seconds=300))
        desk.append(running)
        running.start()
        assert _wait_for_tickets(backend_engine, account, 1) == ["Question 1: waiting before the start"]
        # From here on only the server's announcement can bring mail in: the next poll would be in five minutes.
        deliver(port, "Question 2: put in while idle", "<i2@customer.example>")
        deliver(port, "Question 3: and another", "<i3@customer.example>")
        assert _wait_for_tickets(backend_engine, account, 3)[1:] == ["Question 2: put in while idle",
                                                                     "Question 3: and another"]
        _delete_first(port)  # the account's own mail program tidies up: the folder holds one message fewer
        deliver(port, "Question 4: after a deletion", "<i4@customer.example>")
        assert _wait_for_tickets(backend_engine, account, 4)[3] == "Question 4: after a deletion"
        running.stop()
        assert _watchers() == []  # the IDLE was ended and the session closed, not left hanging
        deliver(port, "Question 5: after the stop", "<i5@customer.example>")
    assert len(_tickets(backend_engine, account)) == 4


def _delete_first(port: int) -> None:
    client = imaplib.IMAP4("127.0.0.1", port)
    client.login("kim", PASSWORD)
    client.select("INBOX")
    client.store("1", "+FLAGS", "(\\Deleted)")
    client.expunge()
    client.logout()


def test_a_server_without_idle_is_polled(backend_engine: Engine, mailbox_env: None, desk: list[MailDesk],
                                         caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="agentdesk.mail")
    with running_dovecot(NO_IDLE) as port:
        account = _point_at(backend_engine, port)
        running = MailDesk(backend_engine, MailSettings(imap_seconds=0.3, send_seconds=300))
        desk.append(running)
        running.start()
        deliver(port, "Question 1: polled", "<p1@customer.example>")
        _wait_for_tickets(backend_engine, account, 1)
        deliver(port, "Question 2: polled again", "<p2@customer.example>")
        assert _wait_for_tickets(backend_engine, account, 2) == ["Question 1: polled", "Question 2: polled again"]
        running.stop()
    assert "offers no IDLE: the mailbox is looked at every" in caplog.text


def test_a_dropped_idle_connection_is_taken_up_again(backend_engine: Engine, mailbox_env: None,
                                                     desk: list[MailDesk], monkeypatch: pytest.MonkeyPatch,
                                                     caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setattr(idle, "FIRST_BACKOFF_S", 0.2)
    with running_dovecot() as port:
        account = _point_at(backend_engine, port)
        running = MailDesk(backend_engine, MailSettings(imap_seconds=300, send_seconds=300))
        desk.append(running)
        running.start()
        deliver(port, "Question 1: before the drop", "<d1@customer.example>")
        _wait_for_tickets(backend_engine, account, 1)
        kick(port)
        deliver(port, "Question 2: after the drop", "<d2@customer.example>")
        assert _wait_for_tickets(backend_engine, account, 2)[1] == "Question 2: after the drop"
    assert "could not be fetched" in caplog.text

