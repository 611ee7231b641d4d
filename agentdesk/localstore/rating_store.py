"""The store's quality part (`store.ratings`): the review queue and agents' rating averages.

The queue is every ended call or received message and every sent ticket reply of the reviewer's accounts from the last
`REVIEW_DAYS` days that has no quality rating yet and is not the reviewer's own work, oldest first. Each account
and kind is walked on its own index (`interaction_review`, `ticket_message_review`) from the cursor on, so the
next item costs a few index steps however big the store is. A written answer's own interaction (its billing) is
left out: the reply itself is what is rated.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta
from typing import Any

from agentdesk.clock import iso, parse_iso
from agentdesk.localstore.holder import Connections
from agentdesk.records import RatingAverage, ReviewCursor, ReviewHold, ReviewItem, ReviewLine

REVIEW_DAYS = 30
"""How far back the review queue and the averages reach: older work no longer counts in any average."""
THREAD_LINES = 12
"""A reviewed reply shows at most this many messages of its thread (the latest, ending with the reply)."""
BODY_CHARS = 4_000
"""Each message or body shown is cut to this many characters."""

_NEXT_CALL = (
    "SELECT i.at, i.id FROM interaction i WHERE i.account_id = :account AND i.state = 'ended'"
    " AND i.at >= :since AND (i.at > :at OR (i.at = :at AND i.id > :id))"
    " AND i.agent_id IS NOT NULL AND i.agent_id <> :me AND (i.channel = 'phone' OR i.direction = 'in')"
    " AND NOT EXISTS (SELECT 1 FROM rating r WHERE r.interaction_id = i.id AND r.source = 'qc')"
    " ORDER BY i.at, i.id LIMIT 1"
)
_NEXT_REPLY = (
    "SELECT m.created_at, m.id FROM ticket_message m WHERE m.account_id = :account AND m.kind = 'reply'"
    " AND m.created_at >= :since AND (m.created_at > :at OR (m.created_at = :at AND m.id > :id))"
    " AND m.author <> :my_name"
    " AND NOT EXISTS (SELECT 1 FROM rating r WHERE r.message_id = m.id AND r.source = 'qc')"
    " ORDER BY m.created_at, m.id LIMIT 1"
)


class Ratings:
    """The review queue and rating averages, on the store's read-only connection."""

    def __init__(self, connections: Connections) -> None:
        self._c = connections

    def next_to_review(self, account_ids: list[str], reviewer_id: str, now: datetime,
                       after: ReviewCursor | None = None) -> ReviewItem | None:
        """The oldest unrated interaction or reply after `after` (None: from the start of the window)."""
        since = iso(now - timedelta(days=REVIEW_DAYS))
        with self._c.reading() as conn:
            name = conn.execute("SELECT name FROM agent WHERE id = ?", (reviewer_id,)).fetchone()
            params: dict[str, Any] = {"since": since, "me": reviewer_id, "my_name": name[0] if name else "",
                                      "at": after.at if after else "", "id": after.id if after else ""}
            found: list[tuple[str, str, str]] = []
            for account in account_ids:
                for kind, sql in (("interaction", _NEXT_CALL), ("reply", _NEXT_REPLY)):
                    row = conn.execute(sql, {**params, "account": account}).fetchone()
                    if row is not None:
                        found.append((row[0], row[1], kind))
            if not found:
                return None
            at, item_id, kind = min(found)
            return _interaction(conn, item_id) if kind == "interaction" else _reply(conn, item_id)

    def averages(self, agent_ids: list[str], now: datetime) -> list[RatingAverage]:
        """Each agent's average by source over the last `REVIEW_DAYS` days, with counts (both sources always
        listed, None and 0 where there is none), by agent name."""
        since = iso(now - timedelta(days=REVIEW_DAYS))
        marks = ", ".join("?" for _ in agent_ids)
        with self._c.reading() as conn:
            names = dict(conn.execute(f"SELECT id, name FROM agent WHERE id IN ({marks})", agent_ids).fetchall())
            rows = conn.execute(
                f"SELECT agent_id, source, avg(score), count(*) FROM rating WHERE agent_id IN ({marks})"
                " AND at >= ? GROUP BY agent_id, source", [*agent_ids, since]).fetchall()
        seen = {(agent, source): (average, count) for agent, source, average, count in rows}
        out = []
        for agent in sorted(names, key=lambda a: (names[a], a)):
            for source in ("qc", "customer"):
                average, count = seen.get((agent, source), (None, 0))
                out.append(RatingAverage(agent, names[agent], source, None if average is None else float(average),
                                         int(count)))
        return out

    def account_agents(self, account_ids: list[str]) -> list[str]:
        """The agents (front line and senior) who work for any of these accounts."""
        marks = ", ".join("?" for _ in account_ids)
        with self._c.reading() as conn:
            return [row[0] for row in conn.execute(
                f"SELECT DISTINCT g.id FROM agent g JOIN agent_account aa ON aa.agent_id = g.id"
                f" WHERE aa.account_id IN ({marks}) AND g.role IN ('agent', 'senior') ORDER BY g.id", account_ids)]


