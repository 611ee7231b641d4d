"""The backend's live side: terminals' heartbeats (presence, with a time-to-live) and the phone system's call
events, each ringing call offered to an available agent of the account by its routing policy ([routing]
settings): the longest idle, or weighted by the agents' ratings of the last 30 days with a cap on idling."""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import Engine, and_, select, text

from agentdesk.config import RoutingSettings
from agentdesk.domain import phones
from agentdesk.domain.call_events import CallEventRefused, CallEventType, next_state
from agentdesk.domain.routing import Candidate, RoutingPolicy, middle_rating, pick
from agentdesk.server.db import writing
from agentdesk.server.ratings import overall, rating_tallies
from agentdesk.server.schema import call_event, live_call, presence
from agentdesk.server.sync import Caller, SyncRefused

PRESENCE_TTL_S = 30.0
"""A terminal not heard from for this long is shown as gone."""

_DRAW = random.Random()
"""The weighted draw of routing by rating (tests pass their own, seeded)."""


def heartbeat(engine: Engine, caller: Caller, beat: dict[str, Any], *, now: float | None = None) -> None:
    """Keep this terminal's latest state for `PRESENCE_TTL_S` seconds."""
    now = time.time() if now is None else now
    values = {**beat, "agent_id": caller.agent_id, "seen_at": now, "expires_at": now + PRESENCE_TTL_S}
    with writing(engine) as conn:
        old = conn.execute(select(presence.c.agent_state, presence.c.state_since)
                           .where(presence.c.agent_id == caller.agent_id)).first()
        values["state_since"] = old.state_since if old is not None and old.agent_state == beat["agent_state"] else now
        if old is None:
            conn.execute(presence.insert().values(**values))
        else:
            conn.execute(presence.update().where(presence.c.agent_id == caller.agent_id).values(**values))


def floor(engine: Engine, caller: Caller, *, now: float | None = None) -> list[dict[str, Any]]:
    """Every terminal heard from within its time-to-live (supervisors and admins only)."""
    if caller.role not in ("supervisor", "admin"):
        raise SyncRefused(403, "supervisors_only", "Only supervisors see the floor.")
    now = time.time() if now is None else now
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT p.*, a.name FROM presence p LEFT JOIN agent a ON a.id = p.agent_id"
                 " WHERE p.expires_at > :now ORDER BY a.name, p.agent_id"), {"now": now}
        ).mappings().all()
    return [dict(r) for r in rows]


@dataclass(frozen=True, slots=True)
class CallEventOutcome:
    call_id: str
    state: str
    offered_to: str | None
    duplicate: bool


def take_call_event(engine: Engine, event: dict[str, Any], *, now: float | None = None,
                    routing: RoutingSettings | None = None, rng: random.Random | None = None) -> CallEventOutcome:
    """Apply one phone-system event (idempotent by `event_id`); `SyncRefused` 409 for an impossible move,
    422 for a ringing call to a number no account answers on. A ringing call is offered by the account's policy
    in `routing` (default: longest idle)."""
    now = time.time() if now is None else now
    routing = RoutingSettings() if routing is None else routing
    kind = CallEventType(event["type"])
    with writing(engine) as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(hashtext(:c))"), {"c": event["call_id"]})
        seen = conn.execute(select(call_event.c.event_id).where(call_event.c.event_id == event["event_id"])).first()
        call = conn.execute(select(live_call).where(live_call.c.call_id == event["call_id"])).first()
        if seen is not None:
            return CallEventOutcome(event["call_id"], call.state if call else "unknown",
                                    call.offered_to if call else None, True)
        try:
            state = next_state(call.state if call is not None else None, kind)
        except CallEventRefused as error:
            raise SyncRefused(409, "impossible_call_event", f"Event {event['event_id']}: {error}.") from None
        offered_to = call.offered_to if call is not None else None
        if kind is CallEventType.RINGING:
            account_id = _account_for(conn, event)
            offered_to = _offer(conn, account_id, now, routing, rng or _DRAW)
            conn.execute(live_call.insert().values(
                call_id=event["call_id"], account_id=account_id, caller_number=event.get("caller_number") or "",
                dialled_number=event.get("dialled_number") or "", ivr_choice=event.get("ivr_choice"),
                state=state, offered_to=offered_to, rang_at=event["at"], updated_at=event["at"],
            ))
        else:
            conn.execute(live_call.update().where(live_call.c.call_id == event["call_id"])
                         .values(state=state, updated_at=event["at"]))
        conn.execute(call_event.insert().values(event_id=event["event_id"], call_id=event["call_id"],
                                                type=kind.value, at=event["at"]))
    return CallEventOutcome(event["call_id"], state, offered_to, False)


