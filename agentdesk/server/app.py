"""The central backend's HTTP API (FastAPI): sync push and pull, health; every request signed in.

Built by `create_app(engine)`, no globals. Bodies are bounded twice: by size before they are parsed (413) and
field by field in the schemas (422). A database failure is 503 with `Retry-After`; nothing half-applied.
"""


import asyncio
import hashlib
import json
import os
import shutil
import tempfile
import time
from collections import deque
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import Depends, FastAPI, Header, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Engine, bindparam, select, text
from sqlalchemy.exc import DBAPIError
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from agentdesk.models import Agent, AgentAccount
from agentdesk.server import live
from agentdesk.server import sync as engine_sync
from agentdesk.server.jobs import run_jobs
from agentdesk.server.recordings import recordings_router
from agentdesk.server.schema import agent_token

MAX_BODY_BYTES = 4 * 1024 * 1024
MAX_BATCH = 500
AUTH_CACHE_S = 10.0
"""A sign-in, once checked, is trusted this long (a token or role taken away takes effect within this time;
accounts are checked on every request)."""
HINT_POLL_S = 0.25
"""How often the hint stream looks at the version (PostgreSQL LISTEN/NOTIFY would make this a wait)."""
ID = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")]


class Mutation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: int = Field(ge=1, le=2**53)
    name: str = Field(min_length=3, max_length=120)
    args: dict[str, Any]


class PushRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    client_group_id: ID
    client_id: ID
    mutations: list[Mutation] = Field(max_length=MAX_BATCH)


class PushResponse(BaseModel):
    last_mutation_id: int
    applied: int
    rejected: int
    skipped: int


class PullRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    client_group_id: ID
    cookie: int | None = Field(default=None, ge=0, le=2**62)
    epoch: str | None = Field(default=None, max_length=64)


class SnapshotRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    client_group_id: ID
    format: Literal["lines", "sqlite"] = "lines"
    """`sqlite`: the copy as an SQLite file (an SQLite backend only; any other answers with JSON lines)."""


class PullResponse(BaseModel):
    cookie: int
    epoch: str
    reset: bool
    accounts: list[str] | None
    last_mutation_id: int
    changes: list[dict[str, Any]]
    results: list[dict[str, Any]]
    more: bool


TEXT32 = Annotated[str, Field(max_length=32)]
STAMP = Annotated[str, Field(min_length=1, max_length=40)]
PHONE = Annotated[str, Field(max_length=64)]


class Heartbeat(BaseModel):
    model_config = ConfigDict(extra="forbid")

    client_group_id: ID
    agent_state: Literal["available", "on call", "wrap-up", "away"]
    call_state: Literal["idle", "ringing", "on call", "on hold"]
    unsynced: int = Field(ge=0, le=10_000_000)
    oldest_unsynced_s: int | None = Field(default=None, ge=0, le=10**9)
    last_push_at: STAMP | None = None
    last_pull_at: STAMP | None = None


class CallEvent(BaseModel):
    model_config = ConfigDict(extra="forbid")

    event_id: ID
    call_id: ID
    type: Literal["ringing", "answered", "held", "resumed", "ended"]
    at: STAMP
    caller_number: PHONE | None = None
    dialled_number: PHONE | None = None
    account_id: ID | None = None
    ivr_choice: TEXT32 | None = None


class CallEventAnswer(BaseModel):
    call_id: str
    state: str
    offered_to: str | None
    duplicate: bool


