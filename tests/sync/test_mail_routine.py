"""The desk's routine mail through a relay (a real aiosmtpd sink): each professional with an address gets their day
at 07:00 in the account's time zone with a calendar file listing their bookings, once, whatever restarts and second
backend processes; each account's kept daily report reaches its recipients once."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from icalendar import Calendar
from sqlalchemy import Engine, inspect, text

from agentdesk.config import MailSettings
from agentdesk.domain import booking
from agentdesk.server.admin import init_backend, schema_is_current
from agentdesk.server.daily_reports import kept_report, produce_due_reports
from agentdesk.server.db import make_engine
from agentdesk.server.mail.listener import MailDesk
from agentdesk.server.mail.relay import Relay, send_due
from agentdesk.server.mail.schema import ensure_mail_schema
from tests.sync.mail_sink import Sink, start_sink


@pytest.fixture
def sink() -> Iterator[tuple[Sink, Relay]]:
    found, controller, port = start_sink()
    yield found, Relay("127.0.0.1", port)
    controller.stop()


def _mails(box: Sink) -> list[EmailMessage]:
    with box.lock:
        return [message_from_bytes(raw, policy=policy.default) for _, _, raw in box.received]  # type: ignore[misc]


def _busiest_day(engine: Engine) -> tuple[str, str, date]:
    """An account with a professional booked, its zone, and the local date of its professional's first booking."""
    with engine.connect() as conn:
        account, zone_name, starts = conn.execute(text(
            "SELECT a.account_id, c.time_zone, a.starts_at FROM appointment a JOIN account c ON c.id = a.account_id"
            " WHERE a.status <> 'cancelled' ORDER BY a.starts_at, a.id LIMIT 1")).one()
    zone = booking.zone(zone_name)
    return str(account), str(zone_name), datetime.fromisoformat(str(starts).replace("Z", "+00:00")).astimezone(zone).date()


def _at(on: date, zone_name: str, hour: int, minute: int = 0) -> datetime:
    return booking.wall_to_utc(on, hour * 60 + minute, booking.zone(zone_name))


def _professionals(engine: Engine, account: str) -> dict[str, str]:
    with engine.connect() as conn:
        return {str(e): str(p) for p, e in conn.execute(text(
            "SELECT id, email FROM professional WHERE account_id = :a AND email IS NOT NULL"), {"a": account})}


def _bookings(engine: Engine, professional: str, on: date, zone_name: str) -> set[str]:
    start, end = _at(on, zone_name, 0), _at(on + timedelta(days=1), zone_name, 0)
    with engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT id, starts_at FROM appointment WHERE professional_id = :p AND status <> 'cancelled'"),
            {"p": professional}).all()
    return {f"{i}@appointments.agentdesk" for i, s in rows
            if start <= datetime.fromisoformat(str(s).replace("Z", "+00:00")) < end}


def _schedules_to(box: Sink, addresses: dict[str, str]) -> list[EmailMessage]:
    return [m for m in _mails(box) if str(m["To"]) in addresses and "Your day on" in str(m["Subject"])]


def test_each_professional_gets_their_day_at_seven_once(backend_engine: Engine, sink: tuple[Sink, Relay]) -> None:
    box, relay = sink
    ensure_mail_schema(backend_engine, "2000-01-01T00:00:00.000000Z")
    account, zone_name, on = _busiest_day(backend_engine)
    people = _professionals(backend_engine, account)
    assert len(people) >= 2
    send_due(backend_engine, relay, now=_at(on, zone_name, 6, 59), schedule_hour=7)
    assert _schedules_to(box, people) == []  # not before seven

    # Two backend processes on the same database, their send rounds at seven together.
    other = make_engine(str(backend_engine.url.render_as_string(hide_password=False)))
    rounds = [threading.Thread(target=send_due, args=(engine, relay),
                               kwargs={"now": _at(on, zone_name, 7), "schedule_hour": 7})
              for engine in (backend_engine, other)]
    for each in rounds:
        each.start()
    for each in rounds:
        each.join()
    other.dispose()
    # A restart later in the morning: nothing again.
    again = MailDesk(make_engine(str(backend_engine.url.render_as_string(hide_password=False))),
                     MailSettings(schedule_hour=7), relay=relay, now=lambda: _at(on, zone_name, 9, 30))
    again.send_now()
    again.engine.dispose()

    mails = _schedules_to(box, people)
    assert sorted(str(m["To"]) for m in mails) == sorted(people)  # each one, once
    booked = 0
    for mail in mails:
        professional = people[str(mail["To"])]
        body = mail.get_body(preferencelist=("plain",))
        assert body is not None and "Good morning" in body.get_content()
        [attachment] = list(mail.iter_attachments())
        assert attachment.get_content_type() == "text/calendar"
        calendar = Calendar.from_ical(attachment.get_payload(decode=True))
        uids = {str(event["uid"]) for event in calendar.walk("VEVENT")}
        assert uids == _bookings(backend_engine, professional, on, zone_name)
        booked += len(uids)
        assert str(mail["Auto-Submitted"]) == "auto-generated"
    assert booked >= 1  # the day's first booking is in its professional's calendar


