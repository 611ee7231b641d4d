"""Calls: the phone system's call events (ringing, answered, held, resumed, ended) and the calls offered to an agent."""

from typing import Any, Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict

from agentdesk.server import live
from agentdesk.server import sync as engine_sync
from agentdesk.server.deps import CallerDep, EngineDep
from agentdesk.server.fields import ID, PHONE, STAMP, TEXT32

router = APIRouter()


class CallEvent(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

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


@router.post("/calls/events", response_model=CallEventAnswer)
def call_events(body: CallEvent, who: CallerDep, engine: EngineDep, request: Request) -> CallEventAnswer:
    if who.role != "admin":
        raise engine_sync.SyncRefused(403, "phone_system_only", "Call events come from the phone system's sign-in.")
    if body.type == "ringing" and not (body.dialled_number or body.account_id):
        raise engine_sync.SyncRefused(422, "no_account", "A ringing event needs dialled_number or account_id.")
    outcome = live.take_call_event(engine, body.model_dump(), routing=request.app.state.routing)
    return CallEventAnswer(call_id=outcome.call_id, state=outcome.state, offered_to=outcome.offered_to,
                           duplicate=outcome.duplicate)


@router.get("/calls/offered")
def offered(who: CallerDep, engine: EngineDep) -> list[dict[str, Any]]:
    return live.offers_for(engine, who)
