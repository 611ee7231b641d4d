"""The store's write and sync part (`store.changes`): mutations with their outbox rows, pulls, first copies.

Every write is a named, versioned mutation (`call.ring@1`, listed in `agentdesk.mutations.registry`) that
commits its change and its outbox row in one transaction (see docs/sync.md); the sync client pushes the outbox
later, and hands back what the backend answers: a pull to rebase on, or a first copy of the backend's data.
"""

from __future__ import annotations

import errno
import sqlite3
import threading
import uuid
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from agentdesk.clock import iso
from agentdesk.errors import NotSaved, StoreError
from agentdesk.localstore import outbox, replica
from agentdesk.localstore.holder import Connections
from agentdesk.localstore.journal import Journal, PendingChange
from agentdesk.localstore.transaction import SQLITE_FULL, SQLITE_IOERR, error_code, transaction, translate
from agentdesk.mutations import registry as mutations
from agentdesk.records.sync import PullApplied, Rejection


def _checkpoint(path: Path) -> None:
    """Move what the write-ahead log holds into the store file, beside the store's own connections (readers and
    the writer go on meanwhile); a failure only leaves the work to SQLite's next automatic checkpoint."""
    try:
        conn = sqlite3.connect(path, timeout=1)
        try:
            conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
        finally:
            conn.close()
    except sqlite3.Error:
        pass


