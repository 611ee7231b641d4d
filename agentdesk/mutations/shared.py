"""What every mutation shares: its signature, and the checks that a row it points at exists.

A mutation is `fn(conn, args) -> None`. It runs inside a write transaction (the local store's `mutate` on a
terminal, the backend's push on the server), checks its arguments before it writes anything, and raises
`StoreError` to refuse. It must be deterministic given the store and `args` (ids and times come in `args`),
because sync replays it after a pull. The SQL is plain DB-API with `?` placeholders so that both databases run it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping
from typing import Any

from agentdesk.mutations.arguments import Args

Mutator = Callable[[sqlite3.Connection, Mapping[str, Any]], None]


def must_exist(conn: sqlite3.Connection, a: Args, table: str, key: str, value: str | None) -> None:
    """Refuse the mutation when `value` (argument `key`) names no row of `table`; None is always fine."""
    if value is not None and conn.execute(f"SELECT 1 FROM {table} WHERE id = ?", (value,)).fetchone() is None:
        a.fail(f"there is no {table.replace('_', ' ')} {value[:40]} ({key}) in the local store")


def update_one(
    conn: sqlite3.Connection, a: Args, sql: str, params: tuple[object, ...], missing: str
) -> None:
    """Run an UPDATE that must change exactly one row; refuse the mutation with `missing` otherwise."""
    if conn.execute(sql, params).rowcount != 1:
        a.fail(missing)
