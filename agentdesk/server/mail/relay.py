"""Sending the desk's mail through the SMTP relay: one try per mail, its outcome recorded (sent, deferred with
backoff, bounced with the reason). A refusal with a 5xx code is final; anything else (the relay away, a 4xx) is
tried again later."""

from __future__ import annotations

import logging
import os
import smtplib
import ssl
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from email.policy import SMTP as SMTP_POLICY
from functools import partial
from urllib.parse import urlsplit

from sqlalchemy import Engine

from agentdesk.domain.mail import compose
from agentdesk.secrets import RELAY_KEY, load_mail_password
from agentdesk.server.mail import outgoing, routine
from agentdesk.server.mail.survey import queue_surveys

SMTP_TIMEOUT_S = 30.0
SIGN_IN_CODES = frozenset({530, 534, 535, 538})
"""The relay's answers about the backend's sign-in (missing, refused): the desk's settings are wrong, not the
customer's address, so the mail waits for them to be put right instead of bouncing."""
log = logging.getLogger("agentdesk.mail")


@dataclass(frozen=True, slots=True)
class Relay:
    """Where mail goes out: host and port, STARTTLS, and the sign-in (from the environment or the keyring)."""

    host: str
    port: int
    starttls: bool = False
    username: str | None = None
    password: str | None = field(default=None, repr=False)

    @classmethod
    def from_setting(cls, address: str, *, starttls: bool = False, username: str | None = None,
                     environ: Mapping[str, str] | None = None) -> Relay:
        """`smtp://host:port` (port 25 when none), signing in as AGENTDESK_MAIL_USERNAME (else `username`, the
        `[mail] relay_user` setting) with AGENTDESK_MAIL_PASSWORD, else the password kept in the keyring."""
        env = os.environ if environ is None else environ
        parts = urlsplit(address)
        if parts.scheme != "smtp" or not parts.hostname:
            raise ValueError(f"The mail relay {address[:80]!r} is not an address like smtp://mail.example.com:587.")
        user = env.get("AGENTDESK_MAIL_USERNAME") or username or None
        password = (env.get("AGENTDESK_MAIL_PASSWORD") or load_mail_password(RELAY_KEY)) if user else None
        if user and not password:
            log.warning("the mail relay's user %s has no password: set AGENTDESK_MAIL_PASSWORD, or keep it in the"
                        " keyring with `agentdesk server mail-password --relay`; mail is sent without signing in",
                        user[:100])
        return cls(parts.hostname, parts.port or 25, starttls, user, password or None)


def _message(mail: object) -> bytes:
    row = mail
    references = (row.in_reply_to,) if row.in_reply_to else ()  # type: ignore[attr-defined]
    return compose(
        sender=row.sender, to=row.recipient, subject=row.subject, body=row.body,  # type: ignore[attr-defined]
        message_id=row.message_id, in_reply_to=row.in_reply_to, references=references,  # type: ignore[attr-defined]
        automatic=row.kind in ("acknowledgement", "survey"), loop_marker=row.sender,  # type: ignore[attr-defined]
        auto_submitted="auto-generated" if row.kind == "survey" else "auto-replied",  # type: ignore[attr-defined]
    ).as_bytes(policy=SMTP_POLICY)  # CRLF line ends: smtplib sends bytes as they are, and a bare-LF message is
    # one line to a strict server, refused as too long once it passes 1,000 bytes


def send_one(relay: Relay, mail: object) -> tuple[str | None, bool]:
    """Hand `mail` to the relay: (None, False) when it took it, else (why, whether that is final)."""
    return send_raw(relay, mail.sender, [mail.recipient], _message(mail))  # type: ignore[attr-defined]


def send_raw(relay: Relay, sender: str, recipients: list[str], raw: bytes) -> tuple[str | None, bool]:
    """Hand a whole message (CRLF line ends) to the relay: (None, False) when it took it, else (why, whether that
    is final)."""
    try:
        with smtplib.SMTP(relay.host, relay.port, timeout=SMTP_TIMEOUT_S) as smtp:
            smtp.ehlo()
            if relay.starttls:
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
            if relay.username and relay.password:
                smtp.login(relay.username, relay.password)
            smtp.sendmail(sender, recipients, raw)
        return None, False
    except smtplib.SMTPRecipientsRefused as error:
        code, words = next(iter(error.recipients.values()))
        return f"the receiving server refused the address ({code} {_text(words)})", code >= 500
    except smtplib.SMTPResponseException as error:
        if error.smtp_code in SIGN_IN_CODES:
            return (f"the relay refused the desk's sign-in ({error.smtp_code} {_text(error.smtp_error)}): check the"
                    " relay's user and password"), False
        return f"the relay refused the mail ({error.smtp_code} {_text(error.smtp_error)})", error.smtp_code >= 500
    except smtplib.SMTPNotSupportedError:
        return "the relay does not offer STARTTLS, which the settings ask for", False
    except (OSError, smtplib.SMTPException) as error:
        return f"the relay could not be reached ({type(error).__name__}: {str(error)[:200]})", False


def _text(words: bytes | str) -> str:
    return (words.decode("utf-8", "replace") if isinstance(words, bytes) else str(words))[:300]


def send_due(engine: Engine, relay: Relay | None, *, now: datetime | None = None,
             first_retry_s: float = outgoing.FIRST_RETRY_S, public_url: str | None = None,
             schedule_hour: int | None = None, report_to: Mapping[str, Sequence[str]] | None = None,
             ) -> dict[str, int]:
    """Queue new agent replies and the surveys of newly resolved tickets (their links on `public_url`), then try
    every mail that is due; counts of the outcomes. Without a relay the mail stays queued.

    With a relay, also the routine mail (`routine`): the professionals' days from `schedule_hour` (None: none),
    and the daily reports kept lately to `report_to`. Without one these are not queued at all: a morning schedule
    or a report mailed days late, once a relay is set, would be worse than none."""
    outgoing.queue_replies(engine, now)
    queue_surveys(engine, public_url, now)
    counts = {"sent": 0, "deferred": 0, "bounced": 0}
    if relay is None:
        return counts
    for mail in outgoing.due(engine, now):
        error, permanent = send_one(relay, mail)
        state = outgoing.after_try(engine, mail, error, permanent, now, first_retry_s)
        counts[state] += 1
    if schedule_hour is not None:
        routine.queue_schedules(engine, schedule_hour, now)
    if report_to:
        routine.queue_reports(engine, report_to, now)
    for state, count in routine.send_due(engine, partial(send_raw, relay), now, first_retry_s).items():
        counts[state] += count
    return counts
