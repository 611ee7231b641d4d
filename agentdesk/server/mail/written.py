"""Chat, SMS and web-form messages taken in: tickets opened or continued as mail does.

A gateway posts each customer message (`POST /intake/messages`), and the account's web form posts through here
too. One message is one transaction and one version, like one mail: the customer is found among the account's
customers by phone (E.164) or e-mail (or becomes one), and the message continues a case or opens one, through the
mail intake's `open_case` / `continue_case` (the mutators a terminal runs), so there is one way to open a ticket.

Which case a message continues, first found wins:
1. a `CS-…` case number written in the text (or the form's subject) of one of the account's cases not closed;
2. a chat: the open case of the same chat session; an SMS: the open SMS case of the same phone number;
3. else a new case, with a new case number, on the message's channel.

A message is taken once per (channel, sender's message id): a gateway that lost the answer and sends it again
gets the first answer back (same ticket, same case number, the same `new`), nothing written twice. The 6 h clock
(first response due) runs from the arrival at the backend, never from the sender's `sent_at`.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine, select, text
from sqlalchemy.exc import IntegrityError

from agentdesk.clock import iso
from agentdesk.config import AllocationSettings
from agentdesk.domain import phones
from agentdesk.domain.tickets import OPEN_STATUSES
from agentdesk.server.db import write_together
from agentdesk.server.mail.intake import continue_case, new_customer, open_case
from agentdesk.server.mail.schema import ensure_mail_schema, mailbox, slug, written_received

WRITTEN_CHANNELS = ("chat", "sms", "web_form")
MAX_TEXT_CHARS = 20_000
"""A chat line, an SMS (even concatenated) or a form's message is far shorter; longer is refused (422)."""
CHANNEL_WORDS = {"chat": "Chat", "sms": "SMS", "web_form": "Web form"}
CASE_IN_TEXT = re.compile(r"\b(CS-[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{3,})\b", re.IGNORECASE)
_OPEN = tuple(sorted(str(s) for s in OPEN_STATUSES))


class NotTaken(ValueError):
    """The message cannot be taken as it is (no such account, a phone number that is not one): its words say why."""

    def __init__(self, code: str, detail: str, status: int = 422) -> None:
        super().__init__(detail)
        self.code, self.status = code, status


@dataclass(frozen=True, slots=True)
class WrittenMessage:
    """One customer message as a gateway (or the web form) hands it over."""

    channel: str  # chat, sms, web_form
    account_id: str
    message_id: str  # the sender's id of it
    text: str
    name: str | None = None
    phone: str | None = None  # any spelling; stored E.164
    email: str | None = None
    session_id: str | None = None
    subject: str | None = None
    sent_at: str | None = None


@dataclass(frozen=True, slots=True)
class WrittenTaken:
    ticket_id: str
    case_number: str
    new: bool
    repeat: bool  # taken before: nothing was written this time


def account_for(engine: Engine, *, account_id: str | None = None, to: str | None = None) -> str | None:
    """The account a message is for: by id, by the number the customer dialled or texted, by its support
    address, or (the web form's address) by the slug of its name; None when there is none."""
    ensure_mail_schema(engine, iso(datetime.now(UTC)))
    with engine.connect().execution_options(read_only=True) as conn:
        if account_id is not None:
            return conn.execute(text("SELECT id FROM account WHERE id = :a"), {"a": account_id}).scalar()
        wanted = (to or "").strip()
        if not wanted:
            return None
        if "@" in wanted:
            return conn.execute(select(mailbox.c.account_id).where(mailbox.c.address == wanted.lower())).scalar()
        e164 = phones.normalize(wanted) if phones.looks_like_phone(wanted) else None
        if e164 is not None:
            return conn.execute(text("SELECT id FROM account WHERE phone_number = :p"), {"p": e164}).scalar()
        for found, name in conn.execute(text("SELECT id, name FROM account ORDER BY id")):
            if slug(str(name)) == wanted.lower():
                return str(found)
    return None


def take_written(engine: Engine, message: WrittenMessage, *, now: datetime | None = None,
                 allocation: AllocationSettings | None = None) -> WrittenTaken:
    """Take `message` in (see the module's words); `NotTaken` when it cannot be. A new case is given to an agent
    by the `allocation` rules (none given: it stays unassigned)."""
    if message.channel not in WRITTEN_CHANNELS:
        raise NotTaken("bad_channel", f"The channel is one of {', '.join(WRITTEN_CHANNELS)}.")
    e164 = None
    if message.phone:
        e164 = phones.normalize(message.phone)
        if e164 is None:
            raise NotTaken("bad_phone", "The sender's phone is not a phone number (give it in E.164, e.g. +15551234567).")
    email = message.email.strip().lower() if message.email else None
    if email is not None and ("@" not in email or any(ch.isspace() for ch in email) or len(email) > 254):
        raise NotTaken("bad_email", "The sender's e-mail is not an e-mail address.")
    if message.channel == "sms" and e164 is None:
        raise NotTaken("no_phone", "An SMS needs the sender's phone number.")
    if message.channel == "chat" and not message.session_id:
        raise NotTaken("no_session", "A chat message needs its session_id.")
    if message.channel == "web_form" and e164 is None and email is None:
        raise NotTaken("no_contact", "A web-form message needs the sender's e-mail or phone.")
    if not message.text.strip():
        raise NotTaken("no_text", "The message has no text.")
    ensure_mail_schema(engine, iso(now or datetime.now(UTC)))
    at = iso(now or datetime.now(UTC))
    try:
        return write_together(engine, lambda conn: _take(conn, message, e164, email, at, allocation))
    except IntegrityError:
        # The same message arrived twice at once and the other one committed first: its answer is this one's.
        with engine.connect() as conn:
            earlier = _earlier(conn, message)
        if earlier is None:
            raise
        return earlier


