"""Mail the desk sends, as rows with a delivery state: queued, sent, deferred (tried, trying again), bounced.

Three kinds: the acknowledgement a new case gets (queued by the intake in its own transaction), the satisfaction
survey a resolved case's customer gets (queued by `survey`), and an agent's public reply (a `ticket_message` of
kind `reply` still `queued`, pushed from a terminal; picked up here). What a terminal sees of it is the ticket:
the reply's `delivery` becomes `delivered` or `failed` through the `ticket.mark_delivered` mutator, and an
acknowledgement or survey sent or any mail bounced adds a note saying so.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, Engine, bindparam, select, text

from agentdesk.clock import iso
from agentdesk.domain.mail import ACKNOWLEDGEMENT_TEMPLATE, ParsedMail, new_message_id
from agentdesk.domain.templates import TemplateFields, TemplateProblem, render
from agentdesk.mutations import registry as mutators
from agentdesk.server.db import MutatorConnection, write_together
from agentdesk.server.mail.schema import mail_counter, mail_outgoing, mail_thread

MAX_ATTEMPTS = 8
"""After this many failed tries a mail counts as bounced (about a day and a half with the backoff below)."""
FIRST_RETRY_S = 60.0
MAX_RETRY_S = 6 * 3600.0


def retry_after(attempts: int, first_s: float = FIRST_RETRY_S) -> float:
    """Seconds to wait before try `attempts + 1`: doubling from `first_s`, at most six hours."""
    return min(first_s * 2 ** max(attempts - 1, 0), MAX_RETRY_S)


def _note(conn: Connection, ticket_id: str, body: str, at: str) -> None:
    mutators.resolve("ticket.add_message@1").apply(MutatorConnection(conn), {  # type: ignore[arg-type]
        "message_id": str(uuid.uuid4()), "ticket_id": ticket_id, "kind": "note", "author": "mail desk",
        "body": body[:100_000], "created_at": at})


def domain_of(address: str) -> str:
    return address.rpartition("@")[2] or "agentdesk.invalid"


_WHAT = {"acknowledgement": "The acknowledgement with the case number", "survey": "The satisfaction survey"}


def _what(row: object) -> str:
    return _WHAT.get(row.kind, "The reply")  # type: ignore[attr-defined]


def queue_acknowledgement(
    conn: Connection, account_id: str, address: str, ticket_id: str, number: str, parsed: ParsedMail, at: str,
) -> bool:
    """Queue the acknowledgement of a new case to its sender, from the account's template (or the standard one
    when the account's cannot be filled); True when queued."""
    row = conn.execute(text(
        "SELECT a.name, m.acknowledgement FROM account a JOIN mail_mailbox m ON m.account_id = a.id WHERE a.id = :a"),
        {"a": account_id}).first()
    if row is None or not parsed.sender:
        return False
    account_name, own = str(row[0]), row[1]
    fields = TemplateFields(customer_name=parsed.sender_name or parsed.sender, case_number=number,
                            subject=parsed.subject or "no subject", agent_name=account_name, account_name=account_name)
    try:
        body = render(own or ACKNOWLEDGEMENT_TEMPLATE, fields)
    except TemplateProblem:  # a broken account template must not leave the customer without their number
        body = render(ACKNOWLEDGEMENT_TEMPLATE, fields)
    subject = f"[{number}] {parsed.subject or 'Your message'}"
    message_id = new_message_id(domain_of(address), f"ack.{uuid.uuid4().hex}")
    conn.execute(mail_outgoing.insert().values(
        id=str(uuid.uuid4()), account_id=account_id, ticket_id=ticket_id, ticket_message_id=None,
        kind="acknowledgement", sender=address, recipient=parsed.sender, subject=subject[:998], body=body,
        message_id=message_id, in_reply_to=parsed.message_id, state="queued", attempts=0, next_attempt_at=at,
        reason=None, created_at=at, updated_at=at))
    conn.execute(mail_thread.insert().values(message_id=message_id, ticket_id=ticket_id))
    return True


