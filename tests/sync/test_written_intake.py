"""Chat, SMS and web-form messages posted by a gateway to the real backend (uvicorn on loopback, SQLite and
PostgreSQL): cases opened and continued as mail does, each message taken once, the 6 h clock from the arrival, and
only a gateway's credential let in."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, text

from agentdesk.clock import iso
from agentdesk.server.admin import ensure_admin, issue_token
from agentdesk.server.app import create_app
from agentdesk.server.gateways import issue_gateway, revoke_gateway
from tests.sync.conftest import Backend, served

ARRIVAL = datetime(2026, 11, 23, 14, 30, tzinfo=UTC)


@pytest.fixture
def gateway(backend_engine: Engine) -> Iterator[tuple[Backend, httpx.Client]]:
    """The backend (its clock stopped at ARRIVAL) and a client signed in with a gateway's credential."""
    with served(backend_engine, create_app(backend_engine, now=lambda: ARRIVAL)) as running:
        token = issue_gateway(backend_engine, "test-gateway")
        with httpx.Client(base_url=running.url, timeout=30, headers={"Authorization": f"Bearer {token}"}) as client:
            yield running, client


def _account(backend: Backend) -> tuple[str, str]:
    """(id, dialled number) of the demo's first account."""
    with backend.engine.connect() as conn:
        row = conn.execute(text("SELECT id, phone_number FROM account ORDER BY id LIMIT 1")).one()
    return str(row[0]), str(row[1])


def _rows(backend: Backend, sql: str, **params: Any) -> list[tuple[Any, ...]]:
    with backend.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql), params)]


def _chat(account: str, message_id: str, words: str, session: str = "s-1", **sender: Any) -> dict[str, Any]:
    return {"channel": "chat", "account_id": account, "text": words,
            "sender": {"message_id": message_id, "session_id": session, "name": "Ada Lovelace", **sender}}


def test_a_chat_opens_a_case_and_its_session_continues_it(gateway: tuple[Backend, httpx.Client]) -> None:
    backend, client = gateway
    account, _number = _account(backend)
    sent_hours_earlier = iso(ARRIVAL - timedelta(hours=5))
    first = client.post("/intake/messages", json={**_chat(account, "c-1", "My parcel never came."),
                                                  "sent_at": sent_hours_earlier})
    assert first.status_code == 200, first.text
    opened = first.json()
    assert opened["new"] is True and opened["case_number"].startswith("CS-")
    [(number, channel, status, subject, awaiting, due)] = _rows(
        backend, "SELECT case_number, channel, status, subject, awaiting_since, response_due_at FROM ticket"
                 " WHERE id = :t", t=opened["ticket_id"])
    assert (number, channel, status, subject) == (opened["case_number"], "chat", "new", "Chat: My parcel never came.")
    # The 6 h clock runs from the arrival at the backend, not from the sender's own stamp.
    assert (awaiting, due) == (iso(ARRIVAL), iso(ARRIVAL + timedelta(hours=6)))
    again = client.post("/intake/messages", json=_chat(account, "c-2", "It was order 1234."))
    assert again.json() == {**opened, "new": False, "repeat": False}
    other_session = client.post("/intake/messages", json=_chat(account, "c-3", "Another question.", session="s-2"))
    assert other_session.json()["new"] is True and other_session.json()["ticket_id"] != opened["ticket_id"]
    assert _rows(backend, "SELECT kind, author, body FROM ticket_message WHERE ticket_id = :t ORDER BY body",
                 t=opened["ticket_id"]) == [("customer", "Ada Lovelace", "It was order 1234."),
                                            ("customer", "Ada Lovelace", "My parcel never came.")]


def test_a_message_sent_again_is_taken_once(gateway: tuple[Backend, httpx.Client]) -> None:
    backend, client = gateway
    account, _number = _account(backend)
    body = _chat(account, "dup-1", "Hello?", email="ada@example.org")
    first = client.post("/intake/messages", json=body).json()
    version = _rows(backend, "SELECT version FROM sync_state")[0][0]
    repeat = client.post("/intake/messages", json=body)
    assert repeat.status_code == 200
    assert repeat.json() == {**first, "repeat": True}  # the same ticket, case number and `new` as the first time
    assert _rows(backend, "SELECT count(*) FROM ticket_message WHERE ticket_id = :t", t=first["ticket_id"]) == [(1,)]
    assert _rows(backend, "SELECT version FROM sync_state")[0][0] == version


