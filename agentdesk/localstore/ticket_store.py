"""The store's ticket part (`store.tickets`): inbox, card, thread, long bodies, drafts, templates, case numbers.

It shares the store's connections (`localstore.holder`); the ticket queries live in `localstore.tickets`. Reads
go through the read-only connection; the draft, which is local to this terminal, is written in a transaction of
its own on the writer connection with no outbox row.
"""

from __future__ import annotations

from agentdesk.localstore import tickets as _tickets
from agentdesk.localstore.holder import Connections
from agentdesk.localstore.transaction import transaction
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


class Tickets:
    """Ticket reads, the draft write and case numbers, on the store's connections."""

    def __init__(self, connections: Connections) -> None:
        self._c = connections
        self._cases_reserved = 0

    def inbox(self, query: InboxQuery, after: InboxCursor | None = None, limit: int = 200) -> InboxPage:
        """A page of open tickets, most urgent first by SLA clock, filtered and searched by `query`."""
        with self._c.reading() as reader:
            return _tickets.inbox(reader, query, after, limit)

    def ticket(self, ticket_id: str) -> TicketCard:
        """A ticket's card; `NotFound` when it is not in the store."""
        with self._c.reading() as reader:
            return _tickets.ticket_card(reader, ticket_id)

    def thread(self, ticket_id: str, before: ThreadCursor | None = None, limit: int = 30) -> ThreadPage:
        """A page of a ticket's messages (the newest page first), oldest first on the page."""
        with self._c.reading() as reader:
            return _tickets.thread(reader, ticket_id, before, limit)

    def message_text(self, message_id: str, page: int = 0) -> tuple[str, int]:
        """One page of a (possibly 10 MB) message body, and the body's length in characters."""
        with self._c.reading() as reader:
            return _tickets.message_text(reader, message_id, page)

    def draft(self, ticket_id: str) -> Draft | None:
        """The draft kept for a ticket, or None."""
        with self._c.reading() as reader:
            return _tickets.draft(reader, ticket_id)

    def reply_templates(self, account_id: str) -> list[ReplyTemplate]:
        """The account's reply templates."""
        with self._c.reading() as reader:
            return _tickets.reply_templates(reader, account_id)

    def agent_accounts(self, agent_id: str) -> list[str]:
        """The accounts an agent works for (their inbox)."""
        with self._c.reading() as reader:
            return _tickets.agent_accounts(reader, agent_id)

    def save_draft(self, ticket_id: str, kind: str, body: str, updated_at: str) -> None:
        """Keep what the agent is typing (blank: forget the draft); on disk when this returns."""
        with self._c.writing() as conn, transaction(conn, "the draft"):
            _tickets.write_draft(conn, ticket_id, kind, body, updated_at)

    def next_case_number(self) -> str:
        """A new case number of this terminal, to tell the customer at once (before the case is committed).

        Numbers handed out are remembered, so two cases opened before the writer catches up never share one;
        a number handed out but never committed is simply skipped."""
        # The read-only connection: a commit's fsync on the writer never holds up the number the agent reads out.
        with self._c.reading() as reader:
            number, counter = _tickets.next_case_number(reader, self._c.client_group_id, self._cases_reserved)
            self._cases_reserved = counter
        return number
