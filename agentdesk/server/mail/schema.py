"""The backend's mail tables. They are the backend's own (never pulled by terminals): what reaches a terminal is
the ticket and its messages. Made on first use, idempotently, so a backend set up before mail existed gets them
without a migration step."""

from __future__ import annotations

import re
import threading
import weakref

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Engine,
    Float,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    inspect,
    text,
)

mail_metadata = MetaData()

mailbox = Table(
    "mail_mailbox", mail_metadata,
    Column("account_id", String(64), primary_key=True),
    Column("address", String(254), nullable=False, unique=True),
    Column("acknowledgement", Text, nullable=True),  # the account's own template; None: the standard one
    Column("survey", Text, nullable=True),  # the account's own survey template; None: the standard one
    Column("since", String(40), nullable=False),  # replies written before this are not mailed (old demo cases)
    # Fetching from the account's own mailbox as well (optional): imap://host:port or imaps://host:port, the user,
    # and the name of the environment variable holding the password (the password itself is never stored here).
    Column("imap_url", String(300), nullable=True),
    Column("imap_user", String(254), nullable=True),
    Column("imap_password_env", String(100), nullable=True),
    Column("imap_folder", String(200), nullable=True),
)
"""Each account's support address (lower-case): mail to it becomes the account's tickets."""

mail_imap_state = Table(
    "mail_imap_state", mail_metadata,
    Column("account_id", String(64), primary_key=True),
    Column("uidvalidity", BigInteger, nullable=False),
    Column("last_uid", BigInteger, nullable=False),
)
"""How far each account's IMAP folder has been taken in (the mailbox itself is left as it is)."""

mail_received = Table(
    "mail_received", mail_metadata,
    Column("id", String(64), primary_key=True),
    Column("account_id", String(64), nullable=False),
    Column("received_at", String(40), nullable=False),
    Column("envelope_from", String(254), nullable=True),
    Column("sender", String(254), nullable=True),  # the From address, where replies on the ticket go
    Column("message_id", String(500), nullable=True),
    Column("ticket_id", String(64), nullable=True),
    Column("outcome", String(40), nullable=False),  # new_case, follow_up, unreadable, bounce, rating, held (refused)
    Column("automatic", Boolean, nullable=False),
    Column("digest", String(64), nullable=False),  # SHA-256 of `raw`: the same message delivered twice is taken once
    Column("raw", LargeBinary, nullable=False),
    Index("mail_received_ticket", "ticket_id"),
    Index("mail_received_message", "account_id", "message_id"),
)
"""Every message taken in, byte for byte, for audit: nothing received is dropped."""

