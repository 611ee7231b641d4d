"""Mail going out through a relay (a real aiosmtpd sink): delivery states, retries with backoff, bounces as notes on
the ticket, the account's own acknowledgement, and two desks answering each other without a mail loop."""

from __future__ import annotations

import smtplib
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.mime.message import MIMEMessage
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from agentdesk.config import MailSettings
from agentdesk.server.admin import init_backend
from agentdesk.server.db import make_engine
from agentdesk.server.mail.intake import take_in
from agentdesk.server.mail.listener import MailDesk
from agentdesk.server.mail.outgoing import retry_after
from agentdesk.server.mail.relay import Relay, send_due
from agentdesk.server.mail.schema import ensure_mail_schema
from tests.sync.mail_sink import Sink, free_port, start_sink


@pytest.fixture
def sink() -> Iterator[tuple[Sink, Relay]]:
    found, controller, port = start_sink()
    yield found, Relay("127.0.0.1", port)
    controller.stop()


def _address(engine: Engine) -> str:
    ensure_mail_schema(engine, "2000-01-01T00:00:00.000000Z")
    with engine.connect() as conn:
        return str(conn.execute(text("SELECT address FROM mail_mailbox ORDER BY account_id LIMIT 1")).scalar())


def _mail(to: str, subject: str = "Help", sender: str = "kim@example.org") -> bytes:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"], message["Message-ID"] = sender, to, subject, "<k1@example.org>"
    message.set_content("Please help.")
    return message.as_bytes()


def _one(engine: Engine, sql: str, **params: object) -> object:
    with engine.connect() as conn:
        return conn.execute(text(sql), params).scalar()


def test_a_refusing_relay_defers_with_backoff_and_then_delivers(backend_engine: Engine,
                                                               sink: tuple[Sink, Relay]) -> None:
    box, relay = sink
    address = _address(backend_engine)
    [taken] = take_in(backend_engine, _mail(address), [address])
    now = datetime.now(UTC)
    box.refuse = "451 4.3.0 Busy, try later"
    assert send_due(backend_engine, relay, now=now, first_retry_s=60) == {"sent": 0, "deferred": 1, "bounced": 0}
    assert _one(backend_engine, "SELECT state FROM mail_outgoing") == "deferred"
    assert "451" in str(_one(backend_engine, "SELECT reason FROM mail_outgoing"))
    assert _one(backend_engine, "SELECT body FROM ticket_message WHERE ticket_id = :t AND kind = 'note'",
                t=taken.ticket_id) == "The acknowledgement with the case number to kim@example.org is not delivered" \
        " yet (the receiving server refused the address (451 4.3.0 Busy, try later)); the desk keeps trying for about" \
        " a day and a half."
    box.refuse = None
    assert send_due(backend_engine, relay, now=now + timedelta(seconds=30))["sent"] == 0  # not due yet
    assert send_due(backend_engine, relay, now=now + timedelta(seconds=61))["sent"] == 1
    assert [m["Subject"] for m in box.messages()] == [f"[{taken.case_number}] Help"]
    assert _one(backend_engine, "SELECT state FROM mail_outgoing") == "sent"
    assert _one(backend_engine, "SELECT body FROM ticket_message WHERE ticket_id = :t AND kind = 'note'"
                " AND body LIKE '%was sent%'", t=taken.ticket_id) == \
        "The acknowledgement with the case number was sent to kim@example.org."
    assert [retry_after(n, 60) for n in (1, 2, 3)] == [60, 120, 240] and retry_after(30, 60) == 6 * 3600


def test_a_refused_reply_is_bounced_and_the_ticket_says_why(backend_engine: Engine, sink: tuple[Sink, Relay]) -> None:
    box, relay = sink
    address = _address(backend_engine)
    [taken] = take_in(backend_engine, _mail(address), [address])
    send_due(backend_engine, relay)
    with backend_engine.begin() as conn:  # an agent's reply as a push writes it
        conn.execute(text("UPDATE sync_state SET version = version + 1"))
        conn.execute(text(
            "INSERT INTO ticket_message (id, account_id, ticket_id, kind, author, body, created_at, delivery)"
            " SELECT 'reply-1', account_id, id, 'reply', 'Sam', 'Here is the answer.', :at, 'queued' FROM ticket"
            " WHERE id = :t"), {"t": taken.ticket_id, "at": "2030-01-01T00:00:00.000000Z"})
    box.refuse = "550 5.1.1 No such user"
    assert send_due(backend_engine, relay)["bounced"] == 1
    assert _one(backend_engine, "SELECT delivery FROM ticket_message WHERE id = 'reply-1'") == "failed"
    note = _one(backend_engine, "SELECT body FROM ticket_message WHERE ticket_id = :t AND kind = 'note'"
                " AND body LIKE 'The reply%'", t=taken.ticket_id)
    assert note == "The reply to kim@example.org could not be delivered: the receiving server refused the address" \
                   " (550 5.1.1 No such user)"