class Changes:
    """Local changes and the backend's: mutate, the outbox, pulls, first copies, splitting off, rejections."""

    def __init__(self, connections: Connections) -> None:
        self._c = connections
        self._checkpointing: threading.Thread | None = None
        self._tables = replica.synced_tables(connections.writer)
        replica.install_undo_triggers(connections.writer, self._tables.values())
        self._journal = Journal(connections.path)
        self._unsaved: list[tuple[str, dict[str, object]]] = []
        """Changes a full or failing disk kept from being saved, oldest first: retried before the next change."""
        # The store passed its check at open, so its outbox is the truth: the journal is made to match it.
        self._rewrite_journal()

    def wait_for_checkpoint(self) -> None:
        """Wait for a checkpoint still running after a first copy (call before closing the store)."""
        if self._checkpointing is not None:
            self._checkpointing.join()

    # -- writes ---------------------------------------------------------------------------------------------

    def mutate(self, name: str, args: Mapping[str, object]) -> int:
        """Apply mutation `name` ("<mutation>@<version>") and queue it for the server, in one transaction; the
        change is also appended to the pending-changes journal before the COMMIT.

        Returns its mutation id. Raises `UnknownMutation`, `StoreError` (the arguments were refused: nothing
        was written) or `NotSaved` (disk full, I/O error, store locked: nothing was written). When the disk is
        full or failing, the change is kept in memory and saved again, in order, before the next change (and by
        `retry_unsaved`); the `NotSaved` says so.
        """
        entry = mutations.resolve(name)
        if not isinstance(args, Mapping):
            raise StoreError(f"{name}: the arguments must be a mapping of names to values.")
        values = dict(args)
        if entry.uses_region:
            values.setdefault("region", self._c.region)
        with self._c.writing():
            if self._unsaved and not self._save_unsaved():
                self._unsaved.append((name, values))
                raise NotSaved(_kept_message(name, "earlier changes still wait for the disk"))
            try:
                return self._save(name, values)
            except _DiskFault as fault:
                self._unsaved.append((name, values))
                raise NotSaved(_kept_message(name, fault.reason)) from fault

    def retry_unsaved(self) -> int:
        """Try again to save the changes a full or failing disk held back; how many are still waiting."""
        with self._c.writing():
            if self._unsaved:
                self._save_unsaved()
            return len(self._unsaved)

    def unsaved_count(self) -> int:
        """How many changes wait in memory for room on the disk."""
        return len(self._unsaved)

    def _save_unsaved(self) -> bool:
        """Save the held changes in order (the caller holds the writer); False when the disk still fails."""
        while self._unsaved:
            name, values = self._unsaved[0]
            try:
                self._save(name, values)
            except _DiskFault:
                return False
            except StoreError:
                pass  # refused now (e.g. what it changes is gone): it can never be saved, so it is dropped
            self._unsaved.pop(0)
        return True

    def _save(self, name: str, values: dict[str, object]) -> int:
        """One change, its outbox row and its journal line, in one transaction (the caller holds the writer).
        A full or failing disk raises `_DiskFault`; nothing is left half-written in either file."""
        entry = mutations.resolve(name)
        try:
            args_json = outbox.canonical_json(values)
        except (TypeError, ValueError) as error:
            raise StoreError(f"{name}: the arguments cannot be saved as JSON ({error}).") from error
        conn = self._c.writer
        journaled: PendingChange | None = None
        try:
            with transaction(conn):
                mutation_id = outbox.next_mutation_id(conn)
                replica.recording(conn, mutation_id)
                # The store holds only its own accounts' rows: a row of another account is "not found" here too.
                entry.run(conn, values)
                replica.recording(conn, None)
                created_at = iso(self._c.clock.now())
                outbox.append(
                    conn, mutation_id, client_id=self._c.client_id, name=entry.name,
                    version=entry.version, args_json=args_json, created_at=created_at,
                )
                change = PendingChange(self._c.client_group_id, mutation_id, entry.name, entry.version, args_json,
                                       created_at)
                self._journal.append(change)
                journaled = change
        except Exception as error:
            if journaled is not None:
                self._journal.undo_last(journaled)  # the COMMIT failed after the line was written
            reason = _disk_fault(error)
            if reason is not None:
                raise _DiskFault(reason) from error
            raise translate(error, f"the change {name}") from error
        return mutation_id

    def _rewrite_journal(self) -> None:
        """Make the journal hold exactly the outbox (the caller holds the writer, or nobody else can write)."""
        rows = self._c.writer.execute(
            "SELECT id, name, version, args, created_at FROM outbox ORDER BY id").fetchall()
        group = self._c.client_group_id
        try:
            self._journal.rewrite(PendingChange(group, *row) for row in rows)
        except OSError:
            pass  # the old journal stays: a superset of the outbox, which recovery reads as it is

    def outbox_count(self) -> int:
        """How many local changes wait for the server."""
        with self._c.reading() as reader:
            return outbox.count(reader)

    # -- sync -----------------------------------------------------------------------------------------------

    def sync_position(self) -> tuple[int | None, str | None]:
        """The cookie and epoch of the last pull applied (None, None before the first)."""
        with self._c.reading() as reader:
            cookie = replica.get_meta(reader, replica.COOKIE)
            epoch = replica.get_meta(reader, replica.EPOCH)
        return (int(cookie) if cookie is not None else None), epoch

    def pending_mutations(self, *, after: int = 0, limit: int = 100) -> list[outbox.OutboxEntry]:
        """Queued mutations above id `after`, oldest first (a push batch)."""
        with self._c.reading() as reader:
            return outbox.pending(reader, after=after, limit=limit)

    def apply_pull(self, pull: Mapping[str, Any]) -> PullApplied:
        """Rebase on the backend's answer in one transaction: undo what is unacknowledged, apply the backend's
        rows, drop acknowledged outbox rows (noting rejections for the agent), replay the rest, save the cookie."""
        with self._c.writing() as conn:
            with transaction(conn, "applying changes from the backend"):
                applied = replica.rebase(conn, self._tables, pull, self._apply_for_replay, iso(self._c.clock.now()))
            if applied.acknowledged or applied.rejected or applied.reset:
                self._rewrite_journal()  # acknowledged changes leave the journal as they left the outbox
            return applied

    def apply_snapshot(self, header: Mapping[str, Any], chunks: Iterable[Mapping[str, Any]]) -> PullApplied:
        """A new terminal's first copy of the backend (`replica.load_snapshot`) in one transaction. The chunks
        may come straight off the network: an error raised while they are read (a cut-off stream) rolls the
        whole copy back and reaches the caller unchanged, so nothing half-copied is ever committed."""
        with self._c.writing() as conn:
            with self._copying(conn):
                applied = replica.load_snapshot(conn, self._tables, header, chunks, self._apply_for_replay,
                                                iso(self._c.clock.now()))
            self._rewrite_journal()
            return applied

    @contextmanager
    def _copying(self, conn: sqlite3.Connection) -> Iterator[None]:
        """One transaction for a first copy (the caller holds the lock): committed when the block ends, rolled
        back on any error; a database error reaches the caller as a sentence, any other error unchanged (a
        cut-off stream stays a network error)."""
        # Foreign keys are not checked during a first copy: the rows are the backend's, kept as the backend
        # holds them, and checking each one's references cost a fifth of a million-row copy (a copy refused
        # for one dangling reference would leave the terminal with nothing). Replayed local changes were
        # checked when the agent made them. SQLite takes this only outside a transaction; it is back on after.
        conn.execute("PRAGMA foreign_keys = OFF")
        try:
            with transaction(conn, "copying the backend's data", database_errors_only=True):
                yield
        finally:
            conn.execute("PRAGMA foreign_keys = ON")

    def apply_snapshot_file(self, path: Path) -> tuple[PullApplied, dict[str, Any]]:
        """The first copy from an SQLite file the backend made (`replica.load_snapshot_file`), in one
        transaction like `apply_snapshot`; also returns the copy's header. A file that is not such a copy is
        refused with a `StoreError` and changes nothing."""
        with self._c.writing() as conn:
            try:
                conn.execute("ATTACH DATABASE ? AS copy", (str(path),))
            except sqlite3.Error as error:
                raise translate(error, "opening the backend's copy of the data") from error
            # The copy's ~1 GB goes into the write-ahead log; moving it into the store file (a checkpoint) is
            # left to a thread of its own afterwards instead of holding up this commit by seconds.
            conn.execute("PRAGMA wal_autocheckpoint = 0")
            try:
                with self._copying(conn):
                    applied, header = replica.load_snapshot_file(
                        conn, self._tables, "copy", self._apply_for_replay, iso(self._c.clock.now()))
            finally:
                conn.execute("DETACH DATABASE copy")
                conn.execute("PRAGMA wal_autocheckpoint = 1000")
            self._rewrite_journal()
        self._checkpointing = threading.Thread(target=_checkpoint, args=(self._c.path,), name="agentdesk-checkpoint",
                                               daemon=True)
        self._checkpointing.start()
        return applied, header

    def split_off(self, *, confirmed_below: int) -> str:
        """This store turned out to be a restored or copied one: the backend holds its mutation ids from
        `confirmed_below` on with other contents. Drop the queued mutations below that id (the backend has them,
        the same), and go on as a new client group: the rest renumbered from 1, the cookie cleared (the next pull
        starts from scratch). Returns the new client group id; nothing unsynced is lost."""
        new_group = str(uuid.uuid4())
        with self._c.writing() as conn:
            with transaction(conn, "starting this store over as a new terminal"):
                replica.split_off(conn, confirmed_below, new_group)
            self._c.client_group_id = new_group
            self._rewrite_journal()
        return new_group

    def _apply_for_replay(self, name: str, args: dict[str, Any]) -> None:
        mutations.resolve(name).apply(self._c.writer, args)

    def dismiss_rejections(self, mutation_ids: list[int]) -> None:
        """Mark refused changes as dealt with by the agent (bookkeeping on this terminal, never synced)."""
        with self._c.writing() as conn:
            conn.executemany("UPDATE sync_rejection SET dismissed_at = ? WHERE mutation_id = ?",
                             [(iso(self._c.clock.now()), i) for i in mutation_ids])

    def note_refusal(self, name: str, args: Mapping[str, object], reason: str) -> None:
        """A change this terminal could not save, kept for the needs-attention list with `reason` (a sentence for
        the agent). It never reached the outbox, so it takes a negative id: no backend refusal ever has one."""
        try:
            args_json = outbox.canonical_json(dict(args))
        except (TypeError, ValueError):
            args_json = "{}"
        with self._c.writing() as conn, transaction(conn, "noting a change that was not saved"):
            lowest = conn.execute("SELECT min(0, coalesce(min(mutation_id), 0)) FROM sync_rejection").fetchone()[0]
            conn.execute(
                "INSERT INTO sync_rejection (mutation_id, name, args, reason, rejected_at) VALUES (?, ?, ?, ?, ?)",
                (int(lowest) - 1, name, args_json, reason[:500], iso(self._c.clock.now())),
            )

    def rejections(self, *, include_dismissed: bool = False) -> list[Rejection]:
        """Changes the backend refused, newest first: what needs the agent's attention."""
        with self._c.reading() as reader:
            return replica.rejections(reader, include_dismissed=include_dismissed)


class _DiskFault(Exception):
    """A change not saved because the disk is full or failing (`reason` says which, for the agent)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _disk_fault(error: BaseException) -> str | None:
    """What stopped the save when the disk is full or failing ("the disk is full"), else None."""
    if isinstance(error, OSError):  # the journal's write; a permission problem is not waited out
        if error.errno in (errno.ENOSPC, errno.EDQUOT):
            return "the disk is full"
        return "the disk reported an error" if error.errno == errno.EIO else None
    if isinstance(error, sqlite3.Error):
        code = error_code(error)
        text = str(error).lower() if code is None else ""
        if code == SQLITE_FULL or "is full" in text:
            return "the disk is full"
        if code == SQLITE_IOERR or "disk i/o" in text:
            return "the disk reported an error"
    return None


def _kept_message(name: str, reason: str) -> str:
    return (f"The change {name} is not saved yet: {reason}. AgentDesk keeps it in memory and saves it, in order, "
            "as soon as the disk takes it (with your next change, or within seconds); nothing was half-written. "
            "Free some disk space, and keep AgentDesk open until then.")
