"""Sign-in: who a token belongs to, for `agentdesk login` and the terminal's start."""

from fastapi import APIRouter
from pydantic import BaseModel
from sqlalchemy import select

from agentdesk.models import AgentRow
from agentdesk.server.deps import CallerDep, EngineDep

router = APIRouter()


class Me(BaseModel):
    agent_id: str
    name: str
    role: str
    accounts: list[str] | None


@router.get("/auth/me", response_model=Me)
def me(who: CallerDep, engine: EngineDep) -> Me:
    with engine.connect().execution_options(read_only=True) as conn:
        name = conn.execute(select(AgentRow.name).where(AgentRow.id == who.agent_id)).scalar() or ""  # type: ignore[arg-type]
    return Me(agent_id=who.agent_id, name=name, role=who.role,
              accounts=sorted(who.accounts) if who.accounts is not None else None)
