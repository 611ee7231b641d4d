"""Opening the store file: pragmas, the integrity check, migrations and the client group id.

One connection serves the whole workstation (Textual workers share it under the store's lock), so it is made
with `check_same_thread=False`, and in autocommit mode: every write is an explicit `BEGIN IMMEDIATE`, which
takes the write lock up front instead of failing half-way through a transaction.
"""

from __future__ import annotations

import sqlite3
import uuid
from pathlib import Path

from agentdesk.clock import Clock
from agentdesk.errors import CorruptStore, MigrationError, StoreError
from agentdesk.localstore.journal import SUFFIX as JOURNAL_SUFFIX
from agentdesk.localstore.journal import lost_from_store
from agentdesk.localstore.transaction import is_corruption, transaction, translate
from agentdesk.migrations import migrate

BUSY_TIMEOUT_MS = 5000
"""How long a write waits for another writer before it is reported as not saved."""

CACHE_KIB = 65536
"""Page cache per connection (64 MiB): the working set of a big store's indexes stays in memory."""

QUICK_CHECK_MAX_BYTES = 32 * 1024 * 1024
"""Stores up to this size get the full page check at open (about 0.1 s at most; 15 ms for the 300-customer
demo); bigger ones only a look at the header and schema, so that a store of a million rows still opens in
milliseconds. `Store.check_integrity` reads the rest in a worker."""

CLIENT_GROUP_KEY = "client_group_id"


def connect(path: Path, clock: Clock) -> sqlite3.Connection:
    """The store at `path`, created if missing, checked, migrated to the latest schema.

    Raises `CorruptStore` (the file moved aside) when the integrity check fails, `StoreError` otherwise.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise StoreError(
            f"Cannot create the folder {path.parent} for the local store ({error.strerror}). "
            "Choose another place with --store or fix the folder's permissions."
        ) from error
    try:
        conn = sqlite3.connect(
            path, check_same_thread=False, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000
        )
    except sqlite3.Error as error:
        raise translate(error, f"opening the local store at {path}") from error
    try:
        _configure(conn)
        _check(conn, path)
        migrate(conn)
        lost = lost_from_store(conn, path)
        if lost:
            raise _Damaged(f"{lost} saved changes of its pending-changes journal are missing from it: was its "
                           "-wal file deleted, or an older or half-made copy put in its place?")
    except sqlite3.DatabaseError as error:
        conn.close()
        if is_corruption(error):
            raise _set_aside(path, clock, str(error)) from error
        raise translate(error, f"opening the local store at {path}") from error
    except _Damaged as damaged:
        conn.close()
        raise _set_aside(path, clock, damaged.detail) from None
    except MigrationError as error:
        conn.close()
        raise StoreError(str(error)) from error
    except BaseException:
        conn.close()
        raise
    return conn


def connect_reader(path: Path) -> sqlite3.Connection:
    """A second, read-only connection to the (already opened and migrated) store at `path`.

    Screens read through it: in WAL mode a reader sees the last commit and never waits for the writer's
    fsync, so a screen pop does not queue behind the save of the call before it.
    """
    try:
        conn = sqlite3.connect(
            path, check_same_thread=False, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000
        )
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
        conn.execute("PRAGMA query_only = ON")
    except sqlite3.Error as error:
        raise translate(error, f"opening the local store at {path}") from error
    return conn


def _configure(conn: sqlite3.Connection) -> None:
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
    if str(mode).lower() != "wal":
        raise StoreError(
            f"The local store could not switch to write-ahead logging (it reports {mode!r}); it may sit on a "
            "network drive. Keep the store on a local disk."
        )
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")


class _Damaged(Exception):
    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


def _check(conn: sqlite3.Connection, path: Path) -> None:
    """Check the file at open: every page of a store up to QUICK_CHECK_MAX_BYTES, the header and schema of
    a bigger one (whose full check is `quick_check`, for a worker after start-up)."""
    conn.execute("SELECT count(*) FROM sqlite_schema").fetchone()  # a damaged header or schema raises here
    size = path.stat().st_size if path.exists() else 0
    if size <= QUICK_CHECK_MAX_BYTES:
        problems = quick_check(conn)
        if problems:
            raise _Damaged("; ".join(problems))


def quick_check(conn: sqlite3.Connection) -> list[str]:
    """SQLite's quick_check: the problems it finds (at most five), [] when the file is sound.

    It reads every page (about 5 s for a 1 GB store on a small machine) but skips the slower index-content
    comparison of integrity_check; it finds the damage a failing disk or a torn copy leaves.
    """
    rows = [str(row[0]) for row in conn.execute("PRAGMA quick_check(5)")]
    return [] if rows == ["ok"] else rows


def _set_aside(path: Path, clock: Clock, detail: str) -> CorruptStore:
    """Move the damaged file (and its WAL and shared-memory files) aside; the error that says where."""
    stamp = clock.now().strftime("%Y%m%dT%H%M%SZ")
    aside = path.with_name(f"{path.name}.corrupt-{stamp}")
    n = 1
    while aside.exists():
        n += 1
        aside = path.with_name(f"{path.name}.corrupt-{stamp}-{n}")
    try:
        path.rename(aside)
        for suffix in ("-wal", "-shm", JOURNAL_SUFFIX):
            sidecar = path.with_name(path.name + suffix)
            if sidecar.exists():
                sidecar.rename(aside.with_name(aside.name + suffix))
    except OSError as error:
        return CorruptStore(
            f"The local store at {path} is damaged ({detail[:200]}) and could not be moved aside "
            f"({error.strerror}). Move it away by hand, then start AgentDesk again."
        )
    return CorruptStore(
        f"The local store at {path} is damaged ({detail[:200]}). It was kept aside as {aside}. "
        "Start AgentDesk again to begin with a fresh store, then replay the changes not yet synced with: "
        f"agentdesk recover {aside}",
        moved_to=aside,
    )


def client_group_id(conn: sqlite3.Connection) -> str:
    """This store file's client group id, made (a new UUID) the first time the store is opened."""
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (CLIENT_GROUP_KEY,)).fetchone()
    if row is not None:
        return str(row[0])
    with transaction(conn):
        conn.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING",
            (CLIENT_GROUP_KEY, str(uuid.uuid4())),
        )
    return str(conn.execute("SELECT value FROM meta WHERE key = ?", (CLIENT_GROUP_KEY,)).fetchone()[0])
