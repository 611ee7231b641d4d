"""A supervisor's hands on the work of the floor: the open work that can be moved, and moving it.

The work is the escalated and overdue tickets (status `escalated`, or new/open past the first-response goal)
and the open follow-ups escalated to a senior agent or a supervisor, of the accounts the supervisor watches,
oldest first, at most `MAX_ROWS`. Moving one runs the terminals' own mutation (`ticket.assign@1`,
`task.assign@1`) through the backend's apply path (`sync.apply_here`): one new version, which every terminal of
the account pulls like any other change.

Who may get it: someone who works for the row's account (an admin taking it over themself always may). A ticket
may go to an agent, a senior agent or a supervisor; a follow-up escalated to a senior agent only to a senior
agent or a supervisor, and one escalated to a supervisor only to a supervisor (or an admin taking it over).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from sqlalchemy import Connection, Engine, bindparam, text

from agentdesk.clock import iso, parse_iso
from agentdesk.domain.text import one_line
from agentdesk.server.sync import Caller, SyncRefused, apply_here

MAX_ROWS = 200
MAX_STAFF = 5_000
Kind = Literal["ticket", "task"]
MAY_TAKE = {None: ("agent", "senior", "supervisor", "admin"), "senior": ("senior", "supervisor", "admin"),
            "supervisor": ("supervisor", "admin")}
"""The roles that may be given a row, by the level it was escalated to (None: a ticket)."""
LEVEL_WORDS = {"senior": "a senior agent", "supervisor": "a supervisor"}

_TICKETS = text(
    "SELECT t.id, t.account_id, c.name AS customer, t.subject AS what, t.status, t.assignee_id, g.name AS assignee,"
    " coalesce(t.awaiting_since, t.created_at) AS since FROM ticket t"
    " LEFT JOIN customer c ON c.id = t.customer_id LEFT JOIN agent g ON g.id = t.assignee_id"
    " WHERE t.account_id IN :accounts AND (t.status = 'escalated'"
    " OR (t.status IN ('new', 'open') AND t.response_due_at <= :now))"
    " ORDER BY since, t.id LIMIT :most").bindparams(bindparam("accounts", expanding=True))
_TASKS = text(
    "SELECT t.id, t.account_id, c.name AS customer, t.note AS what, t.level AS status, t.assignee_id,"
    " g.name AS assignee, t.created_at AS since FROM task t"
    " LEFT JOIN customer c ON c.id = t.customer_id LEFT JOIN agent g ON g.id = t.assignee_id"
    " WHERE t.account_id IN :accounts AND t.kind = 'follow_up' AND t.status = 'open'"
    " AND t.level IN ('senior', 'supervisor') ORDER BY since, t.id LIMIT :most").bindparams(
    bindparam("accounts", expanding=True))
_STAFF = text(
    "SELECT aa.account_id, a.id, a.name, a.role FROM agent_account aa JOIN agent a ON a.id = aa.agent_id"
    " WHERE aa.account_id IN :accounts AND a.role IN ('agent', 'senior', 'supervisor')"
    " ORDER BY a.name, a.id LIMIT :most").bindparams(bindparam("accounts", expanding=True))


def open_work(engine: Engine, watched: frozenset[str], now: datetime) -> dict[str, Any]:
    """`rows`: the work that can be moved, oldest first; `staff`: who works for those accounts (with their role),
    for the supervisor to pick from. Names, subjects and notes are the customers' and agents' text: cut to one
    line here, sanitised again where shown."""
    if not watched:
        return {"rows": [], "staff": []}
    accounts = sorted(watched)
    with engine.connect().execution_options(read_only=True) as conn:
        found = [("ticket", r) for r in conn.execute(_TICKETS, {"accounts": accounts, "now": iso(now),
                                                               "most": MAX_ROWS})]
        found += [("task", r) for r in conn.execute(_TASKS, {"accounts": accounts, "most": MAX_ROWS})]
        staff = [{"account_id": r.account_id, "agent_id": r.id, "name": one_line(str(r.name), 60), "role": r.role}
                 for r in conn.execute(_STAFF, {"accounts": accounts, "most": MAX_STAFF})]
    found.sort(key=lambda pair: (pair[1].since, pair[1].id))
    rows = [{
        "kind": kind, "id": r.id, "account_id": r.account_id, "customer": one_line(str(r.customer or ""), 60),
        "subject": one_line(str(r.what or ""), 120),
        "status": r.status if kind == "ticket" else None, "level": r.status if kind == "task" else None,
        "assignee_id": r.assignee_id, "assignee": one_line(str(r.assignee or ""), 60),
        "age_seconds": max(0.0, (now - parse_iso(r.since)).total_seconds()),
    } for kind, r in found[:MAX_ROWS]]
    return {"rows": rows, "staff": staff}


def move(engine: Engine, caller: Caller, watched: frozenset[str], kind: Kind, row_id: str, to_agent_id: str,
         now: datetime) -> dict[str, Any]:
    """Give the ticket or follow-up `row_id` to `to_agent_id`, after the checks above; `SyncRefused` with a
    sentence when it may not be done (404: not in the caller's accounts; 409: closed, done, or the wrong
    person). Returns what was done, with the version terminals will pull."""
    word = "ticket" if kind == "ticket" else "follow-up"
    taken: dict[str, str] = {}

    def check(conn: Connection) -> None:
        table = "ticket" if kind == "ticket" else "task"
        level = "NULL" if kind == "ticket" else "level"
        row = conn.execute(text(f"SELECT account_id, status, {level} AS level FROM {table} WHERE id = :id"),
                           {"id": row_id}).first()
        if row is None or row.account_id not in watched:
            raise SyncRefused(404, "not_found", f"There is no {word} {row_id[:40]} in the accounts you watch.")
        if row.status in ("closed", "done"):
            raise SyncRefused(409, "finished", f"That {word} is already {row.status}: there is nothing to move.")
        target = conn.execute(text(
            "SELECT a.name, a.role, EXISTS (SELECT 1 FROM agent_account aa WHERE aa.agent_id = a.id"
            " AND aa.account_id = :account) AS works FROM agent a WHERE a.id = :agent"),
            {"account": row.account_id, "agent": to_agent_id}).first()
        if target is None:
            raise SyncRefused(404, "no_agent", f"There is no agent {to_agent_id[:40]}.")
        name = one_line(str(target.name), 60)
        themself_admin = to_agent_id == caller.agent_id and caller.role == "admin"
        if not target.works and not themself_admin:
            raise SyncRefused(409, "not_their_account", f"{name} does not work for this {word}'s account.")
        if target.role not in MAY_TAKE[row.level]:
            raise SyncRefused(409, "wrong_level", f"This follow-up was escalated to {LEVEL_WORDS[row.level]}, "
                                                  f"and {name} is not one: pick someone else or take it over.")
        taken["name"] = name

    name, key = ("ticket.assign@1", "ticket_id") if kind == "ticket" else ("task.assign@1", "task_id")
    version = apply_here(engine, caller, name, {key: row_id, "assignee_id": to_agent_id, "assigned_at": iso(now),
                                                "agent_id": caller.agent_id}, check)
    return {"kind": kind, "id": row_id, "assignee_id": to_agent_id, "assignee": taken["name"], "version": version}
