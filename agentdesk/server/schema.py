"""The backend's schema: the shared data model (`agentdesk.models`) plus the tables sync keeps.

Every domain table is tracked by a database trigger that writes one `sync_change` row per changed row: its
table, its primary key (a JSON array), its account (the partition; NULL for global rows such as agents and
the global FAQ) and the version of the transaction that changed it. Pull reads that log; nothing in Python
has to remember to record a change, whoever writes (a replayed mutation, the demo loader, an admin).

The version is one counter in `sync_state`, bumped by each push transaction while it holds the row lock, so
versions commit in order on SQLite and PostgreSQL alike (never a sequence, never a clock).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Connection,
    DefaultClause,
    Float,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    text,
)
from sqlmodel import SQLModel

from agentdesk import models

sync_metadata = MetaData()

sync_state = Table(
    "sync_state",
    sync_metadata,
    Column("id", Integer, primary_key=True),
    Column("version", BigInteger, nullable=False),
    Column("epoch", String(36), nullable=False),
)
"""One row: the current version and the epoch (a new epoch forces every terminal to pull from scratch)."""

sync_client_group = Table(
    "sync_client_group",
    sync_metadata,
    Column("id", String(64), primary_key=True),
    Column("agent_id", String(64), nullable=False),
    Column("last_mutation_id", BigInteger, nullable=False),
    Column("created_at", String(40), nullable=False),
)
"""One row per terminal store file: the last mutation id applied from it."""

sync_mutation = Table(
    "sync_mutation",
    sync_metadata,
    Column("client_group_id", String(64), nullable=False),
    Column("mutation_id", BigInteger, nullable=False),
    Column("name", String(120), nullable=False),
    Column("args_hash", String(64), nullable=False),
    Column("status", String(16), nullable=False),
    Column("reason", Text, nullable=True),
    Column("version", BigInteger, nullable=False),
    PrimaryKeyConstraint("client_group_id", "mutation_id"),
    Index("sync_mutation_version", "client_group_id", "version"),
)
"""The outcome of every mutation pushed: applied, or rejected with the reason the agent will read."""

sync_change = Table(
    "sync_change",
    sync_metadata,
    Column("table_name", String(64), nullable=False),
    Column("row_key", String(400), nullable=False),
    Column("account_id", String(64), nullable=True),
    Column("version", BigInteger, nullable=False),
    Column("deleted", Boolean, nullable=False),
    PrimaryKeyConstraint("table_name", "row_key"),
    Index("sync_change_version", "version"),
)
"""The last change of every row, by version (a deleted row keeps its entry as a tombstone)."""

agent_token = Table(
    "agent_token",
    sync_metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("agent_id", String(64), nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("expires_at", Float, nullable=True),
    Column("revoked_at", String(40), nullable=True),
    Index("agent_token_agent", "agent_id"),
)
"""Sign-in tokens, stored as SHA-256 digests only; `expires_at` in Unix seconds, `revoked_at` set by
`agentdesk server token --revoke` (the row is kept so that the terminal can say "revoked", not "unknown")."""


presence = Table(
    "presence",
    sync_metadata,
    Column("agent_id", String(64), primary_key=True),
    Column("client_group_id", String(64), nullable=False),
    Column("agent_state", String(32), nullable=False),
    Column("call_state", String(32), nullable=False),
    Column("unsynced", Integer, nullable=False),
    Column("oldest_unsynced_s", Integer, nullable=True),
    Column("last_push_at", String(40), nullable=True),
    Column("last_pull_at", String(40), nullable=True),
    Column("state_since", Float, nullable=False),
    Column("seen_at", Float, nullable=False),
    Column("expires_at", Float, nullable=False),
)
"""Each terminal's last heartbeat (the supervisors' view); a row past `expires_at` means the terminal is gone."""

call_event = Table(
    "call_event",
    sync_metadata,
    Column("event_id", String(64), primary_key=True),
    Column("call_id", String(64), nullable=False),
    Column("type", String(16), nullable=False),
    Column("at", String(40), nullable=False),
    Index("call_event_call", "call_id"),
)
"""Every phone-system event taken in (its id makes a resend harmless)."""

live_call = Table(
    "live_call",
    sync_metadata,
    Column("call_id", String(64), primary_key=True),
    Column("account_id", String(64), nullable=False),
    Column("caller_number", String(64), nullable=False),
    Column("dialled_number", String(64), nullable=False),
    Column("ivr_choice", String(64), nullable=True),
    Column("state", String(16), nullable=False),
    Column("offered_to", String(64), nullable=True),
    Column("rang_at", String(40), nullable=False),
    Column("updated_at", String(40), nullable=False),
    Index("live_call_offered", "offered_to", "state"),
)
"""Calls the phone system told us about, their state, and the agent each was offered to."""

daily_report = Table(
    "daily_report",
    sync_metadata,
    Column("account_id", String(64), nullable=False),
    Column("day", String(10), nullable=False),
    Column("produced_at", String(40), nullable=False),
    Column("text", Text, nullable=False),
    Column("csv", Text, nullable=False),
    Column("html", Text, nullable=False),
    PrimaryKeyConstraint("account_id", "day"),
)
"""Each account's daily report once its local midnight has passed, in its three forms as they were produced (the
key keeps one per account and day, whichever backend process produced it first)."""


def _server_defaults() -> None:
    """Give every model column with a plain default the same default in the database, as the terminal's SQL
    schema has: mutators insert only the columns they know and leave the rest to the database."""
    for table in SQLModel.metadata.tables.values():
        for column in table.columns:
            default = column.default
            if column.server_default is not None or default is None or not getattr(default, "is_scalar", False):
                continue
            value = default.arg
            if isinstance(value, bool):
                clause = "true" if value else "false"
            elif isinstance(value, int | float):
                clause = str(value)
            elif isinstance(value, str):
                clause = "'" + value.replace("'", "''") + "'"
            else:
                continue
            column.server_default = DefaultClause(text(clause))


_server_defaults()


def domain_tables() -> list[Table]:
    """The synced tables, parents before children (the terminal-only ones left out)."""
    tables = SQLModel.metadata.tables
    if _SORTED[0] != len(tables):  # sorted once: sorting on every pull was a visible part of its cost
        _SORTED[:] = [len(tables), [t for t in SQLModel.metadata.sorted_tables if t.name not in models.LOCAL_ONLY]]
    return list(_SORTED[1])


_SORTED: list[Any] = [-1, []]


def partition_column(table: Table) -> str | None:
    """The column naming a row's account: `account_id`, the account's own `id`, or None (a global table)."""
    if table.name == "account":
        return "id"
    return "account_id" if "account_id" in table.c else None


def _sqlite_triggers(table: Table) -> list[str]:
    keys = [c.name for c in table.primary_key.columns]
    part = partition_column(table)
    statements = []
    for event, row, deleted in (("INSERT", "NEW", 0), ("UPDATE", "NEW", 0), ("DELETE", "OLD", 1)):
        key = "json_array(" + ", ".join(f"{row}.{k}" for k in keys) + ")"
        account = f"{row}.{part}" if part else "NULL"
        statements.append(
            f"CREATE TRIGGER IF NOT EXISTS sync_{table.name}_{event.lower()} AFTER {event} ON {table.name} BEGIN"
            f" INSERT INTO sync_change (table_name, row_key, account_id, version, deleted)"
            f" VALUES ('{table.name}', {key}, {account}, (SELECT version FROM sync_state WHERE id = 1), {deleted})"
            f" ON CONFLICT (table_name, row_key) DO UPDATE SET version = excluded.version,"
            f" deleted = excluded.deleted, account_id = excluded.account_id; END"
        )
    return statements


_PG_FUNCTION = """
CREATE OR REPLACE FUNCTION sync_track() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    r jsonb;
    k jsonb := '[]'::jsonb;
    col text;
    acct text;
