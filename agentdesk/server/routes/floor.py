"""The floor: the desks' state changes in, and for supervisors a snapshot and a live stream (server-sent events:
a snapshot on connect, then the changes) of their accounts' agents and queues."""

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field, field_validator
from starlette.responses import Response

from agentdesk.clock import parse_iso
from agentdesk.server.deps import CallerDep, EngineDep
from agentdesk.server.fields import ID, STAMP
from agentdesk.server.floor import Floor
from agentdesk.server.floor_actions import Notices, act
from agentdesk.server.floor_work import Kind, move, open_work

STREAM_TICK_S = 0.25
"""How often a monitor's stream looks for changes (a change reaches the board within this, plus the trip)."""
KEEPALIVE_S = 15.0

router = APIRouter()


class FloorEvent(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: Literal["available", "away", "ringing", "answered", "held", "resumed", "ended", "wrapped-up",
                  "signed-out"]
    at: STAMP
    call_id: ID | None = None
    account_id: ID | None = None
    caller: str | None = Field(default=None, max_length=80)
    reason: str | None = Field(default=None, max_length=80)
    seconds: float | None = Field(default=None, ge=0, le=86_400)
    hit_cap: bool = False
    wrap_up_seconds: float | None = Field(default=None, ge=0, le=86_400)

    @field_validator("at")
    @classmethod
    def _a_stored_stamp(cls, value: str) -> str:
        """The desk's clock as it stores times (e.g. 2026-12-03T09:30:00.000000Z); anything else is refused."""
        try:
            parse_iso(value)
        except ValueError:
            raise ValueError("`at` is not a UTC time like 2026-12-03T09:30:00.000000Z") from None
        return value


async def the_floor(request: Request) -> Floor:
    """The app's one floor, rebuilt from the database the first time anyone needs it."""
    state = request.app.state
    floor = getattr(state, "floor", None)
    if floor is None:
        building = getattr(state, "floor_building", None)
        if building is None:
            building = state.floor_building = asyncio.Lock()
        async with building:
            floor = getattr(state, "floor", None)
            if floor is None:
                made = Floor()
                await run_in_threadpool(made.rebuild, state.engine)
                floor = state.floor = made
    return floor


@router.post("/floor/events", status_code=204)
async def report(body: FloorEvent, who: CallerDep, engine: EngineDep, request: Request) -> Response:
    floor = await the_floor(request)
    if who.agent_id not in floor.agents:
        await run_in_threadpool(floor.add_agent, engine, who.agent_id)
    floor.report(who, body.model_dump())
    return Response(status_code=204)


class FloorAction(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=3, max_length=64)
    args: dict[str, str | None]


def _notices(request: Request) -> Notices:
    state = request.app.state
    if getattr(state, "floor_notices", None) is None:
        state.floor_notices = Notices()
    return state.floor_notices


@router.post("/floor/actions")
async def action(body: FloorAction, who: CallerDep, engine: EngineDep, request: Request) -> dict[str, Any]:
    floor = await the_floor(request)
    watched = await run_in_threadpool(floor.visible_to, who, engine)
    return act(floor, _notices(request), who, watched, body.name, body.args)


@router.get("/floor/notices")
async def notices(who: CallerDep, request: Request) -> list[dict[str, Any]]:
    return _notices(request).collect(who.agent_id)


@router.get("/floor/work")
async def work(who: CallerDep, engine: EngineDep, request: Request,
               account: Annotated[str | None, Query(max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")] = None,
               ) -> dict[str, Any]:
    """The escalated and overdue work of the caller's accounts (or of `account` alone), oldest first."""
    floor = await the_floor(request)
    watched = await run_in_threadpool(floor.visible_to, who, engine)
    if account is not None:
        watched = watched & {account}
    return await run_in_threadpool(open_work, engine, watched, datetime.now(UTC))


class WorkMove(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    kind: Kind
    id: ID


class WorkReassign(WorkMove):
    to_agent_id: ID


@router.post("/floor/work/reassign")
async def reassign(body: WorkReassign, who: CallerDep, engine: EngineDep, request: Request) -> dict[str, Any]:
    floor = await the_floor(request)
    watched = await run_in_threadpool(floor.visible_to, who, engine)
    return await run_in_threadpool(move, engine, who, watched, body.kind, body.id, body.to_agent_id,
                                   datetime.now(UTC))


@router.post("/floor/work/take")
async def take(body: WorkMove, who: CallerDep, engine: EngineDep, request: Request) -> dict[str, Any]:
    floor = await the_floor(request)
    watched = await run_in_threadpool(floor.visible_to, who, engine)
    return await run_in_threadpool(move, engine, who, watched, body.kind, body.id, who.agent_id, datetime.now(UTC))


@router.get("/floor")
async def snapshot(who: CallerDep, engine: EngineDep, request: Request) -> dict[str, Any]:
    floor = await the_floor(request)
    return floor.changes(await run_in_threadpool(floor.visible_to, who, engine))


@router.get("/floor/stream")
async def stream(who: CallerDep, engine: EngineDep, request: Request) -> StreamingResponse:
    floor = await the_floor(request)
    accounts = await run_in_threadpool(floor.visible_to, who, engine)

    async def events() -> AsyncIterator[bytes]:
        first = floor.changes(accounts)
        seen, quiet = first["version"], 0.0
        yield _event("snapshot", first)
        while not await request.is_disconnected():
            await asyncio.sleep(STREAM_TICK_S)
            quiet += STREAM_TICK_S
            if floor.version != seen:
                moved = floor.changes(accounts, seen)
                seen = moved["version"]
                if moved["agents"] or moved["accounts"]:
                    quiet = 0.0
                    yield _event("changes", moved)
            if quiet >= KEEPALIVE_S:
                quiet = 0.0
                yield b": still here\n\n"

    return StreamingResponse(events(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"})


def _event(kind: str, data: dict[str, Any]) -> bytes:
    return f"event: {kind}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n".encode()
