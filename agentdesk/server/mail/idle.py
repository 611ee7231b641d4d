"""Waiting for mail in the accounts' IMAP mailboxes: a thread per mailbox. Where the server offers IDLE (RFC 2177)
the thread keeps a connection open and waiting, and takes a message in as soon as the server announces it; the
wait is ended and begun again every 25 minutes (servers drop an IDLE after 30). Where the server has no IDLE the
mailbox is looked at every `poll_s` seconds, as before. After any error (the server away, the password refused,
the database down) the thread waits, 5 s at first and twice as long after each further error up to `poll_s`,
and tries again; a server that refuses the IDLE it offered is polled from then on.

Python's imaplib (before 3.14) has no IDLE command, so it is spoken here on imaplib's own connection: after a
command's tagged answer imaplib has nothing left unread, so the IDLE exchange reads the socket directly and hands
the connection back the same way.
"""

from __future__ import annotations

import imaplib
import logging
import re
import select
import threading
import time
from collections.abc import Callable, Mapping

from sqlalchemy import Engine

from agentdesk.config import AllocationSettings
from agentdesk.server.mail.imap import (
    IMAP_TIMEOUT_S,
    ImapMailbox,
    Taken,
    capabilities,
    connect,
    logout,
    mailboxes,
    take_new,
)

IDLE_RENEW_S = 25 * 60.0
"""An IDLE is ended and begun again this often (RFC 2177: at least every 29 minutes)."""
FIRST_BACKOFF_S = 5.0
"""The wait after a first error; it doubles with each further one, up to the polling interval."""
WAKE_S = 0.5
"""How often a waiting connection looks whether the backend is stopping."""
_COUNT = re.compile(rb"^\* (\d+) (EXISTS|EXPUNGE)\b", re.IGNORECASE)
log = logging.getLogger("agentdesk.mail")


class IdleRefused(imaplib.IMAP4.error):
    """The server answered IDLE with NO or BAD."""


class _Lines:
    """Lines read straight off an imaplib connection's socket, waiting at most a given time for each."""

    def __init__(self, client: imaplib.IMAP4) -> None:
        self.sock = client.sock
        self.buffer = b""

    def next(self, wait_s: float) -> bytes | None:
        """The next whole line (without its CRLF), or None when none came within `wait_s`."""
        deadline = time.monotonic() + wait_s
        while b"\n" not in self.buffer:
            left = deadline - time.monotonic()
            pending = getattr(self.sock, "pending", None)  # TLS: bytes already decrypted wait there, unseen by select
            if not (pending and pending()):
                if left <= 0:
                    return None
                ready, _w, _x = select.select([self.sock], [], [], left)
                if not ready:
                    return None
            chunk = self.sock.recv(65536)
            if not chunk:
                raise imaplib.IMAP4.abort("the IMAP server closed the connection")
            self.buffer += chunk
        line, _, self.buffer = self.buffer.partition(b"\n")
        return line.rstrip(b"\r")


_TAGS = iter(range(1, 1 << 62))


class _Count:
    """The folder's message count as the server tells it: more than before means a new message."""

    def __init__(self, exists: int) -> None:
        self.exists = exists

    def news(self, line: bytes) -> bool:
        found = _COUNT.match(line)
        if found is None:
            return False
        if found[2].upper() == b"EXPUNGE":  # one gone (another mail program deleted it)
            self.exists = max(self.exists - 1, 0)
            return False
        grew, self.exists = int(found[1]) > self.exists, int(found[1])
        return grew


def idle_until_news(client: imaplib.IMAP4, stop: threading.Event, exists: int, renew_s: float = IDLE_RENEW_S,
                    monotonic: Callable[[], float] = time.monotonic) -> bool:
    """On a connection with its folder selected, holding `exists` messages: wait in IDLE until the server announces
    a new message (a count above that), `renew_s` passes or `stop` is set, then end the IDLE. True when a new
    message was announced."""
    tag = b"ADI%d" % next(_TAGS)  # not one of imaplib's own tags, which it never sees here
    lines, count, news = _Lines(client), _Count(exists), False
    client.send(tag + b" IDLE\r\n")
    while True:
        first = lines.next(IMAP_TIMEOUT_S)
        if first is None:
            raise imaplib.IMAP4.abort("the IMAP server did not answer IDLE")
        if first.startswith(b"+"):
            break
        if first.startswith(tag + b" "):
            raise IdleRefused(first.decode("utf-8", "replace")[:200])
        news = count.news(first) or news  # an untagged answer before the go-ahead: only the count matters
    until = monotonic() + renew_s
    while not news and not stop.is_set() and monotonic() < until:
        line = lines.next(min(WAKE_S, max(until - monotonic(), 0.0)))
        if line is None:
            continue
        if line.upper().startswith(b"* BYE"):
            raise imaplib.IMAP4.abort(f"the IMAP server ended the session: {line[:200].decode('utf-8', 'replace')}")
        news = count.news(line)
    client.send(b"DONE\r\n")
    while True:
        line = lines.next(IMAP_TIMEOUT_S)
        if line is None:
            raise imaplib.IMAP4.abort("the IMAP server did not end the IDLE")
        if line.startswith(tag + b" "):
            if not line[len(tag) + 1:].upper().startswith(b"OK"):
                raise imaplib.IMAP4.error(line.decode("utf-8", "replace")[:200])
            return news
        news = count.news(line) or news