def test_sms_continue_by_number_and_by_a_case_number_in_the_text(gateway: tuple[Backend, httpx.Client]) -> None:
    backend, client = gateway
    account, dialled = _account(backend)
    [(known, known_phone)] = _rows(backend, "SELECT customer_id, e164 FROM customer_phone WHERE account_id = :a"
                                   " ORDER BY customer_id LIMIT 1", a=account)

    def sms(message_id: str, phone: str, words: str) -> dict[str, Any]:
        answer = client.post("/intake/messages", json={
            "channel": "sms", "to": dialled, "text": words, "sender": {"message_id": message_id, "phone": phone}})
        assert answer.status_code == 200, answer.text
        return dict(answer.json())

    first = sms("s-1", known_phone, "Is my repair booked?")
    assert first["new"] is True
    assert _rows(backend, "SELECT customer_id, channel FROM ticket WHERE id = :t", t=first["ticket_id"]) == [
        (known, "sms")]  # the account's customer with that number, found by the number texted to the account
    same_number = sms("s-2", known_phone, "Hello again")
    assert (same_number["ticket_id"], same_number["new"]) == (first["ticket_id"], False)
    stranger = "+442079460123"
    own = sms("s-3", stranger, "A question of my own.")
    assert own["new"] is True and own["ticket_id"] != first["ticket_id"]
    named = sms("s-4", stranger, f"And my wife's case is {first['case_number'].lower()}, any news?")
    assert (named["ticket_id"], named["case_number"], named["new"]) == (first["ticket_id"], first["case_number"], False)
    assert _rows(backend, "SELECT c.name FROM ticket t JOIN customer c ON c.id = t.customer_id WHERE t.id = :t",
                 t=own["ticket_id"]) == [("+44 20 7946 0123",)]


def test_only_a_gateways_credential_may_post(gateway: tuple[Backend, httpx.Client]) -> None:
    backend, client = gateway
    account, _number = _account(backend)
    body = _chat(account, "auth-1", "Let me in.")
    agent, _accounts = backend.agent_with_accounts()
    for token in (backend.token(agent), issue_token(backend.engine, ensure_admin(backend.engine))):
        answer = httpx.post(f"{backend.url}/intake/messages", json=body, headers={"Authorization": f"Bearer {token}"})
        assert (answer.status_code, answer.json()["code"]) == (403, "gateway_only")
    assert httpx.post(f"{backend.url}/intake/messages", json=body).status_code == 401
    gateway_token = issue_gateway(backend.engine, "soon-gone")
    # A gateway's credential is good for this route only: the desk's API does not know it.
    assert httpx.post(f"{backend.url}/sync/pull", json={}, headers={
        "Authorization": f"Bearer {gateway_token}"}).status_code == 401
    assert revoke_gateway(backend.engine, "soon-gone") == 1
    answer = httpx.post(f"{backend.url}/intake/messages", json=body, headers={"Authorization": f"Bearer {gateway_token}"})
    assert (answer.status_code, answer.json()["code"]) == (401, "gateway_revoked")
    assert _rows(backend, "SELECT count(*) FROM ticket WHERE created_at = :at", at=iso(ARRIVAL)) == [(0,)]
    assert client.post("/intake/messages", json=body).status_code == 200


BAD: dict[str, tuple[Any, str]] = {
    "text over the cap": ({"text": "x" * 20_001}, "invalid"),
    "empty text": ({"text": ""}, "invalid"),
    "blank text": ({"text": "   \n "}, "no_text"),
    "a lone surrogate in the text": ({"text": "broken \ud800 text"}, "invalid"),
    "name over the cap": ({"sender": {"message_id": "m", "session_id": "s", "name": "n" * 201}}, "invalid"),
    "no sender": ({"sender": None}, "invalid"),
    "no message id": ({"sender": {"session_id": "s"}}, "invalid"),
    "an unknown channel": ({"channel": "pigeon"}, "invalid"),
    "a number as text": ({"text": 42}, "invalid"),
    "an unknown field": ({"colour": "red"}, "invalid"),
    "not a phone": ({"sender": {"message_id": "m", "session_id": "s", "phone": "+1 000"}}, "bad_phone"),
    "not an e-mail": ({"sender": {"message_id": "m", "session_id": "s", "email": "nobody"}}, "invalid"),
    "a chat without its session": ({"sender": {"message_id": "m"}}, "no_session"),
    "an SMS without a phone": ({"channel": "sms"}, "no_phone"),
    "a form message without e-mail or phone": ({"channel": "web_form"}, "no_contact"),
    "no account": ({"account_id": None}, "no_account"),
    "an account and a number": ({"to": "+15550000000"}, "no_account"),
    "an unknown account": ({"account_id": "no-such-account"}, "no_such_account"),
    "an unknown number": ({"account_id": None, "to": "+15550000000"}, "no_such_account"),
}


def test_bad_bodies_are_refused_in_words(gateway: tuple[Backend, httpx.Client]) -> None:
    backend, client = gateway
    account, _number = _account(backend)
    for name, (change, code) in BAD.items():
        body = {**_chat(account, "bad", "Words."), **change}
        body = {k: v for k, v in body.items() if v is not None}
        answer = client.post("/intake/messages", content=json.dumps(body),  # as a gateway escapes it: ASCII
                             headers={"Content-Type": "application/json"})
        assert (answer.status_code, answer.json()["code"]) == (422, code), (name, answer.text[:300])
        assert answer.json()["detail"], name
    for raw in (b"{not json", b"\xff\xfe", b"[]", b'"text"'):
        answer = client.post("/intake/messages", content=raw, headers={"Content-Type": "application/json"})
        assert 400 <= answer.status_code < 500, (raw, answer.status_code)
    assert _rows(backend, "SELECT count(*) FROM ticket WHERE channel IN ('chat', 'sms', 'web_form')"
                 " AND created_at = :at", at=iso(ARRIVAL)) == [(0,)]
