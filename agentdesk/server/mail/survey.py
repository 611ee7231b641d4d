"""The satisfaction survey after a resolved ticket, and the customer's rating it brings back.

Sending: each round of the mail sender looks at the tickets changed since its last look (the change log, as for
agents' replies; how far it looked is kept in `mail_counter.surveys_seen`, so a restart neither misses nor
repeats) and queues one survey for each newly resolved ticket whose customer has an e-mail address, threaded on
the ticket's mail and naming the case. It rates the ticket's last public reply: a ticket resolved with no reply
sent gets no survey (there is no one's answer to rate). No survey goes to a machine (the ticket's last mail was
automatic, or the address is a mailer-daemon's or one of our own), nor for a ticket that had one in the last
`SURVEY_DAYS` days. The row in `mail_survey` is inserted if absent under a unique key (ticket, rated reply), and
the mail is queued only by the process whose insert took: two backends never send it twice.

Answering: by a reply whose first line of the customer's own words starts with 1 to 5 (`intake` finds the
survey by the Message-ID it answers), or by one of the links (`agentdesk.server.routes.survey`). Either way the
score becomes the customer's rating of the reply (`rating.record@1`, source `customer`; the last answer within
the survey's days stands) and a note on the ticket tells the agents ("The customer rated … 4/5: …"). The
rating is written in the name of an admin (never the agent rated, whom the rating rules forbid); the rating
itself names no rater, as customers' ratings do not.
"""

from __future__ import annotations

import json
import secrets
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, select, text

from agentdesk.clock import iso
from agentdesk.domain.mail import ParsedMail, new_message_id
from agentdesk.domain.survey import MAX_COMMENT_CHARS, SURVEY_DAYS, SURVEY_TEMPLATE, links, links_text
from agentdesk.domain.templates import TemplateProblem, render
from agentdesk.localstore.errors import StoreError
from agentdesk.mutations import registry as mutators
from agentdesk.server.db import MutatorConnection, write_together
from agentdesk.server.mail.outgoing import domain_of, recipient_of
from agentdesk.server.mail.schema import mail_counter, mail_outgoing, mail_survey, mail_thread

SURVEY_SUBJECT = "How did we do?"
_MACHINE_WORDS = ("mailer-daemon", "postmaster", "mail-daemon", "noreply", "no-reply", "do-not-reply", "bounce")

_RESOLVED = text(
    "SELECT t.id, t.account_id, t.case_number, t.subject, c.name AS customer, a.name AS account, mb.address,"
    " mb.survey FROM ticket t JOIN mail_mailbox mb ON mb.account_id = t.account_id"
    " JOIN account a ON a.id = t.account_id LEFT JOIN customer c ON c.id = t.customer_id"
    " WHERE t.id IN :ids AND t.status = 'resolved' ORDER BY t.resolved_at, t.id"
).bindparams(bindparam("ids", expanding=True))
_LAST_REPLY = text(
    "SELECT id, author FROM ticket_message WHERE ticket_id = :t AND kind = 'reply'"
    " ORDER BY created_at DESC, id DESC LIMIT 1")
_INSERT = text(
    "INSERT INTO mail_survey (token, account_id, ticket_id, message_id, mail_message_id, created_at, expires_at)"
    " VALUES (:token, :account, :ticket, :message, :mail, :at, :expires) ON CONFLICT DO NOTHING")


def queue_surveys(engine: Engine, public_url: str | None, now: datetime | None = None) -> int:
    """Queue a survey for each ticket resolved since the last look; returns how many were queued."""
    moment = now or datetime.now(UTC)

    def work(conn: Connection) -> int:
        upto = int(conn.execute(text("SELECT version FROM sync_state WHERE id = 1")).scalar_one())
        after = int(conn.execute(select(mail_counter.c.value).where(mail_counter.c.name == "surveys_seen")).scalar_one())
        if upto <= after:
            return 0
        keys = conn.execute(text(
            "SELECT row_key FROM sync_change WHERE table_name = 'ticket' AND version > :after AND version <= :upto"),
            {"after": after, "upto": upto}).scalars().all()
        ids = [str(json.loads(key)[0]) for key in keys]
        queued = 0
        for start in range(0, len(ids), 500):
            for row in conn.execute(_RESOLVED, {"ids": ids[start:start + 500]}).all():
                queued += _queue_one(conn, row, public_url, moment)
        conn.execute(mail_counter.update().where(mail_counter.c.name == "surveys_seen").values(value=upto))
        return queued

    return write_together(engine, work)


def _machine(conn: Connection, ticket_id: str, address: str) -> bool:
    local = address.split("@")[0]
    if any(local.startswith(word) for word in _MACHINE_WORDS):
        return True
    if conn.execute(text("SELECT 1 FROM mail_mailbox WHERE address = :a"), {"a": address}).first() is not None:
        return True
    last = conn.execute(text("SELECT automatic FROM mail_received WHERE ticket_id = :t AND outcome <> 'bounce'"
                             " ORDER BY received_at DESC LIMIT 1"), {"t": ticket_id}).first()
    return bool(last is not None and last[0])