class Me(BaseModel):
    agent_id: str
    name: str
    role: str
    accounts: list[str] | None


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class _BodyLimit:
    """Refuse bodies over `MAX_BODY_BYTES` with 413, by the declared length or while the body streams in
    (plain ASGI, so every request does not pay for a middleware framework)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > MAX_BODY_BYTES):
            await _too_large(send)
            return
        seen = 0
        answered = False

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > MAX_BODY_BYTES:
                    raise _TooLarge
            return message

        async def sending(message: Message) -> None:
            nonlocal answered
            answered = True
            await send(message)

        try:
            await self.app(scope, counted, sending)
        except _TooLarge:
            if not answered:
                await _too_large(send)


class _TooLarge(Exception):
    pass


async def _too_large(send: Send) -> None:
    body = json.dumps({"code": "too_large", "detail": f"At most {MAX_BODY_BYTES} bytes per request."}).encode()
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


KEEPALIVE_S = 15.0


class _VersionWatch:
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


def create_app(engine: Engine, *, jobs: bool = False) -> FastAPI:
    """The backend on `engine` (its schema must exist: `agentdesk server init`); `jobs` runs the backend's
    clock work (ticket escalation) while it serves."""

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        task = asyncio.create_task(run_jobs(engine)) if jobs else None
        try:
            yield
        finally:
            if task is not None:
                task.cancel()

    app = FastAPI(title="AgentDesk backend", version="1", lifespan=lifespan)
    app.add_middleware(_BodyLimit)

    known: dict[str, tuple[float, str, str]] = {}  # token digest → (good until, agent id, role)

    def _digest(authorization: str | None) -> str:
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not 16 <= len(token) <= 200:
            raise engine_sync.SyncRefused(401, "signed_out", "Sign in first: `agentdesk login`.")
        return token_digest(token)

    def _cached(digest: str) -> tuple[str, str] | None:
        cached = known.get(digest)
        return (cached[1], cached[2]) if cached is not None and cached[0] > time.monotonic() else None

    def _identify(digest: str) -> tuple[str, str]:
        """(agent id, role) of a sign-in, checked against the database at most every AUTH_CACHE_S."""
        found = _cached(digest)
        if found is not None:
            return found
        with engine.connect().execution_options(read_only=True) as conn:
            agent_id, role = _signed_in(conn, digest)
        if len(known) > 10_000:
            known.clear()
        known[digest] = (time.monotonic() + AUTH_CACHE_S, agent_id, role)
        return agent_id, role

    accounts_of = select(AgentAccount.account_id).where(AgentAccount.agent_id == bindparam("agent"))  # type: ignore[arg-type]

    def _caller_of(identity: tuple[str, str]) -> engine_sync.Caller:
        """The caller with the accounts the agent works for now, read on every request (an account taken away
        stops at once)."""
        if identity[1] in ("admin", "supervisor"):
            return engine_sync.Caller(agent_id=identity[0], role=identity[1], accounts=None)
        with engine.connect().execution_options(read_only=True) as conn:
            return _caller_in(identity)(conn)

    def _caller_in(identity: tuple[str, str]) -> engine_sync.CallerOf:
        """`_caller_of`, read in the request's own transaction."""
        agent_id, role = identity

        def read(conn: Any) -> engine_sync.Caller:
            if role in ("admin", "supervisor"):
                return engine_sync.Caller(agent_id=agent_id, role=role, accounts=None)
            accounts = frozenset(conn.execute(accounts_of, {"agent": agent_id}).scalars())
            return engine_sync.Caller(agent_id=agent_id, role=role, accounts=accounts)

        return read

    def caller(authorization: Annotated[str | None, Header()] = None) -> engine_sync.Caller:
        """Who is asking: the sign-in and, on every request, the accounts the agent works for now."""
        return _caller_of(_identify(_digest(authorization)))

    async def signed_in(authorization: Annotated[str | None, Header()] = None) -> tuple[str, str]:
        """The sign-in alone, checked before the body is read; from memory when it was seen lately, so push and
        pull make a single trip to the thread pool."""
        digest = _digest(authorization)
        return _cached(digest) or await run_in_threadpool(_identify, digest)

    def _signed_in(conn: Any, digest: str) -> tuple[str, str]:
        agent_id = conn.execute(select(agent_token.c.agent_id).where(agent_token.c.token_hash == digest)).scalar()
        if agent_id is None:
            raise engine_sync.SyncRefused(401, "signed_out", "This sign-in is not valid any more: sign in again.")
        role = conn.execute(select(Agent.role).where(Agent.id == agent_id)).scalar()  # type: ignore[arg-type]
        if role is None:
            raise engine_sync.SyncRefused(403, "no_agent", "This sign-in's agent no longer exists.")
        return str(agent_id), str(role)

    @app.exception_handler(engine_sync.SyncRefused)
    async def refused(_request: Request, error: engine_sync.SyncRefused) -> JSONResponse:
        return JSONResponse({"code": error.code, "detail": str(error), **error.extra}, status_code=error.status)

    @app.exception_handler(engine_sync.Unavailable)
    async def unavailable(_request: Request, error: engine_sync.Unavailable) -> JSONResponse:
        return JSONResponse({"code": "unavailable", "detail": str(error)}, status_code=503,
                            headers={"Retry-After": "2"})

    @app.exception_handler(DBAPIError)
    async def database_down(_request: Request, _error: DBAPIError) -> JSONResponse:
        return JSONResponse({"code": "unavailable", "detail": "The backend's database is not answering."},
                            status_code=503, headers={"Retry-After": "2"})

    app.include_router(recordings_router(engine, caller))

    @app.get("/auth/me", response_model=Me)
    def me(who: Annotated[engine_sync.Caller, Depends(caller)]) -> Me:
        with engine.connect().execution_options(read_only=True) as conn:
            name = conn.execute(select(Agent.name).where(Agent.id == who.agent_id)).scalar() or ""  # type: ignore[arg-type]
        return Me(agent_id=who.agent_id, name=name, role=who.role,
                  accounts=sorted(who.accounts) if who.accounts is not None else None)

    watch = _VersionWatch(engine)

    @app.get("/sync/hints")
    async def hints(who: Annotated[engine_sync.Caller, Depends(caller)]) -> StreamingResponse:
        """Server-sent events: a `poke` whenever rows of the caller's accounts (or global rows) change; data
        travels by pull only."""

        async def stream() -> AsyncIterator[str]:
            seen = await watch.join()
            try:
                yield ": connected\n\n"
                while True:  # until the terminal goes: the response then cancels this stream
                    moved = await watch.after(seen, KEEPALIVE_S)
                    if moved is None:
                        yield ": still here\n\n"
                        continue
                    changed, seen = moved
                    if watch.concerns(changed, who.accounts):
                        yield f"event: poke\ndata: {seen}\n\n"
            finally:
                watch.leave()

        return StreamingResponse(stream(), media_type="text/event-stream", headers={"Cache-Control": "no-store"})

    @app.post("/presence", status_code=204)
    def beat(body: Heartbeat, who: Annotated[engine_sync.Caller, Depends(caller)]) -> Response:
        live.heartbeat(engine, who, body.model_dump())
        return Response(status_code=204)

    @app.get("/presence")
    def the_floor(who: Annotated[engine_sync.Caller, Depends(caller)]) -> list[dict[str, Any]]:
        return live.floor(engine, who)

    @app.post("/calls/events", response_model=CallEventAnswer)
    def call_events(body: CallEvent, who: Annotated[engine_sync.Caller, Depends(caller)]) -> CallEventAnswer:
        if who.role != "admin":
            raise engine_sync.SyncRefused(403, "phone_system_only", "Call events come from the phone system's sign-in.")
        if body.type == "ringing" and not (body.dialled_number or body.account_id):
            raise engine_sync.SyncRefused(422, "no_account", "A ringing event needs dialled_number or account_id.")
        outcome = live.take_call_event(engine, body.model_dump())
        return CallEventAnswer(call_id=outcome.call_id, state=outcome.state, offered_to=outcome.offered_to,
                               duplicate=outcome.duplicate)

    @app.get("/calls/offered")
    def offered(who: Annotated[engine_sync.Caller, Depends(caller)]) -> list[dict[str, Any]]:
        return live.offers_for(engine, who)

    @app.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    # Push and pull do all their blocking work (sign-in, accounts, the transaction, encoding the answer) in one
    # trip to the thread pool: a sync dependency plus a sync endpoint plus response validation would be several
    # trips per request, and under 200 terminals those hand-offs, not the database, were most of the latency.

    @app.post("/sync/push", response_model=PushResponse)
    async def push(body: PushRequest, identity: Annotated[tuple[str, str], Depends(signed_in)]) -> Response:
        def work() -> bytes:
            batch = [engine_sync.PushedMutation(m.id, m.name, m.args) for m in body.mutations]
            outcome = engine_sync.push(engine, _caller_in(identity), body.client_group_id, batch)
            return PushResponse(last_mutation_id=outcome.last_mutation_id, applied=outcome.applied,
                                rejected=outcome.rejected, skipped=outcome.skipped).model_dump_json().encode()

        return Response(await run_in_threadpool(work), media_type="application/json")

    @app.post("/sync/pull", response_model=PullResponse)
    async def pull(body: PullRequest, identity: Annotated[tuple[str, str], Depends(signed_in)]) -> Response:
        def work(quick: bool = False) -> bytes | None:
            answer = engine_sync.pull(engine, _caller_in(identity), body.client_group_id, body.cookie, body.epoch,
                                      quick=quick)
            # Encoded from each change's ready-made JSON (shared by all terminals), not through the model.
            return answer.encode() if answer is not None else None

        # On SQLite a pull from a recent cookie is a few small local reads: answered here, on the event loop.
        # Through a worker thread the hand-off cost more than the pull, and 200 terminals' pulls on as many
        # threads kept pushes waiting for the interpreter. Anything bigger goes to a worker thread.
        answer = work(quick=True) if quick_pulls else None
        if answer is None:
            answer = await run_in_threadpool(work)
        return Response(answer, media_type="application/json")

    quick_pulls = engine.dialect.name == "sqlite"

    @app.post("/sync/snapshot", response_class=StreamingResponse, responses={200: {
        "description": "JSON lines: a header like a pull's answer, then `{table, columns, rows}` chunks of the"
                       " caller's partitions, then `{end: true, rows}`. Asked with `format: sqlite`, an SQLite"
                       " backend answers with an SQLite file instead: a table per synced table (the caller's"
                       " partitions) and `snapshot_header` (one row, `body`: the header as JSON).",
        "content": {"application/x-ndjson": {}, engine_sync.SNAPSHOT_FILE_TYPE: {}}}})
    async def snapshot(body: SnapshotRequest, identity: Annotated[tuple[str, str], Depends(signed_in)]) -> Response:
        """A new terminal's first copy of its partitions in one answer (far faster than paging the change log);
        afterwards it pulls from the header's cookie."""
        if body.format == "sqlite" and engine.dialect.name == "sqlite":
            folder = tempfile.mkdtemp(prefix="agentdesk-copy-")

            def build() -> str:
                return str(engine_sync.snapshot_file(engine, _caller_of(identity), body.client_group_id,
                                                     Path(folder)))

            try:
                handle = open(await run_in_threadpool(build), "rb")  # noqa: SIM115 - closed by `chunks`
            finally:
                # Gone from the disk at once; the open handle still reads it, so nothing is left behind
                # however the sending ends (a terminal that disconnects, a backend that stops).
                shutil.rmtree(folder, ignore_errors=True)
            size = os.fstat(handle.fileno()).st_size

            def chunks() -> Iterator[bytes]:
                with handle:
                    while data := handle.read(1 << 20):
                        yield data

            return StreamingResponse(chunks(), media_type=engine_sync.SNAPSHOT_FILE_TYPE,
                                     headers={"Cache-Control": "no-store", "Content-Length": str(size)})

        def start() -> Iterator[bytes]:
            return engine_sync.snapshot(engine, _caller_of(identity), body.client_group_id)

        return StreamingResponse(await run_in_threadpool(start), media_type="application/x-ndjson",
                                 headers={"Cache-Control": "no-store"})

    return app
