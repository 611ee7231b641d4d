"""Opening the store: pragmas, migrations, the schema against the models, and a damaged file set aside."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlmodel import SQLModel

from agentdesk import models
from agentdesk.clock import FixedClock
from agentdesk.localstore.connection import QUICK_CHECK_MAX_BYTES
from agentdesk.migrations import latest_version, migrate
from agentdesk.store import CorruptStore, Store, StoreError

FTS_AND_SQLITE = ("customer_fts", "faq_fts", "sqlite_")


def test_pragmas_are_wal_full_with_a_busy_timeout_and_foreign_keys(empty_store: Store) -> None:
    conn = empty_store.conn
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] == 5000
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.isolation_level is None


def test_a_new_file_is_migrated_to_the_latest_version_and_reopening_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "folder" / "agentdesk.db"
    store = Store.open(path, FixedClock())
    assert path.exists()
    assert store.conn.execute("PRAGMA user_version").fetchone()[0] == latest_version() >= 1
    schema = store.conn.execute("SELECT type, name, sql FROM sqlite_schema ORDER BY name").fetchall()
    group = store.client_group_id
    first_client = store.client_id
    store.close()
    again = Store.open(path, FixedClock())
    assert migrate(again.conn) == []
    assert again.conn.execute("SELECT type, name, sql FROM sqlite_schema ORDER BY name").fetchall() == schema
    assert again.client_group_id == group  # the store's identity stays
    assert again.client_id != first_client  # each incarnation is a new client
    again.close()


def test_migrated_schema_has_the_tables_and_columns_of_the_models(empty_store: Store) -> None:
    conn = empty_store.conn
    tables = {
        name for (name,) in conn.execute("SELECT name FROM sqlite_schema WHERE type = 'table'")
        if not name.startswith(FTS_AND_SQLITE)
    }
    assert tables == set(SQLModel.metadata.tables)
    for name, table in SQLModel.metadata.tables.items():
        stored = {row[1]: row for row in conn.execute(f"PRAGMA table_info({name})")}
        assert set(stored) == {c.name for c in table.columns}, name
        for column in table.columns:
            _, _, _, notnull, _, pk = stored[column.name]
            assert bool(pk) == column.primary_key, f"{name}.{column.name} primary key"
            assert bool(notnull) == (not column.nullable), f"{name}.{column.name} nullability"


def test_the_store_and_the_backend_agree_on_which_tables_are_the_terminals_own(empty_store: Store) -> None:
    from agentdesk.localstore import replica

    assert models.LOCAL_ONLY == replica.LOCAL_TABLES
    synced = set(replica.synced_tables(empty_store.conn))
    assert synced == set(SQLModel.metadata.tables) - models.LOCAL_ONLY


def test_a_file_that_is_not_a_database_is_moved_aside(tmp_path: Path) -> None:
    path = tmp_path / "agentdesk.db"
    path.write_bytes(b"this is not an SQLite file at all" * 200)
    with pytest.raises(CorruptStore) as caught:
        Store.open(path, FixedClock())
    aside = caught.value.moved_to
    assert aside is not None and aside.exists() and aside.name.startswith("agentdesk.db.corrupt-20261123T")
    assert str(aside) in str(caught.value)
    assert not path.exists()
    fresh = Store.open(path, FixedClock())  # the next start begins with a fresh store
    assert fresh.is_empty()
    fresh.close()


def test_a_damaged_page_is_found_at_open_and_the_file_kept_aside(small_demo, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "agentdesk.db"
    path.write_bytes(small_demo[0].read_bytes())
    assert path.stat().st_size <= QUICK_CHECK_MAX_BYTES
    page = 4096
    data = bytearray(path.read_bytes())
    # Scribble over the b-tree pages after the schema: the header still reads, the pages do not.
    for n in range(3, min(40, len(data) // page)):
        data[n * page : n * page + 64] = b"\xff" * 64
    path.write_bytes(bytes(data))
    with pytest.raises(CorruptStore) as caught:
        Store.open(path, FixedClock())
    assert caught.value.moved_to is not None and caught.value.moved_to.read_bytes() == bytes(data)
    assert "kept aside" in str(caught.value)


def test_a_store_from_a_newer_agentdesk_is_refused_with_a_sentence(tmp_path: Path) -> None:
    path = tmp_path / "agentdesk.db"
    Store.open(path, FixedClock()).close()
    with sqlite3.connect(path) as raw:
        raw.execute(f"PRAGMA user_version = {latest_version() + 1}")
    with pytest.raises(StoreError, match="newer than this AgentDesk"):
        Store.open(path, FixedClock())


def test_a_folder_that_cannot_be_made_is_a_sentence_not_a_traceback(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("a file where the folder should be")
    with pytest.raises(StoreError, match="Cannot create the folder"):
        Store.open(blocker / "agentdesk.db", FixedClock())


def test_the_full_check_runs_on_demand_for_big_stores(demo_store: Store) -> None:
    assert demo_store.check_integrity() == []


def test_a_store_from_an_early_build_gets_the_later_schema(tmp_path: Path) -> None:
    """Early builds shipped steps 2 and 3 empty: a store at version 3 with only the first step's tables must
    still get everything after it when this AgentDesk opens it."""
    from agentdesk.migrations import migrations, statements

    path = tmp_path / "early.db"
    conn = sqlite3.connect(path)
    for statement in statements(migrations()[0].sql):
        conn.execute(statement)
    conn.execute("PRAGMA user_version = 3")
    conn.commit()
    conn.close()

    store = Store.open(path, FixedClock())
    columns = {row[1] for row in store.conn.execute("PRAGMA table_info(ticket)")}
    assert {"assignee_id", "response_due_at", "consent_how"} <= columns
    assert store.conn.execute("SELECT count(*) FROM sqlite_schema WHERE name = 'undo_log'").fetchone() == (1,)
    store.close()
