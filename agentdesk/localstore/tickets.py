"""Tickets in the local store: the inbox by SLA clock, a ticket's card and thread, long bodies, drafts,
reply templates, and this terminal's next case number.

The inbox is one range scan of the partial index `ticket_inbox` (open tickets by `response_due_at, id`), keyset
paged, so the first page of 50,000 open tickets costs what a page of 50 does. Threads page backwards from the
newest message by `(created_at, id)` on `ticket_message_thread`; a body is handed out as a preview and read page
by page, so a 10 MB message never reaches a widget whole.
"""

from __future__ import annotations

import re
import sqlite3

from agentdesk.errors import NotFound
from agentdesk.localstore.customers import clean_query, prefix_query
from agentdesk.localstore.numbers import CASE_PREFIX, CASE_QUERY, CROCKFORD, case_number, terminal_prefix
from agentdesk.localstore.stamps import moment
from agentdesk.records import (
    Draft,
    InboxCursor,
    InboxPage,
    InboxQuery,
    InboxRow,
    ReplyTemplate,
    ThreadCursor,
    ThreadMessage,
    ThreadPage,
    TicketCard,
    TicketOrder,
)

MAX_INBOX_PAGE = 200
"""A DataTable gets at most this many rows at once."""

MAX_THREAD_PAGE = 100
PREVIEW_CHARS = 2_000
"""How much of a body the thread shows; the rest is read page by page."""

READ_PAGE_CHARS = 16_000
NOTHING_DUE = "9999-12-31T23:59:59.999999Z"
OPEN = ("new", "open", "pending", "escalated")
_FIRST = InboxCursor(due="", id="")
_NEWEST = ThreadCursor(at="\uffff", id="")
_WORDS = re.compile(r"\w+")

REFRESH_CLOCKS = (
    # The clock of each open ticket runs from its first customer message after the last reply.
    """UPDATE ticket SET awaiting_since = (
        SELECT min(m.created_at) FROM ticket_message m
        WHERE m.ticket_id = ticket.id AND m.kind = 'customer' AND m.created_at > coalesce(
            (SELECT max(r.created_at) FROM ticket_message r WHERE r.ticket_id = ticket.id AND r.kind = 'reply'),
            '')
    ) WHERE status NOT IN ('resolved', 'closed')""",
    """UPDATE ticket SET response_due_at = CASE WHEN awaiting_since IS NULL THEN '9999-12-31T23:59:59.999999Z'
        ELSE strftime('%Y-%m-%dT%H:%M:%S', awaiting_since, '+6 hours') || substr(awaiting_since, 20) END""",
)
"""The SLA columns recomputed from the messages (migration 0002 does the same; the demo loader calls it)."""


def refresh_clocks(conn: sqlite3.Connection) -> None:
    """Recompute every ticket's SLA columns from its messages, inside the caller's transaction."""
    for sql in REFRESH_CLOCKS:
        conn.execute(sql)


# -- the inbox --------------------------------------------------------------------------------------------

_INBOX_COLUMNS = (
    "t.id, t.case_number, t.account_id, a.name, c.name, t.subject, t.status, t.priority, t.kind, t.channel,"
    " t.awaiting_since, ag.name, t.response_due_at"
)


def _marks(values: tuple[str, ...]) -> str:
    return ", ".join("?" * len(values))


