"""Ratings through the backend: a reviewer's rating reaches the backend and the rated agent's terminal, an agent
cannot forge a quality rating, and a backend from before ratings upgrades to take them (SQLite and PostgreSQL)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import IntegrityError

from agentdesk.clock import FixedClock
from agentdesk.server.admin import init_backend, schema_is_current
from tests.sync.conftest import Backend

NOW = FixedClock().now()


def _reviewer(backend: Backend) -> str:
    return backend.scalar("SELECT id FROM agent WHERE role = 'qc' ORDER BY id")


def test_a_reviewers_rating_reaches_the_backend_and_the_rated_agents_terminal(
    backend: Backend, terminals: Any
) -> None:
    qc = _reviewer(backend)
    reviewer = terminals(qc, backend.accounts_of(qc), name="qc")
    reviewer.engine.sync_once()
    item = reviewer.store.ratings.next_to_review(reviewer.store.agent_accounts(qc), qc, NOW)
    assert item is not None and item.agent_id
    from agentdesk.desks.review import ReviewDesk
    from agentdesk.desks.writer import LocalWriter
    from agentdesk.records import Agent

    writer = LocalWriter(reviewer.store)
    desk = ReviewDesk(reviewer.store, writer, FixedClock(), reviewer.store.agent(qc))
    assert isinstance(desk.agent, Agent)
    desk.rate(item, 2, "No summary at the end.").result(timeout=10)
    writer.close()
    reviewer.engine.sync_once()
    assert reviewer.store.rejections() == [] and reviewer.store.outbox_count() == 0

    column = "interaction_id" if item.kind == "interaction" else "message_id"
    with backend.engine.connect() as conn:
        kept = conn.execute(text(f"SELECT score, comment, rated_by, agent_id FROM rating WHERE {column} = :i"
                                 " AND source = 'qc'"), {"i": item.id}).one()
    assert tuple(kept) == (2, "No summary at the end.", qc, item.agent_id)

    rated = terminals(item.agent_id, backend.accounts_of(item.agent_id), name="rated")
    rated.engine.sync_once()
    mine = {a.source: a for a in rated.store.ratings.averages([item.agent_id], NOW)}
    theirs = {a.source: a for a in reviewer.store.ratings.averages([item.agent_id], NOW)}
    assert mine["qc"] == theirs["qc"] and mine["qc"].count >= 1


def test_an_agent_cannot_push_a_quality_rating(backend: Backend, terminals: Any) -> None:
    agent, accounts = backend.agent_with_accounts()
    desk = terminals(agent, accounts, name="agent")
    desk.engine.sync_once()
    other = desk.store.conn.execute(
        "SELECT id, account_id FROM interaction WHERE state = 'ended' AND agent_id IS NOT NULL AND agent_id <> ?"
        " LIMIT 1", (agent,)).fetchone()
    # Pushed straight to the backend, as a tampered terminal would (the local store refuses it first).
    import httpx

    with httpx.Client(base_url=backend.url, headers={"Authorization": f"Bearer {backend.token(agent)}"}) as client:
        pushed = client.post("/sync/push", json={"client_group_id": "tampered-1", "mutations": [{
            "id": 1, "name": "rating.record@1", "args": {
                "rating_id": "r-tampered", "account_id": other[1], "interaction_id": other[0], "source": "qc",
                "score": 1, "comment": "", "agent_id": agent, "at": "2026-12-01T10:00:00Z"}}]})
    assert pushed.status_code < 500
    assert backend.scalar("SELECT count(*) FROM rating WHERE id = 'r-tampered'") == 0


def _as_before_ratings(engine: Engine) -> None:
    """A backend as revision 0003 left it: no rating table, and agents' roles without quality control."""
    old = "role IN ('agent', 'senior', 'supervisor', 'admin')"
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE rating")
        conn.exec_driver_sql("DELETE FROM sync_change WHERE table_name = 'rating'")
        conn.exec_driver_sql("DELETE FROM agent_account WHERE agent_id IN (SELECT id FROM agent WHERE role = 'qc')")
        conn.exec_driver_sql("DELETE FROM agent WHERE role = 'qc'")
        if engine.dialect.name == "postgresql":
            conn.exec_driver_sql("ALTER TABLE agent DROP CONSTRAINT agent_role")
            conn.exec_driver_sql(f"ALTER TABLE agent ADD CONSTRAINT agent_role_check CHECK ({old})")
        else:
            table_sql = conn.exec_driver_sql("SELECT sql FROM sqlite_schema WHERE name = 'agent'").scalar()
            version = conn.exec_driver_sql("PRAGMA schema_version").scalar()
            conn.exec_driver_sql("PRAGMA writable_schema = ON")
            conn.execute(text("UPDATE sqlite_schema SET sql = :s WHERE name = 'agent'"),
                         {"s": table_sql.replace(old.replace("'admin'", "'qc', 'admin'"), old)})
            conn.exec_driver_sql(f"PRAGMA schema_version = {int(version) + 1}")
            conn.exec_driver_sql("PRAGMA writable_schema = OFF")
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '0003_token_expiry'")


def test_a_backend_from_before_ratings_upgrades_and_takes_a_reviewer(backend: Backend) -> None:
    engine = backend.engine
    _as_before_ratings(engine)
    assert "rating" not in inspect(engine).get_table_names()
    with pytest.raises(IntegrityError):  # the old check has no quality control
        with engine.begin() as conn:
            conn.exec_driver_sql("INSERT INTO agent (id, name, role) VALUES ('qc-early', 'Early Reviewer', 'qc')")

    init_backend(engine)  # what `agentdesk server init` runs

    assert schema_is_current(engine) and "rating" in inspect(engine).get_table_names()
    with engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO agent (id, name, role) VALUES ('qc-new', 'New Reviewer', 'qc')")
    init_backend(engine)  # again: nothing to do
    assert backend.scalar("SELECT role FROM agent WHERE id = 'qc-new'") == "qc"
