"""The backend's database: an SQLite file by default, PostgreSQL when the URL says so.

SQLite runs every transaction as `BEGIN IMMEDIATE` (one writer at a time, no upgrade deadlocks) in WAL mode
with a busy timeout; PostgreSQL runs at READ COMMITTED and serialises pushes on the `sync_state` row lock.

The mutators the terminals run (`agentdesk.mutations`) are plain DB-API code with `?` placeholders; `MutatorConnection`
lets the same functions run on the backend's connection, whichever database it is.
"""

from __future__ import annotations

import re
import sqlite3
import threading
import weakref
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Generic, TypeVar

from sqlalchemy import Connection, Engine, create_engine, event, text

BUSY_TIMEOUT_S = 10

T = TypeVar("T")


def database_url(value: str | Path) -> str:
    """A SQLAlchemy URL from a setting: a URL as is, a bare path as an SQLite file."""
    raw = str(value)
    if "://" in raw:
        if raw.startswith("postgresql://") or raw.startswith("postgres://"):
            return "postgresql+psycopg://" + raw.split("://", 1)[1]
        return raw
    return f"sqlite:///{Path(raw).expanduser()}"


def make_engine(url: str, *, pool_size: int = 10) -> Engine:
    """An engine for `url` (see `database_url`)."""
    url = database_url(url)
    if url.startswith("sqlite"):
        # As many pooled connections as the thread pool has threads (anyio's 40): opening an SQLite connection
        # (and its pragmas) per request was a fifth of the backend's CPU under load.
        engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_S, "check_same_thread": False},
                               pool_size=max(pool_size, 40), max_overflow=10)

        @event.listens_for(engine, "connect")
        def _connect(dbapi_conn: sqlite3.Connection, _record: object) -> None:
            dbapi_conn.isolation_level = None  # SQLAlchemy's BEGIN below, not the driver's
            dbapi_conn.execute("PRAGMA journal_mode = WAL")
            dbapi_conn.execute("PRAGMA synchronous = FULL")
            dbapi_conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_S * 1000}")

        @event.listens_for(engine, "begin")
        def _begin(conn: Connection) -> None:
            # Reads (pull) take a snapshot without the write lock; everything else writes.
            conn.exec_driver_sql("BEGIN" if conn.get_execution_options().get("read_only") else "BEGIN IMMEDIATE")

        return engine
    return create_engine(url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True)


class _Writer:
    """One SQLite engine's writers in this process, queued on a lock of their own (one writer holds the file's
    lock at a time anyway, and SQLite's busy handler makes a waiting writer sleep up to 100 ms between tries,
    which under a push a second from 200 terminals turned a 2 ms wait into 2 s), and committed together.

    Group commit: `together(work)` queues `work`; whichever waiting thread gets the lock runs every queued work
    in one transaction, each in a savepoint of its own, and commits once. Under load a push no longer waits for
    each push ahead of it to begin, sync to disk and commit on its own; alone, it is one transaction as before.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.lock = threading.Lock()
        self._queued: list[_Work[Any]] = []
        self._guard = threading.Lock()

    def together(self, work: Callable[[Connection], T]) -> T:
        mine = _Work(work)
        with self._guard:
            self._queued.append(mine)
        with self.lock:
            if not mine.finished:
                with self._guard:
                    batch, self._queued = self._queued, []
                self._run(batch)
        return mine.outcome()

    def _run(self, batch: list[_Work[Any]]) -> None:
        try:
            with self.engine.begin() as conn:
                for work in batch:
                    savepoint = conn.begin_nested()
                    try:
                        work.value = work.work(conn)
                    except Exception as error:
                        savepoint.rollback()
                        work.error = error
                    else:
                        savepoint.commit()
        except BaseException as error:
            # Nothing of this batch was committed: every work fails, with its own error if it had one.
            for work in batch:
                if work.error is None:
                    work.error = error
            if not isinstance(error, Exception):
                raise
        finally:
            for work in batch:
                work.finished = True


class _Work(Generic[T]):
    __slots__ = ("work", "value", "error", "finished")

    def __init__(self, work: Callable[[Connection], T]) -> None:
        self.work = work
        self.value: T | None = None
        self.error: BaseException | None = None
        self.finished = False

    def outcome(self) -> T:
        if self.error is not None:
            raise self.error
        return self.value  # type: ignore[return-value]


_WRITERS: weakref.WeakKeyDictionary[Engine, _Writer] = weakref.WeakKeyDictionary()
_WRITERS_GUARD = threading.Lock()


def _writer(engine: Engine) -> _Writer:
    with _WRITERS_GUARD:
        found = _WRITERS.get(engine)
        if found is None:
            found = _WRITERS[engine] = _Writer(engine)
        return found


@contextmanager
def writing(engine: Engine) -> Iterator[Connection]:
    """`engine.begin()` for a write; on SQLite after this process's other writers (see `_Writer`)."""
    if engine.dialect.name != "sqlite":
        with engine.begin() as conn:
            yield conn
        return
    with _writer(engine).lock, engine.begin() as conn:
        yield conn


