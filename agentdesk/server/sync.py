"""Push and pull on the backend (docs/sync.md), independent of HTTP.

Push applies each mutation in its own transaction: lock the version row, compare the mutation id with the
client group's last applied id (skip a duplicate, refuse a fork, stop at a gap), bump the version, and inside a
savepoint: take the author from the sign-in, check that every row the change names is in an account the agent
works for ("not found" otherwise, `mutations.access`), run the same mutator the terminal ran, check the rows it
wrote stay in the agent's accounts; record applied or rejected, advance. Pull reads, in one snapshot, the rows
changed since the client's cookie in its partitions, its mutation results, and its last applied id.
"""

from __future__ import annotations

import bisect
import hashlib
import json
import threading
import uuid
import weakref
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, Table, and_, bindparam, or_, select, text
from sqlalchemy.exc import DBAPIError

from agentdesk.errors import StoreError
from agentdesk.mutations import registry as mutators
from agentdesk.mutations.access import authored, not_found
from agentdesk.server.answers import storable, unstorable
from agentdesk.server.db import MutatorConnection, is_bad_data, unique_violation_table, write_together
from agentdesk.server.schema import domain_tables, partition_column, sync_change, sync_client_group, sync_mutation

PULL_PAGE_ROWS = 5_000
"""At most this many changed rows per pull page (a single version bigger than this still comes whole)."""


class SyncRefused(Exception):
    """The request cannot be served as asked; `status` is the HTTP status and `code` a stable word."""

    def __init__(self, status: int, code: str, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.extra = extra


class Unavailable(Exception):
    """The database failed (not the data): nothing was advanced, the client sends again later."""


@dataclass(frozen=True, slots=True)
class Caller:
    """Who is calling: the agent and the accounts they may act on (None: every account)."""

    agent_id: str
    role: str
    accounts: frozenset[str] | None

    def may_act_on(self, account_id: str) -> bool:
        return self.accounts is None or account_id in self.accounts


CallerOf = Callable[[Connection], Caller]
"""Who is calling, read inside the request's own transaction (the accounts an agent works for can change at any
moment; reading them there costs no transaction of its own)."""


def _who(caller: Caller | CallerOf, conn: Connection) -> Caller:
    return caller if isinstance(caller, Caller) else caller(conn)


@dataclass(frozen=True, slots=True)
class PushedMutation:
    id: int
    name: str
    args: Mapping[str, Any]


@dataclass(slots=True)
class PushOutcome:
    last_mutation_id: int
    applied: int = 0
    rejected: int = 0
    skipped: int = 0


@dataclass(slots=True)
class PullResult:
    cookie: int
    epoch: str
    reset: bool
    accounts: list[str] | None
    last_mutation_id: int
    results: list[dict[str, Any]] = field(default_factory=list)
    more: bool = False
    encoded_changes: list[bytes] = field(default_factory=list)
    """The changes, each already encoded as JSON (shared between pulls: see `_RowCache` and `_Tail`)."""

    @property
    def changes(self) -> list[dict[str, Any]]:
        """The changes as sent (`{"table", "key", "version", "row"}` or `"deleted": true`)."""
        return [json.loads(change) for change in self.encoded_changes]

    def encode(self) -> bytes:
        """The whole answer as JSON, from the changes' ready-made encodings."""
        head = {"cookie": self.cookie, "epoch": self.epoch, "reset": self.reset, "accounts": self.accounts,
                "last_mutation_id": self.last_mutation_id}
        tail = {"results": self.results, "more": self.more}
        return b"".join((
            _dumps(head)[:-1], b',"changes":[', b",".join(self.encoded_changes), b"],", _dumps(tail)[1:],
        ))


def _dumps(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), default=str).encode()


