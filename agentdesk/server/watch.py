"""Watching the backend's version for the hint streams: one reader per process, however many terminals listen."""

import asyncio
from collections import deque

from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

HINT_POLL_S = 0.25
"""How often the hint stream looks at the version (PostgreSQL LISTEN/NOTIFY would make this a wait)."""


class VersionWatch:
    """One reader of the backend's version for every hint stream of this process: it polls every HINT_POLL_S
    while anyone listens and, when the version moved, which accounts the new versions touched (one indexed
    query), so 200 listening terminals cost one query per poll, not 200, and a terminal is poked only for its
    own accounts."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.version = -1
        # (version before, version after, accounts touched) of the latest moves
        self.moves: deque[tuple[int, int, frozenset[str | None]]] = deque(maxlen=256)
        # Resolved (and replaced) at each move: every stream waits on the same future, so a move wakes 200
        # streams at the cost of one callback each (a Condition made them take its lock one after another).
        self.moved: asyncio.Future[None] | None = None
        self.listeners = 0
        self.task: asyncio.Task[None] | None = None

    def _read(self, since: int) -> tuple[int, frozenset[str | None]]:
        with self.engine.connect().execution_options(read_only=True) as conn:
            version = int(conn.execute(text("SELECT version FROM sync_state WHERE id = 1")).scalar_one())
            if since < 0 or version == since:
                return version, frozenset()
            rows = conn.execute(text("SELECT DISTINCT account_id FROM sync_change WHERE version > :since"
                                     " AND version <= :now"), {"since": since, "now": version}).scalars()
            return version, frozenset(rows)

    async def join(self) -> int:
        self.listeners += 1
        if self.version < 0:
            self.version, _ = await run_in_threadpool(self._read, -1)
        if self.task is None or self.task.done():
            self.task = asyncio.create_task(self._poll())
        return self.version

    def leave(self) -> None:
        self.listeners -= 1

    async def _poll(self) -> None:
        while self.listeners > 0:
            await asyncio.sleep(HINT_POLL_S)
            try:
                version, accounts = await run_in_threadpool(self._read, self.version)
            except DBAPIError:
                continue  # the database is away; keep the streams open and try again
            if version != self.version:
                self.moves.append((self.version, version, accounts))
                self.version = version
                moved, self.moved = self.moved, None
                if moved is not None and not moved.done():
                    moved.set_result(None)

    async def after(self, seen: int, timeout: float) -> tuple[frozenset[str | None], int] | None:
        """Wait until the version passes `seen`: (accounts touched since `seen`, version), or None on timeout.
        When the moves since `seen` are no longer remembered, every account counts as touched."""
        if self.version == seen:
            if self.moved is None:
                self.moved = asyncio.get_running_loop().create_future()
            await asyncio.wait((self.moved,), timeout=timeout)
            if self.version == seen:
                return None
        if not self.moves or seen < self.moves[0][0]:
            return frozenset({None}), self.version
        touched: set[str | None] = set()
        for _, after, accounts in self.moves:
            if after > seen:
                touched |= accounts
        return frozenset(touched), self.version

    @staticmethod
    def concerns(changed: frozenset[str | None], accounts: frozenset[str] | None) -> bool:
        """True when a change touched one of `accounts` (None: every account) or a global row."""
        return accounts is None or None in changed or not changed.isdisjoint(accounts)


async def version_watch(request: Request) -> VersionWatch:
    """The app's one watch, made when the first terminal listens (so an app that is never asked for hints
    never polls)."""
    state = request.app.state
    watch = getattr(state, "version_watch", None)
    if watch is None:
        watch = state.version_watch = VersionWatch(state.engine)
    return watch
