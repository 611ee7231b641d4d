"""What a supervisor's monitor holds: the floor as the backend streams it (agents and queues), the alerts its
thresholds raise, and the board's rows sorted and filtered. Pure (no Textual, no HTTP), so it is tested and
benchmarked on its own."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from agentdesk.domain.text import one_line

STATE_ORDER = {"on hold": 0, "ringing": 1, "on call": 2, "wrap-up": 3, "available": 4, "away": 5, "offline": 6}
SORTS = ("state", "name", "account", "alert", "quality")
FILTERS = ("all", "alerts", "available", "ringing", "on call", "on hold", "wrap-up", "away", "offline")


@dataclass(frozen=True, slots=True)
class AlertRules:
    """Warning and critical thresholds (seconds, or percent for service levels)."""

    hold_warning_s: float = 7.0
    hold_cap_s: float = 10.0
    ring_warning_s: float = 12.0  # past the 3rd ring
    waiting_warning: int = 2
    waiting_critical: int = 5
    longest_wait_warning_s: float = 20.0
    longest_wait_critical_s: float = 60.0
    service_level_margin: float = 10.0  # below target: warning; this far below: critical
    unsynced_offline_critical: int = 1


@dataclass(frozen=True, slots=True)
class Alert:
    """One alert: when, how bad, who or what, and what happened."""

    at: float
    level: str  # warning, critical
    who: str
    what: str


@dataclass
class FloorModel:
    """The floor as the last snapshot and the changes since left it."""

    rules: AlertRules = AlertRules()
    agents: dict[str, dict[str, Any]] = field(default_factory=dict)
    queues: dict[str, dict[str, Any]] = field(default_factory=dict)
    version: int = -1
    alerts: list[Alert] = field(default_factory=list)
    _raised: set[tuple[str, str]] = field(default_factory=set)

    def take_snapshot(self, data: dict[str, Any]) -> None:
        """Start again from a snapshot (on connect and on every reconnect)."""
        self.agents = {r["agent_id"]: r for r in data["agents"]}
        self.queues = {q["account_id"]: q for q in data["accounts"]}
        self.version = int(data["version"])

    def take_changes(self, data: dict[str, Any]) -> None:
        """Apply the rows that moved."""
        for row in data["agents"]:
            self.agents[row["agent_id"]] = row
        for queue in data["accounts"]:
            self.queues[queue["account_id"]] = queue
        self.version = int(data["version"])

    def account_name(self, account_id: str | None) -> str:
        queue = self.queues.get(account_id or "")
        return one_line(queue["name"], 24) if queue else ""

    # -- alerts --------------------------------------------------------------------------------------

    def agent_level(self, row: dict[str, Any], now: float) -> str:
        """'critical', 'warning' or '' for one agent's row."""
        r = self.rules
        state, in_state = row["state"], now - float(row["since"] or now)
        if state == "on hold" and in_state >= r.hold_cap_s:
            return "critical"
        if state == "offline" and row["unsynced"] >= r.unsynced_offline_critical:
            return "critical"
        if (state == "on hold" and in_state >= r.hold_warning_s) or (state == "ringing" and in_state > r.ring_warning_s):
            return "warning"
        return "warning" if row["cap_hits_today"] else ""

    def queue_level(self, queue: dict[str, Any], now: float) -> str:
        """'critical', 'warning' or '' for one account's queue."""
        r = self.rules
        oldest = queue.get("oldest_waiting")
        wait = now - oldest if oldest else 0.0
        target = float(str(queue["target"]).split("/")[0])
        level = queue.get("service_level_of_offered")
        if queue["waiting"] >= r.waiting_critical or wait >= r.longest_wait_critical_s or (
                level is not None and level < target - r.service_level_margin):
            return "critical"
        if queue["waiting"] >= r.waiting_warning or wait >= r.longest_wait_warning_s or (
                level is not None and level < target):
            return "warning"
        return ""

    def signed_in(self, account_id: str) -> int:
        """Agents of the account who are on the floor now (any state but offline)."""
        return sum(1 for r in self.agents.values() if account_id in r["accounts"] and r["state"] != "offline")

    @staticmethod
    def ticket_level(queue: dict[str, Any]) -> str:
        """'critical' when an account has tickets past the 6 h response goal, 'warning' when some are near it."""
        tickets = queue.get("tickets") or {}
        if tickets.get("breached"):
            return "critical"
        return "warning" if tickets.get("due_soon") else ""

    def scan_alerts(self, now: float | None = None) -> list[Alert]:
        """Raise an alert for each row or queue that newly crossed a threshold; the newest first, at most 50."""
        now = time.time() if now is None else now
        seen: set[tuple[str, str]] = set()
        for row in self.agents.values():
            level = self.agent_level(row, now)
            if level:
                key = (row["agent_id"], f"{row['state']}:{level}")
                seen.add(key)
                if key not in self._raised:
                    self.alerts.insert(0, Alert(now, level, one_line(row["name"], 32), _agent_reason(row, level)))
        for queue in self.queues.values():
            level = self.queue_level(queue, now)
            if level:
                key = (queue["account_id"], level)
                seen.add(key)
                if key not in self._raised:
                    self.alerts.insert(0, Alert(now, level, one_line(queue["name"], 32),
                                                f"{queue['waiting']} waiting, service level {_pct(queue)}"))
            level = self.ticket_level(queue)
            if level:
                key = (queue["account_id"], f"tickets:{level}")
                seen.add(key)
                if key not in self._raised:
                    tickets = queue["tickets"]
                    count = tickets["breached"] if level == "critical" else tickets["due_soon"]
                    where = "past" if level == "critical" else "near"
                    what = f"{count} ticket{'' if count == 1 else 's'} {where} the 6 h response goal"
                    self.alerts.insert(0, Alert(now, level, one_line(queue["name"], 32), what))
        self._raised = seen
        del self.alerts[50:]
        return self.alerts

    # -- the board's rows ----------------------------------------------------------------------------

    def rows(self, sort: str = "state", show: str = "all", now: float | None = None) -> list[dict[str, Any]]:
        """The agents to show, filtered by state or alert and sorted."""
        now = time.time() if now is None else now
        rows = list(self.agents.values())
        if show == "alerts":
            rows = [r for r in rows if self.agent_level(r, now)]
        elif show != "all":
            rows = [r for r in rows if r["state"] == show]
        if sort == "name":
            rows.sort(key=lambda r: (r["name"], r["agent_id"]))
        elif sort == "account":
            rows.sort(key=lambda r: (self.account_name(r["call_account"] or (r["accounts"] or [""])[0]), r["name"]))
        elif sort == "quality":  # the lowest quality average first (who may need coaching), the not yet rated last
            rows.sort(key=lambda r: (rating_of(r, "qc")[0] is None, rating_of(r, "qc")[0] or 0.0, r["name"]))
        elif sort == "alert":
            rank = {"critical": 0, "warning": 1, "": 2}
            rows.sort(key=lambda r: (rank[self.agent_level(r, now)], STATE_ORDER.get(r["state"], 9), r["name"]))
        else:
            rows.sort(key=lambda r: (STATE_ORDER.get(r["state"], 9), float(r["since"] or 0), r["name"]))
        return rows

    def totals(self) -> dict[str, Any]:
        """Every watched account's calls added up (service levels recounted from the counts)."""
        qs = list(self.queues.values())
        answered = sum(q["answered"] for q in qs)
        abandoned = sum(q["abandoned"] for q in qs)
        within = sum(round((q["service_level_of_answered"] or 0) * q["answered"] / 100) for q in qs)
        return {"offered": sum(q["offered"] for q in qs), "answered": answered, "abandoned": abandoned,
                "waiting": sum(q["waiting"] for q in qs),
                "service_level_of_offered": 100 * within / (answered + abandoned) if answered + abandoned else None}


