"""The backend's API against hostile input and people without the right: schemathesis over the OpenAPI finds
no 5xx, nothing but /health answers without a sign-in, and each role sees and changes only what it may."""

from __future__ import annotations

import threading
import uuid
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from sqlalchemy import Engine, text
from starlette.testclient import TestClient

from agentdesk.server.admin import ensure_admin, issue_token
from agentdesk.server.app import create_app
from agentdesk.server.deps import MAX_BODY_BYTES
from tests.sync.conftest import Backend

SQLITE_ONLY = pytest.mark.parametrize("backend_engine", ["sqlite"], indirect=True)


@pytest.fixture
def api(backend_engine: Engine) -> tuple[Any, str]:
    app = create_app(backend_engine)
    return schemathesis.openapi.from_asgi("/openapi.json", app), issue_token(backend_engine, ensure_admin(backend_engine))


@pytest.fixture
def api_schema(api: tuple[Any, str]) -> Any:
    return api[0]


schema = schemathesis.pytest.from_fixture("api_schema")


@SQLITE_ONLY
# The two event streams never end on their own (a client leaves them): their tests read them, with a timeout.
@schema.exclude(path="/sync/hints").exclude(path="/floor/stream").parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_hostile_requests_never_get_a_server_error(case: Any, api: tuple[Any, str]) -> None:
    response = case.call(headers={"Authorization": f"Bearer {api[1]}"})
    assert response.status_code < 500, (case.method, case.path, response.status_code, response.text[:300])


@SQLITE_ONLY
def test_nothing_but_health_answers_without_a_sign_in(backend_engine: Engine) -> None:
    client = TestClient(create_app(backend_engine))
    spec = client.get("/openapi.json").json()
    for path, methods in spec["paths"].items():
        for method in methods:
            for headers in ({}, {"Authorization": "Bearer " + "x" * 40}, {"Authorization": "Basic abc"}):
                answer = client.request(method.upper(), path, headers=headers, json={})
                if path == "/health":
                    assert answer.status_code == 200
                else:
                    assert answer.status_code == 401, (method, path, headers, answer.status_code)


