"""The clock job of allocation: the open written cases of an agent absent past `away_minutes` move to agents on
the floor, so nothing waits in an absent agent's queue.

Absent: away (the desk says so) since longer than `away_minutes`, or offline — the desk not heard from (its
presence expired) since longer than that, or never heard from on this backend. Only front-line agents' cases
move (a case a supervisor holds was put there by a person); only written ones (e-mail, chat, SMS, web form) in
new, open or escalated. Each goes, by the rules of `agentdesk.server.allocation`, to an agent of its account on
the floor with room — never to someone else away or offline; with nobody there it stays where it is (and is
looked at again next minute). Each move is an assignment and a note ("Moved from Mia Chen, away since 10:12, to
Ravi Shah: fewest open cases (3)"), one version for the round, which terminals pull.

The guard against cases bouncing: a case moved is not moved again until `away_minutes` have passed since (its
new owner was on the floor when it came, so they are absent past the limit only after that anyway, whatever a
desk's late heartbeat says). The moves are kept in the backend's own table `allocation_move` (never pulled).
"""

from __future__ import annotations

import threading
import uuid
import weakref
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import Column, Connection, Engine, Index, MetaData, String, Table, text

from agentdesk.clock import iso
from agentdesk.config import AllocationSettings
from agentdesk.domain.text import one_line
from agentdesk.localstore.errors import StoreError
from agentdesk.server.allocation import Agent, choose, customer_language, give, on_the_floor, staff, words_found
from agentdesk.server.db import writing

MAX_MOVES = 500
"""At most this many cases are moved in one round (the rest next minute): one round stays one short transaction."""

allocation_metadata = MetaData()
allocation_move = Table(
    "allocation_move", allocation_metadata,
    Column("id", String(64), primary_key=True),
    Column("ticket_id", String(64), nullable=False),
    Column("from_agent_id", String(64), nullable=False),
    Column("to_agent_id", String(64), nullable=False),
    Column("moved_at", String(40), nullable=False),
    Index("allocation_move_ticket", "ticket_id", "moved_at"),
)
"""Each case moved from an absent agent: the guard's memory (the ticket's own history is its note)."""

_LOCK = threading.Lock()
_READY: weakref.WeakSet[Engine] = weakref.WeakSet()

_ABSENT_CASES = text(
    "SELECT t.id, t.account_id, t.customer_id, t.subject, t.assignee_id, a.name, p.agent_state, p.state_since,"
    " p.seen_at, p.expires_at, ac.time_zone,"
    " (SELECT m.body FROM ticket_message m WHERE m.ticket_id = t.id AND m.kind = 'customer'"
    "  ORDER BY m.created_at, m.id LIMIT 1) AS first_words"
    " FROM ticket t JOIN agent a ON a.id = t.assignee_id JOIN account ac ON ac.id = t.account_id"
    " LEFT JOIN presence p ON p.agent_id = t.assignee_id"
    " WHERE t.status IN ('new', 'open', 'escalated') AND t.channel IN ('email', 'chat', 'sms', 'web_form')"
    " AND a.role IN ('agent', 'senior')"
    " AND (p.agent_id IS NULL OR (p.expires_at <= :now AND p.seen_at <= :cutoff)"
    "      OR (p.expires_at > :now AND p.agent_state = 'away' AND p.state_since <= :cutoff))"
    " AND NOT EXISTS (SELECT 1 FROM allocation_move g WHERE g.ticket_id = t.id AND g.moved_at > :recent)"
    " ORDER BY coalesce(t.awaiting_since, t.created_at), t.id LIMIT :most")


def ensure_allocation_schema(engine: Engine) -> None:
    """Make the backend's allocation table if missing (idempotent)."""
    with _LOCK:
        if engine in _READY:
            return
        with engine.begin() as conn:
            if conn.dialect.name == "postgresql":  # two backends starting together: one after the other
                conn.execute(text("SELECT pg_advisory_xact_lock(hashtext('agentdesk.allocation_schema'))"))
            allocation_metadata.create_all(conn)
        _READY.add(engine)


def _clock(at: float, zone: str | None, now: datetime) -> str:
    """A moment as the account's people read it: 10:12, or 21 Nov 10:12 when not today."""
    try:
        tz = ZoneInfo(zone) if zone else UTC
    except (ZoneInfoNotFoundError, ValueError):
        tz = UTC
    moment, today = datetime.fromtimestamp(at, tz), now.astimezone(tz)
    shown = moment.strftime("%H:%M") if moment.date() == today.date() else moment.strftime("%d %b %H:%M")
    return shown if tz is not UTC else f"{shown} UTC"


def _absence(state: str | None, since: float | None, seen: float | None, expires: float | None, now_s: float,
             zone: str | None, now: datetime) -> str:
    if state is None or seen is None or expires is None or since is None:
        return "offline (not seen on the floor)"
    if expires <= now_s:
        return f"offline since {_clock(seen, zone, now)}"
    return f"away since {_clock(since, zone, now)}"


def move_from_absent(engine: Engine, settings: AllocationSettings | None, now: datetime | None = None) -> int:
    """One round of the job (see the module's words); how many cases moved."""
    if settings is None or not settings.enabled:
        return 0
    ensure_allocation_schema(engine)
    now = now or datetime.now(UTC)
    now_s = now.timestamp()
    cutoff = now_s - settings.away_minutes * 60
    at = iso(now)
    moved, bumped = 0, False
    with writing(engine) as conn:
        cases = conn.execute(_ABSENT_CASES, {"now": now_s, "cutoff": cutoff, "most": MAX_MOVES,
                                             "recent": iso(now - timedelta(minutes=settings.away_minutes))}).all()
        floors: dict[str, list[Agent]] = {}
        for case in cases:
            if case.account_id not in floors:
                floors[case.account_id] = staff(conn, case.account_id, now_s, settings)
            agents = floors[case.account_id]
            hits = words_found(settings, case.account_id, f"{case.subject}\n{case.first_words or ''}")
            choice = choose(on_the_floor(agents, settings, leaving=case.assignee_id), hits=hits,
                            language=customer_language(conn, case.customer_id), settings=settings)
            if choice is None:
                continue
            if not bumped:  # one version for the round's moves, as a push
                conn.execute(text("UPDATE sync_state SET version = version + 1 WHERE id = 1"))
                bumped = True
            absence = _absence(case.agent_state, case.state_since, case.seen_at, case.expires_at, now_s,
                               case.time_zone, now)
            note = f"Moved from {one_line(str(case.name), 60)}, {absence}, to {choice.agent.name}: {choice.reason}"
            if _move(conn, case.id, case.assignee_id, choice.agent.agent_id, note, at):
                moved += 1
                choice.agent.open_cases += 1
                for agent in agents:
                    if agent.agent_id == case.assignee_id:
                        agent.open_cases -= 1
    return moved


def _move(conn: Connection, ticket_id: str, from_agent: str, to_agent: str, note: str, at: str) -> bool:
    """Give the case to `to_agent` with its note and remember the move; False (nothing written) when the ticket
    rules refuse it."""
    savepoint = conn.begin_nested()
    try:
        give(conn, ticket_id, to_agent, note, at)
    except StoreError:
        savepoint.rollback()
        return False
    conn.execute(allocation_move.insert().values(id=str(uuid.uuid4()), ticket_id=ticket_id, from_agent_id=from_agent,
                                                 to_agent_id=to_agent, moved_at=at))
    savepoint.commit()
    return True
