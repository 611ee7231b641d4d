"""The account's public contact form (`GET`/`POST /form/<account>`, the account's id or the slug of its name): the
one part of the backend a customer opens without signing in. A message sent goes through the written-message
intake (channel `web_form`), as a gateway's would; the answer shows the case number. Bad or missing fields show
the form again with the errors in words and what was typed kept. The pages and the form token: `web_form`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated
from urllib.parse import parse_qs

from fastapi import APIRouter, Path, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse
from sqlalchemy import Engine, text

from agentdesk.config import AllocationSettings
from agentdesk.domain import phones
from agentdesk.errors import StoreError
from agentdesk.server.deps import EngineDep
from agentdesk.server.mail.written import NotTaken, WrittenMessage, account_for, take_written
from agentdesk.server.web_form import (
    FIELDS,
    LIMITS,
    SECURITY_HEADERS,
    form_page,
    form_secret,
    missing_page,
    new_token,
    notice_page,
    thanks_page,
    token_good,
)

router = APIRouter(include_in_schema=False)

MAX_FORM_BYTES = 256 * 1024
Account = Annotated[str, Path(max_length=200)]


def _html(body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(body, status_code=status, headers=SECURITY_HEADERS)


def _account(engine: Engine, key: str) -> tuple[str, str] | None:
    """(id, name) of the account whose form `key` names: its id, else the slug of its name."""
    if not key or len(key) > 100 or not key.isprintable():
        return None
    found = account_for(engine, account_id=key) or (account_for(engine, to=key) if "@" not in key else None)
    if found is None:
        return None
    with engine.connect() as conn:
        name = conn.execute(text("SELECT name FROM account WHERE id = :a"), {"a": found}).scalar()
    return found, str(name)


def _shown(engine: Engine, key: str, values: dict[str, str], errors: list[str], status: int) -> HTMLResponse:
    found = _account(engine, key)
    if found is None:
        return _html(missing_page(), 404)
    token = new_token(form_secret(engine), found[0])
    return _html(form_page(found[1], f"/form/{key}", token, values, errors), status)


@router.get("/form/{account}", response_class=HTMLResponse)
async def form(account: Account, engine: EngineDep) -> HTMLResponse:
    return await run_in_threadpool(_shown, engine, account, {}, [], 200)


def _read(raw: bytes) -> dict[str, str]:
    fields = parse_qs(raw.decode("utf-8", "replace"), keep_blank_values=True, max_num_fields=20)
    values = {name: (fields.get(name) or [""])[0].replace("\x00", "") for name in (*FIELDS, "form_token")}
    for name in ("name", "email", "phone", "subject", "form_token"):
        values[name] = " ".join(values[name].split())  # one line each
    values["message"] = values["message"].replace("\r\n", "\n").strip()
    return values


def _problems(values: dict[str, str]) -> list[str]:
    problems = []
    if not values["name"]:
        problems.append("Please give your name.")
    if not values["email"] and not values["phone"]:
        problems.append("Please give an e-mail address or a phone number, so that we can answer you.")
    email = values["email"]
    if email and ("@" not in email or " " in email or email.startswith("@") or email.endswith("@")):
        problems.append("The e-mail address does not look like one (name@example.com).")
    if values["phone"] and phones.normalize(values["phone"][:phones.MAX_INPUT_CHARS]) is None:
        problems.append("The phone number is not one we can call; give it with its country code, e.g. +1 555 123 4567.")
    if not values["message"]:
        problems.append("Please write your message.")
    for name, limit in LIMITS.items():
        if len(values[name]) > limit:
            problems.append(f"The {name} is too long: at most {limit:,} characters.")
    return problems


def _send(engine: Engine, key: str, raw: bytes, now: Callable[[], datetime],
          allocation: AllocationSettings | None) -> HTMLResponse:
    found = _account(engine, key)
    if found is None:
        return _html(missing_page(), 404)
    account_id, account_name = found
    values = _read(raw)
    shown = {name: values[name][:LIMITS[name]] for name in FIELDS}
    problems = _problems(values)
    if not problems and not token_good(form_secret(engine), account_id, values["form_token"]):
        problems = ["This form was open too long or did not come from this page: please check it and send it again."]
    if problems:
        return _shown(engine, key, shown, problems, 422)
    message = WrittenMessage(
        channel="web_form", account_id=account_id, message_id=f"form:{values['form_token']}", text=values["message"],
        name=values["name"], phone=values["phone"] or None, email=values["email"] or None,
        subject=values["subject"] or None)
    try:
        taken = take_written(engine, message, now=now(), allocation=allocation)
    except (NotTaken, StoreError) as refusal:
        return _shown(engine, key, shown, [str(refusal)[:300]], 422)
    return _html(thanks_page(account_name, taken.case_number, taken.new))


@router.post("/form/{account}", response_class=HTMLResponse)
async def send(account: Account, engine: EngineDep, request: Request) -> HTMLResponse:
    raw = b""
    async for chunk in request.stream():
        raw += chunk
        if len(raw) > MAX_FORM_BYTES:
            return _html(notice_page("Message too long", "The message is too long to send here: please shorten it."), 413)
    return await run_in_threadpool(_send, engine, account, raw, request.app.state.now, request.app.state.allocation)
