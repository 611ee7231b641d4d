"""Ratings: quality control or the customer scores one interaction or one ticket reply from 1 to 5.

Who may give which: a quality-control rating comes from a reviewer (`qc`), a supervisor or an admin, never from
the agent rated; a customer's rating (a survey's answer, taken down by an agent) may be taken down by anyone but
the agent it rates. One rating per source per interaction or reply: rating it again replaces the score, comment,
reviewer and time (the last one the backend applies stands).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from typing import Any

from agentdesk.mutations.arguments import Args

SOURCES = ("qc", "customer")
MAX_COMMENT_CHARS = 2000
REVIEWERS = ("qc", "supervisor", "admin")
"""The roles that may give a quality-control rating."""


def record(conn: sqlite3.Connection, args: Mapping[str, Any]) -> None:
    """Rate an ended interaction or a sent ticket reply: `score` 1-5, `source` qc or customer, a comment."""
    a = Args("rating.record@1", args, allowed={
        "rating_id", "account_id", "interaction_id", "message_id", "source", "score", "comment", "agent_id", "at"})
    rating_id, account_id, agent_id, at = a.id("rating_id"), a.id("account_id"), a.id("agent_id"), a.time("at")
    interaction_id, message_id = a.optional_id("interaction_id"), a.optional_id("message_id")
    source, score = a.choice("source", SOURCES), a.integer("score", 1, 5)
    comment = a.text("comment", MAX_COMMENT_CHARS, optional=True) or ""
    if (interaction_id is None) == (message_id is None):
        a.fail("name either the interaction or the ticket reply that is rated, not both")
    role = conn.execute("SELECT role FROM agent WHERE id = ?", (agent_id,)).fetchone()
    if role is None:
        a.fail(f"there is no agent {agent_id[:40]}")
    if source == "qc" and role[0] not in REVIEWERS:
        a.fail("only quality control, a supervisor or an admin gives a quality-control rating")
    rated = _rated_agent(conn, a, account_id, interaction_id, message_id)
    if rated is not None and rated == agent_id:
        a.fail("an agent cannot rate their own work")
    target, column = (interaction_id, "interaction_id") if interaction_id is not None else (message_id, "message_id")
    conn.execute(
        f"INSERT INTO rating (id, account_id, {column}, agent_id, source, score, comment, rated_by, at)"
        f" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT ({column}, source) DO UPDATE SET score = excluded.score,"
        " comment = excluded.comment, rated_by = excluded.rated_by, at = excluded.at",
        (rating_id, account_id, target, rated, source, score, comment,
         agent_id if source == "qc" else None, at),
    )


def _rated_agent(conn: sqlite3.Connection, a: Args, account_id: str, interaction_id: str | None,
                 message_id: str | None) -> str | None:
    """The agent whose work is rated: the interaction's agent, or the agent who wrote the reply (by the name on
    it, among the account's agents). Refuses what cannot be rated yet."""
    if interaction_id is not None:
        row = conn.execute("SELECT account_id, state, agent_id FROM interaction WHERE id = ?",
                           (interaction_id,)).fetchone()
        if row is None or row[0] != account_id:
            a.fail(f"there is no interaction {interaction_id[:40]} in that account")
        if row[1] != "ended":
            a.fail("an interaction is rated once it has ended")
        return None if row[2] is None else str(row[2])
    row = conn.execute("SELECT account_id, kind, author FROM ticket_message WHERE id = ?", (message_id,)).fetchone()
    if row is None or row[0] != account_id:
        a.fail(f"there is no ticket reply {str(message_id)[:40]} in that account")
    if row[1] != "reply":
        a.fail("only a reply sent to the customer is rated (not a note or the customer's own message)")
    found = conn.execute(
        "SELECT g.id FROM agent g JOIN agent_account aa ON aa.agent_id = g.id"
        " WHERE aa.account_id = ? AND g.name = ? ORDER BY g.id LIMIT 1", (account_id, row[2])).fetchone()
    return None if found is None else str(found[0])
