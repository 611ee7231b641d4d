"""Mail taken in becomes ticket rows that terminals pull like any other change.

One message for an account's support address is one transaction and one version (as a push is): the raw message
is kept, the sender is found among the account's customers (or becomes one), and the message opens a new case or
continues the one it answers — found by the `[CS-…]` case number in the subject first, then by the Message-IDs
in `In-Reply-To` and `References`. The ticket rows are written by the same mutators a terminal runs
(`customer.create`, `ticket.open`, `ticket.add_message`), authored by the mail desk, so the ticket rules stay in
one place. A new case from a person (not a machine) gets an acknowledgement queued with its case number. The
customer's message on the ticket has the id of the received mail, so the raw message behind it is one lookup away.
A reply to the satisfaction survey that starts with a score is the customer's rating instead (`survey`).
Nothing received is dropped: a message that cannot be read becomes a ticket that says so.
"""

from __future__ import annotations

import hashlib
import time
import uuid
import weakref
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, select, text

from agentdesk.clock import iso
from agentdesk.config import AllocationSettings
from agentdesk.domain.mail import MAX_ATTACHMENT_BYTES, ParsedMail, read_mail
from agentdesk.domain.survey import read_answer
from agentdesk.localstore.errors import StoreError
from agentdesk.localstore.numbers import case_number
from agentdesk.mutations import registry as mutators
from agentdesk.mutations.arguments import MAX_NAME_CHARS
from agentdesk.server.allocation import allocate_new
from agentdesk.server.db import MutatorConnection, write_together
from agentdesk.server.mail.outgoing import queue_acknowledgement, record_bounce
from agentdesk.server.mail.schema import (
    ensure_mail_schema,
    mail_attachment,
    mail_counter,
    mail_received,
    mail_thread,
    mailbox,
)
from agentdesk.server.mail.survey import record as record_survey
from agentdesk.server.mail.survey import survey_answered

MAIL_DESK = "mail desk"
"""The author of what the backend writes on a ticket from mail."""
MAX_BODY_CHARS = 16_000_000


@dataclass(frozen=True, slots=True)
class Taken:
    """What became of one message for one account."""

    received_id: str
    account_id: str
    outcome: str  # new_case, follow_up, unreadable, bounce, rating (a survey's answer), held; duplicate (taken
    # before, nothing written)
    ticket_id: str | None
    case_number: str | None
    acknowledged: bool


ADDRESSES_FRESH_S = 10.0
"""The support addresses are read again after this long (a changed address takes effect within it)."""
_ADDRESSES: weakref.WeakKeyDictionary[Engine, tuple[float, dict[str, str]]] = weakref.WeakKeyDictionary()


def accounts_for(engine: Engine, recipients: list[str]) -> dict[str, str]:
    """The accounts whose support address is among `recipients`: {address: account id}."""
    wanted = {r.strip().lower() for r in recipients if r}
    known = _ADDRESSES.get(engine)
    if known is None or time.monotonic() - known[0] > ADDRESSES_FRESH_S:
        ensure_mail_schema(engine, iso(datetime.now(UTC)))
        with engine.connect() as conn:
            rows = conn.execute(select(mailbox.c.address, mailbox.c.account_id)).all()
        known = _ADDRESSES[engine] = (time.monotonic(), {str(a): str(b) for a, b in rows})
    return {address: known[1][address] for address in sorted(wanted) if address in known[1]}


def support_addresses(engine: Engine) -> list[str]:
    """Every account's support address, sorted."""
    accounts_for(engine, [])
    return sorted(_ADDRESSES[engine][1])


def forget_addresses(engine: Engine) -> None:
    """Read the support addresses afresh on next use (after an admin changed one)."""
    _ADDRESSES.pop(engine, None)