def inbox(conn: sqlite3.Connection, query: InboxQuery, after: InboxCursor | None, limit: int) -> InboxPage:
    """A page of open tickets (or, when searched or asked for, resolved and closed ones too), most urgent first
    (soonest response due, then the rest), after `after`."""
    limit = max(1, min(limit, MAX_INBOX_PAGE))
    cursor = after or _FIRST
    text = clean_query(query.search).strip()
    # Work to do by default; a search, or asking for resolved or closed ones, reaches every ticket (issue 23).
    finished = bool(text) or bool(query.statuses and set(query.statuses) & {"resolved", "closed"})
    where = [] if finished else ["t.status NOT IN ('resolved', 'closed')"]
    where.append("(t.response_due_at, t.id) > (?, ?)")
    params: list[object] = [cursor.due, cursor.id]
    for column, values in (("t.account_id", query.account_ids), ("t.status", query.statuses),
                           ("t.kind", query.kinds), ("t.channel", query.channels)):
        if values is not None:
            if not values:
                return InboxPage((), None)
            # Several accounts: walk `ticket_inbox` in order and filter (`+` keeps SQLite from reading every
            # ticket of those accounts through `ticket_inbox_account` and sorting them); one: its own index.
            unary = "+" if column == "t.account_id" and len(values) > 1 else ""
            where.append(f"{unary}{column} IN ({_marks(values)})")
            params.extend(values)
    if text:
        if CASE_QUERY.match(text):
            where.append("t.case_number = ?")
            params.append(text.upper())
        else:
            words = _WORDS.findall(text)[:8]
            fts = prefix_query(text)
            if not words or fts is None:
                return InboxPage((), None)
            subject = " AND ".join("t.subject LIKE ? ESCAPE '\\'" for _ in words)
            where.append(
                "(t.customer_id IN (SELECT cu.id FROM customer_fts f JOIN customer cu ON cu.rowid = f.rowid"
                f" WHERE customer_fts MATCH ?) OR ({subject}))"
            )
            params.append(fts)
            params.extend(f"%{_like(w)}%" for w in words)
    rows = conn.execute(
        f"SELECT {_INBOX_COLUMNS} FROM ticket t JOIN account a ON a.id = t.account_id"
        " JOIN customer c ON c.id = t.customer_id LEFT JOIN agent ag ON ag.id = t.assignee_id"
        f" WHERE {' AND '.join(where)} ORDER BY t.response_due_at, t.id LIMIT ?",
        (*params, limit + 1),
    ).fetchall()
    page = rows[:limit]
    more = len(rows) > limit
    built = tuple(
        InboxRow(*row[:10], awaiting_since=moment(row[10]) if row[10] else None, assignee_name=row[11])
        for row in page
    )
    return InboxPage(built, InboxCursor(page[-1][12], page[-1][0]) if more else None)


