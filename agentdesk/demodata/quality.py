"""Demo quality data: a quality-control reviewer for every account, and ratings of the last 30 days' work.

Drawn from a generator of its own after every other demo row (like the appointment book), so the rest of the
demo stays as it was. Each agent has a steady quality of their own; the reviewer has rated about a fifth of
each agent's ended calls and e-mails, customers about a tenth (a little kinder, a little noisier), so the
review queue has work in it and every agent has averages to show.
"""

from __future__ import annotations

import random
import sqlite3
import uuid
from datetime import datetime, timedelta

from agentdesk.clock import iso, parse_iso
from agentdesk.demodata.world import World

REVIEWER_NAME = "Dana Whitfield"
QC_SHARE, CUSTOMER_SHARE = 0.2, 0.1
COMMENTS = {
    1: "Caller left without an answer.", 2: "Held too long; no summary at the end.", 3: "Correct, but rushed.",
    4: "Clear and polite.", 5: "Warm, quick, and checked the customer was happy.",
}


def add_quality(conn: sqlite3.Connection, world: World, seed: int, now: datetime) -> dict[str, int]:
    """Insert the reviewer and the demo's ratings; the counts."""
    rng = random.Random(seed * 7_919 + 23)

    def new_id() -> str:
        return str(uuid.UUID(int=rng.getrandbits(128), version=4))

    reviewer = new_id()
    conn.execute("INSERT INTO agent (id, name, role) VALUES (?, ?, 'qc')", (reviewer, REVIEWER_NAME))
    for account in world.accounts:
        conn.execute("INSERT INTO agent_account (agent_id, account_id) VALUES (?, ?)", (reviewer, account.id))
    quality = {agent: rng.uniform(2.6, 4.8) for agent in sorted(world.agent_names)}
    since = iso(now - timedelta(days=30))
    made = 0
    for interaction_id, account_id, agent_id, ended_at in conn.execute(
            "SELECT id, account_id, agent_id, ended_at FROM interaction WHERE state = 'ended'"
            " AND agent_id IS NOT NULL AND ended_at IS NOT NULL AND at >= ? ORDER BY at, id", (since,)).fetchall():
        base = quality.get(agent_id, 3.5)
        for source, share, kinder, spread in (("qc", QC_SHARE, 0.0, 0.6), ("customer", CUSTOMER_SHARE, 0.3, 1.0)):
            if rng.random() >= share:
                continue
            score = min(5, max(1, round(rng.gauss(base + kinder, spread))))
            at = min(now, parse_iso(ended_at) + timedelta(hours=rng.uniform(1, 30)))
            conn.execute(
                "INSERT INTO rating (id, account_id, interaction_id, agent_id, source, score, comment, rated_by, at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (new_id(), account_id, interaction_id, agent_id, source, score,
                 COMMENTS[score] if source == "qc" or rng.random() < 0.3 else "",
                 reviewer if source == "qc" else None, iso(at)))
            made += 1
    return {"rating": made, "agent": 1}
