"""The ticket half of `agentdesk.store.Store`: inbox, card, thread, long bodies, drafts, templates, case numbers.

A mixin so that the store stays one object for screens (`store.inbox(...)`) while the ticket queries live in
`localstore.tickets`. Reads go through the store's read-only connection; the draft, which is local to this
terminal, is written in a transaction of its own on the writer connection with no outbox row.
"""

from __future__ import annotations

import sqlite3
import threading

from agentdesk.localstore import tickets as _tickets
from agentdesk.localstore.errors import translate
from agentdesk.records import (
    Draft,
    InboxCursor,
    InboxPage,
    InboxQuery,
    ReplyTemplate,
    ThreadCursor,
    ThreadPage,
    TicketCard,
)


class TicketStore:
    """Ticket reads and the draft write, mixed into `Store` (which provides the connections and locks)."""

    _conn: sqlite3.Connection
    _lock: threading.RLock
    _reader: sqlite3.Connection
    _read_lock: threading.Lock
    _client_group_id: str
    _cases_reserved: int = 0

    def inbox(self, query: InboxQuery, after: InboxCursor | None = None, limit: int = 200) -> InboxPage:
        """A page of open tickets, most urgent first by SLA clock, filtered and searched by `query`."""
        with self._read_lock:
            return _tickets.inbox(self._reader, query, after, limit)

    def ticket(self, ticket_id: str) -> TicketCard:
        """A ticket's card; `NotFound` when it is not in the store."""
        with self._read_lock:
            return _tickets.ticket_card(self._reader, ticket_id)

    def thread(self, ticket_id: str, before: ThreadCursor | None = None, limit: int = 30) -> ThreadPage:
        """A page of a ticket's messages (the newest page first), oldest first on the page."""
        with self._read_lock:
            return _tickets.thread(self._reader, ticket_id, before, limit)

    def message_text(self, message_id: str, page: int = 0) -> tuple[str, int]:
        """One page of a (possibly 10 MB) message body, and the body's length in characters."""
        with self._read_lock:
            return _tickets.message_text(self._reader, message_id, page)

    def draft(self, ticket_id: str) -> Draft | None:
        """The draft kept for a ticket, or None."""
        with self._read_lock:
            return _tickets.draft(self._reader, ticket_id)

    def reply_templates(self, account_id: str) -> list[ReplyTemplate]:
        """The account's reply templates."""
        with self._read_lock:
            return _tickets.reply_templates(self._reader, account_id)

    def agent_accounts(self, agent_id: str) -> list[str]:
        """The accounts an agent works for (their inbox)."""
        with self._read_lock:
            return _tickets.agent_accounts(self._reader, agent_id)

    def save_draft(self, ticket_id: str, kind: str, body: str, updated_at: str) -> None:
        """Keep what the agent is typing (blank: forget the draft); on disk when this returns."""
        with self._lock:
            try:
                self._conn.execute("BEGIN IMMEDIATE")
                _tickets.write_draft(self._conn, ticket_id, kind, body, updated_at)
                self._conn.execute("COMMIT")
            except BaseException as error:
                if self._conn.in_transaction:
                    self._conn.execute("ROLLBACK")
                if not isinstance(error, Exception):
                    raise
                raise translate(error, "the draft") from error

    def next_case_number(self) -> str:
        """A new case number of this terminal, to tell the customer at once (before the case is committed).

        Numbers handed out are remembered, so two cases opened before the writer catches up never share one;
        a number handed out but never committed is simply skipped."""
        # The read-only connection: a commit's fsync on the writer never holds up the number the agent reads out.
        with self._read_lock:
            number, counter = _tickets.next_case_number(self._reader, self._client_group_id, self._cases_reserved)
            self._cases_reserved = counter
        return number
