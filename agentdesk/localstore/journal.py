"""The pending-changes journal: a second, small file beside the store (`<store>-pending`) that holds every change
still waiting for the backend, so that a store damaged by a crash, a failing disk or a half-finished copy still
leaves its unsynced work readable (`agentdesk recover`).

Each change is one line, `<crc32 as 8 hex digits> <JSON>`, appended and fsynced inside the store's write
transaction, before its COMMIT: a change the agent was told is saved is in both files. A line that fails its
checksum (torn by a crash, hit by a bad sector) is counted as unreadable and the others are still read. When the
backend acknowledges changes, the journal is rewritten from the outbox (a new file, fsynced, renamed over the old
one), so it stays as small as the outbox. At open, when the store is sound, the outbox is the truth and the
journal is rewritten from it (this also drops a line whose COMMIT never happened).
"""

from __future__ import annotations

import json
import os
import sqlite3
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

SUFFIX = "-pending"
"""The journal's name is the store file's name with this added, like SQLite's own `-wal` and `-shm`."""


@dataclass(frozen=True, slots=True)
class PendingChange:
    """One change the backend has not acknowledged yet, as the outbox holds it."""

    client_group_id: str
    id: int
    name: str
    version: int
    args: str  # canonical JSON, as queued
    created_at: str


def journal_path(store_path: Path) -> Path:
    """Where the journal of the store at `store_path` lives."""
    return store_path.with_name(store_path.name + SUFFIX)


def encode(change: PendingChange) -> bytes:
    """One journal line for `change`, its checksum first."""
    body = json.dumps(
        {"g": change.client_group_id, "id": change.id, "name": change.name, "v": change.version,
         "args": change.args, "at": change.created_at},
        sort_keys=True, separators=(",", ":"), ensure_ascii=True,
    ).encode("ascii")
    return b"%08x %s\n" % (zlib.crc32(body), body)


def decode(line: bytes) -> PendingChange | None:
    """The change a journal line holds, or None when the line is damaged."""
    crc, _, body = line.strip(b"\n").partition(b" ")
    try:
        if len(crc) != 8 or int(crc, 16) != zlib.crc32(body):
            return None
        raw = json.loads(body)
        change = PendingChange(str(raw["g"]), int(raw["id"]), str(raw["name"]), int(raw["v"]), str(raw["args"]),
                               str(raw["at"]))
        json.loads(change.args)  # the arguments themselves must still be JSON
    except (ValueError, KeyError, TypeError):
        return None
    return change


def read(path: Path) -> tuple[list[PendingChange], int]:
    """Every readable change of the journal at `path` (the last line wins for one client group and id), and how
    many lines were unreadable. A missing journal holds nothing."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return [], 0
    changes: dict[tuple[str, int], PendingChange] = {}
    unreadable = 0
    for line in data.split(b"\n"):
        if not line.strip(b"\x00 \r"):  # an empty tail, or a run of zeroes a damaged disk left
            continue
        change = decode(line)
        if change is None:
            unreadable += 1
            continue
        changes[(change.client_group_id, change.id)] = change
    return list(changes.values()), unreadable


class Journal:
    """The open journal of one store: `append` inside the write transaction, `rewrite` after acknowledgements."""

    def __init__(self, store_path: Path) -> None:
        self.path = journal_path(store_path)
        self.lines = 0
        """How many changes the journal holds (to tell when acknowledged ones should be trimmed)."""

    def append(self, change: PendingChange) -> None:
        """Append `change` and fsync it. On any error the file is cut back to what it held before and the error
        goes up, so the caller's transaction rolls back and no half line is left behind."""
        line = encode(change)
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            size = os.fstat(fd).st_size
            try:
                written = os.write(fd, line)
                if written != len(line):
                    raise OSError(28, "No space left on device")  # a short write is what a full disk does
                os.fsync(fd)
            except OSError:
                try:
                    os.ftruncate(fd, size)
                    os.fsync(fd)
                except OSError:
                    pass  # the torn line fails its checksum when read
                raise
        finally:
            os.close(fd)
        self.lines += 1

    def undo_last(self, change: PendingChange) -> None:
        """Cut the last line (`change`) off again: its transaction did not commit."""
        line = encode(change)
        try:
            with open(self.path, "r+b") as file:
                size = file.seek(0, os.SEEK_END)
                if size >= len(line):
                    file.seek(size - len(line))
                    if file.read(len(line)) == line:
                        file.truncate(size - len(line))
                        file.flush()
                        os.fsync(file.fileno())
                        self.lines -= 1
        except OSError:
            pass  # left in: the next open rewrites the journal from the outbox

    def rewrite(self, changes: Iterable[PendingChange]) -> None:
        """Replace the journal by exactly `changes` (a new file fsynced, then renamed over the old one)."""
        fresh = self.path.with_name(self.path.name + ".new")
        count = 0
        with open(fresh, "wb") as file:
            for change in changes:
                file.write(encode(change))
                count += 1
            file.flush()
            os.fsync(file.fileno())
        os.replace(fresh, self.path)
        _sync_folder(self.path.parent)
        self.lines = count


def _sync_folder(folder: Path) -> None:
    """Make a rename durable (the folder's entry), where the system allows opening a folder."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def lost_from_store(conn: sqlite3.Connection, store_path: Path) -> int:
    """How many changes the journal holds that the store lost: not in its outbox and never given out by it (its
    `-wal` file deleted, an older copy put back, another terminal's store put in its place). One line past the
    last id, at the very end, is a change whose COMMIT a crash prevented (the agent was never told it was
    saved): it is not counted."""
    changes, _ = read(journal_path(store_path))
    if not changes:
        return 0
    row = conn.execute("SELECT value FROM meta WHERE key = 'client_group_id'").fetchone()
    group = str(row[0]) if row else None
    row = conn.execute("SELECT value FROM meta WHERE key = 'last_mutation_id'").fetchone()
    last = int(row[0]) if row else 0
    queued = {int(r[0]) for r in conn.execute("SELECT id FROM outbox")}
    lost = [c for c in changes if c.client_group_id != group or (c.id > last and c.id not in queued)]
    if len(lost) == 1 and lost[0] is changes[-1] and lost[0].client_group_id == group and lost[0].id == last + 1:
        return 0
    return len(lost)