def record_bounce(conn: Connection, parsed: ParsedMail, at: str) -> bool:
    """A delivery report about mail the desk sent: that mail is bounced, with the report's words as the reason,
    and the ticket gets a note; False when the report is about no mail of ours."""
    found = conn.execute(select(mail_outgoing).where(mail_outgoing.c.message_id.in_(list(parsed.bounce_of)))).first()
    if found is None:
        return False
    reason = " ".join(parsed.body.split())[:500] or "the receiving server returned it"
    mark(conn, found, "bounced", reason, at)
    return True


def mark(conn: Connection, mail: object, state: str, reason: str | None, at: str, *, attempts: int | None = None,
         next_attempt_at: str | None = None) -> None:
    """Record a delivery state for `mail` (a `mail_outgoing` row); what the ticket shows follows it."""
    row = mail  # a Row with the table's columns
    values: dict[str, object] = {"state": state, "reason": reason, "updated_at": at}
    if attempts is not None:
        values["attempts"] = attempts
    if next_attempt_at is not None:
        values["next_attempt_at"] = next_attempt_at
    conn.execute(mail_outgoing.update().where(mail_outgoing.c.id == row.id).values(**values))  # type: ignore[attr-defined]
    first_deferral = state == "deferred" and attempts == 1
    if state not in ("sent", "bounced") and not first_deferral:
        return
    conn.execute(text("UPDATE sync_state SET version = version + 1 WHERE id = 1"))
    if first_deferral:  # said once on the ticket; the next tries are the desk's business until they end
        _note(conn, row.ticket_id, f"{_what(row)} to {row.recipient} is not delivered yet ({reason}); the desk "  # type: ignore[attr-defined]
              "keeps trying for about a day and a half.", at)
        return
    delivered = state == "sent"
    if row.ticket_message_id:  # type: ignore[attr-defined]
        mutators.resolve("ticket.mark_delivered@1").apply(MutatorConnection(conn), {  # type: ignore[arg-type]
            "message_id": row.ticket_message_id, "delivery": "delivered" if delivered else "failed"})  # type: ignore[attr-defined]
    what = _what(row)
    if delivered and row.kind in _WHAT:  # type: ignore[attr-defined]
        _note(conn, row.ticket_id, f"{what} was sent to {row.recipient}.", at)  # type: ignore[attr-defined]
    elif not delivered:
        _note(conn, row.ticket_id, f"{what} to {row.recipient} could not be delivered: {reason}", at)  # type: ignore[attr-defined]


_REPLIES = text(
    "SELECT tm.id, tm.ticket_id, tm.body, t.case_number, t.subject, t.account_id, mb.address"
    " FROM ticket_message tm JOIN ticket t ON t.id = tm.ticket_id JOIN mail_mailbox mb ON mb.account_id = t.account_id"
    " WHERE tm.id IN :ids AND tm.kind = 'reply' AND tm.delivery = 'queued' AND tm.created_at >= mb.since"
    " AND NOT EXISTS (SELECT 1 FROM mail_outgoing o WHERE o.ticket_message_id = tm.id) ORDER BY tm.created_at"
).bindparams(bindparam("ids", expanding=True))


def queue_replies(engine: Engine, now: datetime | None = None) -> int:
    """Queue the agents' replies pushed since the last look (the change log says which messages changed, so an
    idle desk reads nothing); returns how many were queued. A reply to a customer without an e-mail address is
    marked failed with a note saying so."""
    at = iso(now or datetime.now(UTC))

    def work(conn: Connection) -> int:
        upto = int(conn.execute(text("SELECT version FROM sync_state WHERE id = 1")).scalar_one())
        after = int(conn.execute(select(mail_counter.c.value).where(mail_counter.c.name == "replies_seen")).scalar_one())
        if upto <= after:
            return 0
        keys = conn.execute(text(
            "SELECT row_key FROM sync_change WHERE table_name = 'ticket_message' AND version > :after"
            " AND version <= :upto"), {"after": after, "upto": upto}).scalars().all()
        ids = [str(json.loads(key)[0]) for key in keys]
        queued = 0
        for start in range(0, len(ids), 500):
            for message_id, ticket_id, body, number, subject, account_id, address in conn.execute(
                    _REPLIES, {"ids": ids[start:start + 500]}).all():
                queued += _queue_reply(conn, str(message_id), str(ticket_id), str(body), str(number), str(subject),
                                       str(account_id), str(address), at)
        conn.execute(mail_counter.update().where(mail_counter.c.name == "replies_seen").values(value=upto))
        return queued

    return write_together(engine, work)


