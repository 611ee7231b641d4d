"""Sync: push a terminal's mutations, pull the changes of its accounts, a new terminal's first copy, and the hint
stream that tells a terminal when to pull (SYNC.md)."""

import os
import shutil
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import Response

from agentdesk.server import sync as engine_sync
from agentdesk.server.deps import CallerDep, EngineDep, SignedIn, SignInsDep, TokenDigest, caller_in
from agentdesk.server.fields import ID, NAME
from agentdesk.server.watch import VersionWatch, version_watch

MAX_BATCH = 500
KEEPALIVE_S = 15.0
"""A quiet hint stream says it is still there this often (so proxies and the terminal know it is alive)."""

router = APIRouter()


class Mutation(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    id: int = Field(ge=1, le=2**53)
    name: NAME
    args: dict[str, Any]


class PushRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    client_group_id: ID
    client_id: ID
    mutations: list[Mutation] = Field(max_length=MAX_BATCH)


class PushResponse(BaseModel):
    last_mutation_id: int
    applied: int
    rejected: int
    skipped: int


class PullRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    client_group_id: ID
    cookie: int | None = Field(default=None, ge=0, le=2**62)
    epoch: ID | None = None


class SnapshotRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

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


@router.get("/sync/hints")
async def hints(who: CallerDep, watch: Annotated[VersionWatch, Depends(version_watch)]) -> StreamingResponse:
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


# Push and pull do all their blocking work (sign-in, accounts, the transaction, encoding the answer) in one
# trip to the thread pool: a sync dependency plus a sync endpoint plus response validation would be several
# trips per request, and under 200 terminals those hand-offs, not the database, were most of the latency.

@router.post("/sync/push", response_model=PushResponse)
async def push(body: PushRequest, identity: SignedIn, engine: EngineDep, digest: TokenDigest) -> Response:
    def work() -> bytes:
        batch = [engine_sync.PushedMutation(m.id, m.name, m.args) for m in body.mutations]
        outcome = engine_sync.push(engine, caller_in(identity, digest), body.client_group_id, batch)
        return PushResponse(last_mutation_id=outcome.last_mutation_id, applied=outcome.applied,
                            rejected=outcome.rejected, skipped=outcome.skipped).model_dump_json().encode()

    return Response(await run_in_threadpool(work), media_type="application/json")


@router.post("/sync/pull", response_model=PullResponse)
async def pull(body: PullRequest, identity: SignedIn, engine: EngineDep, digest: TokenDigest) -> Response:
    def work(quick: bool = False) -> bytes | None:
        answer = engine_sync.pull(engine, caller_in(identity, digest), body.client_group_id, body.cookie, body.epoch,
                                  quick=quick)
        # Encoded from each change's ready-made JSON (shared by all terminals), not through the model.
        return answer.encode() if answer is not None else None

    # On SQLite a pull from a recent cookie is a few small local reads: answered here, on the event loop.
    # Through a worker thread the hand-off cost more than the pull, and 200 terminals' pulls on as many
    # threads kept pushes waiting for the interpreter. Anything bigger goes to a worker thread.
    answer = work(quick=True) if engine.dialect.name == "sqlite" else None
    if answer is None:
        answer = await run_in_threadpool(work)
    return Response(answer, media_type="application/json")


@router.post("/sync/snapshot", response_class=StreamingResponse, responses={200: {
    "description": "JSON lines: a header like a pull's answer, then `{table, columns, rows}` chunks of the"
                   " caller's partitions, then `{end: true, rows}`. Asked with `format: sqlite`, an SQLite"
                   " backend answers with an SQLite file instead: a table per synced table (the caller's"
                   " partitions) and `snapshot_header` (one row, `body`: the header as JSON).",
    "content": {"application/x-ndjson": {}, engine_sync.SNAPSHOT_FILE_TYPE: {}}}})
async def snapshot(body: SnapshotRequest, identity: SignedIn, engine: EngineDep, sign_ins: SignInsDep,
                   digest: TokenDigest) -> Response:
    """A new terminal's first copy of its partitions in one answer (far faster than paging the change log);
    afterwards it pulls from the header's cookie."""
    if body.format == "sqlite" and engine.dialect.name == "sqlite":
        folder = tempfile.mkdtemp(prefix="agentdesk-copy-")

        def build() -> str:
            return str(engine_sync.snapshot_file(engine, sign_ins.caller_of(identity, digest), body.client_group_id,
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
        return engine_sync.snapshot(engine, sign_ins.caller_of(identity, digest), body.client_group_id)

    return StreamingResponse(await run_in_threadpool(start), media_type="application/x-ndjson",
                             headers={"Cache-Control": "no-store"})
