"""A supervisor's actions on a real backend: checked, seen on the floor at once, and left for the agent's desk."""

from __future__ import annotations

import httpx
from sqlalchemy import text

from tests.sync.conftest import Backend


def _client(backend: Backend, agent_id: str) -> httpx.Client:
    return httpx.Client(base_url=backend.url, timeout=20,
                        headers={"Authorization": f"Bearer {backend.token(agent_id)}"})


def _supervisor(backend: Backend) -> str:
    return str(backend.scalar("SELECT id FROM agent WHERE role = 'supervisor' ORDER BY id"))


def test_a_supervisor_sets_an_agent_away_and_messages_them(backend: Backend) -> None:
    agent_id, _ = backend.agent_with_accounts(2)
    with _client(backend, _supervisor(backend)) as boss, _client(backend, agent_id) as desk:
        away = boss.post("/floor/actions", json={"name": "agent.set_state@1",
                                                 "args": {"agent_id": agent_id, "state": "away", "reason": "coaching"}})
        assert away.status_code == 200
        row = next(r for r in boss.get("/floor").json()["agents"] if r["agent_id"] == agent_id)
        assert (row["state"], row["reason"]) == ("away", "coaching")
        sent = boss.post("/floor/actions", json={"name": "agent.message@1",
                                                 "args": {"agent_id": agent_id, "text": "Call me\x1b[2J after this"}})
        assert sent.status_code == 200
        waiting = desk.get("/floor/notices").json()
        assert [n["kind"] for n in waiting] == ["state", "message"]
        assert waiting[1]["text"].startswith("Call me") and "\x1b" not in waiting[1]["text"]
        assert desk.get("/floor/notices").json() == [], "a notice is collected once"


def test_actions_are_refused_to_agents_and_outside_the_supervisors_accounts(backend: Backend) -> None:
    agent_id, accounts = backend.agent_with_accounts(2)
    other = agent_id
    supervisor = _supervisor(backend)
    body = {"name": "agent.message@1", "args": {"agent_id": other, "text": "hello"}}
    with _client(backend, agent_id) as desk:
        assert desk.post("/floor/actions", json=body).status_code == 403
    with backend.engine.begin() as conn:
        for account in accounts:
            conn.execute(text("DELETE FROM agent_account WHERE agent_id = :s AND account_id = :a"),
                         {"s": supervisor, "a": account})
    with _client(backend, supervisor) as boss:
        refused = boss.post("/floor/actions", json=body)
        assert refused.status_code == 403
        assert "does not work for any of your accounts" in refused.json()["detail"]
        unknown = boss.post("/floor/actions", json={"name": "call.listen@1", "args": {"agent_id": other}})
        assert unknown.status_code == 422
