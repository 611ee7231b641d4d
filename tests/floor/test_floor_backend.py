"""The live floor on a real backend: who may watch it, a simulated day's counters against the stored
interactions, the rebuild at start-up, and the stream a monitor reads."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime

import httpx
import pytest
from sqlalchemy import text

from agentdesk.domain.daily_figures import FigureRules, day_figures
from agentdesk.floor_simulate import FloorSimulator
from agentdesk.reporting.day_reader import accounts, read_day
from agentdesk.server.floor import EngineSource, Floor
from agentdesk.server.floor_staff import staff_floor
from tests.sync.conftest import Backend

COMPARED = ("offered", "answered", "abandoned", "short_abandons", "waiting", "service_level_of_answered",
            "service_level_of_offered", "answered_before_ring_percent", "asa_seconds", "aht_seconds", "holds",
            "hold_cap_hits")


def _supervisor(backend: Backend) -> str:
    return str(backend.scalar("SELECT id FROM agent WHERE role = 'supervisor' ORDER BY id"))


def _agent(backend: Backend) -> str:
    return str(backend.scalar("SELECT id FROM agent WHERE role = 'agent' ORDER BY id"))


def _client(backend: Backend, agent_id: str) -> httpx.Client:
    return httpx.Client(base_url=backend.url, timeout=20,
                        headers={"Authorization": f"Bearer {backend.token(agent_id)}"})


def test_an_agent_is_refused_every_monitoring_endpoint(backend: Backend) -> None:
    with _client(backend, _agent(backend)) as agent:
        assert agent.get("/floor").status_code == 403
        refused = agent.get("/floor/stream")
        assert refused.status_code == 403
        assert "supervisors" in refused.json()["detail"].lower()


def test_a_supervisor_sees_only_their_own_accounts(backend: Backend) -> None:
    supervisor = _supervisor(backend)
    kept = backend.accounts_of(supervisor)[0]
    with backend.engine.begin() as conn:
        conn.execute(text("DELETE FROM agent_account WHERE agent_id = :s AND account_id <> :k"),
                     {"s": supervisor, "k": kept})
    with _client(backend, supervisor) as client:
        floor = client.get("/floor").json()
    assert [q["account_id"] for q in floor["accounts"]] == [kept]
    assert floor["agents"], "the agents of the kept account are on the floor"
    assert all(kept in row["accounts"] for row in floor["agents"])


def test_a_simulated_day_live_equals_the_stored_interactions_and_survives_a_restart(backend: Backend) -> None:
    agents = staff_floor(backend.engine, 6, seed=3)

    async def day() -> None:
        async with httpx.AsyncClient(base_url=backend.url, timeout=20) as client:
            simulator = FloorSimulator(client, agents, seed=11, speed=400, mean_idle_s=10)
            tally = await simulator.run(calls_each=4)
            assert tally.refused == 0
            assert tally.calls == 24 and tally.holds > 0

    asyncio.run(day())
    with _client(backend, _supervisor(backend)) as client:
        live = {q["account_id"]: q for q in client.get("/floor").json()["accounts"]}
    source = EngineSource(backend.engine)
    now = datetime.now(UTC)
    rebuilt = Floor()
    rebuilt.rebuild(backend.engine, now=now)
    again = {q["account_id"]: q for q in rebuilt.changes(frozenset(rebuilt.accounts))["accounts"]}
    assert sum(q["offered"] for q in live.values()) >= 24 - sum(q["short_abandons"] for q in live.values())
    for info in accounts(source):
        stored = day_figures(read_day(source, info, info.local_today(now), calls_only=True), FigureRules())
        assert live[info.id]["answered"] == stored.calls_answered
        assert live[info.id]["offered"] == stored.calls_offered
        assert live[info.id]["abandoned"] == stored.calls_abandoned
        assert live[info.id]["hold_cap_hits"] == stored.hold_cap_hits
        for key in COMPARED:
            assert live[info.id][key] == pytest.approx(again[info.id][key]), key
        assert live[info.id]["service_level_of_offered"] == pytest.approx(stored.service_level_of_offered)
        assert live[info.id]["aht_seconds"] == pytest.approx(stored.aht_seconds)
        assert live[info.id]["asa_seconds"] == pytest.approx(stored.asa_seconds)
    row = next(r for r in rebuilt.changes(frozenset(rebuilt.accounts))["agents"] if r["agent_id"] == agents[0].agent_id)
    assert row["calls_today"] >= 1


def test_the_stream_opens_with_a_snapshot_then_brings_each_change(backend: Backend) -> None:
    agent_id, accounts_of = backend.agent_with_accounts(2)
    with _client(backend, _supervisor(backend)) as watcher, _client(backend, agent_id) as desk:
        with watcher.stream("GET", "/floor/stream") as stream:
            lines = stream.iter_lines()
            kind, data = _next_event(lines)
            assert kind == "snapshot"
            assert any(r["agent_id"] == agent_id and r["state"] == "offline" for r in data["agents"])
            at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
            assert desk.post("/floor/events", json={"type": "away", "at": at, "reason": "coaching"}).status_code == 204
            kind, data = _next_event(lines)
            assert kind == "changes"
            row = next(r for r in data["agents"] if r["agent_id"] == agent_id)
            assert (row["state"], row["reason"]) == ("away", "coaching")


def test_a_desk_cannot_answer_a_call_it_was_never_rung_for(backend: Backend) -> None:
    agent_id, _ = backend.agent_with_accounts(2)
    at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    with _client(backend, agent_id) as desk:
        answer = desk.post("/floor/events", json={"type": "answered", "at": at, "call_id": "nope"})
    assert answer.status_code == 409


def _next_event(lines: object) -> tuple[str, dict]:
    kind = ""
    for line in lines:  # type: ignore[attr-defined]
        if line.startswith("event: "):
            kind = line[7:]
        elif line.startswith("data: "):
            return kind, json.loads(line[6:])
    raise AssertionError("the stream ended")


def test_the_floor_counts_each_accounts_tickets_against_the_6_h_goal_and_the_12_h_rule(backend: Backend) -> None:
    """One account's tickets set up around a fixed noon: one answered-and-waiting (pending), one due in 1 h (near
    the goal), one 7 h old (past it), one escalated by the rule an hour ago; its supervisor's floor says so, and
    after the late one is answered the floor's next count drops it."""
    from datetime import timedelta
    from zoneinfo import ZoneInfo

    from agentdesk.clock import iso

    supervisor = _supervisor(backend)
    account_id = max(backend.accounts_of(supervisor),
                     key=lambda a: int(backend.scalar(f"SELECT count(*) FROM ticket WHERE account_id = '{a}'")))
    zone = str(backend.scalar(f"SELECT time_zone FROM account WHERE id = '{account_id}'"))
    noon = datetime.now(ZoneInfo(zone)).replace(hour=12, minute=0, second=0, microsecond=0).astimezone(UTC)
    hours = {"pending": 3, "open": 5, "new": 7, "escalated": 13}
    with backend.engine.begin() as conn:
        conn.execute(text("UPDATE ticket SET status = 'closed', awaiting_since = NULL WHERE account_id = :a"),
                     {"a": account_id})
        ids = list(conn.execute(text("SELECT id FROM ticket WHERE account_id = :a ORDER BY id LIMIT 4"),
                                {"a": account_id}).scalars())
        assert len(ids) == 4
        for ticket_id, (status, ago) in zip(ids, hours.items(), strict=True):
            conn.execute(text("UPDATE ticket SET status = :s, awaiting_since = :w WHERE id = :i"),
                         {"s": status, "w": iso(noon - timedelta(hours=ago)), "i": ticket_id})
    floor = Floor()
    floor.rebuild(backend.engine, now=noon)
    counted = next(q for q in floor.changes(frozenset({account_id}), now=noon.timestamp())["accounts"])
    assert counted["tickets"] == {"open": 4, "due_soon": 1, "breached": 2, "escalated_today": 1}
    late = ids[2]
    with backend.engine.begin() as conn:
        conn.execute(text("UPDATE ticket SET status = 'open', awaiting_since = NULL WHERE id = :i"), {"i": late})
    seen = floor.version
    floor.refresh_tickets(backend.engine, now=noon)
    moved = floor.changes(frozenset({account_id}), seen, now=noon.timestamp())["accounts"]
    assert [q["tickets"]["breached"] for q in moved] == [1]
    with _client(backend, supervisor) as client:  # the served floor carries the same figures
        served = next(q for q in client.get("/floor").json()["accounts"] if q["account_id"] == account_id)
    assert set(served["tickets"]) == {"open", "due_soon", "breached", "escalated_today"}
    assert served["tickets"]["open"] == 4