def _account_for(conn: Any, event: dict[str, Any]) -> str:
    if event.get("account_id"):
        found = conn.execute(text("SELECT id FROM account WHERE id = :a"), {"a": event["account_id"]}).scalar()
    else:
        number = phones.normalize(event.get("dialled_number") or "", "US") or ""
        found = conn.execute(text("SELECT id FROM account WHERE phone_number = :n"), {"n": number}).scalar()
    if found is None:
        raise SyncRefused(422, "unknown_account", "No account answers on that number; the call was not taken.")
    return str(found)


def _offer(conn: Any, account_id: str, now: float, routing: RoutingSettings, rng: random.Random) -> str | None:
    """The agent a ringing call of the account goes to, by the account's policy; None when nobody is free."""
    policy = RoutingPolicy(routing.policy_for(account_id))
    candidates = _free_agents(conn, account_id, now)
    middle = None
    if policy is RoutingPolicy.RATING and candidates:
        averages = rating_averages(conn, account_id, now)
        candidates = [replace(c, rating=averages.get(c.agent_id)) for c in candidates]
        middle = middle_rating(list(averages.values()))
    return pick(candidates, now=now, policy=policy, cap_seconds=routing.idle_cap_seconds, rng=rng, middle=middle)


def _free_agents(conn: Any, account_id: str, now: float) -> list[Candidate]:
    """The account's available agents with no call ringing or going on, and since when each is idle."""
    busy = select(live_call.c.offered_to).where(
        and_(live_call.c.offered_to.is_not(None), live_call.c.state != "ended"))
    rows = conn.execute(
        text("SELECT p.agent_id, p.state_since FROM presence p JOIN agent_account aa ON aa.agent_id = p.agent_id"
             " WHERE aa.account_id = :a AND p.agent_state = 'available' AND p.call_state = 'idle'"
             " AND p.expires_at > :now ORDER BY p.state_since, p.agent_id"),
        {"a": account_id, "now": now},
    ).all()
    taken = set(conn.execute(busy).scalars())
    return [Candidate(agent, float(since)) for agent, since in rows if agent not in taken]


def rating_averages(conn: Any, account_id: str, now: float) -> dict[str, float]:
    """Each rated agent of the account: the average score of the last 30 days, quality control's and
    customers' together, over all the agent's accounts (`ratings.rating_tallies`)."""
    averages = {agent: overall(by_source) for agent, by_source in rating_tallies(conn, now, account_id).items()}
    return {agent: average for agent, average in averages.items() if average is not None}


def offers_for(engine: Engine, caller: Caller) -> list[dict[str, Any]]:
    """Ringing calls offered to the caller's terminal, oldest first."""
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT c.call_id, c.caller_number, coalesce(a.phone_number, c.dialled_number) AS dialled_number,"
                 " c.rang_at, c.account_id, c.ivr_choice FROM live_call c LEFT JOIN account a ON a.id = c.account_id"
                 " WHERE c.offered_to = :me AND c.state = 'ringing' ORDER BY c.rang_at"),
            {"me": caller.agent_id},
        ).mappings().all()
    return [dict(r) for r in rows]
