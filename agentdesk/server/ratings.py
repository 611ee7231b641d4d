"""Agents' ratings of the last 30 days on the backend, by source: the one query behind routing by rating (an
account's agents) and the supervisors' floor (every agent on it).

It searches the rating index `rating_agent` (agent, time) once per agent from the window's start, so it reads
only the window's ratings however long the history is. Each source comes back as its sum of scores and its
count: an average is the one divided by the other, and both sources together add up exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import text

from agentdesk.clock import iso

RATING_DAYS = 30
"""An agent's average is of the ratings of the last this many days."""
SOURCES = ("qc", "customer")

_BY_AGENT_AND_SOURCE = (
    "SELECT r.agent_id, r.source, sum(r.score), count(*) FROM rating r WHERE r.agent_id IN ({agents})"
    " AND r.at >= :since GROUP BY r.agent_id, r.source"
)
_OF_ACCOUNT = _BY_AGENT_AND_SOURCE.format(agents="SELECT agent_id FROM agent_account WHERE account_id = :a")
_ON_FLOOR = _BY_AGENT_AND_SOURCE.format(agents="SELECT id FROM agent WHERE role IN ('agent', 'senior')")

@dataclass(frozen=True, slots=True)
class Tally:
    """One source's ratings of an agent: the sum of the scores and how many."""

    total: int = 0
    count: int = 0

    @property
    def average(self) -> float | None:
        return self.total / self.count if self.count else None

    def as_row(self) -> dict[str, Any]:
        """What a monitor receives: the average (None with no ratings) and the count."""
        return {"average": self.average, "count": self.count}


def rating_tallies(conn: Any, now: float, account_id: str | None = None) -> dict[str, dict[str, Tally]]:
    """Each rated agent's ratings of the last `RATING_DAYS` days by source, over all their accounts: of the
    agents working for `account_id`, or (None) of every front-line and senior agent. One grouped query."""
    since = iso(datetime.fromtimestamp(now - RATING_DAYS * 86400, UTC))
    sql, params = (_ON_FLOOR, {"since": since}) if account_id is None else (_OF_ACCOUNT, {"a": account_id, "since": since})
    tallies: dict[str, dict[str, Tally]] = {}
    for agent_id, source, total, count in conn.execute(text(sql), params).all():
        tallies.setdefault(str(agent_id), {})[str(source)] = Tally(int(total), int(count))
    return tallies


def overall(tallies: dict[str, Tally]) -> float | None:
    """Both sources' ratings together: the average of every score."""
    count = sum(t.count for t in tallies.values())
    return sum(t.total for t in tallies.values()) / count if count else None
