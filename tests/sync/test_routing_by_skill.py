"""Routing by skill and language on a real backend database: the digit a caller pressed in the account's phone menu
sends the call to a free agent with that skill, a known customer's call to an agent who speaks their language,
whoever has idled longest otherwise; when nobody free fits, the language is let go first, then the skill, and the
call still goes to someone. A backend from before skills upgrades to have them (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import random
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Engine, inspect, text

from agentdesk.clock import iso
from agentdesk.config import RoutingSettings
from agentdesk.models import AgentAccount, AgentRow
from agentdesk.server import live
from agentdesk.server.admin import init_backend, schema_is_current
from tests.sync.conftest import Backend
from tests.sync.test_routing_by_rating import DAY, accounts, available, rate, ring

SQLITE_ONLY = pytest.mark.parametrize("backend_engine", ["sqlite"], indirect=True)
NOW = DAY.timestamp()
MENU = {"1": "billing", "2": "repairs"}


def hire(engine: Engine, account: str, who: dict[str, tuple[list[str], list[str]]]) -> None:
    """Front-line agents of `account` only: id -> (skills, languages)."""
    with engine.begin() as conn:
        conn.execute(AgentRow.__table__.insert(), [
            {"id": a, "name": f"Agent {a}", "role": "agent", "skills": json.dumps(s), "languages": json.dumps(langs)}
            for a, (s, langs) in who.items()])
        conn.execute(AgentAccount.__table__.insert(), [{"agent_id": a, "account_id": account} for a in who])


def account_with_menu(engine: Engine) -> str:
    [account] = accounts(engine, 1)
    with engine.begin() as conn:
        conn.execute(text("UPDATE account SET ivr_menu = :m WHERE id = :a"), {"m": json.dumps(MENU), "a": account})
    return account


def customer(engine: Engine, account: str, number: str, language: str) -> None:
    with engine.begin() as conn:
        customer_id = str(uuid.uuid4())
        conn.execute(text("INSERT INTO customer (id, account_id, name, language, created_at, updated_at)"
                          " VALUES (:c, :a, 'Lucía Ortega', :l, :t, :t)"),
                     {"c": customer_id, "a": account, "l": language, "t": iso(DAY)})
        conn.execute(text("INSERT INTO customer_phone (customer_id, account_id, e164, label)"
                          " VALUES (:c, :a, :n, 'mobile')"), {"c": customer_id, "a": account, "n": number})


def call(engine: Engine, account: str, *, digit: str | None = None, caller: str = "+15550100000",
         routing: RoutingSettings | None = None) -> str | None:
    """A call rings on the account's line at NOW; the agent it is offered to."""
    call_id = str(uuid.uuid4())
    return live.take_call_event(engine, {
        "event_id": call_id, "call_id": call_id, "type": "ringing", "account_id": account, "ivr_choice": digit,
        "caller_number": caller, "at": iso(datetime.fromtimestamp(NOW, UTC))},
        now=NOW, routing=routing or RoutingSettings(), rng=random.Random(3)).offered_to


def test_a_caller_who_pressed_2_gets_the_repairs_agent_though_another_idled_longer(backend_engine: Engine) -> None:
    account = account_with_menu(backend_engine)
    hire(backend_engine, account, {"idle-long": (["billing"], ["en"]), "repairs": (["repairs"], ["en"])})
    available(backend_engine, "idle-long", NOW - 900, NOW)
    available(backend_engine, "repairs", NOW - 60, NOW)

    assert call(backend_engine, account, digit="2") == "repairs"
    # the next caller pressed 1 (billing): the repairs agent has a call ringing, the billing agent takes it
    assert call(backend_engine, account, digit="1") == "idle-long"


@SQLITE_ONLY
def test_no_digit_or_one_the_menu_lacks_goes_to_the_longest_idle(backend_engine: Engine) -> None:
    account = account_with_menu(backend_engine)
    hire(backend_engine, account, {"idle-long": (["billing"], ["en"]), "repairs": (["repairs"], ["en"])})
    available(backend_engine, "idle-long", NOW - 900, NOW)
    available(backend_engine, "repairs", NOW - 60, NOW)

    assert call(backend_engine, account, digit="9") == "idle-long"
    assert call(backend_engine, account) == "repairs"  # the other one now has a call ringing


def test_a_known_spanish_speaking_caller_goes_to_the_agent_who_speaks_spanish(backend_engine: Engine) -> None:
    account = account_with_menu(backend_engine)
    hire(backend_engine, account, {"english": (["billing"], ["en"]), "bilingual": (["billing"], ["en", "es"])})
    available(backend_engine, "english", NOW - 900, NOW)
    available(backend_engine, "bilingual", NOW - 30, NOW)
    customer(backend_engine, account, "+13125550142", "es")

    # the phone system sends the number as the caller ID shows it; the customer is found by its E.164 form
    assert call(backend_engine, account, caller="(312) 555-0142") == "bilingual"