def test_at_midnight_the_days_calls_leave_the_floor_and_each_agents_counters_start_again() -> None:
    """A New York account at 23:50: two calls ended today, one still on the line; its agent has two calls counted.
    At 00:05 the account's figures are of the new day (the live call stays for when it ends) and the agent's calls,
    handle time, holds and cap hits start again from nothing."""
    from datetime import timedelta
    from zoneinfo import ZoneInfo

    from agentdesk.domain.daily_figures import CallFact
    from agentdesk.domain.sla import ServiceLevel
    from agentdesk.reporting.day_reader import AccountInfo
    from agentdesk.server.floor import AccountOnFloor, AgentOnFloor

    new_york = ZoneInfo("America/New_York")
    late = datetime(2026, 12, 3, 23, 50, tzinfo=new_york).astimezone(UTC)
    info = AccountInfo("acc-ny", "Alder Home Services", "America/New_York", 118, ServiceLevel(80, 20))
    calls = {f"c{n}": CallFact(f"c{n}", "in", late - timedelta(minutes=30 - n), late - timedelta(minutes=29 - n),
                               late - timedelta(minutes=20 - n)) for n in (1, 2)}
    calls["live"] = CallFact("live", "in", late - timedelta(minutes=1), late - timedelta(seconds=50))
    floor = Floor()
    floor.accounts[info.id] = AccountOnFloor(info, calls)
    floor.agents["a1"] = AgentOnFloor("a1", "Dana Reyes", frozenset({info.id}), state="on call", calls_today=2,
                                      handle_seconds=1_200.0, holds_today=3, cap_hits_today=1)
    floor.turn_the_day(late)
    before = floor.changes(frozenset({info.id}), now=late.timestamp())
    assert before["accounts"][0]["answered"] == 3 and before["agents"][0]["calls_today"] == 2

    after_midnight = late + timedelta(minutes=15)
    seen = floor.version
    floor.turn_the_day(after_midnight)
    moved = floor.changes(frozenset({info.id}), seen, now=after_midnight.timestamp())
    assert set(floor.accounts[info.id].calls) == {"live"}
    assert [(q["offered"], q["answered"]) for q in moved["accounts"]] == [(0, 0)]
    row = moved["agents"][0]
    assert (row["calls_today"], row["holds_today"], row["cap_hits_today"], row["aht_seconds"]) == (0, 0, 0, None)


