"""Allocation of written cases (e-mail, chat, SMS, web form) to the agents of their account, by the rules of the
`[allocation]` settings.

Who may get a case: the account's front-line agents (roles agent and senior). Those on the floor — heard from
within the presence time-to-live and not away; on a call or in wrap-up counts, as a written case waits minutes,
not seconds — with fewer than `max_open` open cases are the candidates. Among them, in this order:
1. the agents named for the account's category words found in the subject or text (more words, first);
2. those who speak the customer's language (`agent.languages`);
3. the fewest open cases (new, open, escalated, over all their accounts);
4. the higher rating of the last 30 days (when `rating_breaks_ties`; not yet rated counts as the account's middle);
5. the name, so the same state gives the same answer.
A new case with no candidate goes to the account's front-line agent with the fewest open cases, on the floor or
not (ranked the same way), so it has an owner who sees it; the clock job (`allocation_moves`) moves it to an agent
who comes on the floor once its owner has been absent past `away_minutes`. The note on the ticket says who got it
and which rule decided ("Allocated to Mia Chen: fewest open cases (3)").

The assignment and its note are written by the mutators a terminal runs (`ticket.assign@1`, a `note` by
`ticket.add_message@1`) in the caller's transaction, under its version, so terminals pull both.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import Connection, bindparam, text

from agentdesk.clock import iso, parse_iso
from agentdesk.config import AllocationSettings
from agentdesk.domain.routing import middle_rating
from agentdesk.domain.text import one_line
from agentdesk.localstore.errors import StoreError
from agentdesk.mutations import registry as mutators
from agentdesk.server.db import MutatorConnection
from agentdesk.server.ratings import overall, rating_tallies

WRITTEN_CHANNELS = ("email", "chat", "sms", "web_form")
WORKING = ("new", "open", "escalated")
"""The statuses of a case an agent still has to work on: the open cases counted and moved."""
FRONT_LINE = ("agent", "senior")
AUTHOR = "allocation"
"""The author of the allocation's notes on a ticket."""

_STAFF = text(
    "SELECT a.id, a.name, p.agent_state, p.expires_at, a.languages FROM agent a"
    " JOIN agent_account aa ON aa.agent_id = a.id LEFT JOIN presence p ON p.agent_id = a.id"
    " WHERE aa.account_id = :a AND a.role IN ('agent', 'senior') ORDER BY a.name, a.id")
_OPEN_CASES = text(
    "SELECT assignee_id, count(*) FROM ticket WHERE assignee_id IN :agents AND status IN ('new', 'open', 'escalated')"
    " GROUP BY assignee_id").bindparams(bindparam("agents", expanding=True))


@dataclass(slots=True)
class Agent:
    """One front-line agent of the account as allocation sees them."""

    agent_id: str
    name: str
    open_cases: int
    present: bool  # on the floor and not away
    languages: frozenset[str]
    rating: float | None = None


@dataclass(frozen=True, slots=True)
class Choice:
    agent: Agent
    reason: str  # which rule decided, in words: "fewest open cases (3)"


def _codes(value: Any) -> frozenset[str]:
    """Language codes from a JSON list ("en", "fr-CA" → "fr"); anything unreadable is none."""
    try:
        listed = json.loads(value) if isinstance(value, str) else value
    except ValueError:
        return frozenset()
    if not isinstance(listed, list):
        return frozenset()
    return frozenset(str(code).strip().lower().split("-")[0] for code in listed if str(code).strip())


def staff(conn: Connection, account_id: str, now_s: float, settings: AllocationSettings) -> list[Agent]:
    """The account's front-line agents: their open cases, whether they are on the floor, their languages and,
    when ratings break ties, their rating (the not yet rated at the account's middle)."""
    rows = conn.execute(_STAFF, {"a": account_id}).all()
    if not rows:
        return []
    counts = dict(conn.execute(_OPEN_CASES, {"agents": [str(r[0]) for r in rows]}).all())
    agents = [Agent(str(r[0]), one_line(str(r[1]), 60), int(counts.get(r[0], 0)),
                    r[3] is not None and float(r[3]) > now_s and r[2] != "away",
                    _codes(r[4])) for r in rows]
    if settings.rating_breaks_ties:
        averages = {agent: overall(tallies) for agent, tallies in rating_tallies(conn, now_s, account_id).items()}
        middle = middle_rating([a for a in averages.values() if a is not None])
        for agent in agents:
            found = averages.get(agent.agent_id)
            agent.rating = found if found is not None else middle
    return agents


