"""The backend's live side: terminals' heartbeats (presence, with a time-to-live) and the phone system's call
events, each ringing call offered to an available agent of the account by its routing policy ([routing]
settings): the longest idle, or weighted by the agents' ratings of the last 30 days with a cap on idling. The
candidates are first narrowed to the agents with the skill the caller chose in the account's phone menu
(`account.ivr_menu`) who speak the caller's language (a known customer's), as `routing.suited` lets go."""

from __future__ import annotations

import json
import random
import time
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import Engine, select, text

from agentdesk.config import RoutingSettings
from agentdesk.domain import phones
from agentdesk.domain.call_events import CallEventRefused, CallEventType, next_state
from agentdesk.domain.routing import Candidate, RoutingPolicy, language_code, middle_rating, pick, suited
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
            offered_to = _offer(conn, account_id, event, now, routing, rng or _DRAW)
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


def _offer(conn: Any, account_id: str, event: dict[str, Any], now: float, routing: RoutingSettings,
           rng: random.Random) -> str | None:
    """The agent a ringing call of the account goes to, by the account's policy; None when nobody is free."""
    policy = RoutingPolicy(routing.policy_for(account_id))
    free, menu, language = _free_agents(conn, account_id, event.get("caller_number") or "", now)
    skill = menu.get((event.get("ivr_choice") or "").strip())
    candidates = suited(free, skill=skill, language=language)
    middle = None
    if policy is RoutingPolicy.RATING and candidates:
        averages = rating_averages(conn, account_id, now)
        candidates = [replace(c, rating=averages.get(c.agent_id)) for c in candidates]
        middle = middle_rating(list(averages.values()))
    return pick(candidates, now=now, policy=policy, cap_seconds=routing.idle_cap_seconds, rng=rng, middle=middle)


_FREE_AGENTS = text(
    "SELECT p.agent_id, p.state_since, a.skills, a.languages, acc.ivr_menu,"
    " (SELECT c.language FROM customer_phone cp JOIN customer c ON c.id = cp.customer_id"
    "   WHERE cp.e164 = :caller AND cp.account_id = :a ORDER BY c.id LIMIT 1) AS caller_language"
    " FROM presence p JOIN agent_account aa ON aa.agent_id = p.agent_id JOIN agent a ON a.id = p.agent_id"
    " JOIN account acc ON acc.id = aa.account_id"
    " WHERE aa.account_id = :a AND p.agent_state = 'available' AND p.call_state = 'idle' AND p.expires_at > :now"
    " AND NOT EXISTS (SELECT 1 FROM live_call lc WHERE lc.offered_to = p.agent_id AND lc.state <> 'ended')"
    " ORDER BY p.state_since, p.agent_id"
)


def _free_agents(conn: Any, account_id: str, caller_number: str,
                 now: float) -> tuple[list[Candidate], dict[str, str], str | None]:
    """In one query: the account's available agents with no call ringing or going on (since when each is idle,
    their skills and languages), the account's phone menu, and the caller's language when the caller is a known
    customer of the account (found by the number in E.164)."""
    caller = phones.normalize(caller_number, "US") if caller_number else None
    rows = conn.execute(_FREE_AGENTS, {"a": account_id, "now": now, "caller": caller}).all()
    if not rows:
        return [], {}, None
    menu = _json(rows[0].ivr_menu, dict)
    free = [Candidate(row.agent_id, float(row.state_since),
                      skills=frozenset(w for w in _json(row.skills, list) if isinstance(w, str)),
                      languages=frozenset(language_code(w) for w in _json(row.languages, list) if isinstance(w, str)))
            for row in rows]
    language = rows[0].caller_language
    return free, {str(k): v for k, v in menu.items() if isinstance(v, str)}, language or None


def _json(raw: str | None, kind: type) -> Any:
    """A stored JSON value of the expected kind; an empty one of that kind when it is missing or not readable."""
    try:
        value = json.loads(raw or "")
    except ValueError:
        return kind()
    return value if isinstance(value, kind) else kind()


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
