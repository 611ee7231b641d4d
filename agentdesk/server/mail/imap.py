"""Fetching mail from an account's own IMAP mailbox (for accounts whose mail is not sent to the backend's SMTP
port): imaplib, one connection at a time. `idle` keeps a connection per mailbox waiting in IDLE where the server
has it, and polls where not; this module is the fetching itself.

The folder is read, never changed: what has been taken in is remembered as the folder's UIDVALIDITY and the last
UID taken, so each message is taken once even across restarts, and the account's own mail program still sees its
mail as it was. A new UIDVALIDITY (the folder was rebuilt) starts again from the messages not yet received (by
Message-ID). The password comes from the environment variable the mailbox row names, else from the OS keyring
(`agentdesk server mail-password --account ID` keeps it there); the database holds no password.
"""

from __future__ import annotations

import imaplib
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import NamedTuple
from urllib.parse import urlsplit

from sqlalchemy import Engine, select

from agentdesk.config import AllocationSettings
from agentdesk.domain.mail import read_mail
from agentdesk.secrets import imap_key, load_mail_password
from agentdesk.server.mail.intake import take_in
from agentdesk.server.mail.schema import mail_imap_state, mail_received, mailbox

IMAP_TIMEOUT_S = 60.0
BATCH = 50
"""At most this many messages per account per round (the next round goes on)."""
log = logging.getLogger("agentdesk.mail")


@dataclass(frozen=True, slots=True)
class ImapMailbox:
    """Where an account's mail waits: the server, the sign-in, the folder."""

    account_id: str
    address: str
    url: str
    user: str
    password_env: str
    folder: str = "INBOX"


def mailboxes(engine: Engine) -> list[ImapMailbox]:
    """The accounts that have an IMAP mailbox set."""
    with engine.connect() as conn:
        rows = conn.execute(select(mailbox).where(mailbox.c.imap_url.is_not(None))).all()
    return [ImapMailbox(str(r.account_id), str(r.address), str(r.imap_url), str(r.imap_user or ""),
                        str(r.imap_password_env or ""), str(r.imap_folder or "INBOX")) for r in rows]


def password_of(box: ImapMailbox, environ: Mapping[str, str]) -> str:
    """The mailbox's password: the environment variable its row names when that is set, else the keyring's."""
    password = environ.get(box.password_env, "") if box.password_env else ""
    password = password or load_mail_password(imap_key(box.account_id)) or ""
    if not password:
        where = (f"put it in the environment variable {box.password_env}, or" if box.password_env else
                 "name an environment variable holding it in the mailbox's imap_password_env, or")
        raise ValueError(f"The password for {box.user or box.address} is not set: {where} keep it in the keyring with"
                         f" `agentdesk server mail-password --account {box.account_id}`.")
    return password


def connect(box: ImapMailbox, environ: Mapping[str, str] | None = None) -> imaplib.IMAP4:
    """A client signed in to `box`'s server (no folder selected yet)."""
    environ = os.environ if environ is None else environ
    parts = urlsplit(box.url)
    if parts.scheme not in ("imap", "imaps") or not parts.hostname:
        raise ValueError(f"The IMAP address {box.url[:80]!r} is not like imaps://mail.example.com:993.")
    password = password_of(box, environ)
    if parts.scheme == "imaps":
        client: imaplib.IMAP4 = imaplib.IMAP4_SSL(parts.hostname, parts.port or 993, timeout=IMAP_TIMEOUT_S)
    else:
        client = imaplib.IMAP4(parts.hostname, parts.port or 143, timeout=IMAP_TIMEOUT_S)
    client.login(box.user, password)
    return client


def _state(engine: Engine, account_id: str) -> tuple[int, int] | None:
    with engine.connect() as conn:
        row = conn.execute(select(mail_imap_state.c.uidvalidity, mail_imap_state.c.last_uid)
                           .where(mail_imap_state.c.account_id == account_id)).first()
    return (int(row[0]), int(row[1])) if row else None


def _remember(engine: Engine, account_id: str, uidvalidity: int, last_uid: int) -> None:
    with engine.begin() as conn:
        done = conn.execute(mail_imap_state.update().where(mail_imap_state.c.account_id == account_id)
                            .values(uidvalidity=uidvalidity, last_uid=last_uid)).rowcount
        if not done:
            conn.execute(mail_imap_state.insert().values(account_id=account_id, uidvalidity=uidvalidity,
                                                         last_uid=last_uid))