@SQLITE_ONLY
def test_an_oversized_body_is_refused_before_it_is_read(backend_engine: Engine) -> None:
    client = TestClient(create_app(backend_engine))
    token = issue_token(backend_engine, ensure_admin(backend_engine))
    answer = client.post("/sync/push", content=b"{" + b" " * (MAX_BODY_BYTES + 1) + b"}",
                         headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    assert answer.status_code == 413


def _role_agent(engine: Engine, role: str) -> str:
    with engine.connect() as conn:
        return str(conn.execute(text("SELECT id FROM agent WHERE role = :r ORDER BY id LIMIT 1"), {"r": role}).scalar())


@SQLITE_ONLY
@pytest.mark.parametrize("role", ["agent", "senior", "supervisor", "admin"])
def test_each_role_pulls_and_pushes_only_where_it_may(backend: Backend, role: str) -> None:
    engine = backend.engine
    agent = ensure_admin(engine) if role == "admin" else _role_agent(engine, role)
    with engine.connect() as conn:
        every = set(conn.execute(text("SELECT id FROM account")).scalars())
        assigned = set(conn.execute(text("SELECT account_id FROM agent_account WHERE agent_id = :a"),
                                    {"a": agent}).scalars())
    may = every if role in ("supervisor", "admin") else assigned
    assert may and (role in ("supervisor", "admin") or may < every)
    client = httpx.Client(base_url=backend.url, headers={"Authorization": f"Bearer {backend.token(agent)}"})

    me = client.get("/auth/me").json()
    assert me["role"] == role and me["agent_id"] == agent
    group = f"matrix-{uuid.uuid4().hex[:8]}"
    pulled = client.post("/sync/pull", json={"client_group_id": group}).json()
    seen = {c["row"]["account_id"] for c in pulled["changes"] if c["table"] == "customer"}
    while pulled["more"]:
        pulled = client.post("/sync/pull", json={"client_group_id": group, "cookie": pulled["cookie"],
                                                 "epoch": pulled["epoch"]}).json()
        seen |= {c["row"]["account_id"] for c in pulled["changes"] if c["table"] == "customer"}
    assert seen == may

    outcomes = []
    for n, account in enumerate(sorted(every), start=1):
        customer = backend.scalar("SELECT id FROM customer WHERE account_id = :a LIMIT 1", a=account)
        client.post("/sync/push", json={"client_group_id": group, "client_id": group, "mutations": [{
            "id": n, "name": "comment.add@1", "args": {
                "comment_id": f"{group}-{n}", "account_id": account, "customer_id": customer, "agent_id": agent,
                "body": "matrix", "created_at": "2026-11-23T09:00:00.000000Z"}}]}).raise_for_status()
        outcomes.append((account, backend.scalar("SELECT count(*) FROM comment WHERE id = :i", i=f"{group}-{n}")))
    assert {a for a, stored in outcomes if stored} == may
    refused = client.post("/sync/pull", json={"client_group_id": group}).json()["results"]
    assert len(refused) == len(every - may) and all("not found in the accounts you work for" in r["reason"] for r in refused)
    # Another agent cannot push as this terminal's store.
    other = _role_agent(engine, "agent" if role != "agent" else "senior")
    stranger = httpx.Client(base_url=backend.url, headers={"Authorization": f"Bearer {backend.token(other)}"})
    answer = stranger.post("/sync/push", json={"client_group_id": group, "client_id": "x", "mutations": []})
    assert answer.status_code in (200, 403)
    answer = stranger.post("/sync/pull", json={"client_group_id": group})
    assert answer.status_code == 403


@pytest.mark.parametrize("terminals", [60])
def test_terminals_pushing_at_once_each_get_their_own_answer(backend: Backend, terminals: int) -> None:
    """Sixty terminals push a comment at the same moment; ten of them are restored copies that send change 1
    again with other content. Each copy alone is refused (409) and stores nothing; each of the fifty others is
    answered 200 with its comment stored once, under a version of its own, and a resend is skipped."""
    engine = backend.engine
    agent = _role_agent(engine, "agent")
    with engine.connect() as conn:
        account = conn.execute(text("SELECT account_id FROM agent_account WHERE agent_id = :a ORDER BY account_id"),
                               {"a": agent}).scalar()
    customer = backend.scalar("SELECT id FROM customer WHERE account_id = :a LIMIT 1", a=account)
    headers = {"Authorization": f"Bearer {backend.token(agent)}"}

    def body(group: str, comment: str) -> dict[str, Any]:
        return {"client_group_id": group, "client_id": group, "mutations": [{
            "id": 1, "name": "comment.add@1", "args": {
                "comment_id": comment, "account_id": account, "customer_id": customer, "agent_id": agent,
                "body": f"said on {group}", "created_at": "2026-11-23T09:00:00.000000Z"}}]}

    groups = [f"burst-{n:02d}-{uuid.uuid4().hex[:6]}" for n in range(terminals)]
    copies = set(groups[::terminals // 10])
    with httpx.Client(base_url=backend.url, headers=headers) as client:
        for group in copies:  # the original store pushed its change 1 before it was copied
            client.post("/sync/push", json=body(group, f"{group}-original")).raise_for_status()

    barrier = threading.Barrier(terminals)
    answers: dict[str, tuple[int, dict[str, Any]]] = {}

    def push(group: str) -> None:
        with httpx.Client(base_url=backend.url, headers=headers, timeout=60) as client:
            client.get("/health")
            barrier.wait()
            response = client.post("/sync/push", json=body(group, f"{group}-copy" if group in copies else group))
            answers[group] = (response.status_code, response.json())

    threads = [threading.Thread(target=push, args=(group,)) for group in groups]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)

    assert len(answers) == terminals
    for group in groups:
        status, answer = answers[group]
        if group in copies:
            assert status == 409 and answer["code"] == "client_forked", (group, status, answer)
            assert backend.scalar("SELECT count(*) FROM comment WHERE id = :i", i=f"{group}-copy") == 0
        else:
            assert status == 200 and answer["applied"] == 1 and answer["last_mutation_id"] == 1, (group, answer)
            assert backend.scalar("SELECT count(*) FROM comment WHERE id = :i", i=group) == 1
    versions = [backend.scalar("SELECT version FROM sync_mutation WHERE client_group_id = :g", g=group)
                for group in groups if group not in copies]
    assert len(set(versions)) == len(versions)  # one version per push, as docs/sync.md says
    with httpx.Client(base_url=backend.url, headers=headers) as client:  # an answer lost on the way: sent again
        again = client.post("/sync/push", json=body(groups[1], groups[1])).json()
    assert again["skipped"] == 1 and again["applied"] == 0
    assert backend.scalar("SELECT count(*) FROM comment WHERE id = :i", i=groups[1]) == 1
