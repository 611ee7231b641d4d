"""Each agent's ratings of the last 30 days on the supervisor's floor, by source with counts: read when the floor
is built, read again by the backend's every-minute refresh, and sent to monitors only when a figure changes."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import Engine, text

from agentdesk.clock import iso
from agentdesk.server.app import create_app
from agentdesk.server.floor import Floor
from tests.sync.conftest import served


def _rated_agent(engine: Engine) -> tuple[str, str, list[tuple[str, str]]]:
    """A supervisor, a front-line agent of one of their accounts (their ratings wiped), and four of the agent's
    interactions with their accounts."""
    with engine.begin() as conn:
        supervisor = conn.execute(text("SELECT id FROM agent WHERE role = 'supervisor' ORDER BY id")).scalar()
        agent = conn.execute(text(
            "SELECT g.id FROM agent g JOIN agent_account aa ON aa.agent_id = g.id WHERE g.role = 'agent'"
            " AND aa.account_id IN (SELECT account_id FROM agent_account WHERE agent_id = :s)"
            " AND (SELECT count(*) FROM interaction i WHERE i.agent_id = g.id) >= 4 ORDER BY g.id"),
            {"s": supervisor}).scalar()
        conn.execute(text("DELETE FROM rating WHERE agent_id = :a"), {"a": agent})
        work = [(str(i), str(a)) for i, a in conn.execute(text(
            "SELECT id, account_id FROM interaction WHERE agent_id = :a ORDER BY id LIMIT 4"), {"a": agent})]
    return str(supervisor), str(agent), work


def _rate(engine: Engine, agent: str, work: tuple[str, str], source: str, score: int, at: datetime) -> None:
    interaction, account = work
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO rating (id, account_id, interaction_id, agent_id, source, score, comment, at)"
            " VALUES (:id, :acc, :i, :a, :s, :score, '', :at)"),
            {"id": str(uuid.uuid4()), "acc": account, "i": interaction, "a": agent, "s": source, "score": score,
             "at": iso(at)})


def _row(url: str, token: str, agent: str) -> dict[str, object]:
    with httpx.Client(base_url=url, timeout=20, headers={"Authorization": f"Bearer {token}"}) as client:
        floor = client.get("/floor")
    assert floor.status_code == 200
    return next(r for r in floor.json()["agents"] if r["agent_id"] == agent)


def test_the_floor_shows_each_agents_30_day_averages_by_source_and_moves_only_when_they_change(
        backend_engine: Engine) -> None:
    """Quality control rated the agent 4, 5 and 3 within the month (and 1 five weeks ago, which no longer counts);
    customers 5 and 2. The supervisor's floor shows 4.0 over 3 and 3.5 over 2. A new quality rating of 1 reaches
    the floor with the next refresh (3.25 over 4), moving that agent's row only; a refresh with nothing new moves
    nothing, so the monitors' stream stays quiet."""
    supervisor, agent, work = _rated_agent(backend_engine)
    now = datetime.now(UTC)
    for interaction, score, ago in ((work[0], 4, timedelta(days=1)), (work[1], 5, timedelta(days=2)),
                                    (work[2], 3, timedelta(days=29)), (work[3], 1, timedelta(days=35))):
        _rate(backend_engine, agent, interaction, "qc", score, now - ago)
    _rate(backend_engine, agent, work[0], "customer", 5, now - timedelta(hours=3))
    _rate(backend_engine, agent, work[1], "customer", 2, now - timedelta(days=10))

    app = create_app(backend_engine)
    with served(backend_engine, app) as backend:
        token = backend.token(supervisor)
        row = _row(backend.url, token, agent)
        assert row["ratings"] == {"qc": {"average": 4.0, "count": 3}, "customer": {"average": 3.5, "count": 2}}

        floor: Floor = app.state.floor
        watched = frozenset(floor.agents[agent].accounts)
        seen = floor.version
        floor.refresh_ratings(backend_engine)  # what the backend's jobs do every minute
        assert floor.changes(watched, seen)["agents"] == [], "nothing new: no agent moves"

        with backend_engine.begin() as conn:
            conn.execute(text("DELETE FROM rating WHERE agent_id = :a AND source = 'qc' AND score = 1"), {"a": agent})
        _rate(backend_engine, agent, work[3], "qc", 1, datetime.now(UTC))
        floor.refresh_ratings(backend_engine)
        moved = floor.changes(watched, seen)["agents"]
        assert [r["agent_id"] for r in moved] == [agent]
        assert moved[0]["ratings"]["qc"] == {"average": 3.25, "count": 4}
        assert _row(backend.url, token, agent)["ratings"]["customer"] == {"average": 3.5, "count": 2}


def test_an_agent_never_rated_shows_no_average_and_a_count_of_nothing(backend_engine: Engine) -> None:
    supervisor, agent, _ = _rated_agent(backend_engine)
    app = create_app(backend_engine)
    with served(backend_engine, app) as backend:
        row = _row(backend.url, backend.token(supervisor), agent)
    assert row["ratings"] == {"qc": {"average": None, "count": 0}, "customer": {"average": None, "count": 0}}