def test_the_daily_report_reaches_its_recipients_once(backend_engine: Engine, sink: tuple[Sink, Relay]) -> None:
    box, relay = sink
    ensure_mail_schema(backend_engine, "2000-01-01T00:00:00.000000Z")
    with backend_engine.connect() as conn:
        listed, unlisted = [str(a) for a in conn.execute(text("SELECT id FROM account ORDER BY id LIMIT 2")).scalars()]
    now = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
    kept = {account: day for account, day in produce_due_reports(backend_engine, now)}
    assert listed in kept and unlisted in kept
    recipients = ["ops@client.example", "lead@client.example"]
    settings = MailSettings(report_to={listed: recipients, unlisted: []})
    assert settings.report_to == {listed: recipients}  # an account with no recipients is left out
    for moment in (now, now + timedelta(minutes=5)):  # a second round (or a restarted backend) sends nothing more
        send_due(backend_engine, relay, now=moment, report_to=settings.report_to)

    mails = _mails(box)
    assert sorted(str(m["To"]) for m in mails) == sorted(recipients)
    day = kept[listed]
    for mail in mails:
        html = mail.get_body(preferencelist=("html",))
        plain = mail.get_body(preferencelist=("plain",))
        assert html is not None and plain is not None
        assert html.get_content().replace("\r\n", "\n") == kept_report(backend_engine, listed, day, "html")
        assert plain.get_content().replace("\r\n", "\n") == kept_report(backend_engine, listed, day, "text")
        [attachment] = list(mail.iter_attachments())
        assert attachment.get_content_type() == "text/csv"
        assert attachment.get_filename().endswith(f"{day.isoformat()}.csv")
        csv = attachment.get_payload(decode=True).decode("utf-8").replace("\r\n", "\n")
        assert csv == str(kept_report(backend_engine, listed, day, "csv")).replace("\r\n", "\n")


def test_no_recipients_no_relay_no_report_mail(backend_engine: Engine, sink: tuple[Sink, Relay]) -> None:
    box, relay = sink
    ensure_mail_schema(backend_engine, "2000-01-01T00:00:00.000000Z")
    now = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
    [(account, _day), *_] = produce_due_reports(backend_engine, now)
    send_due(backend_engine, relay, now=now, report_to={})
    send_due(backend_engine, None, now=now, report_to={account: ["ops@client.example"]})  # no relay: not queued
    assert box.received == []
    with backend_engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM mail_routine")).scalar() == 0


def test_a_backend_from_before_professional_addresses_upgrades_and_mails_no_one(
        backend_engine: Engine, sink: tuple[Sink, Relay]) -> None:
    box, relay = sink
    with backend_engine.begin() as conn:
        conn.exec_driver_sql("ALTER TABLE professional DROP COLUMN email")
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '0007_agent_skills'")

    init_backend(backend_engine)  # what `agentdesk server init` runs

    assert schema_is_current(backend_engine)
    assert "email" in {c["name"] for c in inspect(backend_engine).get_columns("professional")}
    ensure_mail_schema(backend_engine, "2000-01-01T00:00:00.000000Z")
    account, zone_name, on = _busiest_day(backend_engine)
    send_due(backend_engine, relay, now=_at(on, zone_name, 8), schedule_hour=7)
    assert box.received == []  # nobody has an address yet
