"""The desk's routine mail, about no ticket: each professional's day every morning, and each account's daily report
to its recipients, through the same relay as the tickets' mail.

Morning schedules: from `[mail] schedule_hour` in each account's time zone, every professional of the account with
an e-mail address is mailed their local day (the text `agentdesk schedule` writes, with the day's `.ics` calendar
attached); a backend that starts later in the day sends them then, none is sent for a day already over.
Daily reports: each report the backend kept in the last day (`agentdesk.server.daily_reports`) goes to the
account's recipients (`[mail] report_to`), the HTML form as the mail with the text form as its plain alternative,
and the CSV attached.

Each mail is a row of `mail_routine` inserted if absent under the unique key (kind, professional or account, day,
recipient), holding the message as made then: a restart or a second backend process finds the row and queues
nothing, so each is sent once. Sending claims the row first (moves its next try a few minutes on, only if no one
else did), so two processes never hand the same mail to the relay together. The tries back off as the tickets'
mail does; a mail refused for good is bounced and logged (there is no ticket to note it on).
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import format_datetime

from sqlalchemy import Connection, Engine, bindparam, select, text

from agentdesk import schedule
from agentdesk.clock import iso
from agentdesk.domain import booking
from agentdesk.domain.mail import new_message_id
from agentdesk.domain.text import one_line
from agentdesk.server.db import MutatorConnection, write_together
from agentdesk.server.mail.outgoing import FIRST_RETRY_S, MAX_ATTEMPTS, domain_of, retry_after
from agentdesk.server.mail.schema import mail_routine

CLAIM_S = 300.0
"""How long a mail handed to the relay is held by the process sending it before another may try it."""
REPORT_WITHIN = timedelta(days=1)
"""Reports kept this long ago or less are mailed (a recipient added later gets the reports from then on)."""
_ADDRESS = re.compile(r"[^\s@<>()\[\],;:\"\\]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z0-9-]{2,63}")
log = logging.getLogger("agentdesk.mail")
Send = Callable[[str, list[str], bytes], tuple[str | None, bool]]


def plain_address(value: str | None) -> str | None:
    """`value` when it is one plain e-mail address (stored text is untrusted: nothing that could add a header or
    a recipient), else None."""
    found = (value or "").strip()
    return found if _ADDRESS.fullmatch(found) and len(found) <= 254 else None


def _message(sender: str, recipient: str, subject: str, message_id: str, now: datetime) -> EmailMessage:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, recipient, subject
    message["Date"] = format_datetime(now.astimezone(UTC))
    message["Message-ID"] = message_id
    message["Auto-Submitted"] = "auto-generated"  # nobody's mail program answers it
    message["X-Loop"] = sender
    return message


def schedule_mail(day: schedule.Day, sender: str, recipient: str, message_id: str, now: datetime) -> bytes:
    """The professional's morning mail: the day as `schedule.morning_email` writes it, its .ics attached."""
    subject_line, _, body = schedule.morning_email(day).partition("\n")
    message = _message(sender, recipient, subject_line.removeprefix("Subject: "), message_id, now)
    message.set_content(body.lstrip("\n"))
    message.add_attachment(schedule.ics(day, now), maintype="text", subtype="calendar",
                           filename=f"{schedule.slug(day)}.ics")
    return message.as_bytes(policy=SMTP_POLICY)


def report_mail(account_name: str, day: date, forms: Mapping[str, str], sender: str, recipient: str,
                message_id: str, now: datetime) -> bytes:
    """The daily report's mail: the HTML form, the text form as its plain alternative, the CSV attached."""
    name = one_line(account_name, 60)
    subject = f"Daily report · {name} · {day:%A} {day.day} {day:%B %Y}"
    message = _message(sender, recipient, subject, message_id, now)
    message.set_content(forms["text"])
    message.add_alternative(forms["html"], subtype="html")
    plain = "-".join(part for part in re.sub(r"[^a-z0-9]+", "-", name.lower()).split("-") if part)[:40] or "account"
    message.add_attachment(forms["csv"].encode("utf-8"), maintype="text", subtype="csv",
                           filename=f"daily-report-{plain}-{day.isoformat()}.csv")
    return message.as_bytes(policy=SMTP_POLICY)