def take_in(
    engine: Engine, raw: bytes, recipients: list[str], *, envelope_from: str | None = None,
    now: datetime | None = None, attachment_cap: int = MAX_ATTACHMENT_BYTES,
    allocation: AllocationSettings | None = None,
) -> list[Taken]:
    """Take `raw` in for each account whose support address is among `recipients` (one result per account;
    none when no recipient is a support address). A new case is given to an agent by the `allocation` rules
    (none given: it stays unassigned)."""
    accounts = accounts_for(engine, recipients)
    parsed = read_mail(raw, attachment_cap=attachment_cap)
    at = iso(now or datetime.now(UTC))
    taken: list[Taken] = []
    for address, account_id in sorted(accounts.items()):
        taken.append(write_together(engine, lambda conn, a=account_id, to=address: _take(
            conn, raw, parsed, a, to, envelope_from, at, allocation)))
    return taken


def _clean(value: str, limit: int) -> str:
    """Text the databases take (PostgreSQL refuses NUL), within `limit` characters."""
    return value.replace("\x00", "\ufffd")[:limit]


def _apply(conn: Connection, name: str, args: Mapping[str, Any]) -> None:
    mutators.resolve(name).apply(MutatorConnection(conn), dict(args))  # type: ignore[arg-type]


def _take(
    conn: Connection, raw: bytes, parsed: ParsedMail, account_id: str, address: str, envelope_from: str | None,
    at: str, allocation: AllocationSettings | None,
) -> Taken:
    digest = hashlib.sha256(raw).hexdigest()
    if parsed.message_id:  # a sending server that lost our 250 sends the message again: it is taken once
        earlier = conn.execute(select(mail_received.c.id, mail_received.c.outcome, mail_received.c.ticket_id).where(
            mail_received.c.account_id == account_id, mail_received.c.message_id == parsed.message_id,
            mail_received.c.digest == digest)).first()
        if earlier is not None:
            number = conn.execute(text("SELECT case_number FROM ticket WHERE id = :t"),
                                  {"t": earlier.ticket_id}).scalar() if earlier.ticket_id else None
            return Taken(str(earlier.id), account_id, "duplicate", earlier.ticket_id, number, False)
    conn.execute(text("UPDATE sync_state SET version = version + 1 WHERE id = 1"))  # one version, as a push
    received_id = str(uuid.uuid4())
    outcome, ticket_id, number, acknowledged = "new_case", None, None, False
    answered = None if parsed.bounce_of else _survey_answer(conn, parsed, account_id, at)
    if parsed.bounce_of and record_bounce(conn, parsed, at):
        outcome = "bounce"
    elif answered is not None:
        outcome, (ticket_id, number) = "rating", answered
    else:
        savepoint = conn.begin_nested()
        try:
            ticket_id, number, outcome = _continue_or_open(conn, parsed, account_id, at, received_id, allocation)
            savepoint.commit()
        except StoreError:
            # The ticket rules refused what this message would write (it should not happen): the message is kept
            # as `held` for an admin to look at, never dropped, and the sender's server is not asked to resend.
            savepoint.rollback()
            ticket_id, number, outcome = None, None, "held"
        if outcome == "new_case" and parsed.sender and not parsed.automatic and not _ours(conn, parsed.sender):
            acknowledged = queue_acknowledgement(conn, account_id, address, ticket_id, number, parsed, at)
    conn.execute(mail_received.insert().values(
        id=received_id, account_id=account_id, received_at=at, envelope_from=(envelope_from or "")[:254] or None,
        sender=(parsed.sender or "")[:254] or None, digest=digest,
        message_id=parsed.message_id, ticket_id=ticket_id, outcome=outcome, automatic=parsed.automatic, raw=raw))
    for attachment in parsed.attachments:
        conn.execute(mail_attachment.insert().values(
            id=str(uuid.uuid4()), received_id=received_id, ticket_id=ticket_id, name=_clean(attachment.name, 200),
            content_type=attachment.content_type, size=attachment.size, content=attachment.content))
    if ticket_id and parsed.message_id:
        remember_thread(conn, parsed.message_id, ticket_id)
    return Taken(received_id, account_id, outcome, ticket_id, number, acknowledged)


