"""The live floor a supervisor watches: every agent's state and the day's counters of every account, kept in
memory and moved by the desks' state-change events, rebuilt from the database when the backend starts.

The counters are not a second definition: each account keeps the day's calls as `CallFact`s (filled by the
events as they happen, or read back from the stored interactions at start-up) and its figures are
`domain.daily_figures.day_figures` over them, computed again only when a call of that account moved. So the
live service level is the report's service level, by construction, and no request rescans the interactions.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, text

from agentdesk.clock import parse_iso
from agentdesk.domain.daily_figures import CallFact, DayFacts, DayFigures, FigureRules, HoldFact, day_figures
from agentdesk.domain.tickets import OPEN_STATES, TicketFigures, ticket_figures
from agentdesk.reporting.day_reader import AccountInfo, accounts, read_day
from agentdesk.reporting.staffing_forecast import forecast
from agentdesk.server.db import EngineSource
from agentdesk.server.ratings import SOURCES, Tally, rating_tallies
from agentdesk.server.sync import Caller, SyncRefused

OFFLINE_AFTER_S = 30.0
"""A desk not heard from for this long (no event, no heartbeat) is shown offline (the presence time-to-live)."""

STATES = ("available", "ringing", "on call", "on hold", "wrap-up", "away", "offline")
EVENTS = ("available", "away", "ringing", "answered", "held", "resumed", "ended", "wrapped-up", "signed-out")


@dataclass
class AgentOnFloor:
    """One agent's row on the board."""

    agent_id: str
    name: str
    accounts: frozenset[str]
    state: str = "offline"
    since: float = 0.0
    reason: str = ""
    call_id: str | None = None
    call_account: str | None = None
    caller: str = ""
    answered_at: float | None = None
    hold_started: float | None = None
    calls_today: int = 0
    handle_seconds: float = 0.0
    holds_today: int = 0
    cap_hits_today: int = 0
    last_seen: float = 0.0
    unsynced: int = 0
    last_push_at: str | None = None
    day: date | None = None
    """The day the counters above are of, in the zone of the agent's first account (they start again at its
    midnight)."""
    ratings: dict[str, Tally] = field(default_factory=dict)
    """The agent's ratings of the last 30 days by source (refreshed from the database every minute)."""
    version: int = 0

    def as_row(self, now: float) -> dict[str, Any]:
        """What a monitor receives; `offline` when the desk has gone quiet."""
        quiet = self.state != "offline" and now - self.last_seen > OFFLINE_AFTER_S
        return {
            "agent_id": self.agent_id, "name": self.name, "accounts": sorted(self.accounts),
            "state": "offline" if quiet else self.state, "since": self.last_seen if quiet else self.since,
            "reason": self.reason, "call_id": self.call_id, "call_account": self.call_account, "caller": self.caller,
            "answered_at": self.answered_at, "hold_started": self.hold_started, "calls_today": self.calls_today,
            "aht_seconds": self.handle_seconds / self.calls_today if self.calls_today else None,
            "holds_today": self.holds_today, "cap_hits_today": self.cap_hits_today, "last_seen": self.last_seen,
            "unsynced": self.unsynced, "last_push_at": self.last_push_at,
            "ratings": {source: self.ratings.get(source, Tally()).as_row() for source in SOURCES},
        }


@dataclass
class AccountOnFloor:
    """One account's day: its calls as facts, and the figures made of them (cached until a call moves)."""

    info: AccountInfo
    calls: dict[str, CallFact] = field(default_factory=dict)
    figures: DayFigures | None = None
    figures_day: date | None = None
    tickets: TicketFigures = field(default_factory=TicketFigures)
    needed: tuple[int, ...] = ()
    """Agents needed in each local hour of `needed_day` (Erlang C on the last four same weekdays); () unknown."""
    needed_day: date | None = None
    hour: int | None = None
    """The local hour the account's row was last sent for (its agents-needed figure changes on the hour)."""
    version: int = 0

    def today(self, rules: FigureRules, now: datetime) -> DayFigures:
        day = self.info.local_today(now)
        if self.figures is None or self.figures_day != day:
            facts = DayFacts(self.info.id, self.info.name, self.info.time_zone, day, self.info.price_per_minute_cents,
                             self.info.target, calls=list(self.calls.values()))
            self.figures, self.figures_day = day_figures(facts, rules), day
        return self.figures

    def oldest_waiting(self) -> float | None:
        """When the longest-waiting call of the account first rang (epoch seconds), or None."""
        rings = [c.rang_at.timestamp() for c in self.calls.values() if c.answered_at is None and c.ended_at is None]
        return min(rings) if rings else None


