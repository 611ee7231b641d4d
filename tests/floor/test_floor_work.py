"""A supervisor moves the floor's work on a real backend: the escalated and overdue tickets and escalated
follow-ups of their own accounts, reassigned or taken over through the terminals' own mutations, so the agents'
desks pull the change."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from tests.sync.conftest import Backend


def _client(backend: Backend, agent_id: str) -> httpx.Client:
    return httpx.Client(base_url=backend.url, timeout=20,
                        headers={"Authorization": f"Bearer {backend.token(agent_id)}"})


def _supervisor(backend: Backend) -> str:
    return str(backend.scalar("SELECT id FROM agent WHERE role = 'supervisor' ORDER BY id"))


def _execute(backend: Backend, sql: str, **params: Any) -> None:
    with backend.engine.begin() as conn:
        conn.execute(text(sql), params)


def _escalate_a_ticket(backend: Backend, account_id: str, status: str = "escalated") -> str:
    ticket_id = str(backend.scalar("SELECT id FROM ticket WHERE account_id = :a AND status IN ('new', 'open')"
                                   " ORDER BY id", a=account_id))
    _execute(backend, "UPDATE ticket SET status = :s WHERE id = :t", s=status, t=ticket_id)
    return ticket_id


def _follow_up(backend: Backend, account_id: str, level: str, status: str = "open") -> str:
    task_id = str(uuid.uuid4())
    customer = backend.scalar("SELECT id FROM customer WHERE account_id = :a ORDER BY id", a=account_id)
    _execute(backend, "INSERT INTO task (id, account_id, customer_id, kind, level, due_at, note, status, created_at)"
                      " VALUES (:i, :a, :c, 'follow_up', :l, '2026-12-04T09:00:00.000000Z',"
                      " 'Wants to know why the\x1b[31m refund is late', :s, '2026-12-03T08:00:00.000000Z')",
             i=task_id, a=account_id, c=customer, l=level, s=status)
    return task_id


def _a_shared_account(backend: Backend) -> tuple[str, str, str]:
    """A front-line agent, a supervisor, and an account they both work for."""
    supervisor = _supervisor(backend)
    agent_id, accounts = backend.agent_with_accounts(2)
    shared = sorted(set(accounts) & set(backend.accounts_of(supervisor)))
    assert shared, "the demo's supervisor watches the agent's accounts"
    return agent_id, supervisor, shared[0]


def _version(backend: Backend) -> int:
    return int(backend.scalar("SELECT version FROM sync_state WHERE id = 1"))


def test_the_work_list_shows_the_supervisors_own_accounts_only(backend: Backend) -> None:
    agent_id, supervisor, account = _a_shared_account(backend)
    others = [a for a in backend.accounts_of(supervisor) if a != account]
    if others:
        _execute(backend, "DELETE FROM agent_account WHERE agent_id = :s AND account_id != :a", s=supervisor, a=account)
    elsewhere = str(backend.scalar("SELECT id FROM account WHERE id != :a ORDER BY id", a=account))
    mine, not_mine = _escalate_a_ticket(backend, account), _escalate_a_ticket(backend, elsewhere)
    task = _follow_up(backend, account, "senior")
    _follow_up(backend, account, "senior", status="done")
    with _client(backend, supervisor) as boss, _client(backend, agent_id) as desk:
        listed = boss.get("/floor/work")
        assert listed.status_code == 200
        rows = listed.json()["rows"]
        assert {r["account_id"] for r in rows} == {account}
        ids = {r["id"] for r in rows}
        assert mine in ids and task in ids and not_mine not in ids
        follow_up = next(r for r in rows if r["id"] == task)
        assert (follow_up["kind"], follow_up["level"], follow_up["assignee"]) == ("task", "senior", "")
        assert "\x1b" not in follow_up["subject"] and follow_up["customer"]
        ages = [r["age_seconds"] for r in rows]
        assert ages == sorted(ages, reverse=True), "oldest first"
        assert {s["account_id"] for s in listed.json()["staff"]} == {account}
        assert agent_id in {s["agent_id"] for s in listed.json()["staff"]}
        assert boss.get("/floor/work", params={"account": elsewhere}).json()["rows"] == []
        assert desk.get("/floor/work").status_code == 403


def test_a_reassigned_ticket_reaches_the_agents_desk(backend: Backend, terminals: Any) -> None:
    agent_id, supervisor, account = _a_shared_account(backend)
    ticket_id = _escalate_a_ticket(backend, account)
    desk = terminals(agent_id, backend.accounts_of(agent_id))
    desk.engine.sync_once()
    before = _version(backend)
    with _client(backend, supervisor) as boss:
        moved = boss.post("/floor/work/reassign", json={"kind": "ticket", "id": ticket_id, "to_agent_id": agent_id})
        assert moved.status_code == 200, moved.text
        assert moved.json()["assignee_id"] == agent_id and moved.json()["version"] > before
        row = next(r for r in boss.get("/floor/work").json()["rows"] if r["id"] == ticket_id)
        assert row["assignee_id"] == agent_id and row["assignee"]
    assert backend.scalar("SELECT assignee_id FROM ticket WHERE id = :t", t=ticket_id) == agent_id
    desk.engine.sync_once()
    on_desk = desk.store.conn.execute("SELECT assignee_id FROM ticket WHERE id = ?", (ticket_id,)).fetchone()
    assert on_desk == (agent_id,)


@pytest.mark.parametrize("backend_engine", ["sqlite"], indirect=True)
def test_a_supervisor_takes_over_an_escalated_question(backend: Backend, terminals: Any) -> None:
    agent_id, supervisor, account = _a_shared_account(backend)
    for_a_supervisor, for_a_senior = _follow_up(backend, account, "supervisor"), _follow_up(backend, account, "senior")
    desk = terminals(agent_id, backend.accounts_of(agent_id))
    desk.engine.sync_once()
    with _client(backend, supervisor) as boss:
        refused = boss.post("/floor/work/reassign",
                            json={"kind": "task", "id": for_a_supervisor, "to_agent_id": agent_id})
        assert refused.status_code == 409 and "escalated to a supervisor" in refused.json()["detail"]
        refused = boss.post("/floor/work/reassign", json={"kind": "task", "id": for_a_senior, "to_agent_id": agent_id})
        assert refused.status_code == 409 and "a senior agent" in refused.json()["detail"]
        taken = boss.post("/floor/work/take", json={"kind": "task", "id": for_a_supervisor})
        assert taken.status_code == 200, taken.text
        assert taken.json()["assignee_id"] == supervisor
    assert backend.scalar("SELECT assignee_id FROM task WHERE id = :t", t=for_a_supervisor) == supervisor
    desk.engine.sync_once()
    on_desk = desk.store.conn.execute("SELECT assignee_id FROM task WHERE id = ?", (for_a_supervisor,)).fetchone()
    assert on_desk == (supervisor,)


def test_moves_are_refused_outside_the_rules(backend: Backend) -> None:
    agent_id, supervisor, account = _a_shared_account(backend)
    elsewhere = str(backend.scalar(
        "SELECT id FROM account WHERE id NOT IN (SELECT account_id FROM agent_account WHERE agent_id = :s)"
        " ORDER BY id", s=supervisor) or "")
    if not elsewhere:
        elsewhere = next(a for a in backend.accounts_of(supervisor) if a != account)
        _execute(backend, "DELETE FROM agent_account WHERE agent_id = :s AND account_id = :a", s=supervisor, a=elsewhere)
    outside = _escalate_a_ticket(backend, elsewhere)
    closed = _escalate_a_ticket(backend, account, status="closed")
    done = _follow_up(backend, account, "senior", status="done")
    open_ticket = _escalate_a_ticket(backend, account)
    before = _version(backend)
    with _client(backend, supervisor) as boss, _client(backend, agent_id) as desk:
        assert desk.post("/floor/work/take", json={"kind": "ticket", "id": open_ticket}).status_code == 403
        assert desk.post("/floor/work/reassign", json={"kind": "ticket", "id": open_ticket,
                                                       "to_agent_id": agent_id}).status_code == 403
        assert boss.post("/floor/work/take", json={"kind": "ticket", "id": outside}).status_code == 404
        gone = boss.post("/floor/work/take", json={"kind": "ticket", "id": closed})
        assert gone.status_code == 409 and "already closed" in gone.json()["detail"]
        gone = boss.post("/floor/work/reassign", json={"kind": "task", "id": done, "to_agent_id": agent_id})
        assert gone.status_code == 409 and "already done" in gone.json()["detail"]
        nobody = boss.post("/floor/work/reassign", json={"kind": "ticket", "id": open_ticket, "to_agent_id": "nobody"})
        assert nobody.status_code == 404
        for bad in ({"kind": "call", "id": open_ticket}, {"kind": "ticket"}, {"kind": "ticket", "id": "a b;"},
                    {"kind": "ticket", "id": open_ticket, "extra": 1}, {"kind": "ticket", "id": 7}):
            assert boss.post("/floor/work/take", json=bad).status_code == 422, bad
        assert boss.post("/floor/work/reassign", json={"kind": "ticket", "id": open_ticket}).status_code == 422
        assert boss.post("/floor/work/take", content=b"not json",
                         headers={"Content-Type": "application/json"}).status_code == 422
        assert boss.get("/floor/work", params={"account": "x" * 100}).status_code == 422
    assert _version(backend) == before, "nothing refused moved the version"
    assert backend.scalar("SELECT assignee_id FROM ticket WHERE id = :t", t=closed) != supervisor
