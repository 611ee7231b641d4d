"""Mail fetched from an account's IMAP mailbox: a real Dovecot (Debian's `dovecot-imapd`) started by the test with a
private configuration on a loopback port, a passwd-file user and a Maildir in a temporary folder."""

from __future__ import annotations

import imaplib
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, text

from agentdesk.server.mail.imap import fetch_all
from agentdesk.server.mail.schema import ensure_mail_schema
from tests.sync.dovecot import PASSWORD, running_dovecot
from tests.sync.dovecot import deliver as _deliver


@pytest.fixture
def dovecot() -> Iterator[int]:
    """A running Dovecot with the user `kim`; yields its IMAP port."""
    with running_dovecot() as port:
        yield port


def _one(engine: Engine, sql: str) -> object:
    with engine.connect() as conn:
        return conn.execute(text(sql)).scalar()


def test_mail_waiting_in_an_account_mailbox_becomes_tickets_once(backend_engine: Engine, dovecot: int) -> None:
    ensure_mail_schema(backend_engine, "2000-01-01T00:00:00.000000Z")
    with backend_engine.begin() as conn:
        account = conn.execute(text("SELECT account_id FROM mail_mailbox ORDER BY account_id LIMIT 1")).scalar()
        conn.execute(text("UPDATE mail_mailbox SET imap_url = :u, imap_user = 'kim', imap_password_env = 'SHOP_IMAP'"
                          " WHERE account_id = :a"), {"u": f"imap://127.0.0.1:{dovecot}", "a": account})
    environ = {"SHOP_IMAP": PASSWORD}
    _deliver(dovecot, "First question", "<q1@customer.example>")
    _deliver(dovecot, "Second question", "<q2@customer.example>")
    assert fetch_all(backend_engine, environ=environ) == 2
    assert fetch_all(backend_engine, environ=environ) == 0  # taken once, even though the folder is unchanged
    _deliver(dovecot, "Third question", "<q3@customer.example>")
    assert fetch_all(backend_engine, environ=environ) == 1
    with backend_engine.connect() as conn:
        subjects = conn.execute(text("SELECT subject FROM ticket WHERE account_id = :a AND channel = 'email'"
                                     " AND subject LIKE '%question' ORDER BY subject"), {"a": account}).scalars().all()
    assert subjects == ["First question", "Second question", "Third question"]
    assert _one(backend_engine, "SELECT count(*) FROM mail_outgoing WHERE recipient = 'kim@customer.example'") == 3
    client = imaplib.IMAP4("127.0.0.1", dovecot)
    client.login("kim", PASSWORD)
    client.select("INBOX", readonly=True)
    assert client.search(None, "SEEN")[1] == [b""]  # the account's mailbox is left as it was
    client.logout()


def test_a_missing_password_or_a_wrong_one_takes_nothing_and_says_why(backend_engine: Engine, dovecot: int,
                                                                      caplog: pytest.LogCaptureFixture) -> None:
    ensure_mail_schema(backend_engine, "2000-01-01T00:00:00.000000Z")
    with backend_engine.begin() as conn:
        conn.execute(text("UPDATE mail_mailbox SET imap_url = :u, imap_user = 'kim', imap_password_env = 'SHOP_IMAP'"
                          " WHERE account_id = (SELECT min(account_id) FROM mail_mailbox)"),
                     {"u": f"imap://127.0.0.1:{dovecot}"})
    _deliver(dovecot, "Lost", "<l1@customer.example>")
    assert fetch_all(backend_engine, environ={}) == 0
    assert "put it in the environment variable SHOP_IMAP" in caplog.text
    assert fetch_all(backend_engine, environ={"SHOP_IMAP": "wrong"}) == 0
    assert _one(backend_engine, "SELECT count(*) FROM mail_received") == 0
