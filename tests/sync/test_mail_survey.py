"""The satisfaction survey by e-mail (SQLite and PostgreSQL): a resolved ticket's customer gets one survey through
the relay (a real SMTP sink), and rates the agent's reply by answering it to the desk's SMTP listener or by one
of its links on the backend served by uvicorn; the rating lands on the ticket for terminals to pull."""

from __future__ import annotations

import re
import smtplib
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage, Message
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from agentdesk.clock import iso
from agentdesk.config import MailSettings
from agentdesk.mutations import registry as mutators
from agentdesk.server import sync as backend_sync
from agentdesk.server.admin import ensure_admin
from agentdesk.server.app import create_app
from agentdesk.server.db import MutatorConnection
from agentdesk.server.mail.intake import take_in
from agentdesk.server.mail.listener import MailDesk
from agentdesk.server.mail.relay import Relay
from agentdesk.server.mail.schema import ensure_mail_schema
from tests.sync.conftest import served
from tests.sync.mail_sink import Sink, free_port, start_sink

PUBLIC = "https://desk.example.test"


@pytest.fixture
def desk(backend_engine: Engine) -> Iterator[tuple[Sink, MailDesk]]:
    """The mail desk with its SMTP listener, sending through a real sink every 0.1 s, links on `PUBLIC` (the
    professionals' morning schedules off: only the tickets' mail reaches the sink)."""
    sink, controller, relay_port = start_sink()
    ensure_mail_schema(backend_engine, "2000-01-01T00:00:00.000000Z")
    running = MailDesk(backend_engine, MailSettings(send_seconds=0.1, schedules=False), smtp_port=free_port(),
                       relay=Relay("127.0.0.1", relay_port), public_url=PUBLIC)
    running.start()
    yield sink, running
    running.stop()
    controller.stop()


def _rows(engine: Engine, sql: str, **params: object) -> list[tuple[Any, ...]]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql), params)]


def _write(engine: Engine, name: str, args: dict[str, Any]) -> None:
    """One mutation applied on the backend under a new version, as a terminal's push is."""
    with engine.begin() as conn:
        conn.execute(text("UPDATE sync_state SET version = version + 1 WHERE id = 1"))
        mutators.resolve(name).apply(MutatorConnection(conn), args)  # type: ignore[arg-type]


def _send(desk: MailDesk, to: str, subject: str, body: str, message_id: str, in_reply_to: str | None = None) -> None:
    message = EmailMessage()
    message["From"], message["To"] = "Lin Customer <lin@customer.example>", to
    message["Subject"], message["Message-ID"] = subject, message_id
    if in_reply_to:
        message["In-Reply-To"] = message["References"] = "".join(str(in_reply_to).split())
    message.set_content(body)
    assert desk.smtp_port is not None
    with smtplib.SMTP("127.0.0.1", desk.smtp_port, timeout=10) as smtp:
        smtp.send_message(message)


def _surveys(sink: Sink) -> list[Message]:
    return [m for m in sink.messages() if str(m["Subject"]).endswith("How did we do?")]


