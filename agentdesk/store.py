"""The local store: one SQLite file that the workstation reads and writes, online or not.

Reads return the records of `agentdesk.records`. Every write is a named, versioned mutation (`call.ring@1`)
that commits its change and its outbox row in one transaction (see SYNC.md); the sync engine pushes the outbox
later. Writes go through one connection under a re-entrant lock; screens read through a second, read-only
one, so a read never waits for a commit's fsync.

Pragmas: WAL, `synchronous=FULL` (a commit is on disk when `mutate` returns), `busy_timeout=5000`,
foreign keys.
"""

from __future__ import annotations

import sqlite3
import threading
import uuid
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sync.mutators as mutators
from agentdesk.clock import Clock, iso
from agentdesk.domain import phones
from agentdesk.localstore import customers as _customers
from agentdesk.localstore import faq as _faq
from agentdesk.localstore import history as _history
from agentdesk.localstore import replica
from agentdesk.localstore.appointment_store import AppointmentStore
from agentdesk.localstore.bulk import rebuild_search_indexes
from agentdesk.localstore.connection import client_group_id, connect, connect_reader, quick_check
from agentdesk.localstore.errors import (
    CorruptStore,
    NotFound,
    NotSaved,
    StoreError,
    UnknownMutation,
    translate,
)
from agentdesk.localstore.stamps import moment
from agentdesk.localstore.ticket_store import TicketStore
from agentdesk.records import (
    Account,
    Agent,
    Customer,
    CustomerMatch,
    FaqArticle,
    FaqHit,
    FollowUpTask,
    HistoryCursor,
    HistoryPage,
)
from sync import outbox

__all__ = [
    "CorruptStore", "NotFound", "NotSaved", "Store", "StoreError", "UnknownMutation", "rebuild_search_indexes",
]

_ACCOUNT = "SELECT id, name, time_zone, price_per_minute_cents, greeting, phone_number FROM account"


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