mail_attachment = Table(
    "mail_attachment", mail_metadata,
    Column("id", String(64), primary_key=True),
    Column("received_id", String(64), nullable=False),
    Column("ticket_id", String(64), nullable=True),
    Column("name", String(200), nullable=False),
    Column("content_type", String(100), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("content", LargeBinary, nullable=True),  # None: over the cap (the raw message still holds it)
    Index("mail_attachment_ticket", "ticket_id"),
)

mail_thread = Table(
    "mail_thread", mail_metadata,
    Column("message_id", String(500), primary_key=True),
    Column("ticket_id", String(64), nullable=False),
)
"""Which ticket each Message-ID (received or sent) belongs to, so a reply finds its case by In-Reply-To."""

mail_outgoing = Table(
    "mail_outgoing", mail_metadata,
    Column("id", String(64), primary_key=True),
    Column("account_id", String(64), nullable=False),
    Column("ticket_id", String(64), nullable=False),
    Column("ticket_message_id", String(64), nullable=True, unique=True),  # an agent's reply; None: an acknowledgement
    Column("kind", String(20), nullable=False),  # acknowledgement, reply
    Column("sender", String(254), nullable=False),
    Column("recipient", String(254), nullable=False),
    Column("subject", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("message_id", String(500), nullable=False),
    Column("in_reply_to", String(500), nullable=True),
    Column("state", String(20), nullable=False),  # queued, sent, deferred, bounced
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", String(40), nullable=False),
    Column("reason", Text, nullable=True),  # why it was deferred or bounced
    Column("created_at", String(40), nullable=False),
    Column("updated_at", String(40), nullable=False),
    Index("mail_outgoing_due", "state", "next_attempt_at"),
    Index("mail_outgoing_ticket", "ticket_id"),
)
"""Mail the desk sends, with its delivery state for the ticket to show."""

mail_routine = Table(
    "mail_routine", mail_metadata,
    Column("id", String(64), primary_key=True),
    Column("kind", String(20), nullable=False),  # schedule (a professional's day), report (an account's daily report)
    Column("about", String(64), nullable=False),  # the professional's id, or the account's id
    Column("day", String(10), nullable=False),  # the local date the mail is about (YYYY-MM-DD)
    Column("recipient", String(254), nullable=False),
    Column("account_id", String(64), nullable=False),
    Column("sender", String(254), nullable=False),
    Column("message_id", String(500), nullable=False),
    Column("raw", LargeBinary, nullable=False),  # the whole message as made when queued, sent as it is on each try
    Column("state", String(20), nullable=False),  # queued, sent, deferred, bounced
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", String(40), nullable=False),
    Column("reason", Text, nullable=True),
    Column("created_at", String(40), nullable=False),
    Column("updated_at", String(40), nullable=False),
    UniqueConstraint("kind", "about", "day", "recipient", name="mail_routine_once"),
    Index("mail_routine_due", "state", "next_attempt_at"),
)
"""The desk's routine mail, about no ticket: each professional's morning schedule and each account's daily report
to its recipients. The unique key (kind, about, day, recipient) is what keeps a restart or a second backend process
from mailing the same day twice: a mail is queued only by the process whose insert took."""

mail_survey = Table(
    "mail_survey", mail_metadata,
    Column("token", String(64), primary_key=True),  # random, in the survey's links: the customer's key
    Column("account_id", String(64), nullable=False),
    Column("ticket_id", String(64), nullable=False),
    Column("message_id", String(64), nullable=False),  # the reply rated: the ticket's last public reply when sent
    Column("mail_message_id", String(500), nullable=False),  # the survey mail's Message-ID (a reply answers it)
    Column("created_at", String(40), nullable=False),
    Column("expires_at", String(40), nullable=False),
    Column("score", Integer, nullable=True),  # the last answer (also on the ticket as a customer rating)
    Column("comment", Text, nullable=True),
    Column("answered_at", String(40), nullable=True),
    UniqueConstraint("ticket_id", "message_id", name="mail_survey_once"),
    Index("mail_survey_mail", "mail_message_id"),
)
"""The satisfaction surveys sent: one per resolved ticket and rated reply (the unique key is what keeps two
backend processes from sending it twice), with the customer's last answer."""

mail_counter = Table(
    "mail_counter", mail_metadata,
    Column("name", String(40), primary_key=True),
    Column("value", BigInteger, nullable=False),
    Column("text_value", String(64), nullable=True),
)
"""The mail desk's case-number counter with its own client id (its case numbers' terminal part), and
`replies_seen`: the version up to which pushed replies have been looked at for mailing, and `surveys_seen`: the
version up to which tickets have been looked at for a newly resolved one."""

written_received = Table(
    "written_received", mail_metadata,
    Column("id", String(64), primary_key=True),  # also the id of the customer's message on the ticket
    Column("channel", String(20), nullable=False),  # chat, sms, web_form
    Column("sender_message_id", String(200), nullable=False),  # the gateway's (or the form page's) id of it
    Column("account_id", String(64), nullable=False),
    Column("received_at", String(40), nullable=False),  # arrival at the backend: the 6 h clock runs from it
    Column("sent_at", String(40), nullable=True),  # as the gateway says (kept, never trusted for the clock)
    Column("session_id", String(200), nullable=True),  # a chat's conversation
    Column("sender_phone", String(20), nullable=True),  # E.164
    Column("sender_email", String(254), nullable=True),
    Column("ticket_id", String(64), nullable=False),
    Column("new_case", Boolean, nullable=False),
    UniqueConstraint("channel", "sender_message_id", name="written_received_once"),
    Index("written_received_session", "account_id", "channel", "session_id"),
    Index("written_received_phone", "account_id", "channel", "sender_phone"),
)
"""Every chat, SMS and web-form message taken in, once per (channel, sender's message id): a gateway sending one
again (it lost the answer) gets the same ticket and case number back."""

gateway_token = Table(
    "gateway_token", mail_metadata,
    Column("token_hash", String(64), primary_key=True),  # SHA-256 of the token, never the token itself
    Column("name", String(100), nullable=False),  # which gateway (for the admin who revokes it)
    Column("created_at", String(40), nullable=False),
    Column("expires_at", Float, nullable=True),
    Column("revoked_at", String(40), nullable=True),
)
"""The credentials of the chat/SMS gateways: good for posting written messages (`POST /intake/messages`) and for
nothing else; an agent's sign-in is not one."""

_READY: weakref.WeakSet[Engine] = weakref.WeakSet()
_LOCK = threading.Lock()


def slug(name: str) -> str:
    """An account name as the host part of its demo address: `Acme Home & Garden` → `acme-home-garden`."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:60] or "account"


def ensure_mail_schema(engine: Engine, since: str) -> None:
    """Make the mail tables if missing, and give every account without one its address,
    `support@<account-slug>.example` (an admin changes it in `mail_mailbox`)."""
    with _LOCK:
        if engine in _READY:
            return
        with engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                # Two backend processes starting together on one database: the second waits here for the first
                # to commit, then finds the tables (PostgreSQL's CREATE TABLE is not safe to race; SQLite's
                # BEGIN IMMEDIATE already puts them one after the other).
                conn.execute(text("SELECT pg_advisory_xact_lock(hashtext('agentdesk.mail_schema'))"))
            mail_metadata.create_all(conn)
            if "survey" not in {c["name"] for c in inspect(conn).get_columns("mail_mailbox")}:
                conn.execute(text("ALTER TABLE mail_mailbox ADD COLUMN survey TEXT"))  # made before surveys existed
            taken = set(conn.execute(text("SELECT address FROM mail_mailbox")).scalars())
            rows = conn.execute(text(
                "SELECT id, name FROM account WHERE id NOT IN (SELECT account_id FROM mail_mailbox) ORDER BY id")).all()
            for account_id, name in rows:
                address, n = f"support@{slug(name)}.example", 1
                while address in taken:
                    n += 1
                    address = f"support@{slug(name)}-{n}.example"
                taken.add(address)
                conn.execute(mailbox.insert().values(account_id=account_id, address=address, since=since))
            if conn.execute(text("SELECT 1 FROM mail_counter WHERE name = 'replies_seen'")).first() is None:
                # Replies pushed from here on are mailed; those written before the desk had mail are history.
                conn.execute(mail_counter.insert().values(name="replies_seen", value=conn.execute(
                    text("SELECT version FROM sync_state WHERE id = 1")).scalar_one()))
            if conn.execute(text("SELECT 1 FROM mail_counter WHERE name = 'surveys_seen'")).first() is None:
                # Tickets resolved from here on get a survey; those resolved before the desk had surveys do not.
                conn.execute(mail_counter.insert().values(name="surveys_seen", value=conn.execute(
                    text("SELECT version FROM sync_state WHERE id = 1")).scalar_one()))
        _READY.add(engine)


def forget_ready(engine: Engine) -> None:
    """Look at the accounts again on next use (a test or an admin added one)."""
    with _LOCK:
        _READY.discard(engine)