BEGIN
    IF TG_OP = 'DELETE' THEN r := to_jsonb(OLD); ELSE r := to_jsonb(NEW); END IF;
    FOREACH col IN ARRAY string_to_array(TG_ARGV[0], ',') LOOP
        k := k || jsonb_build_array(r -> col);
    END LOOP;
    IF TG_ARGV[1] <> '' THEN acct := r ->> TG_ARGV[1]; END IF;
    INSERT INTO sync_change (table_name, row_key, account_id, version, deleted)
    VALUES (TG_TABLE_NAME, k::text, acct, (SELECT version FROM sync_state WHERE id = 1), TG_OP = 'DELETE')
    ON CONFLICT (table_name, row_key) DO UPDATE
        SET version = EXCLUDED.version, deleted = EXCLUDED.deleted, account_id = EXCLUDED.account_id;
    RETURN NULL;
END $$
"""


def _pg_triggers(table: Table) -> list[str]:
    keys = ",".join(c.name for c in table.primary_key.columns)
    part = partition_column(table) or ""
    return [
        f"DROP TRIGGER IF EXISTS sync_track ON {table.name}",
        f"CREATE TRIGGER sync_track AFTER INSERT OR UPDATE OR DELETE ON {table.name}"
        f" FOR EACH ROW EXECUTE FUNCTION sync_track('{keys}', '{part}')",
    ]


def create_schema(conn: Connection, epoch: str) -> None:
    """Create every table and trigger that is missing (idempotent), inside the caller's transaction."""
    SQLModel.metadata.create_all(conn, tables=domain_tables())
    sync_metadata.create_all(conn)
    if conn.execute(text("SELECT 1 FROM sync_state WHERE id = 1")).first() is None:
        conn.execute(text("INSERT INTO sync_state (id, version, epoch) VALUES (1, 0, :epoch)"), {"epoch": epoch})
    postgres = conn.dialect.name == "postgresql"
    if postgres:
        conn.exec_driver_sql(_PG_FUNCTION)
    for table in domain_tables():
        for statement in _pg_triggers(table) if postgres else _sqlite_triggers(table):
            conn.exec_driver_sql(statement)
