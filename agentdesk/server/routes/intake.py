"""Written messages from the gateways: `POST /intake/messages` takes one chat, SMS or web-form message and answers
with the ticket it opened or continued. Only a gateway's credential may post (`agentdesk server token --gateway`);
an agent's sign-in is refused (403). Bad input is 422 in words, never a 500."""

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Header, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field

from agentdesk.errors import StoreError
from agentdesk.mutations.arguments import MAX_NAME_CHARS
from agentdesk.server import sync as engine_sync
from agentdesk.server.deps import EngineDep, token_of
from agentdesk.server.fields import ID, PHONE, STAMP
from agentdesk.server.gateways import gateway_named
from agentdesk.server.mail.written import MAX_TEXT_CHARS, NotTaken, WrittenMessage, account_for, take_written

router = APIRouter()

_PRINTABLE = r"^[^\x00-\x1f\x7f]*$"
SenderId = Annotated[str, Field(min_length=1, max_length=200, pattern=_PRINTABLE)]
Name = Annotated[str, Field(max_length=MAX_NAME_CHARS, pattern=_PRINTABLE)]
Email = Annotated[str, Field(min_length=3, max_length=254, pattern=r"^[^@\s]+@[^@\s]+$")]
Text = Annotated[str, Field(min_length=1, max_length=MAX_TEXT_CHARS, pattern=r"^[^\x00]*$")]


class Sender(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    message_id: SenderId
    name: Name | None = None
    phone: PHONE | None = None
    email: Email | None = None
    session_id: SenderId | None = None


class WrittenIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    channel: Literal["chat", "sms", "web_form"]
    account_id: ID | None = None
    to: Annotated[str, Field(min_length=1, max_length=254, pattern=_PRINTABLE)] | None = None
    sender: Sender
    text: Text
    subject: Name | None = None
    sent_at: STAMP | None = None


class WrittenOut(BaseModel):
    ticket_id: str
    case_number: str
    new: bool
    repeat: bool


async def _gateway(request: Request, authorization: Annotated[str | None, Header()] = None) -> str:
    digest = await token_of(authorization)
    return await run_in_threadpool(gateway_named, request.app.state.engine, digest)


Gateway = Annotated[str, Depends(_gateway)]


@router.post("/intake/messages", response_model=WrittenOut)
def written_message(body: WrittenIn, _gateway: Gateway, engine: EngineDep, request: Request) -> WrittenOut:
    if (body.account_id is None) == (body.to is None):
        raise engine_sync.SyncRefused(422, "no_account", "Say whose message it is: account_id, or to (the number"
                                      " texted or the account's address), one of them.")
    account = account_for(engine, account_id=body.account_id, to=body.to)
    if account is None:
        raise engine_sync.SyncRefused(422, "no_such_account", "There is no account with this id, number or address.")
    message = WrittenMessage(
        channel=body.channel, account_id=account, message_id=body.sender.message_id, text=body.text,
        name=body.sender.name, phone=body.sender.phone, email=body.sender.email, session_id=body.sender.session_id,
        subject=body.subject, sent_at=body.sent_at)
    try:
        taken = take_written(engine, message, now=request.app.state.now(), allocation=request.app.state.allocation)
    except NotTaken as refusal:
        raise engine_sync.SyncRefused(refusal.status, refusal.code, str(refusal)) from None
    except StoreError as refusal:  # the ticket rules refused what the message would write
        raise engine_sync.SyncRefused(422, "refused", str(refusal)[:300]) from None
    return WrittenOut(ticket_id=taken.ticket_id, case_number=taken.case_number, new=taken.new, repeat=taken.repeat)

