"""The store's write and sync part (`store.changes`): mutations with their outbox rows, pulls, first copies.

Every write is a named, versioned mutation (`call.ring@1`, listed in `agentdesk.mutations.registry`) that
commits its change and its outbox row in one transaction (see docs/sync.md); the sync client pushes the outbox
later, and hands back what the backend answers: a pull to rebase on, or a first copy of the backend's data.
"""

from __future__ import annotations

import sqlite3
import threading
import uuid
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from agentdesk.clock import iso
from agentdesk.errors import StoreError
from agentdesk.localstore import outbox, replica
from agentdesk.localstore.holder import Connections
from agentdesk.localstore.transaction import transaction, translate
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

    def wait_for_checkpoint(self) -> None:
        """Wait for a checkpoint still running after a first copy (call before closing the store)."""
        if self._checkpointing is not None:
            self._checkpointing.join()

    # -- writes ---------------------------------------------------------------------------------------------

    def mutate(self, name: str, args: Mapping[str, object]) -> int:
        """Apply mutation `name` ("<mutation>@<version>") and queue it for the server, in one transaction.

        Returns its mutation id. Raises `UnknownMutation`, `StoreError` (the arguments were refused: nothing
        was written) or `NotSaved` (disk full, I/O error, store locked: nothing was written).
        """
        entry = mutations.resolve(name)
        if not isinstance(args, Mapping):
            raise StoreError(f"{name}: the arguments must be a mapping of names to values.")
        values = dict(args)
        if entry.uses_region:
            values.setdefault("region", self._c.region)
        try:
            args_json = outbox.canonical_json(values)
        except (TypeError, ValueError) as error:
            raise StoreError(f"{name}: the arguments cannot be saved as JSON ({error}).") from error
        with self._c.writing() as conn, transaction(conn, f"the change {name}"):
            mutation_id = outbox.next_mutation_id(conn)
            replica.recording(conn, mutation_id)
            # The store holds only its own accounts' rows: a row of another account is "not found" here too.
            entry.run(conn, values)
            replica.recording(conn, None)
            outbox.append(
                conn, mutation_id, client_id=self._c.client_id, name=entry.name,
                version=entry.version, args_json=args_json, created_at=iso(self._c.clock.now()),
            )
        return mutation_id

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
        with self._c.writing() as conn, transaction(conn, "applying changes from the backend"):
            return replica.rebase(conn, self._tables, pull, self._apply_for_replay, iso(self._c.clock.now()))

    def apply_snapshot(self, header: Mapping[str, Any], chunks: Iterable[Mapping[str, Any]]) -> PullApplied:
        """A new terminal's first copy of the backend (`replica.load_snapshot`) in one transaction. The chunks
        may come straight off the network: an error raised while they are read (a cut-off stream) rolls the
        whole copy back and reaches the caller unchanged, so nothing half-copied is ever committed."""
        with self._c.writing() as conn, self._copying(conn):
            return replica.load_snapshot(conn, self._tables, header, chunks, self._apply_for_replay,
                                         iso(self._c.clock.now()))

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
