"""Routing by rating on a real backend database: an account set to `rating` offers its calls mostly to its
best-rated agents while nobody available waits past the idle cap; accounts left at the default still offer each
call to the longest-idle agent; the policy is read per account."""

from __future__ import annotations

import random
import time
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import Engine, text

from agentdesk.clock import iso
from agentdesk.config import RoutingSettings
from agentdesk.models import AgentAccount, AgentRow, Interaction, Rating
from agentdesk.server import live
from agentdesk.server.admin import ensure_admin
from agentdesk.server.app import create_app
from agentdesk.server.routing_day import simulate_day
from agentdesk.server.sync import Caller
from tests.sync.conftest import served

SQLITE_ONLY = pytest.mark.parametrize("backend_engine", ["sqlite"], indirect=True)
SQLITE_AND_PG = pytest.mark.parametrize("backend_engine", ["sqlite", "postgresql"], indirect=True)
DAY = datetime(2026, 11, 23, 13, 0, tzinfo=UTC)
TIERS = (4.8, 3.5, 3.0, 2.0)
"""The rating averages of the floor's four quarters, best first."""


def accounts(engine: Engine, count: int) -> list[str]:
    with engine.connect() as conn:
        return list(conn.execute(text("SELECT id FROM account ORDER BY id LIMIT :n"), {"n": count}).scalars())


def hire(engine: Engine, account: str, count: int, prefix: str) -> list[str]:
    """New front-line agents working for `account` only."""
    agents = [f"{prefix}-{n:02d}" for n in range(count)]
    with engine.begin() as conn:
        conn.execute(AgentRow.__table__.insert(), [{"id": a, "name": f"Agent {a}", "role": "agent"} for a in agents])
        conn.execute(AgentAccount.__table__.insert(), [{"agent_id": a, "account_id": account} for a in agents])
    return agents


def rate(engine: Engine, account: str, agent: str, scores: list[int], at: datetime) -> None:
    """Rate `len(scores)` calls the agent took, alternately by quality control and by the customer."""
    with engine.begin() as conn:
        for n, score in enumerate(scores):
            call = str(uuid.uuid4())
            stamp = iso(at - timedelta(hours=n + 1))
            conn.execute(Interaction.__table__.insert().values(
                id=call, account_id=account, agent_id=agent, channel="phone", direction="in", state="ended", at=stamp))
            conn.execute(Rating.__table__.insert().values(
                id=str(uuid.uuid4()), account_id=account, interaction_id=call, agent_id=agent,
                source="qc" if n % 2 == 0 else "customer", score=score, at=stamp))


def scores_for(average: float, count: int = 10) -> list[int]:
    """Whole scores whose average is `average` (to one decimal)."""
    total = round(average * count)
    low = total // count
    return [low + 1] * (total - low * count) + [low] * (count - (total - low * count))


def available(engine: Engine, agent: str, since: float, now: float) -> None:
    """The agent's terminal reports available at `since` and is still there at `now`."""
    for moment in (since, now):
        live.heartbeat(engine, Caller(agent, "agent", None), {
            "client_group_id": f"g-{agent}", "agent_state": "available", "call_state": "idle", "unsynced": 0,
            "oldest_unsynced_s": None, "last_push_at": None, "last_pull_at": None}, now=moment)


def wrap_up(engine: Engine, agent: str, now: float) -> None:
    live.heartbeat(engine, Caller(agent, "agent", None), {
        "client_group_id": f"g-{agent}", "agent_state": "wrap-up", "call_state": "idle", "unsynced": 0,
        "oldest_unsynced_s": None, "last_push_at": None, "last_pull_at": None}, now=now)


def ring(engine: Engine, account: str, now: float, routing: RoutingSettings, rng: random.Random) -> str | None:
    call = str(uuid.uuid4())
    return live.take_call_event(engine, {"event_id": call, "call_id": call, "type": "ringing", "account_id": account,
                                         "at": iso(datetime.fromtimestamp(now, UTC))},
                                now=now, routing=routing, rng=rng).offered_to


