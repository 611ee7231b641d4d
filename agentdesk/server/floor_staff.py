"""Staffing a simulated floor: N agents added to a backend, each working for two accounts, each with a sign-in."""

from __future__ import annotations

import random
import secrets

from sqlalchemy import Engine, text

from agentdesk.floor_simulate import SimulatedAgent
from agentdesk.server.deps import token_digest
from agentdesk.server.schema import agent_token

FIRST = ("Ana", "Ben", "Chloe", "Dev", "Eli", "Fatima", "Gus", "Hana", "Ivan", "Jo", "Kofi", "Lena", "Mia", "Noor",
         "Omar", "Pia", "Quinn", "Rosa", "Sam", "Tariq", "Uma", "Vic", "Wen", "Yara", "Zane")
LAST = ("Abbott", "Baker", "Cruz", "Diaz", "Evans", "Flores", "Grant", "Hayes", "Ito", "Jensen", "Khan", "Lopez",
        "Moreau", "Nakamura", "Okafor", "Park", "Reyes", "Silva", "Tanaka", "Varga", "Walsh", "Young")


def staff_floor(engine: Engine, count: int, *, seed: int = 7) -> list[SimulatedAgent]:
    """Add `count` simulated agents (ids `sim-agent-0001`...; kept if already there) and sign each in."""
    rng = random.Random(seed)
    with engine.begin() as conn:
        accounts = sorted(str(a) for a in conn.execute(text("SELECT id FROM account")).scalars())
        if not accounts:
            raise LookupError("The backend has no accounts; set it up with `agentdesk server init --demo` first.")
        staffed: list[tuple[str, list[str]]] = []
        for n in range(1, count + 1):
            agent_id = f"sim-agent-{n:04d}"
            reach = sorted(rng.sample(accounts, min(2, len(accounts))))
            known = conn.execute(text("SELECT count(*) FROM agent WHERE id = :a"), {"a": agent_id}).scalar()
            if not known:
                name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
                conn.execute(text("INSERT INTO agent (id, name, role) VALUES (:a, :n, 'agent')"),
                             {"a": agent_id, "n": name})
                for account in reach:
                    conn.execute(text("INSERT INTO agent_account (agent_id, account_id) VALUES (:a, :c)"),
                                 {"a": agent_id, "c": account})
            else:
                reach = sorted(str(a) for a in conn.execute(
                    text("SELECT account_id FROM agent_account WHERE agent_id = :a"), {"a": agent_id}).scalars())
            staffed.append((agent_id, reach))
        # One sign-in each, written in this one transaction (a thousand separate ones took minutes on a busy disk).
        tokens = {agent_id: secrets.token_urlsafe(32) for agent_id, _ in staffed}
        stamp = str(conn.execute(text("SELECT CURRENT_TIMESTAMP")).scalar())
        conn.execute(agent_token.insert(), [{"token_hash": token_digest(token), "agent_id": agent_id, "created_at": stamp}
                                            for agent_id, token in tokens.items()])
    return [SimulatedAgent(agent_id, tokens[agent_id], reach) for agent_id, reach in staffed]