def _like(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


# -- one ticket -------------------------------------------------------------------------------------------


def ticket_card(conn: sqlite3.Connection, ticket_id: str) -> TicketCard:
    """The ticket's header; `NotFound` when it is not in the store."""
    row = conn.execute(
        "SELECT t.id, t.account_id, a.name, a.time_zone, t.customer_id, c.name, t.case_number, t.subject,"
        " t.status, t.priority, t.kind, t.channel, t.created_at, t.awaiting_since, t.assignee_id, ag.name,"
        " t.order_id, t.consent_how, t.consent_at, t.review_requested, t.help_offered_at, t.save_outcome,"
        " (SELECT count(*) FROM ticket_message m WHERE m.ticket_id = t.id),"
        " t.help_offered_at IS NOT NULL AND (t.channel = 'phone' OR EXISTS (SELECT 1 FROM ticket_message r"
        " WHERE r.ticket_id = t.id AND r.created_at >= t.help_offered_at AND"
        " ((r.kind = 'reply' AND r.delivery = 'delivered') OR r.kind = 'customer')))"
        " FROM ticket t JOIN account a ON a.id = t.account_id JOIN customer c ON c.id = t.customer_id"
        " LEFT JOIN agent ag ON ag.id = t.assignee_id WHERE t.id = ?",
        (ticket_id,),
    ).fetchone()
    if row is None:
        raise NotFound(f"There is no ticket {ticket_id[:40]} in the local store; it may not be synced.")
    order = None
    if row[16]:
        found = conn.execute(
            "SELECT id, number, placed_at, status, total_cents, recurring FROM customer_order WHERE id = ?",
            (row[16],),
        ).fetchone()
        if found:
            order = TicketOrder(found[0], found[1], moment(found[2]), found[3], found[4], bool(found[5]))
    return TicketCard(
        *row[:12], created_at=moment(row[12]), awaiting_since=moment(row[13]) if row[13] else None,
        assignee_id=row[14], assignee_name=row[15], order=order, consent_how=row[17],
        consent_at=moment(row[18]) if row[18] else None, review_requested=bool(row[19]),
        help_offered_at=moment(row[20]) if row[20] else None, save_outcome=row[21], message_count=row[22],
        offer_reached=bool(row[23]),
    )


def thread(conn: sqlite3.Connection, ticket_id: str, before: ThreadCursor | None, limit: int) -> ThreadPage:
    """The page of messages just before `before` (the newest page when None), oldest first on the page."""
    limit = max(1, min(limit, MAX_THREAD_PAGE))
    cursor = before or _NEWEST
    rows = conn.execute(
        "SELECT id, kind, author, created_at, substr(body, 1, ?), length(body), delivery FROM ticket_message"
        " WHERE ticket_id = ? AND (created_at, id) < (?, ?) ORDER BY created_at DESC, id DESC LIMIT ?",
        (PREVIEW_CHARS, ticket_id, cursor.at, cursor.id, limit + 1),
    ).fetchall()
    page = rows[:limit]
    older = ThreadCursor(page[-1][3], page[-1][0]) if len(rows) > limit else None
    messages = tuple(
        ThreadMessage(id_, kind, author, moment(at), preview, length, delivery)
        for id_, kind, author, at, preview, length, delivery in reversed(page)
    )
    return ThreadPage(messages, older)


def message_text(conn: sqlite3.Connection, message_id: str, page: int) -> tuple[str, int]:
    """Page `page` (from 0) of a message's body, READ_PAGE_CHARS at a time, and the body's length."""
    row = conn.execute(
        "SELECT substr(body, ?, ?), length(body) FROM ticket_message WHERE id = ?",
        (max(0, page) * READ_PAGE_CHARS + 1, READ_PAGE_CHARS, message_id),
    ).fetchone()
    if row is None:
        raise NotFound(f"There is no message {message_id[:40]} in the local store.")
    return row[0], row[1]


def draft(conn: sqlite3.Connection, ticket_id: str) -> Draft | None:
    """The draft saved for a ticket, or None."""
    row = conn.execute(
        "SELECT ticket_id, kind, body, updated_at FROM ticket_draft WHERE ticket_id = ?", (ticket_id,)
    ).fetchone()
    return Draft(row[0], row[1], row[2], moment(row[3])) if row else None


def agent_accounts(conn: sqlite3.Connection, agent_id: str) -> list[str]:
    """The ids of the accounts an agent works for."""
    rows = conn.execute("SELECT account_id FROM agent_account WHERE agent_id = ? ORDER BY account_id", (agent_id,))
    return [row[0] for row in rows]


def reply_templates(conn: sqlite3.Connection, account_id: str) -> list[ReplyTemplate]:
    """The account's reply templates, by name."""
    rows = conn.execute(
        "SELECT id, name, body FROM reply_template WHERE account_id = ? ORDER BY name, id", (account_id,)
    ).fetchall()
    return [ReplyTemplate(*row) for row in rows]


# -- case numbers -----------------------------------------------------------------------------------------


def decode_counter(text: str) -> int | None:
    """The number written in Crockford base 32, or None when it is not one."""
    value = 0
    for ch in text.upper():
        digit = CROCKFORD.find(ch)
        if digit < 0:
            return None
        value = value * 32 + digit
    return value if text else None


def cases_opened(conn: sqlite3.Connection, client_group_id: str) -> int:
    """The highest counter among the case numbers this store made (0 before its first case)."""
    start = f"{CASE_PREFIX}{terminal_prefix(client_group_id)}-"
    # '.' follows '-' in ASCII: the range is exactly the numbers with this terminal's prefix (on the unique index).
    rows = conn.execute(
        "SELECT case_number FROM ticket WHERE case_number >= ? AND case_number < ?", (start, start[:-1] + ".")
    ).fetchall()
    counters = [decode_counter(row[0][len(start):]) for row in rows]
    return max((n for n in counters if n is not None), default=0)


def next_case_number(conn: sqlite3.Connection, client_group_id: str, reserved: int) -> tuple[str, int]:
    """The next case number of this store, above both what is stored and what was `reserved` (handed out but
    perhaps not yet committed); the number and its counter."""
    counter = max(cases_opened(conn, client_group_id), reserved) + 1
    return case_number(client_group_id, counter), counter


# -- drafts (local to this terminal) -----------------------------------------------------------------------

MAX_DRAFT_CHARS = 100_000


def write_draft(conn: sqlite3.Connection, ticket_id: str, kind: str, body: str, updated_at: str) -> None:
    """Save (or, when `body` is blank, forget) the draft of a ticket, inside the caller's transaction.

    Drafts are the agent's scratch: kept on this terminal across a crash or restart, never pushed to the
    backend, so they have no outbox row (the sync replica treats `ticket_draft` as local)."""
    if kind not in ("reply", "note"):
        raise ValueError(f"A draft is a reply or a note, not {kind[:20]!r}.")
    body = body[:MAX_DRAFT_CHARS]
    if not body.strip():
        conn.execute("DELETE FROM ticket_draft WHERE ticket_id = ?", (ticket_id,))
        return
    row = conn.execute("SELECT account_id FROM ticket WHERE id = ?", (ticket_id,)).fetchone()
    if row is None:
        raise NotFound(f"There is no ticket {ticket_id[:40]} to keep a draft for.")
    conn.execute(
        "INSERT INTO ticket_draft (ticket_id, account_id, kind, body, updated_at) VALUES (?, ?, ?, ?, ?)"
        " ON CONFLICT (ticket_id) DO UPDATE SET kind = excluded.kind, body = excluded.body,"
        " updated_at = excluded.updated_at",
        (ticket_id, row[0], kind, re.sub(r"[\ud800-\udfff]", "\ufffd", body), updated_at),
    )