@SQLITE_ONLY
def test_a_spanish_speaker_of_another_account_is_not_a_known_caller_here(backend_engine: Engine) -> None:
    account, other = accounts(backend_engine, 2)
    hire(backend_engine, account, {"english": ([], ["en"]), "bilingual": ([], ["en", "es"])})
    available(backend_engine, "english", NOW - 900, NOW)
    available(backend_engine, "bilingual", NOW - 30, NOW)
    customer(backend_engine, other, "+13125550142", "es")

    assert call(backend_engine, account, caller="+13125550142") == "english"


def test_when_nobody_free_has_the_skill_the_call_still_goes_to_someone(backend_engine: Engine) -> None:
    account = account_with_menu(backend_engine)
    hire(backend_engine, account, {"first": (["billing"], ["en"]), "second": ([], ["en"])})
    available(backend_engine, "first", NOW - 300, NOW)
    available(backend_engine, "second", NOW - 60, NOW)

    assert call(backend_engine, account, digit="2") == "first"  # nobody does repairs: the longest idle
    assert call(backend_engine, account, digit="2") == "second"
    assert call(backend_engine, account, digit="2") is None  # everyone of the account is busy


@SQLITE_ONLY
def test_the_language_is_let_go_before_the_skill(backend_engine: Engine) -> None:
    account = account_with_menu(backend_engine)
    hire(backend_engine, account, {"speaks": (["billing"], ["en", "es"]), "fixes": (["repairs"], ["en"]),
                                   "neither": ([], ["en"])})
    for n, agent in enumerate(("neither", "speaks", "fixes")):
        available(backend_engine, agent, NOW - 900 + n * 100, NOW)
    customer(backend_engine, account, "+13125550142", "es")

    # a Spanish speaker who pressed 2: nobody has both; the repairs agent (English only) gets it
    assert call(backend_engine, account, digit="2", caller="+13125550142") == "fixes"
    # again, with the repairs agent busy: the Spanish speaker, though another has idled longer
    assert call(backend_engine, account, digit="2", caller="+13125550142") == "speaks"


@SQLITE_ONLY
def test_by_rating_only_the_agents_with_the_skill_are_drawn(backend_engine: Engine) -> None:
    account = account_with_menu(backend_engine)
    hire(backend_engine, account, {"star": (["billing"], ["en"]), "fixer": (["repairs"], ["en"]),
                                   "fixer-2": (["repairs", "billing"], ["en"])})
    rate(backend_engine, account, "star", [5] * 10, DAY)
    rate(backend_engine, account, "fixer", [2] * 10, DAY)
    for agent in ("star", "fixer", "fixer-2"):
        available(backend_engine, agent, NOW - 120, NOW)
    routing = RoutingSettings(accounts={account: "rating"})

    offered = {call(backend_engine, account, digit="2", routing=routing) for _ in range(2)}
    assert offered == {"fixer", "fixer-2"}


@SQLITE_ONLY
def test_a_terminal_pulls_the_agents_skills_and_the_accounts_menu(backend: Backend, terminals: Any) -> None:
    agent, accounts_of_agent = backend.agent_with_accounts()
    with backend.engine.begin() as conn:
        conn.execute(text("UPDATE agent SET skills = '[\"repairs\"]', languages = '[\"en\", \"es\"]' WHERE id = :a"),
                     {"a": agent})
    terminal = terminals(agent, accounts_of_agent)
    terminal.engine.sync_once()

    stored = terminal.store.conn.execute("SELECT skills, languages FROM agent WHERE id = ?", (agent,)).fetchone()
    assert tuple(stored) == ('["repairs"]', '["en", "es"]')
    menus = {row[0]: row[1] for row in terminal.store.conn.execute("SELECT id, ivr_menu FROM account")}
    assert menus == {a: backend.scalar("SELECT ivr_menu FROM account WHERE id = :a", a=a) for a in accounts_of_agent}
    assert all(sorted(json.loads(menu)) == ["1", "2", "3"] for menu in menus.values())  # the demo's menus


def _as_before_skills(engine: Engine) -> None:
    with engine.begin() as conn:
        for table, column in (("agent", "skills"), ("agent", "languages"), ("account", "ivr_menu")):
            conn.exec_driver_sql(f"ALTER TABLE {table} DROP COLUMN {column}")
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '0006_task_assignee'")


def test_a_backend_from_before_skills_upgrades_with_english_speakers_and_empty_menus(backend: Backend) -> None:
    engine = backend.engine
    _as_before_skills(engine)
    assert "skills" not in {c["name"] for c in inspect(engine).get_columns("agent")}
    agents = backend.scalar("SELECT count(*) FROM agent")

    init_backend(engine)  # what `agentdesk server init` runs

    assert schema_is_current(engine)
    assert backend.scalar("SELECT count(*) FROM agent WHERE skills = '[]' AND languages = '[\"en\"]'") == agents
    assert backend.scalar("SELECT count(*) FROM account WHERE ivr_menu <> '{}'") == 0
    init_backend(engine)  # again: nothing to do
    [account] = accounts(engine, 1)
    hire(engine, account, {"new": (["repairs"], ["en"])})
    available(engine, "new", NOW - 60, NOW)
    assert ring(engine, account, NOW, RoutingSettings(), random.Random(1)) == "new"