@SQLITE_ONLY
def test_a_day_by_rating_gives_the_top_quarter_most_calls_and_nobody_waits_past_the_cap(
    backend_engine: Engine,
) -> None:
    [account] = accounts(backend_engine, 1)
    agents = hire(backend_engine, account, 20, "floor")
    ratings: dict[str, float | None] = {}
    for n, agent in enumerate(agents):
        tier = TIERS[n // 5]
        if n == 12:  # not rated yet: counts as the account's middle
            ratings[agent] = None
            continue
        rate(backend_engine, account, agent, scores_for(tier), DAY - timedelta(days=2))
        ratings[agent] = tier
    routing = RoutingSettings(accounts={account: "rating"})

    day = simulate_day(backend_engine, account, ratings, routing=routing, start=DAY, seed=20)
    print("\n" + day.describe())

    assert sum(day.taken.values()) + day.unoffered == 2_000
    assert day.top_quarter() == agents[:5]
    assert day.top_quarter_share() > 0.5
    assert day.offers_past_cap > 0  # the cap did come into play, and every time it held:
    assert day.cap_broken == []
    assert all(day.taken[agent] > 0 for agent in agents)  # the lowest rated still get calls


@SQLITE_ONLY
def test_by_default_each_call_goes_to_the_longest_idle_agent_whatever_the_ratings(backend_engine: Engine) -> None:
    [account] = accounts(backend_engine, 1)
    best, middle, worst = hire(backend_engine, account, 3, "idle")
    rate(backend_engine, account, best, [5] * 10, DAY)
    rate(backend_engine, account, worst, [1] * 10, DAY)
    now = DAY.timestamp()
    for since, agent in ((60, worst), (40, middle), (20, best)):
        available(backend_engine, agent, now - since, now)
    draw = random.Random(1)
    offered = [ring(backend_engine, account, now, RoutingSettings(), draw) for _ in range(4)]
    assert offered == [worst, middle, best, None]  # longest idle first; then nobody is free


@SQLITE_AND_PG
def test_the_policy_is_read_per_account(backend_engine: Engine) -> None:
    by_rating, by_idle = accounts(backend_engine, 2)
    routing = RoutingSettings(policy="longest_idle", idle_cap_seconds=600, accounts={by_rating: "rating"})
    now = DAY.timestamp()
    teams = {}
    for account in (by_rating, by_idle):
        best, worst = hire(backend_engine, account, 2, f"team-{account[:8]}")
        rate(backend_engine, account, best, [5] * 10, DAY)
        rate(backend_engine, account, worst, [1] * 10, DAY)
        teams[account] = (best, worst)
    draw = random.Random(3)
    firsts: dict[str, list[str | None]] = {by_rating: [], by_idle: []}
    for _ in range(20):
        for account, (best, worst) in teams.items():
            available(backend_engine, worst, now - 200, now)  # the worst rated has waited longer, under the cap
            available(backend_engine, best, now - 100, now)
            firsts[account].append(ring(backend_engine, account, now, routing, draw))
            with backend_engine.begin() as conn:  # the call ends; both agents free again for the next round
                conn.execute(text("UPDATE live_call SET state = 'ended' WHERE account_id = :a"), {"a": account})
            for agent in (best, worst):
                with backend_engine.begin() as conn:
                    conn.execute(text("DELETE FROM presence WHERE agent_id = :a"), {"a": agent})
        now += 1
    assert firsts[by_idle] == [teams[by_idle][1]] * 20  # longest idle: always the one waiting longer
    # By rating a 5 weighs 5 ** 4 = 625 times a 1: the best rated takes (nearly) every call.
    assert firsts[by_rating].count(teams[by_rating][0]) >= 18


@SQLITE_ONLY
def test_a_backend_set_to_rating_offers_the_agent_past_the_cap_first_then_the_best_rated(
    backend_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(live, "_DRAW", random.Random(5))  # the backend's weighted draw, replayable
    [account] = accounts(backend_engine, 1)
    best, worst = hire(backend_engine, account, 2, "cap")
    rate(backend_engine, account, best, [5] * 10, DAY)
    rate(backend_engine, account, worst, [1] * 10, DAY)
    routing = RoutingSettings(policy="rating", idle_cap_seconds=120)
    now = time.time()
    with served(backend_engine, create_app(backend_engine, routing=routing)) as backend:
        phone = httpx.Client(base_url=backend.url,
                             headers={"Authorization": f"Bearer {backend.token(ensure_admin(backend_engine))}"})

        def ring_and_end(call: str) -> str | None:
            stamp = iso(datetime.now(UTC))
            offered = phone.post("/calls/events", json={"event_id": f"{call}-r", "call_id": call, "type": "ringing",
                                                        "at": stamp, "account_id": account}).json()["offered_to"]
            assert phone.post("/calls/events", json={"event_id": f"{call}-e", "call_id": call, "type": "ended",
                                                     "at": stamp}).status_code == 200
            return offered

        available(backend_engine, worst, now - 121, now)  # past the cap
        available(backend_engine, best, now - 5, now)
        assert ring_and_end("call-1") == worst
        wrap_up(backend_engine, worst, now - 30)
        available(backend_engine, worst, now - 25, now)  # idle longer than the best rated, under the cap
        assert ring_and_end("call-2") == best  # the 5 weighs 625 times the 1
