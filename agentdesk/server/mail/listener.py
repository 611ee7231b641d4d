"""The backend's mail desk: an SMTP listener (aiosmtpd) for the accounts' support addresses, a sender that hands
queued mail to the relay every few seconds, and a watcher on each account's IMAP mailbox (IDLE where the server
has it, polling where not). Each runs on a thread of its own inside the backend process.

The listener takes a recipient only if it is an account's support address (anything else is refused with 550,
so the backend is never an open relay) and answers the DATA command only once the message is stored: a 250
means the ticket rows are committed; a failure of the database is a 451 and the sending server tries again.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from sqlalchemy import Engine

from agentdesk.clock import iso
from agentdesk.config import AllocationSettings, MailSettings
from agentdesk.server.mail.idle import ImapFetchers
from agentdesk.server.mail.imap import fetch_all
from agentdesk.server.mail.intake import accounts_for, take_in
from agentdesk.server.mail.relay import Relay, send_due
from agentdesk.server.mail.schema import ensure_mail_schema

MAX_MESSAGE_BYTES = 50 * 1024 * 1024
"""The largest message the listener takes (a bigger one is refused at the door, as mail servers do)."""
log = logging.getLogger("agentdesk.mail")


class _Intake:
    """aiosmtpd's handler: recipients checked against the support addresses, messages stored as tickets."""

    def __init__(self, engine: Engine, attachment_cap: int, allocation: AllocationSettings | None = None) -> None:
        self.engine = engine
        self.attachment_cap = attachment_cap
        self.allocation = allocation

    async def handle_RCPT(self, server: SMTP, session: Session, envelope: Envelope, address: str,
                          rcpt_options: list[str]) -> str:
        try:
            known = await asyncio.to_thread(accounts_for, self.engine, [address])
        except Exception:
            log.exception("the mail desk could not look up %s", address[:100])
            return "451 4.3.0 The desk cannot take mail this moment; try again later"
        if not known:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or envelope.content or b""
        raw = raw if isinstance(raw, bytes) else str(raw).encode("utf-8", "replace")
        try:
            await asyncio.to_thread(take_in, self.engine, raw, list(envelope.rcpt_tos),
                                    envelope_from=envelope.mail_from, attachment_cap=self.attachment_cap,
                                    allocation=self.allocation)
        except Exception:
            log.exception("the mail desk could not store a message")
            return "451 4.3.0 The message could not be stored; try again later"
        return "250 Message accepted"


class _Controller(Controller):
    def __init__(self, handler: Any, hostname: str, port: int) -> None:
        super().__init__(handler, hostname=hostname, port=port)

    def factory(self) -> SMTP:
        return SMTP(self.handler, data_size_limit=MAX_MESSAGE_BYTES, enable_SMTPUTF8=True, hostname="agentdesk")


class MailDesk:
    """The listener (when given a port) and the sender, started and stopped together."""

    def __init__(self, engine: Engine, settings: MailSettings, *, smtp_host: str = "127.0.0.1",
                 smtp_port: int | None = None, relay: Relay | None = None, public_url: str | None = None,
                 allocation: AllocationSettings | None = None, now: Callable[[], datetime] | None = None) -> None:
        self.engine = engine
        self.now = now  # the clock the send rounds read (None: the system's)
        self.allocation = allocation  # the rules new cases are given to agents by (None: left unassigned)
        self.public_url = public_url  # where the survey's links point (the backend as customers reach it)
        self.settings = settings
        self.relay = relay if relay is not None else (
            Relay.from_setting(settings.relay, starttls=settings.starttls, username=settings.relay_user)
            if settings.relay else None)
        self.smtp_host, self.smtp_port = smtp_host, smtp_port
        self._controller: _Controller | None = None
        self._stop = threading.Event()
        self._workers: list[threading.Thread] = []
        self.fetchers = ImapFetchers(engine, poll_s=settings.imap_seconds, attachment_cap=settings.attachment_cap_bytes,
                                     allocation=allocation)

    def start(self) -> None:
        """Make the mail tables if needed, open the SMTP port, start sending and watching the IMAP mailboxes (the
        mailboxes set are looked up again every `imap_seconds`)."""
        ensure_mail_schema(self.engine, iso(datetime.now(UTC)))
        if self.smtp_port is not None:
            self._controller = _Controller(_Intake(self.engine, self.settings.attachment_cap_bytes, self.allocation),
                                           self.smtp_host, self.smtp_port)
            self._controller.start()
        for name, work, every in (("mail-sender", self.send_now, self.settings.send_seconds),
                                  ("mail-imap", self.fetchers.refresh, self.settings.imap_seconds)):
            worker = threading.Thread(target=self._forever, args=(work, every), name=name, daemon=True)
            worker.start()
            self._workers.append(worker)

    def send_now(self) -> dict[str, int]:
        """One round of sending (what the sender thread does every few seconds)."""
        return send_due(self.engine, self.relay, now=self.now() if self.now is not None else None,
                        first_retry_s=self.settings.first_retry_seconds,
                        public_url=self.public_url,
                        schedule_hour=self.settings.schedule_hour if self.settings.schedules else None,
                        report_to=self.settings.report_to)

    def fetch_now(self) -> int:
        """One round of fetching from the accounts' IMAP mailboxes, at once (the watchers do it by themselves)."""
        return fetch_all(self.engine, attachment_cap=self.settings.attachment_cap_bytes, allocation=self.allocation)

    def _forever(self, work: Callable[[], object], every_s: float) -> None:
        while not self._stop.is_set():
            try:
                work()
            except Exception:  # the database, the relay or a mailbox may be away a moment; the next round tries again
                log.exception("the mail desk's %s failed this round", threading.current_thread().name)
            self._stop.wait(every_s)

    def stop(self) -> None:
        """Close the SMTP port, stop sending (mail still queued stays queued), end the IMAP sessions."""
        self._stop.set()
        if self._controller is not None:
            self._controller.stop()
            self._controller = None
        for worker in self._workers:
            worker.join(60)
        self._workers = []
        self.fetchers.stop()
