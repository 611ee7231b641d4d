"""Agents needed per hour of a coming day, from the same weekday of the last four weeks (Erlang C)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from agentdesk.domain.daily_figures import FigureRules, HourFigures, day_figures
from agentdesk.domain.sla import ServiceLevel
from agentdesk.domain.staffing import Staffing, Workload, agents_needed, scheduled_agents
from agentdesk.reporting.day_reader import AccountInfo, read_day
from agentdesk.reporting.sources import Source

WEEKS_BACK = 4


@dataclass(frozen=True, slots=True)
class HourForecast:
    """One local hour: the calls expected, their handle time, and the agents they need."""

    hour: int
    calls_per_hour: float
    aht_seconds: float | None
    needed: Staffing | None
    scheduled: int

    def as_dict(self) -> dict[str, object]:
        """The hour by name, for `--json`."""
        return {"hour": self.hour, "calls_per_hour": self.calls_per_hour, "aht_seconds": self.aht_seconds,
                "agents_needed": self.needed.agents if self.needed else 0, "agents_scheduled": self.scheduled,
                **({"figures": self.needed.as_dict()} if self.needed else {})}


@dataclass(frozen=True, slots=True)
class Forecast:
    """The day's hours, and which past days they were drawn from."""

    account: AccountInfo
    day: date
    target: ServiceLevel
    shrinkage: float
    history_days: tuple[date, ...]
    days_with_calls: int
    hours: tuple[HourForecast, ...]


def forecast(source: Source, account: AccountInfo, day: date, *, target: ServiceLevel | None = None,
             shrinkage: float = 0.0, rules: FigureRules | None = None) -> Forecast:
    """Average the offered calls of each local hour over the last four same weekdays (a day without calls
    counts as such), take that hour's average handle time (the four days' overall one when the hour had no
    answered call), and find the agents that meet `target` (the account's own service level by default)."""
    target = target or account.target
    rules = rules or FigureRules()
    history = tuple(day - timedelta(weeks=k) for k in range(1, WEEKS_BACK + 1))
    totals: dict[int, HourFigures] = {h: HourFigures(h) for h in range(24)}
    days_with_calls = 0
    for past in history:
        figures = day_figures(read_day(source, account, past, calls_only=True), rules)
        days_with_calls += figures.calls_offered > 0
        for hour in figures.hours:
            seen = totals[hour.hour]
            totals[hour.hour] = HourFigures(hour.hour, seen.offered + hour.offered, seen.answered + hour.answered,
                                            0, 0, seen.handle_seconds + hour.handle_seconds,
                                            seen.handled + hour.handled)
    handled = sum(h.handled for h in totals.values())
    overall_aht = sum(h.handle_seconds for h in totals.values()) / handled if handled else None
    hours = []
    for hour in sorted(totals):
        seen = totals[hour]
        rate = seen.offered / WEEKS_BACK
        aht = seen.aht_seconds or overall_aht
        needed = agents_needed(Workload(rate, aht), target) if rate > 0 and aht else None
        agents = needed.agents if needed else 0
        hours.append(HourForecast(hour, rate, aht, needed, scheduled_agents(agents, shrinkage)))
    return Forecast(account, day, target, shrinkage, history, days_with_calls, tuple(hours))
