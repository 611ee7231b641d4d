"""Presence: each terminal's heartbeat (agent and call state, unsynced work), and the floor as supervisors see it."""

from typing import Any, Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import Response

from agentdesk.server import live
from agentdesk.server.deps import CallerDep, EngineDep
from agentdesk.server.fields import ID, STAMP

router = APIRouter()


class Heartbeat(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    client_group_id: ID
    agent_state: Literal["available", "on call", "wrap-up", "away"]
    call_state: Literal["idle", "ringing", "on call", "on hold"]
    unsynced: int = Field(ge=0, le=10_000_000)
    oldest_unsynced_s: int | None = Field(default=None, ge=0, le=10**9)
    last_push_at: STAMP | None = None
    last_pull_at: STAMP | None = None


# The handlers keep no docstring: FastAPI would publish it as the operation's description in the OpenAPI document.

@router.post("/presence", status_code=204)
def beat(body: Heartbeat, who: CallerDep, engine: EngineDep, request: Request) -> Response:
    live.heartbeat(engine, who, body.model_dump())
    floor = getattr(request.app.state, "floor", None)  # the live floor, once a monitor or a desk's event made it
    if floor is not None:
        floor.heard_from(who, body.unsynced, body.last_push_at)
    return Response(status_code=204)


@router.get("/presence")
def the_floor(who: CallerDep, engine: EngineDep) -> list[dict[str, Any]]:
    return live.floor(engine, who)
