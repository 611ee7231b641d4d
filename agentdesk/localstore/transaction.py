"""One write transaction on a store connection (BEGIN IMMEDIATE, COMMIT, or ROLLBACK on any error), and what
SQLite reports turned into the core's errors (`translate`).

Every write in the core goes through `transaction`: the local store's mutations, pulls, first copies and drafts,
the migrations, the client group id and the demo loader. The connection must be in autocommit mode
(`isolation_level=None`): BEGIN IMMEDIATE takes the write lock up front instead of failing half-way through.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from agentdesk.errors import NotSaved, StoreError

# SQLite's primary result codes (the low byte of an extended code).
SQLITE_PERM, SQLITE_BUSY, SQLITE_LOCKED, SQLITE_NOMEM, SQLITE_READONLY = 3, 5, 6, 7, 8
SQLITE_IOERR, SQLITE_CORRUPT, SQLITE_FULL, SQLITE_CANTOPEN, SQLITE_CONSTRAINT = 10, 11, 13, 14, 19
SQLITE_NOTADB = 26


@contextmanager
def transaction(conn: sqlite3.Connection, what: str | None = None, *, database_errors_only: bool = False) -> Iterator[None]:
    """Run the block in one transaction: committed when it ends, rolled back when it raises.

    `what` names the work for a person ("the change call.ring@1"): an error is then raised as the core's error
    (`agentdesk.errors.translate`: `NotSaved`, `StoreError`...). Without `what` the error goes up as raised (the
    caller translates it, e.g. to tell a damaged file from a full disk). `database_errors_only` translates only
    SQLite's errors and lets others through unchanged (a network error while a copy streams in stays one).
    An interrupt (KeyboardInterrupt, SystemExit) always goes up unchanged, after the rollback.
    """
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.Error as error:
        if what is None:
            raise
        raise translate(error, what) from error
    try:
        yield
        conn.execute("COMMIT")
    except BaseException as error:
        if conn.in_transaction:
            try:
                conn.execute("ROLLBACK")
            except sqlite3.Error:
                pass  # SQLite rolls back on its own after some errors; the change is gone either way
        if what is None or not isinstance(error, Exception):
            raise
        if database_errors_only and not isinstance(error, sqlite3.Error):
            raise
        raise translate(error, what) from error


def error_code(error: sqlite3.Error) -> int | None:
    """SQLite's primary result code for `error`, when Python reports one."""
    code = getattr(error, "sqlite_errorcode", None)
    return code & 0xFF if isinstance(code, int) else None


def is_corruption(error: sqlite3.Error) -> bool:
    """True when `error` says the file is damaged or is not a database at all."""
    code = error_code(error)
    if code is not None:
        return code in (SQLITE_CORRUPT, SQLITE_NOTADB)
    text = str(error).lower()
    return "malformed" in text or "not a database" in text


def translate(error: BaseException, what: str) -> StoreError:
    """`error`, raised while doing `what` (e.g. "the change call.ring@1"), as a StoreError for a person."""
    if isinstance(error, StoreError):
        return error
    if isinstance(error, sqlite3.Error):
        code = error_code(error)
        text = str(error)
        # Without a result code (older Pythons, hand-made errors) the message is all there is to go on.
        guess = text.lower() if code is None else ""
        if code == SQLITE_FULL or "is full" in guess:
            return NotSaved(f"The disk is full, so {what} was not saved. Free some disk space and try again.")
        if code == SQLITE_IOERR or "disk i/o" in guess:
            return NotSaved(f"The disk reported an error, so {what} was not saved. Try again; if it keeps "
                            "happening, tell your supervisor: the disk may be failing.")
        if code in (SQLITE_BUSY, SQLITE_LOCKED) or "locked" in guess:
            return NotSaved(f"The local store stayed busy (is another AgentDesk using it?), so {what} was "
                            "not saved. Close the other AgentDesk or try again in a moment.")
        if code in (SQLITE_READONLY, SQLITE_CANTOPEN, SQLITE_PERM) or "readonly" in guess:
            return NotSaved(f"The local store cannot be written, so {what} was not saved. Check that its "
                            "file and folder are writable by you.")
        if code == SQLITE_NOMEM:
            return NotSaved(f"The computer ran out of memory, so {what} was not saved. Close other programs "
                            "and try again.")
        if is_corruption(error):
            return NotSaved(f"The local store is damaged, so {what} was not saved. Restart AgentDesk: it "
                            "checks the store and sets the damaged file aside.")
        if code == SQLITE_CONSTRAINT or isinstance(error, sqlite3.IntegrityError):
            return StoreError(f"The local store refused {what}: {text}.")
        return StoreError(f"The local store could not finish {what}: {text}.")
    if isinstance(error, OSError):
        return NotSaved(f"The disk reported an error ({error.strerror or error}), so {what} was not saved.")
    return StoreError(f"{what[:1].upper()}{what[1:]} failed: {type(error).__name__}: {error}.")
