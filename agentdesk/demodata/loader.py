"""Bulk loading demo rows: row buffers and executemany, with the domain tables' indexes and triggers set
aside during the load (`agentdesk.localstore.bulk`), all in the caller's one transaction.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict

from agentdesk.localstore import bulk
from agentdesk.localstore.bulk import restore_indexes

__all__ = ["DOMAIN_TABLES", "RowBuffer", "restore_indexes", "set_aside_indexes", "wipe"]

COLUMNS: dict[str, tuple[str, ...]] = {
    "account": (
        "id", "name", "time_zone", "price_per_minute_cents", "greeting", "phone_number", "sla_policy",
    ),
    "agent": ("id", "name", "role"),
    "agent_account": ("agent_id", "account_id"),
    "customer": ("id", "account_id", "name", "language", "created_at", "updated_at"),
    "customer_phone": ("customer_id", "account_id", "e164", "label"),
    "customer_email": ("customer_id", "account_id", "email", "label"),
    "interaction": (
        "id", "account_id", "customer_id", "agent_id", "channel", "direction", "state", "caller_number",
        "subject", "body", "ringing_at", "answered_at", "ended_at", "outcome", "notes", "billable_seconds",
        "price_per_minute_cents", "cost_cents", "wrap_up_seconds", "at",
    ),
    "hold_event": ("id", "account_id", "interaction_id", "started_at", "ended_at", "seconds", "hit_cap"),
    "recording": ("id", "account_id", "interaction_id", "seconds", "uri"),
    "comment": ("id", "account_id", "customer_id", "agent_id", "body", "created_at"),
    "customer_order": ("id", "account_id", "customer_id", "number", "placed_at", "status", "total_cents",
                       "recurring"),
    "order_line": ("id", "account_id", "order_id", "product", "quantity", "unit_price_cents"),
    "ticket": ("id", "account_id", "customer_id", "case_number", "subject", "status", "priority", "kind",
               "channel", "created_at", "updated_at"),
    "ticket_message": ("id", "account_id", "ticket_id", "kind", "author", "body", "created_at"),
    "faq_article": ("id", "account_id", "rank", "title", "body", "category", "product"),
    "reply_template": ("id", "account_id", "name", "body"),
    "professional": ("id", "account_id", "name", "skills", "languages", "location"),
}

DOMAIN_TABLES = (*COLUMNS, "faq_use", "task", "ticket_draft", "appointment_slot", "appointment", "appointment_type",
                 "professional_skill", "working_hours", "time_off")
"""Every table of business data (the outbox and meta are the store's own)."""


class RowBuffer:
    """Rows waiting to be inserted, by table; `flush` writes them with one executemany per table."""

    def __init__(self) -> None:
        self.rows: dict[str, list[tuple[object, ...]]] = defaultdict(list)
        self.counts: dict[str, int] = defaultdict(int)

    def add(self, table: str, row: tuple[object, ...]) -> None:
        """Queue one row of `table` (values in the order of COLUMNS[table])."""
        self.rows[table].append(row)

    def pending(self) -> int:
        """How many rows are queued."""
        return sum(len(rows) for rows in self.rows.values())

    def flush(self, conn: sqlite3.Connection) -> None:
        """Insert everything queued (parents first, though foreign keys are off during a load)."""
        for table, columns in COLUMNS.items():
            rows = self.rows.pop(table, None)
            if rows:
                marks = ", ".join("?" * len(columns))
                conn.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)
                self.counts[table] += len(rows)


def wipe(conn: sqlite3.Connection) -> None:
    """Delete all business data, the outbox, and the full-text indexes (inside the caller's transaction)."""
    for table in (*DOMAIN_TABLES, "outbox", "customer_fts", "faq_fts"):
        conn.execute(f"DELETE FROM {table}")


def set_aside_indexes(conn: sqlite3.Connection) -> list[str]:
    """Drop the secondary indexes and the triggers of the domain tables; their SQL, to re-create them."""
    return bulk.set_aside_indexes(conn, DOMAIN_TABLES)
