"""The backend's own work on the clock: tickets with no response 12 h after the customer wrote are escalated, the
open written cases of agents absent too long move to agents on the floor (`agentdesk.server.allocation_moves`),
and each account's daily report is produced once its midnight has passed (`agentdesk.server.daily_reports`).

Only the backend does this (if every terminal did, each would queue the same change and all but one would be
refused). The change is one version like any push, so terminals pull it; the rule and its 12 h are the
domain's (`agentdesk.domain.tickets`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, text

from agentdesk.clock import iso
from agentdesk.config import AllocationSettings
from agentdesk.domain.tickets import TicketSla
from agentdesk.server.allocation_moves import move_from_absent
from agentdesk.server.daily_reports import produce_due_reports
from agentdesk.server.db import writing

ESCALATION_EVERY_S = 60.0


def escalate_overdue(engine: Engine, now: datetime | None = None, policy: TicketSla | None = None) -> int:
    """Move every new or open ticket whose oldest unanswered customer message is older than the escalation time
    to `escalated`; returns how many moved."""
    policy = policy or TicketSla()
    now = now or datetime.now(UTC)
    cutoff = iso(now - timedelta(hours=policy.escalate_hours))
    with writing(engine) as conn:
        due = conn.execute(text(
            "SELECT count(*) FROM ticket WHERE status IN ('new', 'open') AND awaiting_since IS NOT NULL"
            " AND awaiting_since <= :cutoff"), {"cutoff": cutoff}).scalar() or 0
        if not due:
            return 0
        conn.execute(text("UPDATE sync_state SET version = version + 1 WHERE id = 1"))
        moved = conn.execute(text(
            "UPDATE ticket SET status = 'escalated' WHERE status IN ('new', 'open') AND awaiting_since IS NOT NULL"
            " AND awaiting_since <= :cutoff"), {"cutoff": cutoff}).rowcount
    return int(moved or 0)


async def run_jobs(engine: Engine, every_s: float = ESCALATION_EVERY_S,
                   then: Callable[[], None] | None = None, allocation: AllocationSettings | None = None) -> None:
    """Forever: the escalation job every `every_s` seconds, then the moves of absent agents' cases (by the
    `allocation` rules, if given), then the daily reports due, then `then` (off the event loop); a failure waits
    for the next turn (one job's failure does not hold up the others)."""
    jobs = [lambda: escalate_overdue(engine), lambda: move_from_absent(engine, allocation),
            lambda: produce_due_reports(engine), *([then] if then else [])]
    while True:
        for job in jobs:
            try:
                await asyncio.to_thread(job)
            except Exception:  # the database may be away for a moment; the next turn tries again
                pass
        await asyncio.sleep(every_s)
