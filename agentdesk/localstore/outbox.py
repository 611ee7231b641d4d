"""The outbox: local mutations waiting for the server, one row each, in mutation-id order.

Mutation ids are contiguous integers for the store file (the client group), allocated inside the transaction
that applies the change, and never reused: the last one given out is kept in `meta`, so ids keep growing after
acknowledged rows leave the outbox. Each row also names the client (store incarnation) that made it.
The functions here run inside the caller's transaction; they neither begin nor commit.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass

LAST_MUTATION_ID = "last_mutation_id"


@dataclass(frozen=True, slots=True)
class OutboxEntry:
    """One queued mutation."""

    id: int
    client_id: str
    name: str
    version: int
    args: str  # canonical JSON
    created_at: str


def canonical_json(args: Mapping[str, object]) -> str:
    """`args` as the one JSON text the server hashes and compares: sorted keys, no spaces, ASCII only.

    ASCII escapes keep any text storable (a lone surrogate cannot be written as UTF-8). Raises TypeError or
    ValueError for values JSON cannot hold (objects, NaN).
    """
    return json.dumps(args, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False)


def next_mutation_id(conn: sqlite3.Connection) -> int:
    """The id the next mutation gets (call inside the write transaction)."""
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (LAST_MUTATION_ID,)).fetchone()
    last = int(row[0]) if row else 0
    # Belt and braces: never below a row already queued (a store written before the counter existed).
    highest = conn.execute("SELECT max(id) FROM outbox").fetchone()[0] or 0
    return max(last, highest) + 1


def append(
    conn: sqlite3.Connection,
    mutation_id: int,
    *,
    client_id: str,
    name: str,
    version: int,
    args_json: str,
    created_at: str,
) -> None:
    """Queue a mutation under `mutation_id` and remember that id as the last one given out."""
    conn.execute(
        "INSERT INTO outbox (id, client_id, name, version, args, created_at) VALUES (?, ?, ?, ?, ?, ?)",
        (mutation_id, client_id, name, version, args_json, created_at),
    )
    conn.execute(
        "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (LAST_MUTATION_ID, str(mutation_id)),
    )


def count(conn: sqlite3.Connection) -> int:
    """How many mutations wait for the server."""
    return int(conn.execute("SELECT count(*) FROM outbox").fetchone()[0])


def pending(conn: sqlite3.Connection, *, after: int = 0, limit: int = 100) -> list[OutboxEntry]:
    """Queued mutations with ids above `after`, oldest first (a push batch)."""
    rows = conn.execute(
        "SELECT id, client_id, name, version, args, created_at FROM outbox WHERE id > ? ORDER BY id LIMIT ?",
        (after, limit),
    ).fetchall()
    return [OutboxEntry(*row) for row in rows]
