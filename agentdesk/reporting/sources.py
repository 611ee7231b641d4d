"""Where the day's facts are read from: the backend's database (SQLite or PostgreSQL) or a terminal's local store.

Both hold the same tables (`agentdesk/models.py`), so the readers write one SQL with `:name` parameters and a
source runs it on whichever database it has.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any, Protocol


class SourceError(Exception):
    """The database cannot be read; the message is a sentence that says what to do."""


class Source(Protocol):
    """Runs read-only queries on one database."""

    label: str

    def rows(self, sql: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
        """Every row of `sql` with `params` bound by name."""
        ...

    def close(self) -> None:
        """Let the database go."""
        ...


class StoreSource:
    """A terminal's local store file, opened read-only (a report never changes what it reads)."""

    def __init__(self, path: Path) -> None:
        self.label = f"the local store at {path}"
        if not path.is_file():
            raise SourceError(f"There is no local store at {path}; give --store FILE or run `agentdesk demo` first.")
        try:
            self._conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
            self._conn.execute("SELECT count(*) FROM account").fetchone()
        except sqlite3.Error as error:
            raise SourceError(f"{path} cannot be read as a store ({error}); check the path.") from None

    def rows(self, sql: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
        """Every row of `sql`."""
        return self._conn.execute(sql, params).fetchall()

    def close(self) -> None:
        """Close the file."""
        self._conn.close()


class DatabaseSource:
    """The backend's database, by its URL or SQLite path (as `agentdesk server --database` takes it)."""

    def __init__(self, url: str) -> None:
        from sqlalchemy import inspect
        from sqlalchemy.exc import SQLAlchemyError

        from agentdesk.server.db import make_engine

        shown = url.split("@")[-1] if "://" in url else url  # never print a password written in the URL
        self.label = f"the backend database {shown}"
        if "://" not in url and not Path(url).expanduser().is_file():
            raise SourceError(f"There is no backend database at {url}; give --database with its path or URL.")
        try:
            self._engine = make_engine(url, pool_size=1)
            if not inspect(self._engine).has_table("account"):
                raise SourceError(f"{self.label} is not set up: run `agentdesk server init` first.")
        except SQLAlchemyError as error:
            raise SourceError(f"{self.label} cannot be reached ({type(error).__name__}); check --database.") from None

    def rows(self, sql: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
        """Every row of `sql`, in a read-only transaction."""
        from sqlalchemy import text

        with self._engine.connect().execution_options(read_only=True) as conn:
            return [tuple(row) for row in conn.execute(text(sql), params)]

    def close(self) -> None:
        """Close the pool."""
        self._engine.dispose()