def _new_id(kind: str, sender: str) -> str:
    return new_message_id(domain_of(sender), f"{kind}.{uuid.uuid4().hex}")


def _queue(engine: Engine, kind: str, about: str, day: date, recipient: str, account_id: str, sender: str,
           message_id: str, raw: bytes, now: datetime) -> int:
    """Insert the mail if no process has (1), else leave it (0)."""
    at = iso(now)
    values = {"id": str(uuid.uuid4()), "kind": kind, "about": about, "day": day.isoformat(), "recipient": recipient,
              "account_id": account_id, "sender": sender, "message_id": message_id, "raw": raw, "state": "queued",
              "attempts": 0, "next_attempt_at": at, "reason": None, "created_at": at, "updated_at": at}
    insert = text(f"INSERT INTO mail_routine ({', '.join(values)}) VALUES ({', '.join(':' + k for k in values)})"
                  " ON CONFLICT (kind, about, day, recipient) DO NOTHING")

    def work(conn: Connection) -> int:
        return int(conn.execute(insert, values).rowcount or 0)

    return write_together(engine, work)


_WAITING_PROFESSIONALS = text(
    "SELECT p.id, p.email FROM professional p WHERE p.account_id = :a AND p.email IS NOT NULL AND p.email <> ''"
    " AND NOT EXISTS (SELECT 1 FROM mail_routine r WHERE r.kind = 'schedule' AND r.about = p.id AND r.day = :d"
    " AND r.recipient = p.email) ORDER BY p.id")


def queue_schedules(engine: Engine, hour: int, now: datetime | None = None) -> int:
    """Queue the day of every professional with an address whose account's local time is past `hour` and who has
    not been mailed it; returns how many were queued."""
    moment = now or datetime.now(UTC)
    with engine.connect().execution_options(read_only=True) as conn:
        accounts = conn.execute(text("SELECT a.id, a.time_zone, mb.address FROM account a"
                                     " JOIN mail_mailbox mb ON mb.account_id = a.id ORDER BY a.id")).all()
    queued = 0
    for account_id, time_zone, sender in accounts:
        local = moment.astimezone(booking.zone(time_zone))
        if local.hour < hour:
            continue
        on = local.date()
        with engine.connect().execution_options(read_only=True) as conn:
            waiting = [(str(p), plain_address(e)) for p, e in conn.execute(
                _WAITING_PROFESSIONALS, {"a": account_id, "d": on.isoformat()}).all()]
            if not any(address for _, address in waiting):
                continue
            found = {d.professional.id: d for d in schedule.days(MutatorConnection(conn), on, account=account_id)
                     if d.professional.account_id == account_id}
        for professional_id, address in waiting:
            day = found.get(professional_id)
            if address is None or day is None:  # not an address a mail can go to: left alone, never guessed at
                continue
            message_id = _new_id("schedule", str(sender))
            raw = schedule_mail(day, str(sender), address, message_id, moment)
            queued += _queue(engine, "schedule", professional_id, on, address, str(account_id), str(sender),
                             message_id, raw, moment)
    return queued


_KEPT_SINCE = text(
    "SELECT r.account_id, r.day, a.name, mb.address FROM daily_report r JOIN account a ON a.id = r.account_id"
    " JOIN mail_mailbox mb ON mb.account_id = r.account_id WHERE r.account_id IN :ids AND r.produced_at >= :since"
    " ORDER BY r.account_id, r.day").bindparams(bindparam("ids", expanding=True))


