"""Staffing by Erlang C: how many agents a queue of calls needs to meet its service level.

Pure arithmetic, no I/O. Calls arrive at random (Poisson) at `calls_per_hour`, each takes `aht_seconds` of an
agent's time (talk + hold + after-call work), and callers wait in one queue for the next free agent. The
probability of waiting is Erlang C, reached through the Erlang B recursion, which stays finite and accurate for
thousands of agents where the textbook formula's factorials and powers overflow.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

from agentdesk.domain.sla import ServiceLevel

MAX_TRAFFIC_ERLANGS = 100_000.0
"""About a hundred thousand agents busy at once: past this the input is a typo, not a contact center."""


class StaffingError(ValueError):
    """An input the model cannot use; the message is a sentence that says what to give instead."""


@dataclass(frozen=True, slots=True)
class Workload:
    """The calls one queue receives: how many an hour, and how long each keeps an agent busy."""

    calls_per_hour: float
    aht_seconds: float

    def __post_init__(self) -> None:
        if not (math.isfinite(self.calls_per_hour) and self.calls_per_hour >= 0):
            raise StaffingError(f"Calls per hour must be 0 or more, not {self.calls_per_hour!r}.")
        if not (math.isfinite(self.aht_seconds) and self.aht_seconds > 0):
            raise StaffingError(f"The average handle time must be more than 0 s, not {self.aht_seconds!r}.")
        if self.traffic > MAX_TRAFFIC_ERLANGS:
            raise StaffingError(f"{self.traffic:,.0f} Erlangs of traffic is beyond what this model is meant for "
                                f"(at most {MAX_TRAFFIC_ERLANGS:,.0f}); check the calls per hour and handle time.")

    @property
    def traffic(self) -> float:
        """The traffic in Erlangs: how many agents would be busy on average with no waiting at all."""
        return self.calls_per_hour * self.aht_seconds / 3600.0


@dataclass(frozen=True, slots=True)
class Staffing:
    """What `agents` agents achieve against one workload and one target."""

    agents: int
    traffic: float
    wait_probability: float
    service_level: float
    """The share (0 to 1) of calls answered within the target's seconds."""
    asa_seconds: float
    """The average speed of answer over all calls, those answered at once included."""
    occupancy: float

    def as_dict(self) -> dict[str, float | int]:
        """The figures by name, for `--json`."""
        return {
            "agents": self.agents, "traffic_erlangs": self.traffic, "wait_probability": self.wait_probability,
            "service_level": self.service_level, "asa_seconds": self.asa_seconds, "occupancy": self.occupancy,
        }


def _erlang_b(traffic: float, agents: int) -> float:
    """Erlang B (the blocking probability) by its recursion B(k) = A B(k-1) / (k + A B(k-1)); B(0) = 1."""
    blocking = 1.0
    for k in range(1, agents + 1):
        blocking = traffic * blocking / (k + traffic * blocking)
    return blocking


def _erlang_c_from_b(traffic: float, agents: int, blocking: float) -> float:
    if agents <= traffic:
        return 1.0  # too few agents: the queue grows without end and every caller waits
    return agents * blocking / (agents - traffic * (1.0 - blocking))


def wait_probability(workload: Workload, agents: int) -> float:
    """Erlang C: the probability that a call waits at all before an agent answers (1 when N <= traffic)."""
    _check_agents(agents)
    traffic = workload.traffic
    if traffic == 0:
        return 0.0
    return _erlang_c_from_b(traffic, agents, _erlang_b(traffic, agents))


def evaluate(workload: Workload, agents: int, target: ServiceLevel) -> Staffing:
    """Every figure for `agents` agents answering `workload`, with the service level against `target`'s seconds."""
    return _figures(workload, agents, target, wait_probability(workload, agents))


def _figures(workload: Workload, agents: int, target: ServiceLevel, waits: float) -> Staffing:
    traffic = workload.traffic
    if traffic == 0:
        return Staffing(agents, 0.0, 0.0, 1.0, 0.0, 0.0)  # no calls: nobody waits, nobody is busy
    if agents <= traffic:
        return Staffing(agents, traffic, 1.0, 0.0, math.inf, traffic / agents if agents else math.inf)
    spare = agents - traffic
    level = 1.0 - waits * math.exp(-spare * target.seconds / workload.aht_seconds)
    asa = waits * workload.aht_seconds / spare
    return Staffing(agents, traffic, waits, max(0.0, min(1.0, level)), asa, traffic / agents)


def agents_needed(workload: Workload, target: ServiceLevel) -> Staffing:
    """The fewest agents (more than the traffic) whose service level meets `target`, with their figures.

    The Erlang B value is carried from one agent count to the next, so the search costs one recursion in all.
    """
    traffic = workload.traffic
    if traffic == 0:
        return _figures(workload, 0, target, 0.0)
    goal = target.percent / 100.0
    blocking, agents = 1.0, 0
    # Past traffic + 50 sqrt(traffic) + 100 agents the waiting probability is far below any float's resolution.
    limit = int(traffic + 50 * math.sqrt(traffic)) + 100
    while agents < limit:
        agents += 1
        blocking = traffic * blocking / (agents + traffic * blocking)
        if agents <= traffic:
            continue
        found = _figures(workload, agents, target, _erlang_c_from_b(traffic, agents, blocking))
        if found.service_level >= goal:
            return found
    raise StaffingError(f"No number of agents reaches {target} for this workload; a target below 100 % can be met.")


def scheduled_agents(needed: int, shrinkage: float) -> int:
    """Agents to put on the schedule so that `needed` are on the phones when `shrinkage` (breaks, training,
    absence; 0 to below 1) of the scheduled time is lost: needed / (1 - shrinkage), rounded up."""
    if needed < 0:
        raise StaffingError(f"Agents needed cannot be negative ({needed}).")
    if not (math.isfinite(shrinkage) and 0 <= shrinkage < 1):
        raise StaffingError(f"Shrinkage must be a share from 0 up to (not including) 1, e.g. 0.3, not {shrinkage!r}.")
    # Exact fractions: 14 / (1 - 0.3) is 20 exactly, where floats make it 20.000000000000004 and round it up to 21.
    return math.ceil(Fraction(needed) / (1 - Fraction(str(shrinkage))))


def _check_agents(agents: int) -> None:
    if agents < 0:
        raise StaffingError(f"The number of agents must be 0 or more, not {agents}.")