def _interaction(conn: sqlite3.Connection, interaction_id: str) -> ReviewItem:
    row = conn.execute(
        "SELECT i.id, i.account_id, a.name, i.channel, i.direction, i.agent_id, coalesce(g.name, ''),"
        " coalesce(c.name, ''), i.at, i.answered_at, i.ended_at, i.wrap_up_seconds, coalesce(i.outcome, ''),"
        " coalesce(i.notes, ''), coalesce(i.subject, ''), coalesce(i.body, ''),"
        " (SELECT score FROM rating r WHERE r.interaction_id = i.id AND r.source = 'customer')"
        " FROM interaction i JOIN account a ON a.id = i.account_id LEFT JOIN agent g ON g.id = i.agent_id"
        " LEFT JOIN customer c ON c.id = i.customer_id WHERE i.id = ?", (interaction_id,)).fetchone()
    (item_id, account_id, account_name, channel, direction, agent_id, agent_name, customer, at, answered, ended,
     wrap_up, outcome, notes, subject, body, customer_score) = row
    talk = None
    if answered and ended:
        talk = max(0, round((parse_iso(ended) - parse_iso(answered)).total_seconds()))
    holds = tuple(
        ReviewHold(parse_iso(started), seconds, bool(hit_cap)) for started, seconds, hit_cap in conn.execute(
            "SELECT started_at, seconds, hit_cap FROM hold_event WHERE interaction_id = ? ORDER BY started_at, id"
            " LIMIT 50", (item_id,)))
    return ReviewItem("interaction", item_id, account_id, account_name, channel, direction, agent_id, agent_name,
                      customer, parse_iso(at), talk, wrap_up, outcome, notes[:BODY_CHARS], subject[:200],
                      body[:BODY_CHARS], holds, (), customer_score, ReviewCursor(at, item_id))


def _reply(conn: sqlite3.Connection, message_id: str) -> ReviewItem:
    row = conn.execute(
        "SELECT m.id, m.account_id, a.name, m.ticket_id, m.author, m.created_at, t.subject, coalesce(c.name, ''),"
        " t.case_number, (SELECT g.id FROM agent g JOIN agent_account aa ON aa.agent_id = g.id"
        "   WHERE aa.account_id = m.account_id AND g.name = m.author ORDER BY g.id LIMIT 1),"
        " (SELECT score FROM rating r WHERE r.message_id = m.id AND r.source = 'customer')"
        " FROM ticket_message m JOIN account a ON a.id = m.account_id JOIN ticket t ON t.id = m.ticket_id"
        " LEFT JOIN customer c ON c.id = t.customer_id WHERE m.id = ?", (message_id,)).fetchone()
    (item_id, account_id, account_name, ticket_id, author, at, subject, customer, case, agent_id,
     customer_score) = row
    lines = conn.execute(
        "SELECT kind, author, created_at, substr(body, 1, ?) FROM ticket_message WHERE ticket_id = ?"
        " AND (created_at < ? OR (created_at = ? AND id <= ?)) ORDER BY created_at DESC, id DESC LIMIT ?",
        (BODY_CHARS, ticket_id, at, at, item_id, THREAD_LINES)).fetchall()
    thread = tuple(ReviewLine(kind, who, parse_iso(when), text) for kind, who, when, text in reversed(lines))
    return ReviewItem("reply", item_id, account_id, account_name, "ticket", "out", agent_id, author, customer,
                      parse_iso(at), None, None, "", "", f"{case} {subject}"[:200], "", (), thread,
                      customer_score, ReviewCursor(at, item_id))
