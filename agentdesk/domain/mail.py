"""An e-mail as the desk reads it: who, what, which thread, which case, and whether a machine sent it.

`read_mail(raw)` never raises. A message it cannot make sense of comes back with `readable` False and the reason
in `problem`; the raw bytes are always kept by the caller, so nothing a customer sent is lost. The body is plain
text: `text/plain` when the message has it, otherwise its HTML turned into words (`mail_text.html_to_text`).
Attachments are listed with name, type and size; their content is kept up to a cap.
"""

from __future__ import annotations

import email
import email.header
import email.policy
import email.utils
import re
from dataclasses import dataclass, field
from email.message import EmailMessage, Message
from typing import Any

from agentdesk.domain.mail_text import html_to_text

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
"""An attachment's content is kept up to this size (the raw message keeps the whole of it)."""
MAX_BODY_CHARS = 1_000_000
"""A body longer than this is cut, with a line saying so (the raw message keeps the whole of it)."""
MAX_HEADER_CHARS = 998

CASE_IN_SUBJECT = re.compile(r"\[\s*(CS-[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{3,})\s*\]", re.IGNORECASE)
_MESSAGE_ID = re.compile(r"<[^<>\s]{1,480}>")  # longer ones are not ids a thread can follow (and would not fit)
_MACHINE_SENDERS = ("mailer-daemon", "postmaster", "mail-daemon", "noreply-dmarc-support", "bounce")
_BULK = frozenset({"bulk", "list", "junk", "auto_reply"})


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file that came with a message; `content` is None when it was larger than the cap."""

    name: str
    content_type: str
    size: int
    content: bytes | None


@dataclass(frozen=True, slots=True)
class ParsedMail:
    """What the desk needs of one message."""

    readable: bool
    problem: str | None = None
    sender: str | None = None  # the address, lower-cased
    sender_name: str = ""
    to: tuple[str, ...] = ()
    subject: str = ""
    date: str | None = None
    message_id: str | None = None
    in_reply_to: str | None = None
    references: tuple[str, ...] = ()
    body: str = ""
    attachments: tuple[Attachment, ...] = ()
    automatic: bool = False
    automatic_why: str | None = None
    bounce_of: tuple[str, ...] = field(default=())  # a bounce: the Message-IDs of the mail that could not be delivered

    @property
    def case_number(self) -> str | None:
        """The case number written in the subject as `[CS-…]`, upper-cased; None when there is none."""
        return case_number_in(self.subject)

    @property
    def thread_ids(self) -> tuple[str, ...]:
        """The Message-IDs this message answers, nearest first (In-Reply-To, then References newest first)."""
        ids = ([self.in_reply_to] if self.in_reply_to else []) + list(reversed(self.references))
        return tuple(dict.fromkeys(ids))


def case_number_in(subject: str) -> str | None:
    """The `[CS-…]` case number in a subject, upper-cased, or None."""
    found = CASE_IN_SUBJECT.search(subject or "")
    return found[1].upper() if found else None


def _header(message: Message, name: str) -> str:
    """A header as text, whatever its encoding; "" when absent or unreadable."""
    try:
        value = message.get(name)
    except Exception:  # a header the policy cannot decode
        value = None
    if value is None:
        raw = message.get_all(name, failobj=[]) if hasattr(message, "get_all") else []
        value = raw[0] if raw else ""
    text = str(value)
    return " ".join(text.split())[:MAX_HEADER_CHARS]


def _addresses(message: Message, name: str) -> list[tuple[str, str]]:
    try:
        pairs = email.utils.getaddresses([str(v) for v in message.get_all(name, failobj=[])])
    except Exception:
        return []
    return [(n.strip(), a.strip().lower()) for n, a in pairs if "@" in a]


def _ids(value: str) -> list[str]:
    return _MESSAGE_ID.findall(value or "")


def automatic_reason(message: Message, sender: str | None) -> str | None:
    """Why a message was sent by a machine (and must not be answered by one), or None for a person's mail."""
    auto = _header(message, "Auto-Submitted").lower()
    if auto and auto.split(";")[0].strip() != "no":
        return f"Auto-Submitted: {auto[:40]}"
    precedence = _header(message, "Precedence").lower().strip()
    if precedence in _BULK:
        return f"Precedence: {precedence}"
    if _header(message, "X-Loop"):
        return "X-Loop"
    if _header(message, "X-Autoreply") or _header(message, "X-Autorespond"):
        return "an auto-reply header"
    if message.get_content_type() == "multipart/report":
        return "a delivery report (bounce)"
    local = (sender or "").split("@")[0]
    if not sender:
        return "no sender address (a bounce)"
    if any(local.startswith(word) for word in _MACHINE_SENDERS):
        return f"sent by {sender[:60]}"
    return None


def _decoded_text(part: Message) -> str:
    """A text part's words, whatever charset it claims (an unknown or wrong charset is read leniently)."""
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        payload = str(part.get_payload() or "").encode("utf-8", "replace")
    charset = (part.get_content_charset() or "utf-8").lower()
    for name in (charset, "utf-8", "cp1252"):
        try:
            return payload.decode(name)
        except (LookupError, UnicodeDecodeError):
            continue
    return payload.decode("latin-1")


def _bounced_ids(message: Message) -> list[str]:
    """In a delivery report, the Message-ID of the mail that bounced (from its returned headers)."""
    found: list[str] = []
    for part in message.walk():
        if part.get_content_type() in ("message/rfc822", "text/rfc822-headers", "message/rfc822-headers"):
            inner = part.get_payload()
            if isinstance(inner, list) and inner:
                found += _ids(_header(inner[0], "Message-ID"))
            else:
                text = _decoded_text(part)
                match = re.search(r"^Message-ID:\s*(<[^>]+>)", text, re.IGNORECASE | re.MULTILINE)
                if match:
                    found.append(match[1])
    return found