def args_hash(name: str, args: Mapping[str, Any]) -> str:
    body = json.dumps([name, args], sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(body.encode()).hexdigest()


def _now(conn: Connection) -> str:
    return str(conn.execute(text("SELECT CURRENT_TIMESTAMP")).scalar())


def push(
    engine: Engine, caller: Caller | CallerOf, client_group_id: str, batch: list[PushedMutation]
) -> PushOutcome:
    """Apply `batch` in order for `client_group_id`; returns the last applied id afterwards.

    The batch is one transaction and one version, holding the version row's lock; each mutation runs in a
    savepoint of its own, so a rejected mutation rolls back alone and still advances, while a database failure
    rolls back the whole batch (503) and the terminal sends the same ids again. One commit per batch instead of
    per mutation is what lets a terminal back from a long outage drain 10,000 changes in seconds.
    """
    def apply(conn: Connection) -> PushOutcome:
        who = _who(caller, conn)
        last = _lock_client_group(conn, who, client_group_id)
        outcome = PushOutcome(last_mutation_id=last)
        version: int | None = None
        log: list[dict[str, Any]] = []
        for mutation in batch:
            digest = args_hash(mutation.name, mutation.args)
            if mutation.id <= last:
                _check_same(conn, client_group_id, mutation, digest)
                outcome.skipped += 1
                continue
            if mutation.id > last + 1:
                break  # a gap: the client sends from last + 1 again
            if version is None:  # the batch commits as one version
                version = int(conn.execute(_NEXT_VERSION).scalar_one())
            status, reason = _apply(conn, who, mutation, version)
            log.append({
                "client_group_id": client_group_id, "mutation_id": mutation.id, "name": mutation.name[:120],
                "args_hash": digest, "status": status, "reason": storable(reason) if reason else reason,
                "version": version,
            })
            last = mutation.id
            if status == "applied":
                outcome.applied += 1
            else:
                outcome.rejected += 1
        if log:
            conn.execute(sync_mutation.insert(), log)
        conn.execute(_ADVANCE, {"group": client_group_id, "upto": last})
        outcome.last_mutation_id = last
        return outcome

    try:
        return write_together(engine, apply)
    except SyncRefused:
        raise
    except DBAPIError as error:
        raise Unavailable("the database failed while applying this batch; send it again") from error


def apply_here(engine: Engine, caller: Caller, name: str, args: Mapping[str, Any],
               check: Callable[[Connection], None]) -> int:
    """Run one registered mutation for `caller` on the backend itself (a supervisor's move from the monitor):
    the same access rule and mutator as a terminal's push, in one transaction under one new version that the
    terminals pull. `check(conn)` runs first in that transaction (it raises `SyncRefused`); a refusal of the
    mutator is a 409 with its sentence. Returns the version."""
    def apply(conn: Connection) -> int:
        conn.execute(_LOCK_VERSION.get(conn.dialect.name, _LOCK_VERSION["sqlite"]))
        check(conn)
        version = int(conn.execute(_NEXT_VERSION).scalar_one())
        status, reason = _apply(conn, caller, PushedMutation(0, name, args), version)
        if status != "applied":
            raise SyncRefused(409, "refused", reason or f"{name}: refused.")
        return version

    try:
        return write_together(engine, apply)
    except SyncRefused:
        raise
    except DBAPIError as error:
        raise Unavailable("the database failed while applying this change; try again") from error


# The statements of push and pull, built once: building SQLAlchemy expressions per request cost more of the
# interpreter than running them, and under 200 terminals every push waits on that interpreter.
_NEXT_VERSION = text("UPDATE sync_state SET version = version + 1 WHERE id = 1 RETURNING version")
_OWNER = select(sync_client_group.c.agent_id, sync_client_group.c.last_mutation_id).where(
    sync_client_group.c.id == bindparam("group"))
_ADVANCE = sync_client_group.update().where(sync_client_group.c.id == bindparam("group")).values(
    last_mutation_id=bindparam("upto"))
_KNOWN_HASH = select(sync_mutation.c.args_hash).where(
    sync_mutation.c.client_group_id == bindparam("group"), sync_mutation.c.mutation_id == bindparam("mutation"))
_VERSION_ACCOUNTS = select(sync_change.c.account_id).distinct().where(
    sync_change.c.version == bindparam("at"), sync_change.c.account_id.is_not(None))
_REFUSED = select(sync_mutation).where(
    sync_mutation.c.client_group_id == bindparam("group"), sync_mutation.c.status != "applied",
).order_by(sync_mutation.c.mutation_id)
_REFUSED_BETWEEN = _REFUSED.where(sync_mutation.c.version > bindparam("after"),
                                  sync_mutation.c.version <= bindparam("upto"))
_CHANGED_BETWEEN = select(sync_change).where(
    sync_change.c.version > bindparam("after"), sync_change.c.version <= bindparam("upto"),
).order_by(sync_change.c.version, sync_change.c.table_name, sync_change.c.row_key)
_LOCK_VERSION = {
    "postgresql": text("SELECT version FROM sync_state WHERE id = 1 FOR UPDATE"),
    "sqlite": text("SELECT version FROM sync_state WHERE id = 1"),
}


def _lock_client_group(conn: Connection, caller: Caller, client_group_id: str) -> int:
    """Take the version row's lock (serialising pushes) and return the group's last applied id."""
    conn.execute(_LOCK_VERSION.get(conn.dialect.name, _LOCK_VERSION["sqlite"]))
    row = conn.execute(_OWNER, {"group": client_group_id}).first()
    if row is None:
        conn.execute(sync_client_group.insert().values(
            id=client_group_id, agent_id=caller.agent_id, last_mutation_id=0, created_at=_now(conn)))
        return 0
    if row.agent_id != caller.agent_id and caller.role != "admin":
        raise SyncRefused(403, "client_group_taken",
                          "This store belongs to another agent's sign-in; sign in as that agent or start a new store.")
    return int(row.last_mutation_id)


def _check_same(conn: Connection, client_group_id: str, mutation: PushedMutation, digest: str) -> None:
    known = conn.execute(_KNOWN_HASH, {"group": client_group_id, "mutation": mutation.id}).scalar()
    if known is not None and known != digest:
        raise SyncRefused(
            409, "client_forked",
            f"Change {mutation.id} from this store differs from the one the backend already applied: the store "
            "was restored from a backup or copied. It goes on as a new terminal; its unsynced changes are kept.",
            mutation_id=mutation.id,
        )


def _apply(conn: Connection, caller: Caller, mutation: PushedMutation, version: int) -> tuple[str, str | None]:
    """Run the mutator in a savepoint: ("applied", None) or ("rejected", why)."""
    try:
        entry = mutators.resolve(mutation.name)
    except (StoreError, ValueError) as error:
        return "rejected", str(error)[:500]
    if entry.access is None:
        return "rejected", f"{mutation.name[:120]}: the backend takes this change from no terminal."
    why = unstorable(mutation.args)
    if why:  # no database can hold it: refused and recorded, never a failure the terminal would retry forever
        return "rejected", f"{mutation.name}: the backend cannot store this change: {why}."
    savepoint = conn.begin_nested()
    try:
        mutator_conn = MutatorConnection(conn)
        # Who makes the change is the sign-in's agent, whatever the arguments say; the rows it names must be
        # in an account the agent works for, checked before the mutator reads anything else of them.
        args = authored(entry.access, mutation.args, caller.agent_id, lambda: _agent_name(conn, caller.agent_id))
        entry.run(mutator_conn, args, may_act_on=caller.may_act_on)
        outside = _outside_partitions(conn, caller, version)
        if outside:  # a row written outside the agent's accounts: refused in the same words as any other
            raise not_found(mutation.name[:120], "account", outside)
        savepoint.commit()
        return "applied", None
    except StoreError as error:
        savepoint.rollback()
        return "rejected", str(error)[:500]
    except DBAPIError as error:
        savepoint.rollback()
        cause = error.orig if error.orig is not None else error
        if is_bad_data(cause):
            return "rejected", _refused_data(conn, mutation, cause)
        raise
    except Exception as error:
        savepoint.rollback()
        if is_bad_data(error):
            return "rejected", _refused_data(conn, mutation, error)
        raise


_AGENT_NAME = text("SELECT name FROM agent WHERE id = :agent")


def _agent_name(conn: Connection, agent_id: str) -> str:
    return str(conn.execute(_AGENT_NAME, {"agent": agent_id}).scalar() or agent_id)


def _refused_data(conn: Connection, mutation: PushedMutation, error: BaseException) -> str:
    """Why the database refused a mutation's data. A booking whose slot the primary key of `appointment_slot`
    found taken (another push got there between the mutator's check and its insert) says so in words."""
    if unique_violation_table(error) == "appointment_slot":
        name = conn.execute(text("SELECT name FROM professional WHERE id = :p"),
                            {"p": str(mutation.args.get("professional_id", ""))}).scalar()
        return f"{mutation.name}: {name or 'the professional'} was booked by someone else a moment ago."[:500]
    return f"{mutation.name}: the backend refused the data ({type(error).__name__})"


def _outside_partitions(conn: Connection, caller: Caller, version: int) -> str | None:
    if caller.accounts is None:
        return None
    rows = conn.execute(_VERSION_ACCOUNTS, {"at": version}).scalars()
    return next((account for account in rows if account not in caller.accounts), None)


QUICK_EXTEND_ROWS = 2_000
"""A quick pull (`pull(quick=True)`) reads at most this many new changes into the tail itself."""


def pull(
    engine: Engine, caller: Caller | CallerOf, client_group_id: str, cookie: int | None, epoch: str | None,
    *, page_rows: int = PULL_PAGE_ROWS, quick: bool = False,
) -> PullResult | None:
    """What changed since `cookie` in the caller's partitions; from scratch when the cookie is missing,
    from another epoch, or ahead of the backend. `quick`: only when the answer comes from the latest changes
    held in memory (a few small queries), otherwise None; on SQLite such a pull is cheap enough to answer on
    the server's event loop, saving the hand-off to a worker thread that was most of its cost."""
    with engine.connect().execution_options(read_only=True) as conn:
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        state = conn.execute(text("SELECT version, epoch FROM sync_state WHERE id = 1")).one()
        caller = _who(caller, conn)
        version, current_epoch = int(state.version), str(state.epoch)
        reset = cookie is None or epoch != current_epoch or cookie > version
        since = 0 if reset else int(cookie or 0)
        accounts = set(caller.accounts) if caller.accounts is not None else None
        recent = None if reset else _tail_for(engine).answer(
            conn, current_epoch, since, version, accounts, page_rows, QUICK_EXTEND_ROWS if quick else None)
        if recent is not None:
            encoded, upto, more = recent
        elif quick:
            conn.rollback()
            return None
        else:
            visible = or_(sync_change.c.account_id.is_(None), sync_change.c.account_id.in_(accounts)) \
                if accounts is not None else True
            rows = conn.execute(
                select(sync_change).where(sync_change.c.version > since, visible)
                .order_by(sync_change.c.version, sync_change.c.table_name, sync_change.c.row_key)
                .limit(page_rows + 1)
            ).all()
            more = len(rows) > page_rows
            upto = version
            if more:
                last = rows[-1].version
                cut = [r for r in rows if r.version != last]
                if cut:
                    rows, upto = cut, cut[-1].version
                else:  # one version bigger than a page: send it whole
                    rows = conn.execute(
                        select(sync_change).where(sync_change.c.version == last, visible)
                    ).all()
                    upto = last
            encoded = _rows_for(conn, rows, _cache_for(engine))
        last_id = _acknowledged(conn, caller, client_group_id)
        results = _refusals(conn, client_group_id, (since, upto))
        conn.rollback()
    return PullResult(
        cookie=upto, epoch=current_epoch, reset=reset, accounts=sorted(accounts) if accounts is not None else None,
        last_mutation_id=int(last_id), results=results, more=more, encoded_changes=encoded,
    )


def _acknowledged(conn: Connection, caller: Caller, client_group_id: str) -> int:
    """The client group's last applied mutation id (0 for a new one); refused when another agent owns it."""
    owner = conn.execute(_OWNER, {"group": client_group_id}).first()
    if owner is None:
        return 0
    if owner.agent_id != caller.agent_id and caller.role != "admin":
        raise SyncRefused(403, "client_group_taken",
                          "This store belongs to another agent's sign-in; sign in as that agent or start a new store.")
    return int(owner.last_mutation_id)


def _refusals(
    conn: Connection, client_group_id: str, between: tuple[int, int] | None = None
) -> list[dict[str, Any]]:
    """The client group's rejected mutations (of versions after `between[0]` up to `between[1]`), for its
    "needs attention"."""
    if between is None:
        rows = conn.execute(_REFUSED, {"group": client_group_id})
    else:
        rows = conn.execute(_REFUSED_BETWEEN, {"group": client_group_id, "after": between[0], "upto": between[1]})
    return [{"id": int(r.mutation_id), "name": r.name, "status": r.status, "reason": r.reason} for r in rows]


SNAPSHOT_CHUNK_ROWS = 5_000
"""Rows per line of a snapshot stream."""


def snapshot(engine: Engine, caller: Caller, client_group_id: str) -> Iterator[bytes]:
    """A new terminal's first copy of its partitions, as one stream of JSON lines read in one database snapshot:
    a header (the version it was read at, the epoch, the accounts, the client group's last applied id and its
    rejections), then each table's rows in chunks (`{"table", "columns", "rows"}`, parents first), then
    `{"end": true, "rows": N}`. The header is read (and the caller's right to the client group checked) before
    this returns, so a refusal is an HTTP status, not a broken stream. Reading whole tables instead of one row
    per change is what lets a terminal copy an account of 100,000 customers in seconds; whatever changes while
    the terminal copies has a later version and comes by the next pull."""
    conn = engine.connect().execution_options(read_only=True)
    try:
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        state = conn.execute(text("SELECT version, epoch FROM sync_state WHERE id = 1")).one()
        last_id = _acknowledged(conn, caller, client_group_id)
        results = _refusals(conn, client_group_id)
        header = {
            "cookie": int(state.version), "epoch": str(state.epoch), "reset": True,
            "accounts": sorted(caller.accounts) if caller.accounts is not None else None,
            "last_mutation_id": last_id, "results": results,
        }
    except BaseException:
        conn.close()
        raise
    return _snapshot_lines(conn, caller, header)


SNAPSHOT_FILE_TYPE = "application/vnd.sqlite3"


def snapshot_file(engine: Engine, caller: Caller, client_group_id: str, folder: Path) -> Path:
    """`snapshot` as an SQLite file in `folder` (an SQLite backend only): each synced table's rows of the
    caller's partitions, copied by SQLite itself in one read snapshot (no row passes through Python, which is
    what made a copy of a million rows take a minute), plus `snapshot_header` holding the header as JSON. The
    tables have no keys or indexes: the terminal copies their rows into its own tables and builds those."""
    path = folder / "copy.sqlite"
    conn = engine.connect().execution_options(read_only=True)
    raw: Any = conn.connection.driver_connection
    try:
        raw.execute("ATTACH DATABASE ? AS copy", (str(path),))  # outside any transaction, as SQLite requires
        try:
            raw.execute("PRAGMA copy.journal_mode = OFF")
            raw.execute("PRAGMA copy.synchronous = OFF")
            state = conn.execute(text("SELECT version, epoch FROM sync_state WHERE id = 1")).one()  # begins
            header = {
                "cookie": int(state.version), "epoch": str(state.epoch), "reset": True,
                "accounts": sorted(caller.accounts) if caller.accounts is not None else None,
                "last_mutation_id": _acknowledged(conn, caller, client_group_id),
                "results": _refusals(conn, client_group_id),
            }
            raw.execute("CREATE TABLE copy.snapshot_header (body TEXT NOT NULL)")
            raw.execute("INSERT INTO copy.snapshot_header (body) VALUES (?)", (_dumps(header).decode(),))
            for table in domain_tables():
                where, values = "", ()
                part = partition_column(table)
                if part is not None and caller.accounts is not None:
                    where = f' WHERE "{part}" IS NULL OR "{part}" IN (SELECT value FROM json_each(?))'
                    values = (json.dumps(sorted(caller.accounts)),)
                raw.execute(f'CREATE TABLE copy."{table.name}" AS SELECT * FROM main."{table.name}"{where}', values)
            conn.commit()  # the copy's tables are written in this transaction; the backend's are only read
        finally:
            if conn.in_transaction():
                conn.rollback()
            raw.execute("DETACH DATABASE copy")
    finally:
        conn.close()
    return path


def _snapshot_lines(conn: Connection, caller: Caller, header: dict[str, Any]) -> Iterator[bytes]:
    def line(value: Any) -> bytes:
        return _dumps(value) + b"\n"

    try:
        yield line(header)
        total = 0
        streaming = conn.execution_options(stream_results=True, max_row_buffer=SNAPSHOT_CHUNK_ROWS)
        for table in domain_tables():
            names = [c.name for c in table.columns]
            query = select(*table.columns)
            part = partition_column(table)
            if part is not None and caller.accounts is not None:
                column = table.c[part]
                query = query.where(or_(column.is_(None), column.in_(sorted(caller.accounts))))
            result = streaming.execute(query)
            while rows := result.fetchmany(SNAPSHOT_CHUNK_ROWS):
                total += len(rows)
                yield line({"table": table.name, "columns": names, "rows": [tuple(r) for r in rows]})
            result.close()
        yield line({"end": True, "rows": total})
    finally:
        conn.rollback()
        conn.close()


class _RowCache:
    """Changes as sent, shared by every pull of one backend process.

    On a busy floor every terminal pulls nearly the same window of versions a moment apart; a row's content at
    the version its last change recorded never changes (a later change records a later version), so each change
    is read from the database and encoded as JSON once, and served from memory to the other terminals. Bounded;
    cleared when full."""

    MAX_ROWS = 50_000

    def __init__(self) -> None:
        self.rows: dict[tuple[str, str, int], bytes] = {}
        self.keys: dict[str, list[Any]] = {}  # row_key text → parsed key
        self.lock = threading.Lock()

    def key(self, text_key: str) -> list[Any]:
        found = self.keys.get(text_key)
        if found is None:
            if len(self.keys) > self.MAX_ROWS:
                self.keys.clear()
            found = self.keys[text_key] = json.loads(text_key)
        return found

    def get(self, name: str, text_key: str, version: int) -> bytes | None:
        return self.rows.get((name, text_key, version))

    def put(self, name: str, text_key: str, version: int, entry: bytes) -> None:
        with self.lock:
            if len(self.rows) >= self.MAX_ROWS:
                self.rows.clear()
            self.rows[(name, text_key, version)] = entry


_CACHES: weakref.WeakKeyDictionary[Engine, _RowCache] = weakref.WeakKeyDictionary()
_CACHES_LOCK = threading.Lock()


_Held = TypeVar("_Held")


def _per_engine(held: weakref.WeakKeyDictionary[Engine, _Held], engine: Engine, make: Callable[[], _Held]) -> _Held:
    """The one `make()` of this engine in `held`, made on first use."""
    with _CACHES_LOCK:
        found = held.get(engine)
        if found is None:
            found = held[engine] = make()
        return found


def _cache_for(engine: Engine) -> _RowCache:
    return _per_engine(_CACHES, engine, _RowCache)


class _Tail:
    """The latest changes in version order, as sent, shared by every pull of one backend process.

    On a busy floor every terminal pulls every second or so from a cookie a moment old: reading the change log
    and the rows for each of them was most of the backend's work and, through the interpreter lock, most of a
    push's wait. The first pull that finds the tail behind the database reads the new versions once (in its
    own snapshot, under the tail's lock, so concurrent pulls wait for that one read rather than repeat it);
    every pull from a cookie at or after `base` is then answered from memory. A version's changes never
    change once committed, so the tail only grows at its end; a row changed again appears again, later, and
    the terminal applies both in order. Older cookies, a first pull and another epoch go to the database."""

    MAX_ENTRIES = 50_000

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.epoch: str | None = None
        self.base = -1  # every change with a version in (base, top] is held
        self.top = -1
        self.versions: list[int] = []
        self.accounts: list[str | None] = []
        self.encoded: list[bytes] = []  # bytes only: a million objects held here would slow every full GC

    def answer(
        self, conn: Connection, epoch: str, since: int, version: int, accounts: set[str] | None, page_rows: int,
        most: int | None = None,
    ) -> tuple[list[bytes], int, bool] | None:
        """(the changes encoded, cookie, more) for a pull from `since` in a snapshot at `version`, or None
        when the tail does not reach back to `since` (or would have to read more than `most` new changes, or,
        with `most`, another pull is reading into it: a quick pull never waits)."""
        if not self.lock.acquire(blocking=most is None):
            return None
        try:
            if self.epoch != epoch or version < self.base:
                # A new process, a restored backend, or a reader behind the tail: start from this reader's
                # cookie, so the terminals pulling at that moment are answered from memory at once.
                self._restart(epoch, min(since, version))
            if since < self.base:
                return None
            fresh = not self.versions
            if version > self.top and not self._extend(conn, version, self.MAX_ENTRIES if fresh and most is None
                                                       else most):
                if fresh:  # that cookie was too far back: start at this version instead
                    self._restart(epoch, version)
                return None
            start = bisect.bisect_right(self.versions, since)
            versions, partitions, encodings = self.versions, self.accounts, self.encoded
        finally:
            self.lock.release()
        encoded: list[bytes] = []
        upto, more = version, False
        for at in range(start, len(versions)):
            changed_at = versions[at]
            if changed_at > version:
                break
            if accounts is not None and partitions[at] is not None and partitions[at] not in accounts:
                continue
            if len(encoded) >= page_rows and changed_at != versions[at - 1]:
                upto, more = versions[at - 1], True
                break
            encoded.append(encodings[at])
        return encoded, upto, more

    def _restart(self, epoch: str, version: int) -> None:
        self.epoch, self.base, self.top = epoch, version, version
        self.versions, self.accounts, self.encoded = [], [], []

    def _extend(self, conn: Connection, version: int, most: int | None) -> bool:
        """Read the versions in (top, version] from `conn`, whose snapshot is at `version`; False (and nothing
        read) when they hold more than `most` changes."""
        tables = _tables()
        found = conn.execute(_CHANGED_BETWEEN, {"after": self.top, "upto": version})
        listed = found.fetchmany(most + 1) if most is not None else found.all()
        found.close()
        if most is not None and len(listed) > most:
            return False
        rows = [r for r in listed if r.table_name in tables]
        encoded = _rows_for(conn, rows, None)
        if len(self.versions) + len(rows) > self.MAX_ENTRIES:
            # Start afresh from here. The lists are replaced, never cut, and otherwise only appended to past
            # the versions any reader is reading, so a pull still reading the old ones reads them whole.
            self.base = self.top
            self.versions, self.accounts, self.encoded = [], [], []
        self.versions.extend(int(r.version) for r in rows)
        self.accounts.extend(r.account_id for r in rows)
        self.encoded.extend(encoded)
        self.top = version
        return True


_TAILS: weakref.WeakKeyDictionary[Engine, _Tail] = weakref.WeakKeyDictionary()


def _tail_for(engine: Engine) -> _Tail:
    return _per_engine(_TAILS, engine, _Tail)


def _rows_for(conn: Connection, changes: list[Any], cache: _RowCache | None = None) -> list[bytes]:
    """The changes as sent (`{"table", "key", "version", "row"}` or `"deleted": true`), each encoded as JSON."""
    tables = _tables()
    cache = cache or _RowCache()
    # This pull's entries are kept here, not only in the shared cache, which may be cleared while a big page is
    # read: a row missing from the answer would read as deleted.
    found: dict[tuple[str, str, int], bytes] = {}
    missing: dict[str, list[Any]] = {}
    for change in changes:
        if change.deleted or change.table_name not in tables:
            continue
        key = (change.table_name, change.row_key, int(change.version))
        cached = cache.get(*key)
        if cached is None:
            missing.setdefault(change.table_name, []).append(change)
        else:
            found[key] = cached
    for name, group in missing.items():
        table = tables[name]
        wanted = {_canonical(cache.key(c.row_key)): c for c in group}
        for chunk_start in range(0, len(group), 500):
            chunk = group[chunk_start:chunk_start + 500]
            for row in conn.execute(*_by_keys(table, [cache.key(c.row_key) for c in chunk])):
                mapping = dict(row._mapping)
                change = wanted.get(_key_text(table, mapping))
                if change is not None:
                    version = int(change.version)
                    made = _dumps({"table": name, "key": cache.key(change.row_key), "version": version,
                                   "row": mapping})
                    found[(name, change.row_key, version)] = made
                    cache.put(name, change.row_key, version, made)
    encoded: list[bytes] = []
    for change in changes:
        if change.table_name not in tables:
            continue
        version = int(change.version)
        made = None if change.deleted else found.get((change.table_name, change.row_key, version))
        if made is None:
            made = _dumps({"table": change.table_name, "key": cache.key(change.row_key), "version": version,
                           "deleted": True})
        encoded.append(made)
    return encoded


_TABLES: dict[int, dict[str, Table]] = {}
_BY_KEY: dict[str, Any] = {}


def _tables() -> dict[str, Table]:
    """The synced tables by name."""
    found = domain_tables()
    return _TABLES.get(len(found)) or _TABLES.setdefault(len(found), {t.name: t for t in found})


def _by_keys(table: Table, keys: list[list[Any]]) -> tuple[Any, dict[str, Any]]:
    """The statement and parameters reading `table`'s rows with these primary keys."""
    columns = list(table.primary_key.columns)
    if len(columns) != 1:
        return select(table).where(_key_in(table, keys)), {}
    statement = _BY_KEY.get(table.name)
    if statement is None:
        statement = _BY_KEY[table.name] = select(table).where(columns[0].in_(bindparam("keys", expanding=True)))
    return statement, {"keys": [k[0] for k in keys]}


def _canonical(key: list[Any]) -> str:
    return json.dumps(key, separators=(",", ":"))


def _key_in(table: Table, keys: list[list[Any]]) -> Any:
    columns = list(table.primary_key.columns)
    if len(columns) == 1:
        return columns[0].in_([k[0] for k in keys])
    return or_(*[and_(*[c == v for c, v in zip(columns, k, strict=True)]) for k in keys]) if keys else False


def _key_text(table: Table, row: Mapping[str, Any]) -> str:
    return json.dumps([row[c.name] for c in table.primary_key.columns], separators=(",", ":"))


def new_epoch() -> str:
    return str(uuid.uuid4())