def test_each_account_shows_the_agents_needed_this_hour_and_moves_on_the_hour(backend: Backend) -> None:
    """The floor's agents-needed figure is the staffing forecast's for the account's current local hour (the
    same Erlang C as `agentdesk staffing --from-history`); when the hour turns, the account's row is sent again
    with the next hour's figure."""
    from datetime import timedelta
    from zoneinfo import ZoneInfo

    from agentdesk.reporting.staffing_forecast import forecast

    floor = Floor()
    floor.rebuild(backend.engine)
    info = max((a.info for a in floor.accounts.values()), key=lambda i: len(floor.accounts[i.id].calls))
    zone = ZoneInfo(info.time_zone)
    base = datetime.now(zone).replace(hour=10, minute=59, second=0, microsecond=0)
    if base.astimezone(UTC) > datetime.now(UTC):
        base -= timedelta(days=1)  # a moment already past, so the forecast's four weeks are history
    plan = forecast(EngineSource(backend.engine), info, base.date(), rules=floor.rules).hours
    expected = {h.hour: (h.needed.agents if h.needed else 0) for h in plan}
    assert any(expected.values()), "the demo backend has calls in the four same weekdays before"
    floor.plan_staffing(backend.engine, now=base.astimezone(UTC))
    row = next(q for q in floor.changes(frozenset({info.id}), now=base.timestamp())["accounts"])
    assert row["agents_needed"] == expected[10]
    seen = floor.version
    floor.plan_staffing(backend.engine, now=(base + timedelta(minutes=30)).astimezone(UTC))
    moved = floor.changes(frozenset({info.id}), seen, now=(base + timedelta(minutes=30)).timestamp())["accounts"]
    assert [q["agents_needed"] for q in moved] == [expected[11]]