def customer_language(conn: Connection, customer_id: str | None) -> str | None:
    """The customer's language code."""
    if customer_id is None:
        return None
    found = conn.execute(text("SELECT language FROM customer WHERE id = :c"), {"c": customer_id}).scalar()
    return str(found).strip().lower().split("-")[0] or None if found else None


def words_found(settings: AllocationSettings, account_id: str, words: str) -> dict[str, list[str]]:
    """{agent id: the account's category words found in `words` that name them}."""
    found: dict[str, list[str]] = {}
    for word, agents in sorted(settings.words_for(account_id).items()):
        if re.search(rf"(?<!\w){re.escape(word)}", words, re.IGNORECASE):
            for agent in agents:
                found.setdefault(agent, []).append(word)
    return found


def choose(candidates: list[Agent], *, hits: Mapping[str, list[str]], language: str | None,
           settings: AllocationSettings) -> Choice | None:
    """The candidate the rules prefer (see the module's words) and the rule that decided; None with none."""
    if not candidates:
        return None

    def key(agent: Agent) -> tuple[Any, ...]:
        rating = agent.rating if settings.rating_breaks_ties and agent.rating is not None else 0.0
        return (-len(hits.get(agent.agent_id, ())), -(language in agent.languages), agent.open_cases, -rating,
                agent.name.casefold(), agent.agent_id)

    ranked = sorted(candidates, key=key)
    best = ranked[0]
    open_cases = f"{best.open_cases} open case{'' if best.open_cases == 1 else 's'}"
    if len(ranked) == 1:
        return Choice(best, f"the only one who could take it ({open_cases})")
    first, second = key(best), key(ranked[1])
    if first[0] != second[0]:
        words = hits[best.agent_id]
        quoted = ", ".join(f'"{w}"' for w in words)
        return Choice(best, f"category word{'' if len(words) == 1 else 's'} {quoted} ({open_cases})")
    if first[1] != second[1]:
        return Choice(best, f"speaks the customer's language, {language} ({open_cases})")
    if first[2] != second[2]:
        return Choice(best, f"fewest open cases ({best.open_cases})")
    if first[3] != second[3]:
        return Choice(best, f"higher rating, {best.rating:.1f}, with as many open cases ({best.open_cases})")
    return Choice(best, f"first by name with as many open cases ({best.open_cases})")


def on_the_floor(agents: list[Agent], settings: AllocationSettings, *, leaving: str | None = None) -> list[Agent]:
    """The agents who may be given a case now: on the floor, with room, not `leaving` (the one it moves from)."""
    return [a for a in agents if a.present and a.open_cases < settings.max_open and a.agent_id != leaving]


def apply_mutator(conn: Connection, name: str, args: Mapping[str, Any]) -> None:
    mutators.resolve(name).apply(MutatorConnection(conn), dict(args))  # type: ignore[arg-type]


def give(conn: Connection, ticket_id: str, agent_id: str, note: str, at: str) -> None:
    """Assign the ticket and say why in a note, a microsecond after `at` (so it follows what it answers)."""
    noted_at = iso(parse_iso(at) + timedelta(microseconds=1))
    apply_mutator(conn, "ticket.assign@1", {"ticket_id": ticket_id, "assignee_id": agent_id, "assigned_at": noted_at})
    apply_mutator(conn, "ticket.add_message@1", {
        "message_id": str(uuid.uuid4()), "ticket_id": ticket_id, "kind": "note", "author": AUTHOR, "body": note,
        "created_at": noted_at})


def allocate_new(
    conn: Connection, settings: AllocationSettings | None, *, ticket_id: str, account_id: str,
    customer_id: str | None, subject: str, body: str, at: str,
) -> str | None:
    """Give a just-opened written case to an agent (see the module's words), in the caller's transaction; the
    agent's id, or None when allocation is off or the account has no front-line agent. A refusal of the mutators
    (it should not happen) leaves the case unassigned, never lost."""
    if settings is None or not settings.enabled:
        return None
    agents = staff(conn, account_id, parse_iso(at).timestamp(), settings)
    hits = words_found(settings, account_id, f"{subject}\n{body}")
    language = customer_language(conn, customer_id)
    choice = choose(on_the_floor(agents, settings), hits=hits, language=language, settings=settings)
    prefix = ""
    if choice is None:
        choice = choose(agents, hits=hits, language=language, settings=settings)
        prefix = "nobody of the account is on the floor with room for it; "
    if choice is None:
        return None
    savepoint = conn.begin_nested()
    try:
        give(conn, ticket_id, choice.agent.agent_id, f"Allocated to {choice.agent.name}: {prefix}{choice.reason}", at)
    except StoreError:
        savepoint.rollback()
        return None
    savepoint.commit()
    return choice.agent.agent_id