class MailboxWatcher(threading.Thread):
    """One mailbox: IDLE where the server has it, polling where not, backing off after errors."""

    def __init__(self, engine: Engine, box: ImapMailbox, *, poll_s: float, attachment_cap: int | None = None,
                 environ: Mapping[str, str] | None = None, renew_s: float = IDLE_RENEW_S,
                 first_backoff_s: float | None = None, allocation: AllocationSettings | None = None) -> None:
        super().__init__(name=f"mail-imap-{box.account_id}", daemon=True)
        self.engine, self.box, self.poll_s, self.attachment_cap = engine, box, poll_s, attachment_cap
        self.allocation = allocation  # the rules new cases go to agents by (None: left unassigned)
        self.environ, self.renew_s = environ, renew_s
        self.first_backoff_s = FIRST_BACKOFF_S if first_backoff_s is None else first_backoff_s
        self.stopping = threading.Event()
        self.use_idle = True  # until the server refuses an IDLE it offered

    def run(self) -> None:
        backoff = 0.0
        while not self.stopping.is_set():
            try:
                idling = self._session()
                backoff = 0.0
                if not idling:
                    self.stopping.wait(self.poll_s)
            except Exception as error:  # the server, the password or the database: said, waited out, tried again
                if isinstance(error, IdleRefused):
                    self.use_idle = False
                backoff = min(max(backoff * 2, self.first_backoff_s), max(self.poll_s, self.first_backoff_s))
                log.warning("mail for %s could not be fetched (%s); trying again in %.0f s", self.box.address,
                            str(error)[:300] or type(error).__name__, backoff)
                self.stopping.wait(backoff)

    def _session(self) -> bool:
        """Sign in, take in what waits; where IDLE can be used, go on waiting and taking in until stopped.
        True when the session was an IDLE one."""
        client = connect(self.box, self.environ)
        try:
            idle = self.use_idle and "IDLE" in capabilities(client)
            if not idle and self.use_idle:
                log.info("the IMAP server of %s offers no IDLE: the mailbox is looked at every %.0f s",
                         self.box.address, self.poll_s)
                self.use_idle = False  # said once; a restart of the backend looks again
            while not self.stopping.is_set():
                looked = self._take(client)
                while looked.more and not self.stopping.is_set():
                    looked = self._take(client)
                if not idle or self.stopping.is_set():
                    break
                idle_until_news(client, self.stopping, looked.exists, self.renew_s)
            return idle
        finally:
            logout(client)

    def stop(self) -> None:
        self.stopping.set()

    def _take(self, client: imaplib.IMAP4) -> Taken:
        return take_new(self.engine, client, self.box, attachment_cap=self.attachment_cap, allocation=self.allocation)


class ImapFetchers:
    """A watcher per account mailbox, started for new mailboxes and restarted for changed ones by `refresh`."""

    def __init__(self, engine: Engine, *, poll_s: float, attachment_cap: int | None = None,
                 environ: Mapping[str, str] | None = None, allocation: AllocationSettings | None = None) -> None:
        self.engine, self.poll_s, self.attachment_cap, self.environ = engine, poll_s, attachment_cap, environ
        self.allocation = allocation
        self.watchers: dict[str, MailboxWatcher] = {}
        self._lock = threading.Lock()
        self._closed = False

    def refresh(self) -> int:
        """Match the watchers to the mailboxes set now; returns how many watch."""
        boxes = {box.account_id: box for box in mailboxes(self.engine)}
        with self._lock:
            if self._closed:
                return 0
            for account_id, watcher in list(self.watchers.items()):
                if boxes.get(account_id) != watcher.box or not watcher.is_alive():
                    watcher.stop()
                    watcher.join(IMAP_TIMEOUT_S)  # never two at once on one mailbox
                    del self.watchers[account_id]
            for account_id, box in boxes.items():
                if account_id not in self.watchers:
                    watcher = MailboxWatcher(self.engine, box, poll_s=self.poll_s, attachment_cap=self.attachment_cap,
                                             environ=self.environ, allocation=self.allocation)
                    watcher.start()
                    self.watchers[account_id] = watcher
            return len(self.watchers)

    def stop(self, wait_s: float = 60.0) -> None:
        """End every IDLE and poll, sign out, and wait for the threads to end."""
        with self._lock:
            self._closed = True
            watchers, self.watchers = list(self.watchers.values()), {}
        for watcher in watchers:
            watcher.stop()
        for watcher in watchers:
            watcher.join(wait_s)
