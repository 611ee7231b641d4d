"""The daily reports the backend kept, for supervisors (their own accounts) and admins: the days kept, newest
first, and one day's report as text, CSV or HTML. An account the caller does not watch answers as an unknown one
(404), so the answer never tells that it exists; agents are refused (403) as on the floor."""

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import Engine, text
from starlette.responses import Response

from agentdesk.server.daily_reports import kept_days, kept_report
from agentdesk.server.deps import CallerDep, EngineDep
from agentdesk.server.fields import ID
from agentdesk.server.sync import Caller, SyncRefused

router = APIRouter()

MEDIA = {"text": "text/plain; charset=utf-8", "csv": "text/csv; charset=utf-8", "html": "text/html; charset=utf-8"}
Day = Annotated[date, Path(description="The account's local day, e.g. 2026-11-24")]


def _watched(engine: Engine, who: Caller, account_id: str) -> None:
    """Nothing when the caller may read the account's reports; 403 for agents, 404 for an account that does not
    exist or that a supervisor does not watch."""
    if who.role not in ("admin", "supervisor"):
        raise SyncRefused(403, "supervisors_only", "Only supervisors and admins read the daily reports.")
    with engine.connect().execution_options(read_only=True) as conn:
        if who.role == "admin":
            found = conn.execute(text("SELECT 1 FROM account WHERE id = :a"), {"a": account_id}).first()
        else:
            found = conn.execute(text("SELECT 1 FROM agent_account WHERE agent_id = :s AND account_id = :a"),
                                 {"s": who.agent_id, "a": account_id}).first()
    if found is None:
        raise SyncRefused(404, "no_such_account", "There is no such account among yours.")


# The handlers keep no docstring: FastAPI would publish it as the operation's description in the OpenAPI document.

@router.get("/reports")
async def days(who: CallerDep, engine: EngineDep, account: Annotated[ID, Query()],
               before: Annotated[date | None, Query()] = None,
               limit: Annotated[int, Query(ge=1, le=366)] = 31) -> dict[str, Any]:
    await run_in_threadpool(_watched, engine, who, account)
    found = await run_in_threadpool(lambda: kept_days(engine, account, before=before, limit=limit + 1))
    return {"account_id": account, "more": len(found) > limit,
            "days": [{"day": k.day.isoformat(), "produced_at": k.produced_at} for k in found[:limit]]}


@router.get("/reports/{account_id}/{day}", response_class=Response,
            responses={200: {"content": {m.split(";")[0]: {} for m in MEDIA.values()}}, 404: {}})
async def one_day(who: CallerDep, engine: EngineDep, account_id: Annotated[ID, Path()], day: Day,
                  format: Annotated[Literal["text", "csv", "html"], Query()] = "text") -> Response:  # noqa: A002
    await run_in_threadpool(_watched, engine, who, account_id)
    page = await run_in_threadpool(kept_report, engine, account_id, day, format)
    if page is None:
        raise SyncRefused(404, "no_report", f"No report is kept for {day.isoformat()} yet: a day's report is made "
                                            "after the account's midnight.")
    return Response(page, media_type=MEDIA[format], headers={"X-Content-Type-Options": "nosniff"})