def _queue_one(conn: Connection, row: Any, public_url: str | None, moment: datetime) -> int:
    recipient, answers = recipient_of(conn, row.id)
    if recipient is None or _machine(conn, row.id, recipient):
        return 0
    reply = conn.execute(_LAST_REPLY, {"t": row.id}).first()
    if reply is None:
        return 0
    at, window_start = iso(moment), iso(moment - timedelta(days=SURVEY_DAYS))
    if conn.execute(text("SELECT 1 FROM mail_survey WHERE ticket_id = :t AND created_at > :since"),
                    {"t": row.id, "since": window_start}).first() is not None:
        return 0
    token = secrets.token_urlsafe(24)
    mail_id = new_message_id(domain_of(row.address), f"survey.{uuid.uuid4().hex}")
    taken = conn.execute(_INSERT, {"token": token, "account": row.account_id, "ticket": row.id, "message": reply.id,
                                   "mail": mail_id, "at": at,
                                   "expires": iso(moment + timedelta(days=SURVEY_DAYS))}).rowcount
    if taken != 1:  # another backend process queued it first
        return 0
    fields = {"customer_name": row.customer or recipient, "case_number": row.case_number, "subject": row.subject,
              "agent_name": str(reply.author), "account_name": row.account, "survey_days": str(SURVEY_DAYS),
              "survey_links": links_text(links(public_url, token))}
    try:
        body = render(row.survey or SURVEY_TEMPLATE, fields)
    except TemplateProblem:  # a broken account template must not cost the survey
        body = render(SURVEY_TEMPLATE, fields)
    conn.execute(mail_outgoing.insert().values(
        id=str(uuid.uuid4()), account_id=row.account_id, ticket_id=row.id, ticket_message_id=None, kind="survey",
        sender=row.address, recipient=recipient, subject=f"[{row.case_number}] {SURVEY_SUBJECT}", body=body,
        message_id=mail_id, in_reply_to=answers, state="queued", attempts=0, next_attempt_at=at, reason=None,
        created_at=at, updated_at=at))
    conn.execute(mail_thread.insert().values(message_id=mail_id, ticket_id=row.id))
    return 1


def survey_answered(conn: Connection, parsed: ParsedMail, account_id: str, at: str) -> Any:
    """The open survey of `account_id` that `parsed` answers (by the Message-ID it replies to, else by the case
    number with the survey's subject), or None."""
    ids = list(parsed.thread_ids)
    found = conn.execute(select(mail_survey).where(
        mail_survey.c.mail_message_id.in_(ids), mail_survey.c.account_id == account_id,
        mail_survey.c.expires_at > at).order_by(mail_survey.c.created_at.desc()).limit(1)).first() if ids else None
    if found is None and parsed.case_number and SURVEY_SUBJECT.lower() in parsed.subject.lower():
        found = conn.execute(text(
            "SELECT s.* FROM mail_survey s JOIN ticket t ON t.id = s.ticket_id WHERE t.case_number = :n"
            " AND s.account_id = :a AND s.expires_at > :at ORDER BY s.created_at DESC LIMIT 1"),
            {"n": parsed.case_number, "a": account_id, "at": at}).first()
    return found


def by_token(engine: Engine, token: str, now: datetime) -> Any:
    """The survey with this token while it counts, or None (unknown or past its days)."""
    with engine.connect() as conn:
        return conn.execute(select(mail_survey).where(
            mail_survey.c.token == token, mail_survey.c.expires_at > iso(now))).first()


def record(conn: Connection, survey: Any, score: int, comment: str, at: str, how: str) -> bool:
    """Record `score` (and `comment`) as the customer's rating of the survey's reply, in the caller's transaction,
    with a note on the ticket when it changes anything; False when the rating rules refuse it (no admin other
    than the agent rated, or the reply is gone). The caller has opened a new version."""
    comment = comment.strip()[:MAX_COMMENT_CHARS]
    if survey.score == score and (survey.comment or "") == comment:
        return True  # the same answer again (a link clicked twice): nothing changes
    author = conn.execute(text("SELECT author FROM ticket_message WHERE id = :m"), {"m": survey.message_id}).scalar()
    recorder = conn.execute(text(
        "SELECT id FROM agent WHERE role = 'admin' AND name <> :author ORDER BY id LIMIT 1"),
        {"author": str(author or "")}).scalar()
    if recorder is None:
        return False
    savepoint = conn.begin_nested()
    try:
        mutators.resolve("rating.record@1").apply(MutatorConnection(conn), {  # type: ignore[arg-type]
            "rating_id": str(uuid.uuid4()), "account_id": survey.account_id, "message_id": survey.message_id,
            "source": "customer", "score": score, "comment": comment, "agent_id": str(recorder), "at": at})
        words = f"The customer rated the reply {score}/5 {how}" + (f": {comment}" if comment else ".")
        if survey.score is not None:
            words = f"The customer changed their rating from {survey.score}/5 to {score}/5 {how}" + (
                f": {comment}" if comment else ".")
        mutators.resolve("ticket.add_message@1").apply(MutatorConnection(conn), {  # type: ignore[arg-type]
            "message_id": str(uuid.uuid4()), "ticket_id": survey.ticket_id, "kind": "note", "author": "mail desk",
            "body": words, "created_at": at})
        savepoint.commit()
    except StoreError:
        savepoint.rollback()
        return False
    conn.execute(mail_survey.update().where(mail_survey.c.token == survey.token).values(
        score=score, comment=comment, answered_at=at))
    return True


def record_by_link(engine: Engine, token: str, score: int, comment: str | None, now: datetime) -> bool | None:
    """The customer's answer by a link (or the page's comment form): None when the token is unknown or past its
    days, else whether it was recorded. Without a `comment` the one given before is kept."""
    at = iso(now)

    def work(conn: Connection) -> bool | None:
        survey = conn.execute(select(mail_survey).where(
            mail_survey.c.token == token, mail_survey.c.expires_at > at)).first()
        if survey is None:
            return None
        conn.execute(text("UPDATE sync_state SET version = version + 1 WHERE id = 1"))
        kept = (survey.comment or "") if comment is None else comment
        return record(conn, survey, score, kept, at, "by the link")

    return write_together(engine, work)