def _survey_answer(conn: Connection, parsed: ParsedMail, account_id: str, at: str) -> tuple[str, str] | None:
    """A person's reply to a survey that starts with a score becomes the customer's rating (and a note on the
    ticket), not a message on it: (ticket id, case number) when it did. Any other reply is an ordinary message."""
    if not parsed.readable or parsed.automatic:
        return None
    survey = survey_answered(conn, parsed, account_id, at)
    answer = read_answer(parsed.body) if survey is not None else None
    if survey is None or answer is None:
        return None
    savepoint = conn.begin_nested()
    if not record_survey(conn, survey, answer.score, answer.comment, at, "by e-mail"):
        savepoint.rollback()
        return None
    savepoint.commit()
    number = conn.execute(text("SELECT case_number FROM ticket WHERE id = :t"), {"t": survey.ticket_id}).scalar()
    return str(survey.ticket_id), str(number)


def _ours(conn: Connection, sender: str) -> bool:
    """True when the sender is one of this backend's own support addresses (never acknowledged: a loop guard)."""
    return conn.execute(select(mailbox.c.account_id).where(mailbox.c.address == sender)).first() is not None


def remember_thread(conn: Connection, message_id: str, ticket_id: str) -> None:
    """Note that `message_id` belongs to `ticket_id` (the first ticket it was seen on keeps it)."""
    if conn.execute(select(mail_thread.c.ticket_id).where(mail_thread.c.message_id == message_id)).first() is None:
        conn.execute(mail_thread.insert().values(message_id=message_id, ticket_id=ticket_id))


def _existing_ticket(conn: Connection, parsed: ParsedMail, account_id: str) -> tuple[str, str, str] | None:
    """(id, case number, status) of the account's ticket this message continues, or None."""
    if parsed.case_number:
        row = conn.execute(text("SELECT id, case_number, status FROM ticket WHERE case_number = :n AND account_id = :a"),
                           {"n": parsed.case_number, "a": account_id}).first()
        if row is not None:
            return str(row[0]), str(row[1]), str(row[2])
    for message_id in parsed.thread_ids:
        row = conn.execute(text(
            "SELECT t.id, t.case_number, t.status FROM mail_thread m JOIN ticket t ON t.id = m.ticket_id"
            " WHERE m.message_id = :m AND t.account_id = :a"), {"m": message_id, "a": account_id}).first()
        if row is not None:
            return str(row[0]), str(row[1]), str(row[2])
    return None


def _message_text(parsed: ParsedMail) -> str:
    if not parsed.readable:
        return _clean(f"{parsed.problem} The message as received is kept with the ticket; its text:\n\n{parsed.body}",
                      MAX_BODY_CHARS) or "(nothing readable)"
    lines = [parsed.body.strip() or "(The message has no text.)"]
    if parsed.attachments:
        lines.append("Attachments: " + "; ".join(
            f"{a.name} ({a.content_type}, {a.size:,} bytes{'' if a.content is not None else ', too large to keep apart'})"
            for a in parsed.attachments))
    return _clean("\n\n".join(lines), MAX_BODY_CHARS)


def _author(parsed: ParsedMail) -> str:
    if parsed.sender and parsed.sender_name:
        return _clean(f"{parsed.sender_name} <{parsed.sender}>", MAX_NAME_CHARS)
    return _clean(parsed.sender or "unknown sender", MAX_NAME_CHARS)


def _continue_or_open(
    conn: Connection, parsed: ParsedMail, account_id: str, at: str, received_id: str,
    allocation: AllocationSettings | None,
) -> tuple[str, str, str]:
    """The ticket this message lands on, its case number and the outcome (new_case, follow_up, unreadable)."""
    found = _existing_ticket(conn, parsed, account_id) if parsed.readable else None
    if found is not None and found[2] != "closed":
        ticket_id, number, _status = found
        continue_case(conn, ticket_id, message_id=received_id, author=_author(parsed), body=_message_text(parsed), at=at)
        return ticket_id, number, "follow_up"
    customer_id = _customer(conn, parsed, account_id, at)
    subject = parsed.subject.strip() if parsed.readable else "A message that could not be read"
    if found is not None:  # a closed case is not reopened by mail: a new case that names it
        subject = f"{subject} (follow-up to closed case {found[1]})"
    ticket_id, number = open_case(conn, account_id=account_id, customer_id=customer_id, subject=subject,
                                  channel="email", author=_author(parsed), message_id=received_id,
                                  body=_message_text(parsed), at=at, allocation=allocation)
    return ticket_id, number, "new_case" if parsed.readable else "unreadable"