def _pct(queue: dict[str, Any]) -> str:
    level = queue.get("service_level_of_offered")
    return "—" if level is None else f"{level:.0f}% (target {queue['target']})"


def _agent_reason(row: dict[str, Any], level: str) -> str:
    state = row["state"]
    if state == "on hold":
        return "hold at the cap" if level == "critical" else "hold near the cap"
    if state == "ringing":
        return "ringing past the 3rd ring"
    if state == "offline":
        return f"offline with {row['unsynced']} unsynced changes"
    return f"{row['cap_hits_today']} hold-cap hits today"


def rating_of(row: dict[str, Any], source: str) -> tuple[float | None, int]:
    """An agent row's average of one rating source over the last 30 days (None: not rated) and its count."""
    figures = (row.get("ratings") or {}).get(source) or {}
    average = figures.get("average")
    return (None if average is None else float(average)), int(figures.get("count") or 0)


def rating_text(row: dict[str, Any], source: str) -> str:
    """One source's average and count as the board shows it, "4.2/12"; "—" for an agent not rated."""
    average, count = rating_of(row, source)
    return "—" if average is None else f"{average:.1f}/{count}"


def clock_text(seconds: float | None) -> str:
    """A duration as M:SS (H:MM:SS past an hour); "—" for none."""
    if seconds is None:
        return "—"
    whole = max(0, int(seconds))
    hours, rest = divmod(whole, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"