def _until(check: Any, timeout: float = 15.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError("waited in vain")


def _resolve(engine: Engine, ticket_id: str, agent_id: str) -> None:
    now = iso(datetime.now(UTC))
    _write(engine, "ticket.record_consent@1", {"ticket_id": ticket_id, "how": "writing", "given_at": now,
                                               "agent_id": agent_id, "recorded_at": now})
    _write(engine, "ticket.set_status@1", {"ticket_id": ticket_id, "status": "resolved", "changed_at": now,
                                           "agent_id": agent_id})


def _answered_case(engine: Engine, desk: tuple[Sink, MailDesk]) -> dict[str, Any]:
    """A customer's mail answered by an agent of the account and resolved; the survey it brought."""
    sink, running = desk
    ensure_admin(engine)  # as `agentdesk server init` does
    account, address = _rows(engine, "SELECT account_id, address FROM mail_mailbox ORDER BY account_id LIMIT 1")[0]
    agent, name = _rows(engine, "SELECT a.id, a.name FROM agent a JOIN agent_account aa ON aa.agent_id = a.id"
                        " WHERE aa.account_id = :a AND a.role = 'agent' ORDER BY a.id LIMIT 1", a=account)[0]
    _send(running, address, "Parcel lost", "Nothing came.", "<lost-1@customer.example>")
    [ack] = sink.wait_for(1)
    ticket_id, number = _rows(engine, "SELECT id, case_number FROM ticket WHERE subject = 'Parcel lost'")[0]
    reply_id = str(uuid.uuid4())
    _write(engine, "ticket.add_message@1", {
        "message_id": reply_id, "ticket_id": ticket_id, "kind": "reply", "author": name,
        "body": "A new parcel is on its way.", "created_at": iso(datetime.now(UTC)), "agent_id": agent})
    sink.wait_for(2)
    before = _rows(engine, "SELECT version FROM sync_state")[0][0]
    _resolve(engine, ticket_id, agent)
    _until(lambda: _surveys(sink))
    [survey] = _surveys(sink)
    token = re.search(r"/survey/([A-Za-z0-9_-]+)/1", _text(survey)).group(1)  # type: ignore[union-attr]
    return {"account": account, "address": address, "agent": agent, "ticket": ticket_id, "number": number,
            "reply": reply_id, "survey": survey, "token": token, "ack": ack, "before": before}


def _text(message: Message) -> str:
    return bytes(message.get_payload(decode=True)).decode("utf-8")  # type: ignore[arg-type]


def _ratings(engine: Engine, reply_id: str) -> list[tuple[Any, ...]]:
    return _rows(engine, "SELECT score, comment, agent_id, source, rated_by FROM rating WHERE message_id = :m",
                 m=reply_id)


def test_a_resolved_case_gets_one_survey_and_a_reply_with_a_score_rates_the_agents_reply(
        backend_engine: Engine, desk: tuple[Sink, MailDesk]) -> None:
    sink, running = desk
    case = _answered_case(backend_engine, desk)
    survey = case["survey"]
    assert survey["Subject"] == f"[{case['number']}] How did we do?" and survey["To"] == "lin@customer.example"
    assert survey["In-Reply-To"] == "<lost-1@customer.example>" and survey["Auto-Submitted"] == "auto-generated"
    text_of = _text(survey)
    assert case["number"] in text_of and "from 1 (poor) to 5 (excellent)" in text_of
    assert [f"{PUBLIC}/survey/{case['token']}/{n}" in text_of for n in range(1, 6)] == [True] * 5
    tickets_before = _rows(backend_engine, "SELECT count(*) FROM ticket")[0][0]
    version_before = _rows(backend_engine, "SELECT version FROM sync_state")[0][0]

    _send(running, case["address"], f"Re: [{case['number']}] How did we do?",
          "4\nQuick and kind.\n\nOn Monday the desk wrote:\n> Reply with a number\n> from 1 to 5", "<answer-1@customer.example>",
          in_reply_to=survey["Message-ID"])
    assert _until(lambda: _ratings(backend_engine, case["reply"])) == [
        (4, "Quick and kind.", case["agent"], "customer", None)]
    assert _rows(backend_engine, "SELECT count(*) FROM ticket")[0][0] == tickets_before  # no new case
    assert _rows(backend_engine, "SELECT status FROM ticket WHERE id = :t", t=case["ticket"]) == [("resolved",)]
    customers = _rows(backend_engine, "SELECT body FROM ticket_message WHERE ticket_id = :t AND kind = 'customer'",
                      t=case["ticket"])
    assert customers == [("Nothing came.",)]
    notes = [b for (b,) in _rows(backend_engine, "SELECT body FROM ticket_message WHERE ticket_id = :t"
                                 " AND kind = 'note'", t=case["ticket"])]
    assert "The customer rated the reply 4/5 by e-mail: Quick and kind." in notes
    assert "The satisfaction survey was sent to lin@customer.example." in notes

    caller = backend_sync.Caller("someone", "agent", frozenset({case["account"]}))
    epoch = _rows(backend_engine, "SELECT epoch FROM sync_state")[0][0]
    pulled = backend_sync.pull(backend_engine, caller, "survey-test-group", version_before, epoch)
    assert pulled is not None
    rows = [c["row"] for c in pulled.changes if c.get("table") == "rating" and "row" in c]
    assert [(r["message_id"], r["score"], r["source"]) for r in rows] == [(case["reply"], 4, "customer")]

    # Reopened and resolved again within the survey's days, and the desk taken back to before the first survey
    # (a second backend process that looked at the same changes): no second survey.
    _write(backend_engine, "ticket.set_status@1", {"ticket_id": case["ticket"], "status": "open",
                                                   "changed_at": iso(datetime.now(UTC)), "agent_id": case["agent"]})
    _resolve(backend_engine, case["ticket"], case["agent"])
    running.stop()
    with backend_engine.begin() as conn:
        conn.execute(text("UPDATE mail_counter SET value = :v WHERE name = 'surveys_seen'"), {"v": case["before"]})
    again = MailDesk(backend_engine, MailSettings(send_seconds=0.1, schedules=False), relay=running.relay, public_url=PUBLIC)
    again.start()
    try:
        _until(lambda: _rows(backend_engine, "SELECT value FROM mail_counter WHERE name = 'surveys_seen'")[0][0]
               >= _rows(backend_engine, "SELECT version FROM sync_state")[0][0])
        _until(lambda: not _rows(backend_engine, "SELECT 1 FROM mail_outgoing WHERE state = 'queued'"))
    finally:
        again.stop()
    assert len(_surveys(sink)) == 1
    assert _rows(backend_engine, "SELECT count(*) FROM mail_survey")[0][0] == 1


def test_a_reply_without_a_score_is_an_ordinary_message_on_the_case(
        backend_engine: Engine, desk: tuple[Sink, MailDesk]) -> None:
    sink, running = desk
    case = _answered_case(backend_engine, desk)
    _send(running, case["address"], f"Re: [{case['number']}] How did we do?", "thanks!\n\n> 1 (poor)",
          "<answer-2@customer.example>", in_reply_to=case["survey"]["Message-ID"])
    _until(lambda: _rows(backend_engine, "SELECT 1 FROM ticket_message WHERE ticket_id = :t AND kind = 'customer'"
                         " AND body LIKE 'thanks!%'", t=case["ticket"]))
    assert _ratings(backend_engine, case["reply"]) == []
    assert _rows(backend_engine, "SELECT status FROM ticket WHERE id = :t", t=case["ticket"]) == [("open",)]


def test_the_links_record_the_score_the_last_one_stands_and_a_comment_can_follow(
        backend_engine: Engine, desk: tuple[Sink, MailDesk]) -> None:
    case = _answered_case(backend_engine, desk)
    token = case["token"]
    with served(backend_engine, create_app(backend_engine)) as backend, httpx.Client(base_url=backend.url) as web:
        page = web.get(f"/survey/{token}/5")
        assert page.status_code == 200 and "You rated us 5 out of 5" in page.text and "<script" not in page.text
        assert "default-src 'none'" in page.headers["content-security-policy"]
        assert _ratings(backend_engine, case["reply"]) == [(5, "", case["agent"], "customer", None)]
        assert web.get(f"/survey/{token}/2").status_code == 200
        posted = web.post(f"/survey/{token}/2", content="comment=Slow+to+answer+%3Cb%3Eat+all%3C%2Fb%3E",
                          headers={"content-type": "application/x-www-form-urlencoded"})
        assert posted.status_code == 200 and "Your comment is with us" in posted.text and "<b>" not in posted.text
        assert _ratings(backend_engine, case["reply"]) == [
            (2, "Slow to answer <b>at all</b>", case["agent"], "customer", None)]
        assert web.post(f"/survey/{token}/2", content="comment=" + "x" * 20_000).status_code == 413

        unknown = web.get("/survey/" + "A" * 32 + "/3")
        assert unknown.status_code == 404 and "not valid" in unknown.text
        assert web.get("/survey/short/3").status_code == 404
        bad = web.get(f"/survey/{token}/9")
        assert bad.status_code == 422 and "from 1 (poor) to 5 (excellent)" in bad.text
        assert web.get(f"/survey/{token}/x").status_code == 422
        with backend_engine.begin() as conn:
            conn.execute(text("UPDATE mail_survey SET expires_at = :at"),
                         {"at": iso(datetime.now(UTC) - timedelta(seconds=1))})
        assert web.get(f"/survey/{token}/4").status_code == 404
    assert _ratings(backend_engine, case["reply"])[0][0] == 2
    notes = [b for (b,) in _rows(backend_engine, "SELECT body FROM ticket_message WHERE ticket_id = :t"
                                 " AND kind = 'note' AND body LIKE 'The customer%' ORDER BY created_at, body",
                                 t=case["ticket"])]
    assert "The customer rated the reply 5/5 by the link." in notes
    assert "The customer changed their rating from 5/5 to 2/5 by the link." in notes


def test_no_survey_for_a_case_resolved_without_a_reply_or_from_a_machine(backend_engine: Engine,
                                                                        desk: tuple[Sink, MailDesk]) -> None:
    sink, running = desk
    ensure_admin(backend_engine)
    account, address = _rows(backend_engine, "SELECT account_id, address FROM mail_mailbox ORDER BY account_id"
                             " LIMIT 1")[0]
    agent = _rows(backend_engine, "SELECT a.id FROM agent a JOIN agent_account aa ON aa.agent_id = a.id"
                  " WHERE aa.account_id = :a AND a.role = 'agent' ORDER BY a.id LIMIT 1", a=account)[0][0]
    quiet = EmailMessage()
    quiet["From"], quiet["To"], quiet["Subject"] = "Ann <ann@customer.example>", address, "No answer needed"
    quiet.set_content("Just so you know.")
    robot = EmailMessage()
    robot["From"], robot["To"], robot["Subject"] = "alerts@shop.example", address, "Nightly alert"
    robot["Auto-Submitted"] = "auto-generated"
    robot.set_content("Disk at 80%.")
    taken = [take_in(backend_engine, m.as_bytes(), [address])[0] for m in (quiet, robot)]
    _write(backend_engine, "ticket.add_message@1", {
        "message_id": str(uuid.uuid4()), "ticket_id": taken[1].ticket_id, "kind": "reply", "author": "Sam",
        "body": "Noted.", "created_at": iso(datetime.now(UTC)), "agent_id": agent})
    for one in taken:
        _resolve(backend_engine, str(one.ticket_id), agent)
    _until(lambda: _rows(backend_engine, "SELECT value FROM mail_counter WHERE name = 'surveys_seen'")[0][0]
           >= _rows(backend_engine, "SELECT version FROM sync_state")[0][0])
    running.send_now()
    assert _rows(backend_engine, "SELECT count(*) FROM mail_survey")[0][0] == 0
    assert _surveys(sink) == []


def test_an_account_template_writes_the_survey(backend_engine: Engine, desk: tuple[Sink, MailDesk]) -> None:
    ensure_mail_schema(backend_engine, "2000-01-01T00:00:00.000000Z")
    with backend_engine.begin() as conn:
        conn.execute(text("UPDATE mail_mailbox SET survey = :t WHERE account_id = (SELECT min(account_id)"
                          " FROM mail_mailbox)"), {"t": "Dear {{ customer_name }}, rate {{ agent_name }} on"
                                                   " {{ case_number }}:\n{{ survey_links }}"})
    case = _answered_case(backend_engine, desk)
    words = _text(case["survey"])
    assert words.startswith("Dear Lin Customer, rate ") and f" on {case['number']}:" in words
    assert f"5 (excellent): {PUBLIC}/survey/{case['token']}/5" in words


@pytest.mark.parametrize("path", ["/survey/../../etc/passwd/1", "/survey/" + "A" * 500 + "/1", "/survey/%00%ff/2",
                                  "/survey/AAAAAAAAAAAAAAAAAAAA/%F0%9F%92%A9", "/survey/AAAAAAAAAAAAAAAAAAAA"])
def test_hostile_survey_addresses_get_a_page_in_words_not_an_error(backend_engine: Engine, path: str) -> None:
    ensure_mail_schema(backend_engine, "2000-01-01T00:00:00.000000Z")
    with TestClient(create_app(backend_engine)) as web:
        for method in ("GET", "POST"):
            answer = web.request(method, path, content=b"comment=%ff%fe&comment=" + b"y" * 100)
            assert 400 <= answer.status_code < 500, (method, path, answer.status_code)