def open_case(
    conn: Connection, *, account_id: str, customer_id: str, subject: str, channel: str, author: str, message_id: str,
    body: str, at: str, allocation: AllocationSettings | None = None,
) -> tuple[str, str]:
    """A new case (id, case number) from a customer's written message, on `channel`, by the `ticket.open` mutator
    a terminal runs; its first response is due 6 h from `at` (the message's arrival at the backend). It is given
    to an agent of the account at once by the `allocation` rules (`agentdesk.server.allocation`), if given."""
    ticket_id, number = str(uuid.uuid4()), next_case_number(conn)
    _apply(conn, "ticket.open@1", {
        "ticket_id": ticket_id, "account_id": account_id, "customer_id": customer_id, "case_number": number,
        "subject": _clean(subject or "(no subject)", MAX_NAME_CHARS), "kind": "question", "channel": channel,
        "status": "new", "opened_at": at, "author": _clean(author, MAX_NAME_CHARS), "first_message_id": message_id,
        "first_message": _clean(body, MAX_BODY_CHARS)})
    allocate_new(conn, allocation, ticket_id=ticket_id, account_id=account_id, customer_id=customer_id,
                 subject=subject, body=body, at=at)
    return ticket_id, number


def continue_case(conn: Connection, ticket_id: str, *, message_id: str, author: str, body: str, at: str) -> None:
    """The customer's further message on an existing case, by the `ticket.add_message` mutator."""
    _apply(conn, "ticket.add_message@1", {
        "message_id": message_id, "ticket_id": ticket_id, "kind": "customer", "author": _clean(author, MAX_NAME_CHARS),
        "body": _clean(body, MAX_BODY_CHARS), "created_at": at})


def new_customer(
    conn: Connection, account_id: str, name: str, at: str, *, email: str | None = None, phone: str | None = None,
) -> str:
    """A new customer of the account (id), by the `customer.create` mutator; `phone` in E.164."""
    customer_id = str(uuid.uuid4())
    args: dict[str, Any] = {"customer_id": customer_id, "account_id": account_id, "name": _clean(name, MAX_NAME_CHARS),
                            "created_at": at}
    if email:
        args["email"] = email
    if phone:
        args["phone"] = phone
    _apply(conn, "customer.create@1", args)
    return customer_id


def _customer(conn: Connection, parsed: ParsedMail, account_id: str, at: str) -> str:
    """The account's customer with the sender's address, or a new one."""
    sender = parsed.sender if parsed.sender and len(parsed.sender) <= 254 and " " not in parsed.sender else None
    if sender:
        found = conn.execute(text(
            "SELECT customer_id FROM customer_email WHERE email = :e AND account_id = :a ORDER BY customer_id LIMIT 1"),
            {"e": sender, "a": account_id}).scalar()
        if found is not None:
            return str(found)
    name = parsed.sender_name or (sender.split("@")[0] if sender else "") or "Unknown sender"
    return new_customer(conn, account_id, name, at, email=sender)


def next_case_number(conn: Connection) -> str:
    """The mail desk's next case number: `CS-<desk>-<counter>`, the desk being a terminal of its own."""
    desk = conn.execute(select(mail_counter.c.value, mail_counter.c.text_value)
                        .where(mail_counter.c.name == "cases")).first()
    if desk is None:
        client_id, counter = str(uuid.uuid4()), 1
        conn.execute(mail_counter.insert().values(name="cases", value=1, text_value=client_id))
    else:
        client_id, counter = str(desk[1]), int(desk[0]) + 1
        conn.execute(mail_counter.update().where(mail_counter.c.name == "cases").values(value=counter))
    return case_number(client_id, counter)
