"""Loading many rows at once: secondary indexes and triggers set aside during the load, full-text rebuilt after.

Building an index once over a million rows is several times faster than keeping it up to date over a million
random inserts, and the full-text triggers would index customers one by one. So a bulk load (the demo data, a
new terminal's first copy of the backend) drops the secondary indexes and triggers of the tables it fills,
inserts, re-creates them from their own SQL and rebuilds the full-text indexes once. Everything happens in the
caller's one transaction: a failed or killed load leaves the store as it was.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable


def set_aside_indexes(conn: sqlite3.Connection, tables: Iterable[str]) -> list[str]:
    """Drop the secondary indexes and triggers of `tables`; their SQL, to re-create them afterwards."""
    names = list(tables)
    marks = ", ".join("?" * len(names))
    found = conn.execute(
        f"SELECT type, name, sql FROM sqlite_master WHERE type IN ('index', 'trigger') AND sql IS NOT NULL"
        f" AND tbl_name IN ({marks}) ORDER BY type, name",
        names,
    ).fetchall()
    for kind, name, _ in found:
        conn.execute(f'DROP {kind.upper()} "{name}"')
    # This connection's temporary triggers on them too (the store's undo log): each is a subprogram run for
    # every row inserted, a fifth of a million-row load even when its WHEN clause says there is nothing to do.
    # SQLite keeps their SQL without the TEMP that made them temporary.
    temporary = conn.execute(
        f"SELECT name, sql FROM temp.sqlite_master WHERE type = 'trigger' AND tbl_name IN ({marks}) ORDER BY name",
        names,
    ).fetchall()
    for name, _ in temporary:
        conn.execute(f'DROP TRIGGER temp."{name}"')
    return [sql for _, _, sql in found] + [
        sql.replace("CREATE TRIGGER", "CREATE TEMP TRIGGER", 1) for _, sql in temporary]


def restore_indexes(conn: sqlite3.Connection, statements: list[str]) -> None:
    """Re-create what `set_aside_indexes` dropped."""
    for sql in statements:
        conn.execute(sql)


def rebuild_search_indexes(conn: sqlite3.Connection) -> None:
    """Refill customer_fts and faq_fts from their tables, inside the caller's transaction."""
    conn.execute("DELETE FROM customer_fts")
    conn.execute(
        "INSERT INTO customer_fts (rowid, name, emails) SELECT c.rowid, c.name, e.locals FROM customer c"
        " LEFT JOIN (SELECT customer_id, group_concat(substr(email, 1, instr(email, '@') - 1), ' ') AS locals"
        "  FROM customer_email GROUP BY customer_id) e ON e.customer_id = c.id"
    )
    conn.execute("DELETE FROM faq_fts")
    conn.execute(
        "INSERT INTO faq_fts (rowid, title, body, category, product)"
        " SELECT rowid, title, body, category, product FROM faq_article"
    )
