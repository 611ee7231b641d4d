"""The account's public contact form over HTTP (the real backend under uvicorn, SQLite and PostgreSQL): no sign-in,
no script, nothing remote, hostile text escaped, a post only from a page the backend served, sent twice one case."""

from __future__ import annotations

import re
from typing import Any

import httpx
from sqlalchemy import text

from agentdesk.server.mail.schema import slug
from tests.sync.conftest import Backend


def _account(backend: Backend) -> tuple[str, str]:
    with backend.engine.connect() as conn:
        row = conn.execute(text("SELECT id, name FROM account ORDER BY id LIMIT 1")).one()
    return str(row[0]), str(row[1])


def _token(page: str) -> str:
    found = re.search(r'name="form_token" value="([^"]+)"', page)
    assert found, page
    return found.group(1)


def _fields(token: str, **values: str) -> dict[str, str]:
    return {"form_token": token, "name": "Grace Hopper", "email": "grace@example.org", "phone": "",
            "subject": "Broken kettle", "message": "It leaks.", **values}


def test_the_form_is_public_plain_and_answers_with_a_case_number(backend: Backend) -> None:
    account, name = _account(backend)
    page = httpx.get(f"{backend.url}/form/{slug(name)}")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    csp = page.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "form-action 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "<script" not in page.text and "http" not in page.text.split("</title>")[1]  # nothing remote, no script
    sent = httpx.post(f"{backend.url}/form/{slug(name)}", data=_fields(_token(page.text)))
    assert sent.status_code == 200, sent.text
    number = re.search(r'id="case-number">(CS-[^<]+)<', sent.text)
    assert number, sent.text
    rows = _query(backend, "SELECT t.account_id, t.channel, t.subject, m.body, m.author FROM ticket t"
                           " JOIN ticket_message m ON m.ticket_id = t.id WHERE t.case_number = :n", n=number.group(1))
    assert rows == [(account, "web_form", "Broken kettle", "It leaks.", "Grace Hopper <grace@example.org>")]
    # The same page sent again (a double click, a reload of the answer) is the same case, not a second one.
    again = httpx.post(f"{backend.url}/form/{account}", data=_fields(_token(page.text)))
    assert f'id="case-number">{number.group(1)}<' in again.text
    assert _query(backend, "SELECT count(*) FROM ticket WHERE case_number = :n", n=number.group(1)) == [(1,)]


def test_a_post_not_from_a_served_page_is_shown_the_form_again(backend: Backend) -> None:
    account, _name = _account(backend)
    other = _query(backend, "SELECT id FROM account WHERE id <> :a ORDER BY id LIMIT 1", a=account)[0][0]
    others_token = _token(httpx.get(f"{backend.url}/form/{other}").text)
    for token in ("", "1.abc.def", others_token):
        answer = httpx.post(f"{backend.url}/form/{account}", data=_fields(token, message="Forged?"))
        assert answer.status_code == 422 and "did not come from this page" in answer.text
        assert "Forged?" in answer.text  # what was typed is kept
    assert _query(backend, "SELECT count(*) FROM ticket WHERE channel = 'web_form' AND subject = 'Broken kettle'") == [
        (0,)]


def test_hostile_text_is_escaped_and_bad_fields_are_named(backend: Backend) -> None:
    account, _name = _account(backend)
    token = _token(httpx.get(f"{backend.url}/form/{account}").text)
    hostile = '"><script>alert(1)</script><img src=http://evil.example/x>'
    answer = httpx.post(f"{backend.url}/form/{account}", data=_fields(
        token, name=hostile, email="not-an-address", phone="12", message=""))
    assert answer.status_code == 422
    assert "<script>alert" not in answer.text and "<img src=http" not in answer.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in answer.text
    for words in ("does not look like one", "not one we can call", "Please write your message."):
        assert words in answer.text


def test_an_unknown_account_or_a_huge_post_is_refused_with_a_page(backend: Backend) -> None:
    account, _name = _account(backend)
    for path in ("/form/no-such-account", "/form/" + "x" * 150, "/form/%00"):
        answer = httpx.get(f"{backend.url}{path}")
        assert answer.status_code == 404 and "No such form" in answer.text, path
    assert httpx.post(f"{backend.url}/form/no-such-account", data={"message": "hi"}).status_code == 404
    huge = httpx.post(f"{backend.url}/form/{account}", content=b"message=" + b"x" * 300_000,
                      headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert huge.status_code == 413 and "too long" in huge.text
    garbage = httpx.post(f"{backend.url}/form/{account}", content=b"\xff\xfe&&==%%%\x00",
                         headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert garbage.status_code == 422 and "Please give your name." in garbage.text


def _query(backend: Backend, sql: str, **params: Any) -> list[tuple[Any, ...]]:
    with backend.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql), params)]