def _already_received(engine: Engine, account_id: str, raw: bytes) -> bool:
    message_id = read_mail(raw).message_id
    if not message_id:
        return False
    with engine.connect() as conn:
        return conn.execute(select(mail_received.c.id).where(
            mail_received.c.account_id == account_id, mail_received.c.message_id == message_id)).first() is not None


def capabilities(client: imaplib.IMAP4) -> set[str]:
    """What the server can do once signed in (it may offer more, or less, than it said before)."""
    _s, data = client.capability()
    words = b" ".join(d for d in data if isinstance(d, bytes)).decode("ascii", "replace").upper().split()
    return set(words) | {str(c).upper() for c in client.capabilities}


def fetch_account(engine: Engine, box: ImapMailbox, *, environ: Mapping[str, str] | None = None,
                  attachment_cap: int | None = None, allocation: AllocationSettings | None = None) -> int:
    """Take in the messages of `box`'s folder not taken yet (at most `BATCH`); returns how many were taken."""
    client = connect(box, environ)
    try:
        return take_new(engine, client, box, attachment_cap=attachment_cap, allocation=allocation).taken
    finally:
        logout(client)


def logout(client: imaplib.IMAP4) -> None:
    """Sign out, whatever state the connection is in."""
    try:
        client.logout()
    except (OSError, imaplib.IMAP4.error):
        pass


class Taken(NamedTuple):
    """One look at a folder: how many messages were taken in, whether more wait, how many the folder holds."""

    taken: int
    more: bool
    exists: int


def take_new(engine: Engine, client: imaplib.IMAP4, box: ImapMailbox, *, attachment_cap: int | None = None,
             allocation: AllocationSettings | None = None) -> Taken:
    """On a signed-in `client`: (re)open the folder read-only and take in at most `BATCH` messages not taken yet."""
    status, data = client.select(f'"{box.folder}"', readonly=True)
    if status != "OK":
        raise ValueError(f"The folder {box.folder!r} of {box.user} cannot be opened.")
    validity = _validity(client)
    known = _state(engine, box.account_id)
    rebuilt = known is not None and known[0] != validity
    last = 0 if known is None or rebuilt else known[1]
    _s, listed = client.uid("SEARCH", None, f"UID {last + 1}:*")
    uids = sorted(int(u) for u in (listed[0] or b"").split() if int(u) > last)[:BATCH]
    taken = 0
    for uid in uids:
        _s, parts = client.uid("FETCH", str(uid), "(BODY.PEEK[])")
        raw = next((p[1] for p in parts if isinstance(p, tuple) and len(p) > 1), None)
        if raw is None:
            continue
        if not (rebuilt and _already_received(engine, box.account_id, raw)):
            kwargs = {"attachment_cap": attachment_cap} if attachment_cap is not None else {}
            take_in(engine, raw, [box.address], envelope_from=None, allocation=allocation, **kwargs)
            taken += 1
        _remember(engine, box.account_id, validity, uid)
    if not uids and (known is None or rebuilt):
        _remember(engine, box.account_id, validity, last)
    exists = _number(data[-1] if data else None)
    _s, later = client.response("EXISTS")  # a message arrived while this look went on: look again
    now = _number(later[-1]) if later and later[-1] is not None else exists
    return Taken(taken, len(uids) >= BATCH or now > exists, now)


def _number(value: object) -> int:
    text = value.decode("ascii", "replace") if isinstance(value, bytes) else str(value or "")
    return int(text) if text.isdigit() else 0


def _validity(client: imaplib.IMAP4) -> int:
    """The folder's UIDVALIDITY, as the server said when it was selected."""
    response = client.response("UIDVALIDITY")[1]
    value = response[0] if response and response[0] else None
    if value is None:
        raise ValueError("The IMAP server gave no UIDVALIDITY for the folder.")
    return int(value)


def fetch_all(engine: Engine, *, environ: Mapping[str, str] | None = None, attachment_cap: int | None = None,
              allocation: AllocationSettings | None = None) -> int:
    """One polling round over every account with an IMAP mailbox (one account's failure does not stop the others)."""
    total = 0
    for box in mailboxes(engine):
        try:
            total += fetch_account(engine, box, environ=environ, attachment_cap=attachment_cap, allocation=allocation)
        except (OSError, ValueError, imaplib.IMAP4.error) as error:
            log.warning("mail for %s could not be fetched: %s", box.address, error)
    return total