def test_a_bounce_report_marks_the_acknowledgement_bounced(backend_engine: Engine, sink: tuple[Sink, Relay]) -> None:
    box, relay = sink
    address = _address(backend_engine)
    [taken] = take_in(backend_engine, _mail(address, sender="gone@example.org"), [address])
    send_due(backend_engine, relay)
    [ack] = box.messages()
    report = MIMEMultipart("report", report_type="delivery-status")
    report["From"], report["To"], report["Subject"] = "MAILER-DAEMON@mx.example.org", address, "Undelivered Mail"
    report.attach(MIMEText("gone@example.org: user unknown", "plain"))
    report.attach(MIMEMessage(ack))
    [bounce] = take_in(backend_engine, report.as_bytes(), [address])
    assert bounce.outcome == "bounce" and bounce.ticket_id is None and not bounce.acknowledged
    assert _one(backend_engine, "SELECT state FROM mail_outgoing") == "bounced"
    assert "user unknown" in str(_one(backend_engine, "SELECT body FROM ticket_message WHERE ticket_id = :t"
                                      " AND body LIKE '%could not be delivered%'", t=taken.ticket_id))
    assert _one(backend_engine, "SELECT count(*) FROM ticket") == _one(
        backend_engine, "SELECT count(DISTINCT ticket_id) FROM ticket_message")  # the bounce opened no case


def test_an_account_template_writes_the_acknowledgement(backend_engine: Engine, sink: tuple[Sink, Relay]) -> None:
    box, relay = sink
    address = _address(backend_engine)
    with backend_engine.begin() as conn:
        conn.execute(text("UPDATE mail_mailbox SET acknowledgement = :t WHERE address = :a"),
                     {"t": "Dear {{ customer_name }}, case {{ case_number }} is ours. {{ account_name | upper }}",
                      "a": address})
    [taken] = take_in(backend_engine, _mail(address), [address])
    send_due(backend_engine, relay)
    name = _one(backend_engine, "SELECT a.name FROM account a JOIN mail_mailbox m ON m.account_id = a.id"
                " WHERE m.address = :a", a=address)
    assert box.messages()[0].get_payload().strip() == \
        f"Dear kim@example.org, case {taken.case_number} is ours. {str(name).upper()}"


def _second_backend(tmp_path: Path) -> Engine:
    engine = make_engine(str(tmp_path / "other.db"))
    init_backend(engine)
    with engine.begin() as conn:
        conn.execute(text("UPDATE sync_state SET version = version + 1"))
        conn.execute(text("INSERT INTO account (id, name, time_zone, price_per_minute_cents, phone_number)"
                          " VALUES ('acct-other', 'Other Shop', 'UTC', 10, '+15550001111')"))
    return engine


def test_two_desks_answering_each_other_exchange_a_bounded_number_of_mails(backend_engine: Engine,
                                                                        tmp_path: Path) -> None:
    first_address, other = _address(backend_engine), _second_backend(tmp_path)
    second_address = _address(other)
    first_smtp, second_smtp = free_port(), free_port()
    settings = MailSettings(send_seconds=0.1)
    first = MailDesk(backend_engine, settings, smtp_port=first_smtp, relay=Relay("127.0.0.1", second_smtp))
    second = MailDesk(other, settings, smtp_port=second_smtp, relay=Relay("127.0.0.1", first_smtp))
    first.start()
    second.start()
    try:
        with smtplib.SMTP("127.0.0.1", first_smtp, timeout=10) as smtp:  # the other desk writes to the first
            smtp.sendmail(second_address, [first_address], _mail(first_address, "Hello desk", second_address))
        time.sleep(3)  # many send rounds of both desks
    finally:
        first.stop()
        second.stop()
    assert _one(backend_engine, "SELECT count(*) FROM mail_received") == 1
    assert _one(backend_engine, "SELECT count(*) FROM mail_outgoing WHERE state = 'sent'") == 1
    assert _one(other, "SELECT count(*) FROM mail_received") == 1  # the acknowledgement arrived
    assert _one(other, "SELECT automatic FROM mail_received") in (True, 1)
    assert _one(other, "SELECT count(*) FROM mail_outgoing") == 0  # and was not answered
    other.dispose()


def test_a_reply_to_a_customer_without_an_address_fails_with_a_note(backend_engine: Engine,
                                                                    sink: tuple[Sink, Relay]) -> None:
    box, relay = sink
    _address(backend_engine)
    with backend_engine.begin() as conn:
        ticket_id = conn.execute(text(
            "SELECT t.id FROM ticket t WHERE t.status <> 'closed' AND NOT EXISTS (SELECT 1 FROM customer_email e"
            " WHERE e.customer_id = t.customer_id) ORDER BY t.id LIMIT 1")).scalar()
        conn.execute(text("UPDATE sync_state SET version = version + 1"))
        conn.execute(text(
            "INSERT INTO ticket_message (id, account_id, ticket_id, kind, author, body, created_at, delivery)"
            " SELECT 'reply-2', account_id, id, 'reply', 'Sam', 'Answer.', :at, 'queued' FROM ticket WHERE id = :t"),
            {"t": ticket_id, "at": "2030-01-01T00:00:00.000000Z"})
    assert ticket_id is not None
    send_due(backend_engine, relay)
    assert _one(backend_engine, "SELECT delivery FROM ticket_message WHERE id = 'reply-2'") == "failed"
    assert "the customer has no e-mail address" in str(_one(
        backend_engine, "SELECT body FROM ticket_message WHERE ticket_id = :t AND kind = 'note'"
        " AND author = 'mail desk'", t=ticket_id))
    assert box.messages() == []