def _earlier(conn: Connection, message: WrittenMessage) -> WrittenTaken | None:
    row = conn.execute(text(
        "SELECT w.ticket_id, t.case_number, w.new_case FROM written_received w JOIN ticket t ON t.id = w.ticket_id"
        " WHERE w.channel = :c AND w.sender_message_id = :m"), {"c": message.channel, "m": message.message_id}).first()
    return None if row is None else WrittenTaken(str(row[0]), str(row[1]), bool(row[2]), True)


def _take(conn: Connection, message: WrittenMessage, e164: str | None, email: str | None, at: str,
          allocation: AllocationSettings | None) -> WrittenTaken:
    earlier = _earlier(conn, message)
    if earlier is not None:
        return earlier
    conn.execute(text("UPDATE sync_state SET version = version + 1 WHERE id = 1"))  # one version, as a push
    earlier = _earlier(conn, message)  # on PostgreSQL the row lock above orders writers: look again after it
    if earlier is not None:
        return earlier
    received_id = str(uuid.uuid4())
    author = _author(message, e164, email)
    found = _continued(conn, message, e164)
    if found is not None:
        ticket_id, number = found
        continue_case(conn, ticket_id, message_id=received_id, author=author, body=message.text, at=at)
    else:
        customer_id = _customer(conn, message, e164, email, at)
        subject = (message.subject or "").strip() or f"{CHANNEL_WORDS[message.channel]}: {_first_line(message.text)}"
        ticket_id, number = open_case(conn, account_id=message.account_id, customer_id=customer_id, subject=subject,
                                      channel=message.channel, author=author, message_id=received_id,
                                      body=message.text, at=at, allocation=allocation)
    conn.execute(written_received.insert().values(
        id=received_id, channel=message.channel, sender_message_id=message.message_id, account_id=message.account_id,
        received_at=at, sent_at=message.sent_at, session_id=message.session_id, sender_phone=e164,
        sender_email=email, ticket_id=ticket_id, new_case=found is None))
    return WrittenTaken(ticket_id, number, found is None, False)


def _first_line(body: str) -> str:
    line = next((ln.strip() for ln in body.splitlines() if ln.strip()), "")
    return line if len(line) <= 60 else line[:59].rstrip() + "…"


def _author(message: WrittenMessage, e164: str | None, email: str | None) -> str:
    contact = e164 or email
    name = (message.name or "").strip()
    if name and contact:
        return f"{name} <{contact}>"
    return name or contact or f"{CHANNEL_WORDS[message.channel]} visitor"


def _continued(conn: Connection, message: WrittenMessage, e164: str | None) -> tuple[str, str] | None:
    """(ticket id, case number) of the account's case this message continues, or None."""
    for named in CASE_IN_TEXT.findall(f"{message.subject or ''}\n{message.text}"):
        row = conn.execute(text("SELECT id, case_number FROM ticket WHERE case_number = :n AND account_id = :a"
                                " AND status <> 'closed'"), {"n": named.upper(), "a": message.account_id}).first()
        if row is not None:
            return str(row[0]), str(row[1])
    if message.channel == "chat":
        key, value = "session_id", message.session_id
    elif message.channel == "sms":
        key, value = "sender_phone", e164
    else:
        return None  # each form sent is a case of its own, unless it names one
    statuses = ", ".join(f"'{s}'" for s in _OPEN)
    row = conn.execute(text(
        f"SELECT t.id, t.case_number FROM written_received w JOIN ticket t ON t.id = w.ticket_id"
        f" WHERE w.account_id = :a AND w.channel = :c AND w.{key} = :v AND t.status IN ({statuses})"
        f" ORDER BY w.received_at DESC, w.id LIMIT 1"),
        {"a": message.account_id, "c": message.channel, "v": value}).first()
    return None if row is None else (str(row[0]), str(row[1]))


def _customer(conn: Connection, message: WrittenMessage, e164: str | None, email: str | None, at: str) -> str:
    """The account's customer with the sender's phone, else with the sender's e-mail, else a new one."""
    if e164 is not None:
        found = conn.execute(text("SELECT customer_id FROM customer_phone WHERE e164 = :p AND account_id = :a"
                                  " ORDER BY customer_id LIMIT 1"), {"p": e164, "a": message.account_id}).scalar()
        if found is not None:
            return str(found)
    if email is not None:
        found = conn.execute(text("SELECT customer_id FROM customer_email WHERE email = :e AND account_id = :a"
                                  " ORDER BY customer_id LIMIT 1"), {"e": email, "a": message.account_id}).scalar()
        if found is not None:
            return str(found)
    name = (message.name or "").strip() or (phones.display(e164) if e164 else None) or (
        email.split("@")[0] if email else f"{CHANNEL_WORDS[message.channel]} visitor")
    return new_customer(conn, message.account_id, name, at, email=email, phone=e164)