def _queue_reply(conn: Connection, message_id: str, ticket_id: str, body: str, number: str, subject: str,
                 account_id: str, address: str, at: str) -> int:
    recipient, answers = recipient_of(conn, ticket_id)
    if recipient is None:
        conn.execute(text("UPDATE sync_state SET version = version + 1 WHERE id = 1"))
        mutators.resolve("ticket.mark_delivered@1").apply(MutatorConnection(conn), {  # type: ignore[arg-type]
            "message_id": message_id, "delivery": "failed"})
        _note(conn, ticket_id, "The reply could not be sent: the customer has no e-mail address. Call them, or add"
                               " their address to the customer card and write again.", at)
        return 0
    own_id = new_message_id(domain_of(address), f"reply.{uuid.uuid4().hex}")
    title = subject if f"[{number}]" in subject else f"[{number}] {subject}"
    conn.execute(mail_outgoing.insert().values(
        id=str(uuid.uuid4()), account_id=account_id, ticket_id=ticket_id, ticket_message_id=message_id,
        kind="reply", sender=address, recipient=recipient, subject=("Re: " + title)[:998], body=body,
        message_id=own_id, in_reply_to=answers, state="queued", attempts=0, next_attempt_at=at, reason=None,
        created_at=at, updated_at=at))
    conn.execute(mail_thread.insert().values(message_id=own_id, ticket_id=ticket_id))
    return 1


def recipient_of(conn: Connection, ticket_id: str) -> tuple[str | None, str | None]:
    """Where a reply on this ticket goes (the last address that wrote in, else the customer's first e-mail)
    and the Message-ID it answers."""
    last = conn.execute(text(
        "SELECT message_id, sender FROM mail_received WHERE ticket_id = :t AND outcome <> 'bounce'"
        " ORDER BY received_at DESC LIMIT 1"), {"t": ticket_id}).first()
    answers = str(last[0]) if last is not None and last[0] else None
    sender = last[1] if last is not None else None
    if sender is None:
        sender = conn.execute(text(
            "SELECT ce.email FROM customer_email ce JOIN ticket t ON t.customer_id = ce.customer_id"
            " WHERE t.id = :t ORDER BY ce.email LIMIT 1"), {"t": ticket_id}).scalar()
    return (str(sender) if sender else None), answers


def due(engine: Engine, now: datetime | None = None, limit: int = 100) -> list[object]:
    """Mail to try now: queued or deferred, its next try due."""
    at = iso(now or datetime.now(UTC))
    with engine.connect() as conn:
        return list(conn.execute(select(mail_outgoing).where(
            mail_outgoing.c.state.in_(("queued", "deferred")), mail_outgoing.c.next_attempt_at <= at,
        ).order_by(mail_outgoing.c.next_attempt_at).limit(limit)).all())


def after_try(engine: Engine, mail: object, error: str | None, permanent: bool, now: datetime | None = None,
              first_retry_s: float = FIRST_RETRY_S) -> str:
    """Record one try of `mail`: sent, deferred with the next try's time, or bounced; returns the new state."""
    moment = now or datetime.now(UTC)
    at = iso(moment)
    attempts = int(mail.attempts) + 1  # type: ignore[attr-defined]

    def work(conn: Connection) -> str:
        if error is None:
            mark(conn, mail, "sent", None, at, attempts=attempts)
            return "sent"
        if permanent or attempts >= MAX_ATTEMPTS:
            mark(conn, mail, "bounced", error[:500], at, attempts=attempts)
            return "bounced"
        later = iso(moment + timedelta(seconds=retry_after(attempts, first_retry_s)))
        mark(conn, mail, "deferred", error[:500], at, attempts=attempts, next_attempt_at=later)
        return "deferred"

    return write_together(engine, work)
