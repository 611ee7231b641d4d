"""A full disk while saving: the agent is told, the change is kept in memory and saved again (in order) once there
is room, and neither the store nor its pending-changes journal holds half of it meanwhile."""

from __future__ import annotations

import errno
import shutil
import uuid
from pathlib import Path

import pytest

from agentdesk.clock import FixedClock, iso
from agentdesk.errors import NotSaved
from agentdesk.localstore import journal
from agentdesk.localstore.journal import journal_path
from agentdesk.store import Store


def _store(demo_template: Path, tmp_path: Path) -> Store:
    path = tmp_path / "store.db"
    shutil.copyfile(demo_template, path)
    return Store.open(path, FixedClock())


def _comment(store: Store, body: str) -> tuple[str, dict[str, object]]:
    customer, account = store.conn.execute("SELECT id, account_id FROM customer ORDER BY id LIMIT 1").fetchone()
    comment = str(uuid.uuid4())
    return comment, {"comment_id": comment, "account_id": account, "customer_id": customer, "agent_id": None,
                     "body": body, "created_at": iso(FixedClock().now())}


def _has(store: Store, comment: str) -> bool:
    return store.conn.execute("SELECT count(*) FROM comment WHERE id = ?", (comment,)).fetchone()[0] == 1


def test_a_change_the_full_database_refuses_is_kept_and_saved_once_there_is_room(
    demo_template: Path, tmp_path: Path
) -> None:
    store = _store(demo_template, tmp_path)
    try:
        pages = store.conn.execute("PRAGMA page_count").fetchone()[0]
        journal_before = journal_path(store.path).read_bytes()
        store.conn.execute(f"PRAGMA max_page_count = {pages}")  # SQLite answers SQLITE_FULL past this size
        first, args = _comment(store, "a long note " * 8_000)
        with pytest.raises(NotSaved) as refused:
            store.mutate("comment.add@1", args)
        message = str(refused.value)
        assert "not saved yet: the disk is full" in message and "Free some disk space" in message
        second, later = _comment(store, "a short note after it")
        with pytest.raises(NotSaved, match="earlier changes still wait for the disk"):
            store.mutate("comment.add@1", later)  # kept behind the first, so their order holds
        assert store.changes.unsaved_count() == 2
        assert not _has(store, first) and not _has(store, second) and store.outbox_count() == 0
        assert journal_path(store.path).read_bytes() == journal_before  # nothing half-written

        assert store.changes.retry_unsaved() == 2  # still full: still kept
        store.conn.execute("PRAGMA max_page_count = 1073741823")  # room again
        assert store.changes.retry_unsaved() == 0
        assert _has(store, first) and _has(store, second)
        queued = store.pending_mutations()
        assert [m.args.count(first) + 2 * m.args.count(second) for m in queued] == [1, 2]
        changes, unreadable = journal.read(journal_path(store.path))
        assert [c.id for c in changes] == [m.id for m in queued] and unreadable == 0
    finally:
        store.close()


def test_a_journal_the_full_disk_refuses_leaves_no_change_in_the_store(
    demo_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = _store(demo_template, tmp_path)
    try:
        real_write = journal.os.write

        def full_disk(fd: int, data: bytes) -> int:
            real_write(fd, data[: len(data) // 2])  # the disk takes half the line, then is full
            raise OSError(errno.ENOSPC, "No space left on device")

        monkeypatch.setattr(journal.os, "write", full_disk)
        comment, args = _comment(store, "typed while the disk was full")
        with pytest.raises(NotSaved, match="not saved yet: the disk is full"):
            store.mutate("comment.add@1", args)
        assert not _has(store, comment) and store.outbox_count() == 0
        assert journal_path(store.path).read_bytes() == b""  # the half line was cut off again
        monkeypatch.setattr(journal.os, "write", real_write)
        other, later = _comment(store, "the next change")
        store.mutate("comment.add@1", later)  # saves the kept change first, then this one
        assert _has(store, comment) and _has(store, other) and store.outbox_count() == 2
        changes, unreadable = journal.read(journal_path(store.path))
        assert len(changes) == 2 and unreadable == 0
    finally:
        store.close()
