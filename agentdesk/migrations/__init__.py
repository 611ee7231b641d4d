"""The local store's schema, as numbered SQL files applied in order.

`NNNN_<what>.sql` brings the store from version NNNN-1 to NNNN. The store's version is SQLite's
`PRAGMA user_version`; each file runs in its own transaction together with the bump of that version, so a
crash leaves the store at the old version or the new one, never in between. Re-opening an up-to-date store
runs nothing.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from importlib import resources

from agentdesk.errors import MigrationError as MigrationError
from agentdesk.localstore.transaction import transaction

_FILE = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


@dataclass(frozen=True, slots=True)
class Migration:
    """One step of the schema."""

    version: int
    name: str
    sql: str


def migrations() -> list[Migration]:
    """Every migration shipped with this version of AgentDesk, in order (versions 1, 2, ... without gaps)."""
    found: list[Migration] = []
    for entry in resources.files(__package__).iterdir():
        match = _FILE.match(entry.name)
        if match:
            found.append(Migration(int(match[1]), entry.name, entry.read_text(encoding="utf-8")))
    found.sort(key=lambda m: m.version)
    if [m.version for m in found] != list(range(1, len(found) + 1)):
        raise MigrationError(f"The migration files are not numbered 1..N: {[m.name for m in found]}")
    return found


def statements(sql: str) -> list[str]:
    """The SQL statements of a script, split where SQLite sees a complete one (trigger bodies stay whole)."""
    found: list[str] = []
    buffer = ""
    for line in sql.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            kept = [line for line in buffer.strip().splitlines() if not line.lstrip().startswith("--")]
            text = "\n".join(line for line in kept if line.strip())
            if text:
                found.append(text)
            buffer = ""
    if buffer.strip() and any(not x.lstrip().startswith("--") for x in buffer.strip().splitlines()):
        raise MigrationError(f"The migration ends in an incomplete statement: {buffer.strip()[:80]}")
    return found


def latest_version() -> int:
    """The schema version this AgentDesk writes."""
    return len(migrations())


def current_version(conn: sqlite3.Connection) -> int:
    """The schema version of the store behind `conn`."""
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection) -> list[int]:
    """Apply the missing migrations, each in its own transaction; the versions applied (often none).

    `conn` must be in autocommit mode (`isolation_level=None`): the transactions here are explicit.
    """
    steps = migrations()
    version = current_version(conn)
    if version > len(steps):
        raise MigrationError(
            f"The local store is at schema version {version}, newer than this AgentDesk knows "
            f"({len(steps)}). Update AgentDesk, or open another store with --store."
        )
    applied: list[int] = []
    for step in steps[version:]:
        # Errors go up as SQLite raised them: opening the store tells a damaged file from other trouble.
        with transaction(conn):
            # Another process may have migrated while this one waited for the write lock.
            if current_version(conn) >= step.version:
                continue
            # Statement by statement (executescript would commit first): the schema change and the version
            # bump commit together or not at all.
            for statement in statements(step.sql):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {step.version}")
        applied.append(step.version)
    return applied
