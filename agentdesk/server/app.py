"""The central backend's HTTP API (FastAPI): one router per area, mounted here; every request but health signed in.

Built by `create_app(engine)`, no globals: what the routes share (the engine, the sign-ins checked lately) is on
`app.state`, read by the dependencies in `agentdesk.server.deps`. Bodies are bounded twice: by size before they
are parsed (413) and field by field in the schemas (422). A database failure is 503 with `Retry-After`; nothing
half-applied. A new area is a module under `routes/` and one `include_router` line below.
"""

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime

from fastapi import FastAPI
from sqlalchemy import Engine

from agentdesk.config import AllocationSettings, RoutingSettings
from agentdesk.server.answers import SIGNED_IN_RESPONSES, answer_unreadable_requests
from agentdesk.server.damage import Damage, DamageGuard
from agentdesk.server.deps import BodyLimit, SignIns, caller, map_errors
from agentdesk.server.jobs import run_jobs
from agentdesk.server.phone_recordings import PhoneSystem
from agentdesk.server.recordings import recordings_router
from agentdesk.server.routes import auth, calls, floor, health, intake, presence, reports, survey, sync, web_form


@asynccontextmanager
async def _clock_work(app: FastAPI) -> AsyncIterator[None]:
    """The backend's clock work (ticket escalation, the daily reports due, then, once a monitor has built the floor,
    its midnight, its ticket figures and the agents' ratings) runs every minute while it serves, when the app was
    built with `jobs`."""

    def floor_tickets() -> None:
        built = getattr(app.state, "floor", None)
        if built is not None:
            built.turn_the_day()
            built.refresh_tickets(app.state.engine)
            built.refresh_ratings(app.state.engine)
            built.plan_staffing(app.state.engine)

    jobs = run_jobs(app.state.engine, then=floor_tickets, allocation=app.state.allocation) if app.state.jobs else None
    task = asyncio.create_task(jobs) if jobs is not None else None
    try:
        yield
    finally:
        if task is not None:
            task.cancel()


def create_app(
    engine: Engine, *, jobs: bool = False, routing: RoutingSettings | None = None,
    now: Callable[[], datetime] | None = None, allocation: AllocationSettings | None = None,
    phone: PhoneSystem | None = None,
) -> FastAPI:
    """The backend on `engine` (its schema must exist: `agentdesk server init`); `jobs` runs the backend's
    clock work (ticket escalation, daily reports) while it serves; `routing` is how ringing calls are offered
    (default: to the longest-idle agent); `now` is the clock written messages are stamped with on arrival;
    `allocation` the rules new written cases are given to agents by, and absent agents' cases moved (None: cases
    stay unassigned, as a backend built without the settings); `phone` how recordings kept at the phone system's own
    address are fetched (its sign-in, wait and size limit; None: no sign-in, the defaults)."""
    app = FastAPI(title="AgentDesk backend", version="1", lifespan=_clock_work)
    app.state.engine = engine
    app.state.jobs = jobs
    app.state.now = now if now is not None else (lambda: datetime.now(UTC))
    app.state.routing = routing if routing is not None else RoutingSettings()
    app.state.allocation = allocation
    app.state.sign_ins = SignIns(engine)
    app.state.damage = Damage()
    app.add_middleware(BodyLimit)
    app.add_middleware(DamageGuard, damage=app.state.damage)
    map_errors(app)
    answer_unreadable_requests(app)

    signed_in = SIGNED_IN_RESPONSES
    app.include_router(auth.router, responses=signed_in)
    app.include_router(sync.router, responses=signed_in)
    app.include_router(presence.router, responses=signed_in)
    app.include_router(calls.router, responses=signed_in)
    app.include_router(floor.router, responses=signed_in)
    app.include_router(reports.router, responses=signed_in)
    app.include_router(intake.router, responses=signed_in)
    app.include_router(health.router)
    app.include_router(survey.router)  # customers answering the survey: the token in the link is the key
    app.include_router(web_form.router)
    app.include_router(recordings_router(engine, caller, phone), responses=signed_in)
    return app