def write_together(engine: Engine, work: Callable[[Connection], T]) -> T:
    """`work(conn)` in a write transaction and its result; on SQLite possibly committed together with other
    threads' works (group commit, see `_Writer`), in a savepoint of its own: an exception from `work` undoes
    only its own writes and reaches only its caller. A failed commit reaches every work of the batch."""
    if engine.dialect.name != "sqlite":
        with engine.begin() as conn:
            return work(conn)
    return _writer(engine).together(work)


_PLACEHOLDER = re.compile(r"\?")


class MutatorConnection:
    """The slice of `sqlite3.Connection` mutators use (`execute` → a cursor with `fetchone`, `fetchall`,
    `rowcount`, `description`), on the backend's open transaction."""

    authoritative = True
    """The backend's word is final: a booking written here is confirmed, not tentative."""

    def __init__(self, conn: Connection) -> None:
        self._raw: Any = conn.connection.driver_connection
        self._postgres = conn.dialect.name == "postgresql"

    def execute(self, sql: str, params: Sequence[object] = ()) -> Any:
        if not self._postgres:
            return self._raw.execute(sql, tuple(params))
        cursor = self._raw.cursor()
        cursor.execute(_PLACEHOLDER.sub("%s", sql.replace("%", "%%")), tuple(params))
        return cursor


def is_bad_data(error: BaseException) -> bool:
    """True for a database error caused by the data a mutation wrote (a constraint, a wrong type): the
    mutation is rejected. Anything else (connection lost, disk full, locked) is the backend's fault."""
    if isinstance(error, sqlite3.IntegrityError | sqlite3.DataError | sqlite3.ProgrammingError):
        return True
    try:
        import psycopg
    except ImportError:  # pragma: no cover - psycopg is a dependency
        return False
    return isinstance(error, psycopg.errors.IntegrityError | psycopg.errors.DataError | psycopg.errors.ProgrammingError)


_SQLITE_UNIQUE = re.compile(r"UNIQUE constraint failed: (\w+)\.")


def unique_violation_table(error: BaseException) -> str | None:
    """The table whose primary key or unique key `error` broke; None for any other error."""
    if isinstance(error, sqlite3.IntegrityError):
        found = _SQLITE_UNIQUE.match(str(error))
        return found.group(1) if found else None
    try:
        import psycopg
    except ImportError:  # pragma: no cover - psycopg is a dependency
        return None
    return error.diag.table_name if isinstance(error, psycopg.errors.UniqueViolation) else None


class EngineSource:
    """The backend's own engine as a reporting source (the day reader's SQL runs on it unchanged)."""

    label = "the backend database"

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def rows(self, sql: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
        """Every row of `sql`, read-only."""
        with self.engine.connect().execution_options(read_only=True) as conn:
            return [tuple(row) for row in conn.execute(text(sql), params)]

    def close(self) -> None:
        """Nothing to let go: the engine belongs to the backend."""