def _body_and_files(message: Message, cap: int) -> tuple[str, list[Attachment]]:
    plain: list[str] = []
    markup: list[str] = []
    files: list[Attachment] = []
    for part in message.walk():
        if part.is_multipart():
            continue
        kind = part.get_content_type()
        disposition = (part.get_content_disposition() or "").lower()
        name = part.get_filename()
        if disposition == "attachment" or name or not kind.startswith("text/"):
            content = part.get_payload(decode=True)
            data = content if isinstance(content, bytes) else str(part.get_payload() or "").encode()
            files.append(Attachment(name=(str(name) if name else f"part.{kind.split('/')[-1]}")[:200],
                                    content_type=kind[:100], size=len(data), content=data if len(data) <= cap else None))
        elif kind == "text/plain":
            plain.append(_decoded_text(part))
        elif kind == "text/html":
            markup.append(_decoded_text(part))
    body = "\n\n".join(p.strip() for p in plain) if plain else "\n\n".join(html_to_text(h) for h in markup)
    return body, files


def read_mail(raw: bytes, *, attachment_cap: int = MAX_ATTACHMENT_BYTES) -> ParsedMail:
    """`raw` (an RFC 5322 message) as the desk reads it; never raises."""
    try:
        message: Any = email.message_from_bytes(raw, policy=email.policy.compat32)
        senders = _addresses(message, "From") or _addresses(message, "Reply-To")
        name, sender = senders[0] if senders else ("", None)
        body, files = _body_and_files(message, attachment_cap)
        if len(body) > MAX_BODY_CHARS:
            body = body[:MAX_BODY_CHARS] + "\n\n[The message is longer; the whole of it is kept with the ticket.]"
        subject = _subject(message)
        date = None
        try:
            when = email.utils.parsedate_to_datetime(_header(message, "Date")) if _header(message, "Date") else None
            date = when.isoformat() if when else None
        except (TypeError, ValueError, IndexError):
            date = None
        report = message.get_content_type() == "multipart/report"
        ids = _ids(_header(message, "Message-ID"))
        reply_to = _ids(_header(message, "In-Reply-To"))
        why = automatic_reason(message, sender)
        if not raw.strip():
            return ParsedMail(readable=False, problem="The message is empty.")
        if not message.keys():
            return ParsedMail(readable=False, problem="The message has no headers; it may be damaged.",
                              body=_lenient(raw))
        return ParsedMail(
            readable=True, sender=sender, sender_name=name[:200],
            to=tuple(a for _, a in _addresses(message, "To") + _addresses(message, "Cc")),
            subject=subject, date=date, message_id=ids[0] if ids else None,
            in_reply_to=reply_to[0] if reply_to else None, references=tuple(_ids(_header(message, "References"))[-50:]),
            body=body, attachments=tuple(files), automatic=why is not None, automatic_why=why,
            bounce_of=tuple(_bounced_ids(message)) if report else (),
        )
    except Exception as error:  # any message at all must come out as something an agent can see
        return ParsedMail(readable=False, problem=f"The message could not be read ({type(error).__name__}).",
                          body=_lenient(raw))


def _subject(message: Message) -> str:
    raw = message.get("Subject")
    if raw is None:
        return ""
    try:
        parts = email.header.decode_header(str(raw))
        text = "".join(
            chunk.decode(charset or "utf-8", "replace") if isinstance(chunk, bytes) else chunk
            for chunk, charset in parts)
    except (LookupError, ValueError):
        text = str(raw)
    return " ".join(text.split())[:MAX_HEADER_CHARS]


def _lenient(raw: bytes) -> str:
    """Whatever words an unreadable message has, for the agent to look at (never markup: it is not rendered)."""
    return raw[:MAX_BODY_CHARS].decode("utf-8", "replace")


def new_message_id(domain: str, unique: str) -> str:
    """A Message-ID for mail the desk sends, `<unique@domain>`."""
    return f"<{unique}@{domain}>"


def compose(
    *, sender: str, to: str, subject: str, body: str, message_id: str, in_reply_to: str | None = None,
    references: tuple[str, ...] = (), automatic: bool = False, loop_marker: str | None = None,
    auto_submitted: str = "auto-replied",
) -> EmailMessage:
    """A plain-text message from the desk, threaded under `in_reply_to`; `automatic` marks an acknowledgement
    (`Auto-Submitted: auto-replied`, `X-Loop`) or a survey (`auto-generated`), which other desks and mail
    programs do not answer."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = email.utils.formatdate(localtime=False)
    message["Message-ID"] = message_id
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
    chain = tuple(dict.fromkeys((*references, *([in_reply_to] if in_reply_to else ()))))
    if chain:
        message["References"] = " ".join(chain[-20:])
    if automatic:
        message["Auto-Submitted"] = auto_submitted
        message["X-Loop"] = loop_marker or sender
    message.set_content(body)
    return message


ACKNOWLEDGEMENT_TEMPLATE = (
    "Hello {{ customer_name }},\n\n"
    "Thank you for writing to {{ account_name }}. We have your message ({{ subject }}) as case {{ case_number }} "
    "and will answer within 6 hours. Please keep [{{ case_number }}] in the subject if you write again.\n\n"
    "{{ account_name }} support"
)
"""The acknowledgement a new case by e-mail gets, unless the account has its own."""