class Store(TicketStore, AppointmentStore):
    """The workstation's local store: make one with `Store.open`, share it between threads, close it once."""

    def __init__(self, conn: sqlite3.Connection, path: Path, clock: Clock, region: str) -> None:
        self._conn = conn
        self._lock = threading.RLock()
        self._path = path
        self._clock = clock
        self.region = region
        """The region that phone numbers without a country code are read in (ISO 3166, e.g. "US")."""
        self._client_group_id = client_group_id(conn)
        self._client_id = str(uuid.uuid4())
        self._reader = connect_reader(path)
        self._checkpointing: threading.Thread | None = None
        self._read_lock = threading.Lock()
        self._tables = replica.synced_tables(conn)
        replica.install_undo_triggers(conn, self._tables.values())

    @classmethod
    def open(cls, path: Path, clock: Clock, *, region: str = "US") -> Store:
        """Open (creating it and its folder when missing) and migrate the store at `path`.

        Raises `CorruptStore` when the file fails its integrity check (it is moved aside first), and
        `StoreError` with the reason and the next step for anything else.
        """
        path = Path(path)
        conn = connect(path, clock)
        try:
            return cls(conn, path, clock, region)
        except sqlite3.Error as error:
            conn.close()
            raise translate(error, f"opening the local store at {path}") from error

    def close(self) -> None:
        """Close the connection (SQLite folds the WAL back into the file), after a checkpoint still running (a
        thread inside SQLite when the interpreter exits can bring the process down)."""
        if self._checkpointing is not None:
            self._checkpointing.join()
        with self._read_lock:
            self._reader.close()
        with self._lock:
            self._conn.close()

    @property
    def path(self) -> Path:
        """The store file."""
        return self._path

    @property
    def conn(self) -> sqlite3.Connection:
        """The raw connection, for tests, benchmarks and the demo loader; hold `lock` while using it from
        several threads."""
        return self._conn

    @property
    def lock(self) -> threading.RLock:
        """The lock every use of the connection takes."""
        return self._lock

    @property
    def clock(self) -> Clock:
        """The clock outbox rows are stamped with."""
        return self._clock

    @property
    def client_group_id(self) -> str:
        """This store file's identity for sync (made when the store was created)."""
        return self._client_group_id

    @property
    def client_id(self) -> str:
        """This incarnation's identity for sync (new each time the store is opened)."""
        return self._client_id

    # -- accounts and agents ---------------------------------------------------------------------------

    def is_empty(self) -> bool:
        """True when the store holds no accounts yet (a first start: fill it with demo data or a sync)."""
        with self._lock:
            return self._conn.execute("SELECT 1 FROM account LIMIT 1").fetchone() is None

    def accounts(self) -> list[Account]:
        """Every account in the store, by name."""
        with self._lock:
            return [Account(*row) for row in self._conn.execute(f"{_ACCOUNT} ORDER BY name, id")]

    def account(self, account_id: str) -> Account:
        """One account; `NotFound` when it is not in the store."""
        with self._lock:
            row = self._conn.execute(f"{_ACCOUNT} WHERE id = ?", (account_id,)).fetchone()
        if row is None:
            raise NotFound(f"There is no account {account_id[:40]} in the local store; sync to get it.")
        return Account(*row)

    def account_for_number(self, dialled: str) -> Account | None:
        """The account that answers on `dialled` (any spelling), or None."""
        number = phones.normalize(dialled, self.region) or _customers.clean_query(dialled.strip()[:64])
        with self._lock:
            row = self._conn.execute(f"{_ACCOUNT} WHERE phone_number = ?", (number,)).fetchone()
        return Account(*row) if row else None

    def agents(self) -> list[Agent]:
        """Every agent, by name."""
        with self._lock:
            rows = self._conn.execute("SELECT id, name, role FROM agent ORDER BY name, id").fetchall()
        return [Agent(*row) for row in rows]

    def agent(self, agent_id: str) -> Agent:
        """One agent; `NotFound` when it is not in the store."""
        with self._lock:
            row = self._conn.execute("SELECT id, name, role FROM agent WHERE id = ?", (agent_id,)).fetchone()
        if row is None:
            raise NotFound(f"There is no agent {agent_id[:40]} in the local store. Check the agent id in the "
                           "settings ([agent] id), or leave it out to work as the first agent.")
        return Agent(*row)

    # -- customers -------------------------------------------------------------------------------------------

    def find_customers(self, query: str, limit: int = 20) -> list[CustomerMatch]:
        """Customers by phone (any spelling), e-mail, order number (`ORD-…`), case number (`CS-…`) or name
        prefixes (`ann smi` finds Anna Smith), best first. Never raises on odd input; [] for a blank one."""
        with self._read_lock:
            return _customers.find_customers(self._reader, query, limit, self.region)

    def customer_for_caller(self, caller_raw: str, account_id: str | None) -> Customer | None:
        """The customer calling from `caller_raw` (screen pop), preferring the called account's customer."""
        with self._read_lock:
            return _customers.customer_for_caller(self._reader, caller_raw, account_id, self.region)

    def customer(self, customer_id: str) -> Customer:
        """The customer card; `NotFound` when the customer is not in the store."""
        with self._read_lock:
            return _customers.customer(self._reader, customer_id)

    def history(
        self,
        customer_id: str,
        kinds: frozenset[str] | None = None,
        before: HistoryCursor | None = None,
        limit: int = 50,
    ) -> HistoryPage:
        """A page of the customer's timeline, newest first, older than `before`; `kinds` filters it."""
        with self._read_lock:
            return _history.history(self._reader, customer_id, kinds, before, limit)

    # -- FAQ ----------------------------------------------------------------------------------------------

    def top_ten(self, account_id: str) -> list[FaqArticle]:
        """The account's top-ten answers, by rank."""
        with self._read_lock:
            return _faq.top_ten(self._reader, account_id)

    def faq_article(self, faq_id: str) -> FaqArticle | None:
        """One FAQ article, or None."""
        with self._read_lock:
            return _faq.faq_article(self._reader, faq_id)

    def search_faq(
        self,
        words: str,
        *,
        account_id: str | None = None,
        product: str | None = None,
        category: str | None = None,
        limit: int = 20,
    ) -> list[FaqHit]:
        """FAQ articles (the account's and the global ones) matching `words` as prefixes, best first; with no
        words, the articles of the chosen product and category."""
        with self._read_lock:
            return _faq.search_faq(
                self._reader, words, account_id=account_id, product=product, category=category, limit=limit
            )

    def faq_facets(self, account_id: str) -> tuple[list[str], list[str]]:
        """The products and categories to filter the account's FAQ search by."""
        with self._read_lock:
            return _faq.faq_facets(self._reader, account_id)

    # -- tasks, outbox, raw rows ---------------------------------------------------------------------------

    def tasks(self, status: str = "open") -> list[FollowUpTask]:
        """Follow-ups, reminders and surveys with this status, soonest due first."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT id, account_id, customer_id, kind, level, due_at, note, status, interaction_id,"
                " created_by FROM task WHERE status = ? ORDER BY due_at, id",
                (status,),
            ).fetchall()
        tasks = []
        for *head, due_at, note, state, interaction_id, created_by in rows:
            extra = {k: v for k, v in (("interaction_id", interaction_id), ("created_by", created_by)) if v}
            tasks.append(FollowUpTask(*head, due_at=moment(due_at), note=note, status=state, extra=extra))
        return tasks

    def outbox_count(self) -> int:
        """How many local changes wait for the server."""
        with self._read_lock:
            return outbox.count(self._reader)

    def interaction_row(self, interaction_id: str) -> dict[str, Any] | None:
        """The stored interaction as a dict of its columns (tests and reports), or None."""
        with self._lock:
            cursor = self._conn.execute("SELECT * FROM interaction WHERE id = ?", (interaction_id,))
            row = cursor.fetchone()
            names = [d[0] for d in cursor.description]
        return dict(zip(names, row, strict=True)) if row else None

    def holds_of(self, interaction_id: str) -> list[dict[str, Any]]:
        """The holds of a call, oldest first, as dicts (`hit_cap` as a bool)."""
        with self._lock:
            cursor = self._conn.execute(
                "SELECT * FROM hold_event WHERE interaction_id = ? ORDER BY started_at, id", (interaction_id,)
            )
            names = [d[0] for d in cursor.description]
            rows = [dict(zip(names, row, strict=True)) for row in cursor]
        for row in rows:
            row["hit_cap"] = bool(row["hit_cap"])
        return rows

    def check_integrity(self) -> list[str]:
        """Read every page of the store (seconds for a big one) on a connection of its own, so writes go on
        meanwhile; the problems found, [] when the file is sound. For a worker after start-up: stores too
        big to check at open get their full check here."""
        uri = f"{self._path.resolve().as_uri()}?mode=ro"
        checker = sqlite3.connect(uri, uri=True, check_same_thread=False)
        try:
            return quick_check(checker)
        except sqlite3.DatabaseError as error:
            return [str(error)]
        finally:
            checker.close()

    def rebuild_search(self) -> None:
        """Rebuild both full-text indexes from their tables (after a VACUUM, or a bulk load)."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                rebuild_search_indexes(self._conn)
                self._conn.execute("COMMIT")
            except BaseException as error:
                if self._conn.in_transaction:
                    self._conn.execute("ROLLBACK")
                raise translate(error, "rebuilding the search index") from error

    # -- writes ---------------------------------------------------------------------------------------------

    def mutate(self, name: str, args: Mapping[str, object]) -> int:
        """Apply mutation `name` ("<mutation>@<version>") and queue it for the server, in one transaction.

        Returns its mutation id. Raises `UnknownMutation`, `StoreError` (the arguments were refused: nothing
        was written) or `NotSaved` (disk full, I/O error, store locked: nothing was written).
        """
        entry = mutators.resolve(name)
        if not isinstance(args, Mapping):
            raise StoreError(f"{name}: the arguments must be a mapping of names to values.")
        values = dict(args)
        if entry.uses_region:
            values.setdefault("region", self.region)
        try:
            args_json = outbox.canonical_json(values)
        except (TypeError, ValueError) as error:
            raise StoreError(f"{name}: the arguments cannot be saved as JSON ({error}).") from error
        what = f"the change {name}"
        with self._lock:
            try:
                self._conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as error:
                raise translate(error, what) from error
            try:
                mutation_id = outbox.next_mutation_id(self._conn)
                replica.recording(self._conn, mutation_id)
                entry.apply(self._conn, values)
                replica.recording(self._conn, None)
                outbox.append(
                    self._conn, mutation_id, client_id=self._client_id, name=entry.name,
                    version=entry.version, args_json=args_json, created_at=iso(self._clock.now()),
                )
                self._conn.execute("COMMIT")
            except BaseException as error:
                if self._conn.in_transaction:
                    try:
                        self._conn.execute("ROLLBACK")
                    except sqlite3.Error:
                        pass  # SQLite rolls back on its own after some errors; the change is gone either way
                if not isinstance(error, Exception):
                    raise
                raise translate(error, what) from error
        return mutation_id

    # -- sync -----------------------------------------------------------------------------------------------

    def sync_position(self) -> tuple[int | None, str | None]:
        """The cookie and epoch of the last pull applied (None, None before the first)."""
        with self._read_lock:
            cookie = replica.get_meta(self._reader, replica.COOKIE)
            epoch = replica.get_meta(self._reader, replica.EPOCH)
        return (int(cookie) if cookie is not None else None), epoch

    def pending_mutations(self, *, after: int = 0, limit: int = 100) -> list[outbox.OutboxEntry]:
        """Queued mutations above id `after`, oldest first (a push batch)."""
        with self._read_lock:
            return outbox.pending(self._reader, after=after, limit=limit)

    def apply_pull(self, pull: Mapping[str, Any]) -> replica.PullApplied:
        """Rebase on the backend's answer in one transaction: undo what is unacknowledged, apply the backend's
        rows, drop acknowledged outbox rows (noting rejections for the agent), replay the rest, save the cookie."""
        with self._lock:
            try:
                self._conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as error:
                raise translate(error, "applying changes from the backend") from error
            try:
                applied = replica.rebase(self._conn, self._tables, pull, self._apply_for_replay,
                                         iso(self._clock.now()))
                self._conn.execute("COMMIT")
            except BaseException as error:
                if self._conn.in_transaction:
                    self._conn.execute("ROLLBACK")
                if not isinstance(error, Exception):
                    raise
                raise translate(error, "applying changes from the backend") from error
        return applied

    def apply_snapshot(
        self, header: Mapping[str, Any], chunks: Iterable[Mapping[str, Any]]
    ) -> replica.PullApplied:
        """A new terminal's first copy of the backend (`replica.load_snapshot`) in one transaction. The chunks
        may come straight off the network: an error raised while they are read (a cut-off stream) rolls the
        whole copy back and reaches the caller unchanged, so nothing half-copied is ever committed."""
        with self._lock, self._copying():
            return replica.load_snapshot(self._conn, self._tables, header, chunks, self._apply_for_replay,
                                         iso(self._clock.now()))

    @contextmanager
    def _copying(self) -> Iterator[None]:
        """One transaction for a first copy (the caller holds the lock): committed when the block ends, rolled
        back on any error; a database error reaches the caller as a sentence, any other error unchanged (a
        cut-off stream stays a network error)."""
        what = "copying the backend's data"
        # Foreign keys are not checked during a first copy: the rows are the backend's, kept as the backend
        # holds them, and checking each one's references cost a fifth of a million-row copy (a copy refused
        # for one dangling reference would leave the terminal with nothing). Replayed local changes were
        # checked when the agent made them. SQLite takes this only outside a transaction; it is back on after.
        self._conn.execute("PRAGMA foreign_keys = OFF")
        try:
            try:
                self._conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as error:
                raise translate(error, what) from error
            try:
                yield
                self._conn.execute("COMMIT")
            except BaseException as error:
                if self._conn.in_transaction:
                    self._conn.execute("ROLLBACK")
                if isinstance(error, sqlite3.Error):
                    raise translate(error, what) from error
                raise
        finally:
            self._conn.execute("PRAGMA foreign_keys = ON")

    def apply_snapshot_file(self, path: Path) -> tuple[replica.PullApplied, dict[str, Any]]:
        """The first copy from an SQLite file the backend made (`replica.load_snapshot_file`), in one
        transaction like `apply_snapshot`; also returns the copy's header. A file that is not such a copy is
        refused with a `StoreError` and changes nothing."""
        with self._lock:
            try:
                self._conn.execute("ATTACH DATABASE ? AS copy", (str(path),))
            except sqlite3.Error as error:
                raise translate(error, "opening the backend's copy of the data") from error
            # The copy's ~1 GB goes into the write-ahead log; moving it into the store file (a checkpoint) is
            # left to a thread of its own afterwards instead of holding up this commit by seconds.
            self._conn.execute("PRAGMA wal_autocheckpoint = 0")
            try:
                with self._copying():
                    applied, header = replica.load_snapshot_file(
                        self._conn, self._tables, "copy", self._apply_for_replay, iso(self._clock.now()))
            finally:
                self._conn.execute("DETACH DATABASE copy")
                self._conn.execute("PRAGMA wal_autocheckpoint = 1000")
        self._checkpointing = threading.Thread(target=_checkpoint, args=(self._path,), name="agentdesk-checkpoint",
                                               daemon=True)
        self._checkpointing.start()
        return applied, header

    def split_off(self, *, confirmed_below: int) -> str:
        """This store turned out to be a restored or copied one: the backend holds its mutation ids from
        `confirmed_below` on with other contents. Drop the queued mutations below that id (the backend has them,
        the same), and go on as a new client group: the rest renumbered from 1, the cookie cleared (the next pull
        starts from scratch). Returns the new client group id; nothing unsynced is lost."""
        new_group = str(uuid.uuid4())
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                replica.split_off(self._conn, confirmed_below, new_group)
                self._conn.execute("COMMIT")
            except BaseException as error:
                if self._conn.in_transaction:
                    self._conn.execute("ROLLBACK")
                if not isinstance(error, Exception):
                    raise
                raise translate(error, "starting this store over as a new terminal") from error
            self._client_group_id = new_group
        return new_group

    def _apply_for_replay(self, name: str, args: dict[str, Any]) -> None:
        mutators.resolve(name).apply(self._conn, args)

    def dismiss_rejections(self, mutation_ids: list[int]) -> None:
        """Mark refused changes as dealt with by the agent (bookkeeping on this terminal, never synced)."""
        with self._lock:
            self._conn.executemany("UPDATE sync_rejection SET dismissed_at = ? WHERE mutation_id = ?",
                                   [(iso(self._clock.now()), i) for i in mutation_ids])

    def rejections(self, *, include_dismissed: bool = False) -> list[replica.Rejection]:
        """Changes the backend refused, newest first: what needs the agent's attention."""
        with self._read_lock:
            return replica.rejections(self._reader, include_dismissed=include_dismissed)