class Floor:
    """The backend's one floor: agents and accounts, a version that moves with every change, and the changes
    since a version for the monitors' streams. Every method holds one lock (routes run on the event loop and
    the thread pool)."""

    def __init__(self, rules: FigureRules | None = None) -> None:
        self.rules = rules or FigureRules()
        self.agents: dict[str, AgentOnFloor] = {}
        self.accounts: dict[str, AccountOnFloor] = {}
        self.version = 0
        self.lock = threading.Lock()

    # -- start-up ------------------------------------------------------------------------------------

    def rebuild(self, engine: Engine, *, now: datetime | None = None) -> None:
        """Read the agents, their accounts and presence, and today's calls of every account from the database."""
        now = now or datetime.now(UTC)
        source = EngineSource(engine)
        with self.lock:
            for info in accounts(source):
                day = read_day(source, info, info.local_today(now), calls_only=True)
                self.accounts[info.id] = AccountOnFloor(info, {c.call_id: c for c in day.calls})
            reach: dict[str, set[str]] = {}
            for agent_id, account_id in source.rows("SELECT agent_id, account_id FROM agent_account", {}):
                reach.setdefault(str(agent_id), set()).add(str(account_id))
            for agent_id, name, role in source.rows("SELECT id, name, role FROM agent", {}):
                if role in ("agent", "senior"):
                    self.agents[str(agent_id)] = AgentOnFloor(str(agent_id), str(name),
                                                              frozenset(reach.get(str(agent_id), ())))
            for agent_id, state, call_state, since, seen, unsynced, pushed in source.rows(
                    "SELECT agent_id, agent_state, call_state, state_since, seen_at, unsynced, last_push_at"
                    " FROM presence", {}):
                agent = self.agents.get(str(agent_id))
                if agent is not None:
                    agent.state = "on hold" if call_state == "on hold" else str(state)
                    agent.since, agent.last_seen = float(since), float(seen)
                    agent.unsynced, agent.last_push_at = int(unsynced), pushed
            self._rebuild_tallies(source, now)
            for agent in self.agents.values():
                agent.day = self._agent_day(agent, now)
            self.version += 1
        self.refresh_tickets(engine, now=now)
        self.refresh_ratings(engine, now=now)
        self.plan_staffing(engine, now=now)

    def plan_staffing(self, engine: Engine, *, now: datetime | None = None) -> None:
        """Each account's agents needed per hour of its day, forecast once a day (at start-up and after its
        midnight) from the last four same weekdays; on each new local hour the account's row moves, so monitors
        see this hour's figure. The backend's jobs call this every minute."""
        now = now or datetime.now(UTC)
        source = EngineSource(engine)
        with self.lock:
            stale = [a.info for a in self.accounts.values() if a.needed_day != a.info.local_today(now)]
        plans = {}
        for info in stale:  # off the lock: four days of each account's calls are read
            day = info.local_today(now)
            hours = forecast(source, info, day, rules=self.rules).hours
            plans[info.id] = (day, tuple(h.needed.agents if h.needed else 0 for h in hours))
        with self.lock:
            for account in self.accounts.values():
                if account.info.id in plans:
                    account.needed_day, account.needed = plans[account.info.id]
                hour = now.astimezone(ZoneInfo(account.info.time_zone)).hour
                if account.info.id in plans or hour != account.hour:
                    account.hour = hour
                    self._account_moved(account)

    def _agent_day(self, agent: AgentOnFloor, now: datetime) -> date:
        first = next((self.accounts[a] for a in sorted(agent.accounts) if a in self.accounts), None)
        return first.info.local_today(now) if first is not None else now.date()

    def turn_the_day(self, now: datetime | None = None) -> None:
        """At each account's midnight its calls of the day before leave the floor (a call still ringing or on
        the line stays), and each agent's counters start again at the midnight of their first account. The
        backend's jobs call this every minute."""
        now = now or datetime.now(UTC)
        with self.lock:
            for account in self.accounts.values():
                day = account.info.local_today(now)
                old = [c.call_id for c in account.calls.values()
                       if c.ended_at is not None and account.info.local_today(c.rang_at) != day]
                for call_id in old:
                    del account.calls[call_id]
                if old:
                    self._account_moved(account)
            for agent in self.agents.values():
                day = self._agent_day(agent, now)
                if agent.day is not None and agent.day != day:
                    agent.calls_today, agent.handle_seconds, agent.holds_today, agent.cap_hits_today = 0, 0.0, 0, 0
                    self._moved(agent)
                agent.day = day

    def refresh_tickets(self, engine: Engine, *, now: datetime | None = None) -> None:
        """Count every account's open tickets again from the database (the backend's jobs call this every turn;
        a ticket's clock is hours long, so a minute's delay shows nothing wrong). Accounts whose figures changed
        move, and reach the monitors with the next tick of their streams."""
        now = now or datetime.now(UTC)
        states = ", ".join(f"'{s}'" for s in sorted(OPEN_STATES))
        by_account: dict[str, list[tuple[str, datetime | None]]] = {}
        for account_id, status, awaiting in EngineSource(engine).rows(
                f"SELECT account_id, status, awaiting_since FROM ticket WHERE status IN ({states})", {}):
            by_account.setdefault(str(account_id), []).append((str(status), parse_iso(awaiting) if awaiting else None))
        with self.lock:
            for account in self.accounts.values():
                figures = ticket_figures(by_account.get(account.info.id, []), now, account.info.time_zone)
                if figures != account.tickets:
                    account.tickets = figures
                    self._account_moved(account)

    def refresh_ratings(self, engine: Engine, *, now: datetime | None = None) -> None:
        """Read every agent's ratings of the last 30 days by source again (one grouped query; the backend's jobs
        call this every minute). Only the agents whose figures changed move."""
        now = now or datetime.now(UTC)
        with engine.connect() as conn:
            tallies = rating_tallies(conn, now.timestamp())
        with self.lock:
            for agent in self.agents.values():
                if tallies.get(agent.agent_id, {}) != agent.ratings:
                    agent.ratings = tallies.get(agent.agent_id, {})
                    self._moved(agent)

    def add_agent(self, engine: Engine, agent_id: str) -> None:
        """Put an agent added since start-up on the floor (offline until their first event)."""
        source = EngineSource(engine)
        named = source.rows("SELECT name, role FROM agent WHERE id = :a", {"a": agent_id})
        if not named or named[0][1] not in ("agent", "senior"):
            return
        reach = frozenset(str(r[0]) for r in source.rows(
            "SELECT account_id FROM agent_account WHERE agent_id = :a", {"a": agent_id}))
        with self.lock:
            if agent_id not in self.agents:
                self.agents[agent_id] = AgentOnFloor(agent_id, str(named[0][0]), reach)
                self._moved(self.agents[agent_id])

    def _rebuild_tallies(self, source: EngineSource, now: datetime) -> None:
        for account in self.accounts.values():
            facts = {c.call_id: c for c in account.calls.values()}
            if not facts:
                continue
            for call_id, agent_id in source.rows(
                    "SELECT id, agent_id FROM interaction WHERE account_id = :a AND channel = 'phone'"
                    " AND agent_id IS NOT NULL", {"a": account.info.id}):
                agent, call = self.agents.get(str(agent_id)), facts.get(str(call_id))
                if agent is None or call is None or call.answered_at is None or call.ended_at is None:
                    continue
                agent.calls_today += 1
                agent.handle_seconds += (call.ended_at - call.answered_at).total_seconds() + (call.wrap_up_seconds or 0)
                agent.holds_today += len(call.holds)
                agent.cap_hits_today += sum(h.hit_cap for h in call.holds)

    # -- the desks' events ---------------------------------------------------------------------------

    def heard_from(self, caller: Caller, unsynced: int, last_push_at: str | None, *, now: float | None = None) -> None:
        """A heartbeat: the desk is there, with this much unsynced work."""
        with self.lock:
            agent = self.agents.get(caller.agent_id)
            if agent is None:
                return
            agent.last_seen = time.time() if now is None else now
            if agent.unsynced != unsynced or agent.last_push_at != last_push_at:
                agent.unsynced, agent.last_push_at = unsynced, last_push_at
                self._moved(agent)

    def report(self, caller: Caller, event: dict[str, Any], *, now: float | None = None) -> None:
        """Apply one state change of the caller's desk; `SyncRefused` for a change the floor cannot take."""
        now = time.time() if now is None else now
        kind, at_text = event["type"], event["at"]
        at = parse_iso(at_text)
        with self.lock:
            agent = self.agents.get(caller.agent_id)
            if agent is None:
                raise SyncRefused(403, "not_on_floor", "Only agents' desks report to the floor.")
            agent.last_seen = now
            if kind in ("available", "away", "signed-out"):
                if agent.call_id is not None and agent.state != "wrap-up":
                    raise SyncRefused(409, "call_going_on", "End the call before changing the agent's state.")
                self._clear_call(agent)
                agent.reason = (event.get("reason") or "")[:80] if kind == "away" else ""
                self._set(agent, {"available": "available", "away": "away", "signed-out": "offline"}[kind], at)
                return
            self._call_event(agent, caller, kind, at, event)

    def _call_event(self, agent: AgentOnFloor, caller: Caller, kind: str, at: datetime, event: dict[str, Any]) -> None:
        call_id = event.get("call_id")
        if not call_id:
            raise SyncRefused(422, "no_call", f"A {kind} event needs the call's call_id.")
        if kind == "ringing":
            account = self.accounts.get(event.get("account_id") or "")
            if account is None or not caller.may_act_on(account.info.id) or account.info.id not in agent.accounts:
                raise SyncRefused(403, "not_your_account", "That call rings for an account this agent does not work for.")
            if call_id not in account.calls:
                account.calls[call_id] = CallFact(call_id, "in", at)
                self._account_moved(account)
            agent.call_id, agent.call_account = call_id, account.info.id
            agent.caller, agent.answered_at, agent.hold_started = (event.get("caller") or "")[:80], None, None
            self._set(agent, "ringing", at)
            return
        if agent.call_id != call_id or agent.call_account is None:
            raise SyncRefused(409, "not_this_call", f"Call {call_id[:40]} is not the one on this desk.")
        account = self.accounts[agent.call_account]
        call = account.calls[call_id]
        if kind == "answered" and agent.state == "ringing":
            account.calls[call_id] = replace(call, answered_at=at)
            agent.answered_at = at.timestamp()
            self._set(agent, "on call", at)
        elif kind == "held" and agent.state == "on call":
            agent.hold_started = at.timestamp()
            agent.holds_today += 1
            self._set(agent, "on hold", at)
        elif kind == "resumed" and agent.state == "on hold":
            seconds = float(event.get("seconds") or (at.timestamp() - (agent.hold_started or at.timestamp())))
            hit_cap = bool(event.get("hit_cap"))
            account.calls[call_id] = replace(call, holds=call.holds + (HoldFact(seconds, hit_cap),))
            agent.cap_hits_today += hit_cap
            agent.hold_started = None
            self._set(agent, "on call", at)
        elif kind == "ended" and agent.state in ("ringing", "on call"):
            account.calls[call_id] = replace(call, ended_at=at)
            if call.answered_at is not None:
                agent.calls_today += 1
                agent.handle_seconds += (at - call.answered_at).total_seconds()
                self._set(agent, "wrap-up", at)
            else:  # the caller hung up while it rang
                self._clear_call(agent)
                self._set(agent, "available", at)
        elif kind == "wrapped-up" and agent.state == "wrap-up":
            seconds = float(event.get("wrap_up_seconds") or 0.0)
            account.calls[call_id] = replace(call, wrap_up_seconds=seconds)
            agent.handle_seconds += seconds
            self._clear_call(agent)
            self._set(agent, "available", at)
        else:
            raise SyncRefused(409, "impossible_move", f"A call {agent.state} cannot be {kind}.")
        self._account_moved(account)

    def _clear_call(self, agent: AgentOnFloor) -> None:
        agent.call_id = agent.call_account = agent.answered_at = agent.hold_started = None
        agent.caller = ""

    def _set(self, agent: AgentOnFloor, state: str, at: datetime) -> None:
        agent.state, agent.since = state, at.timestamp()
        self._moved(agent)

    def _moved(self, agent: AgentOnFloor) -> None:
        self.version += 1
        agent.version = self.version

    def _account_moved(self, account: AccountOnFloor) -> None:
        account.figures = None
        self.version += 1
        account.version = self.version

    # -- what monitors see -----------------------------------------------------------------------------

    def visible_to(self, caller: Caller, engine: Engine) -> frozenset[str]:
        """The accounts a supervisor watches (all for an admin); 403 for anyone else."""
        if caller.role == "admin":
            return frozenset(self.accounts)
        if caller.role != "supervisor":
            raise SyncRefused(403, "supervisors_only", "Only supervisors and admins watch the floor.")
        with engine.connect() as conn:
            return frozenset(str(a) for a in conn.execute(
                text("SELECT account_id FROM agent_account WHERE agent_id = :a"), {"a": caller.agent_id}).scalars())

    def changes(self, accounts: frozenset[str], since: int = -1, *, now: float | None = None) -> dict[str, Any]:
        """The agents and accounts (of `accounts`) that moved after version `since` (all of them for -1)."""
        now = time.time() if now is None else now
        moment = datetime.fromtimestamp(now, UTC)
        with self.lock:
            agents = [a.as_row(now) for a in self.agents.values()
                      if not a.accounts.isdisjoint(accounts) and (since < 0 or a.version > since)]
            queues = [self._queue(a, moment) for a in self.accounts.values()
                      if a.info.id in accounts and (since < 0 or a.version > since)]
            return {"version": self.version, "at": now, "agents": agents, "accounts": queues}

    def _queue(self, account: AccountOnFloor, now: datetime) -> dict[str, Any]:
        f = account.today(self.rules, now)
        return {
            "account_id": f.account_id, "name": f.account_name, "target": str(f.target),
            "offered": f.calls_offered, "answered": f.calls_answered, "abandoned": f.calls_abandoned,
            "short_abandons": f.short_abandons, "waiting": f.calls_waiting, "oldest_waiting": account.oldest_waiting(),
            "service_level_of_answered": f.service_level_of_answered,
            "service_level_of_offered": f.service_level_of_offered,
            "answered_before_ring_percent": f.answered_before_ring_percent,
            "asa_seconds": f.asa_seconds, "aht_seconds": f.aht_seconds, "holds": f.holds,
            "hold_cap_hits": f.hold_cap_hits,
            "agents_needed": account.needed[now.astimezone(ZoneInfo(account.info.time_zone)).hour]
            if len(account.needed) == 24 and account.needed_day == account.info.local_today(now) else None,
            "tickets": {"open": account.tickets.open, "due_soon": account.tickets.due_soon,
                        "breached": account.tickets.breached, "escalated_today": account.tickets.escalated_today},
        }
