"""The one write transaction of the core: all or nothing, and what went wrong said as a sentence."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from agentdesk.errors import StoreError
from agentdesk.localstore.transaction import transaction


@pytest.fixture
def conn(tmp_path: Path) -> Iterator[sqlite3.Connection]:
    db = sqlite3.connect(tmp_path / "store.db", isolation_level=None)
    db.execute("CREATE TABLE note (id TEXT PRIMARY KEY, body TEXT NOT NULL)")
    yield db
    db.close()


def notes(conn: sqlite3.Connection) -> list[str]:
    return [row[0] for row in conn.execute("SELECT id FROM note ORDER BY id")]


def test_the_block_commits_when_it_ends(conn: sqlite3.Connection) -> None:
    with transaction(conn, "the note"):
        conn.execute("INSERT INTO note VALUES ('a', 'first')")
        conn.execute("INSERT INTO note VALUES ('b', 'second')")
    assert not conn.in_transaction
    assert notes(conn) == ["a", "b"]


def test_a_refused_row_leaves_nothing_and_says_what_was_refused(conn: sqlite3.Connection) -> None:
    conn.execute("INSERT INTO note VALUES ('a', 'kept')")
    with pytest.raises(StoreError, match="The local store refused the note"):
        with transaction(conn, "the note"):
            conn.execute("INSERT INTO note VALUES ('b', 'half')")
            conn.execute("INSERT INTO note VALUES ('a', 'twice')")
    assert not conn.in_transaction
    assert notes(conn) == ["a"]


def test_without_a_name_the_error_goes_up_as_sqlite_raised_it(conn: sqlite3.Connection) -> None:
    with pytest.raises(sqlite3.IntegrityError):
        with transaction(conn):
            conn.execute("INSERT INTO note VALUES ('a', NULL)")
    assert notes(conn) == []


def test_other_errors_can_pass_unchanged_after_the_rollback(conn: sqlite3.Connection) -> None:
    with pytest.raises(ConnectionResetError):
        with transaction(conn, "copying the backend's data", database_errors_only=True):
            conn.execute("INSERT INTO note VALUES ('a', 'streamed')")
            raise ConnectionResetError("the stream was cut off")
    assert notes(conn) == []


def test_an_interrupt_is_never_turned_into_a_store_error(conn: sqlite3.Connection) -> None:
    with pytest.raises(KeyboardInterrupt):
        with transaction(conn, "the note"):
            conn.execute("INSERT INTO note VALUES ('a', 'interrupted')")
            raise KeyboardInterrupt
    assert notes(conn) == []


def test_a_busy_store_is_reported_as_not_saved(tmp_path: Path, conn: sqlite3.Connection) -> None:
    other = sqlite3.connect(tmp_path / "store.db", isolation_level=None, timeout=0)
    try:
        conn.execute("BEGIN IMMEDIATE")
        with pytest.raises(StoreError, match="stayed busy") as refused:
            with transaction(other, "the note"):
                other.execute("INSERT INTO note VALUES ('a', 'late')")
        assert type(refused.value).__name__ == "NotSaved"
    finally:
        conn.execute("ROLLBACK")
        other.close()