def queue_reports(engine: Engine, report_to: Mapping[str, Sequence[str]], now: datetime | None = None) -> int:
    """Queue each report kept in the last day to its account's recipients who have not been mailed it; returns
    how many were queued."""
    moment = now or datetime.now(UTC)
    wanted = {account: [a for a in map(plain_address, to) if a] for account, to in report_to.items()}
    if not any(wanted.values()):
        return 0
    queued = 0
    with engine.connect().execution_options(read_only=True) as conn:
        kept = conn.execute(_KEPT_SINCE, {"ids": sorted(wanted), "since": iso(moment - REPORT_WITHIN)}).all()
    for account_id, day, account_name, sender in kept:
        with engine.connect().execution_options(read_only=True) as conn:
            mailed = set(conn.execute(select(mail_routine.c.recipient).where(
                mail_routine.c.kind == "report", mail_routine.c.about == account_id,
                mail_routine.c.day == str(day))).scalars())
            missing = [a for a in wanted[str(account_id)] if a not in mailed]
            if not missing:
                continue
            forms = dict(conn.execute(text("SELECT text, csv, html FROM daily_report WHERE account_id = :a"
                                           " AND day = :d"), {"a": account_id, "d": str(day)}).mappings().one())
        on = date.fromisoformat(str(day))
        for address in missing:
            message_id = _new_id("report", str(sender))
            raw = report_mail(str(account_name), on, forms, str(sender), address, message_id, moment)
            queued += _queue(engine, "report", str(account_id), on, address, str(account_id), str(sender),
                             message_id, raw, moment)
    return queued


def send_due(engine: Engine, send: Send, now: datetime | None = None,
             first_retry_s: float = FIRST_RETRY_S, limit: int = 100) -> dict[str, int]:
    """Try every routine mail that is due and this process could claim; counts of the outcomes."""
    moment = now or datetime.now(UTC)
    at = iso(moment)
    counts = {"sent": 0, "deferred": 0, "bounced": 0}
    with engine.connect() as conn:
        due = conn.execute(select(mail_routine.c.id, mail_routine.c.next_attempt_at).where(
            mail_routine.c.state.in_(("queued", "deferred")), mail_routine.c.next_attempt_at <= at,
        ).order_by(mail_routine.c.next_attempt_at).limit(limit)).all()
    for mail_id, next_at in due:
        mail = _claim(engine, str(mail_id), str(next_at), iso(moment + timedelta(seconds=CLAIM_S)))
        if mail is None:  # another process took it
            continue
        error, permanent = send(mail.sender, [mail.recipient], bytes(mail.raw))
        counts[_after_try(engine, mail, error, permanent, moment, first_retry_s)] += 1
    return counts


def _claim(engine: Engine, mail_id: str, next_at: str, until: str) -> object | None:
    def work(conn: Connection) -> object | None:
        took = conn.execute(mail_routine.update().where(
            mail_routine.c.id == mail_id, mail_routine.c.next_attempt_at == next_at,
            mail_routine.c.state.in_(("queued", "deferred"))).values(next_attempt_at=until)).rowcount
        return conn.execute(select(mail_routine).where(mail_routine.c.id == mail_id)).first() if took else None

    return write_together(engine, work)


def _after_try(engine: Engine, mail: object, error: str | None, permanent: bool, moment: datetime,
               first_retry_s: float) -> str:
    row = mail
    attempts = int(row.attempts) + 1  # type: ignore[attr-defined]
    values: dict[str, object] = {"attempts": attempts, "updated_at": iso(moment), "reason": None}
    if error is None:
        values["state"] = "sent"
    elif permanent or attempts >= MAX_ATTEMPTS:
        values.update(state="bounced", reason=error[:500])
        log.warning("the %s mail to %s for %s could not be delivered: %s", row.kind, row.recipient[:100],  # type: ignore[attr-defined]
                    row.day, error[:300])  # type: ignore[attr-defined]
    else:
        values.update(state="deferred", reason=error[:500],
                      next_attempt_at=iso(moment + timedelta(seconds=retry_after(attempts, first_retry_s))))

    def work(conn: Connection) -> None:
        conn.execute(mail_routine.update().where(mail_routine.c.id == row.id).values(**values))  # type: ignore[attr-defined]

    write_together(engine, work)
    return str(values["state"])
