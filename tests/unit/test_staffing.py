"""Erlang C staffing: the published case, the search for agents needed, shrinkage, and the model's shape."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from agentdesk.domain.sla import ServiceLevel
from agentdesk.domain.staffing import (
    StaffingError,
    Workload,
    agents_needed,
    evaluate,
    scheduled_agents,
    wait_probability,
)

TARGET = ServiceLevel(80, 20)


def test_the_published_case_200_calls_an_hour_180_s_14_agents() -> None:
    figures = evaluate(Workload(200, 180), 14, TARGET)
    assert figures.traffic == pytest.approx(10.0)
    assert round(figures.wait_probability, 4) == 0.1741
    assert round(figures.service_level, 4) == 0.8884
    assert round(figures.asa_seconds, 2) == 7.84
    assert round(figures.occupancy, 4) == 0.7143


def test_agents_needed_is_the_smallest_count_meeting_the_target() -> None:
    workload = Workload(200, 180)
    needed = agents_needed(workload, TARGET)
    assert needed.agents == 14  # 13 agents reach only 79.56 %
    assert round(needed.service_level, 4) == 0.8884
    assert evaluate(workload, 13, TARGET).service_level < 0.80
    assert agents_needed(workload, ServiceLevel(90, 20)).agents == 15  # 88.84 % at 14 misses 90 %


def test_a_stricter_target_needs_more_agents_and_the_count_stays_above_the_traffic() -> None:
    workload = Workload(1_200, 240)  # 80 Erlangs
    loose, strict = agents_needed(workload, ServiceLevel(70, 40)), agents_needed(workload, ServiceLevel(95, 10))
    assert 80 < loose.agents < strict.agents


def test_no_more_agents_than_the_traffic_means_everyone_waits_forever() -> None:
    figures = evaluate(Workload(200, 180), 10, TARGET)
    assert figures.wait_probability == 1.0
    assert figures.service_level == 0.0
    assert math.isinf(figures.asa_seconds)


def test_no_calls_need_no_agents() -> None:
    assert agents_needed(Workload(0, 180), TARGET).agents == 0
    assert wait_probability(Workload(0, 180), 3) == 0.0


def test_a_large_center_is_computed_without_overflow() -> None:
    # 5,000 Erlangs: the textbook formula's A^N / N! overflows a float long before this.
    needed = agents_needed(Workload(60_000, 300), TARGET)
    assert 5_000 < needed.agents < 5_200
    assert 0.0 < needed.wait_probability < 1.0
    assert needed.service_level >= 0.80


def test_shrinkage_rounds_up_to_whole_agents_without_float_noise() -> None:
    assert scheduled_agents(14, 0.3) == 20  # 14 / 0.7 is exactly 20, not 21
    assert scheduled_agents(13, 0.3) == 19  # 18.57 rounds up
    assert scheduled_agents(13, 0) == 13


@pytest.mark.parametrize("shrinkage", [1.0, -0.1, math.nan])
def test_impossible_shrinkage_is_refused_with_a_sentence(shrinkage: float) -> None:
    with pytest.raises(StaffingError, match="Shrinkage must be"):
        scheduled_agents(10, shrinkage)


@pytest.mark.parametrize(("calls", "aht"), [(-1, 180), (100, 0), (math.inf, 180), (10**9, 3600)])
def test_impossible_workloads_are_refused(calls: float, aht: float) -> None:
    with pytest.raises(StaffingError):
        Workload(calls, aht)


workloads = st.builds(Workload, st.floats(1, 5_000), st.floats(10, 900))


@given(workloads, st.integers(0, 40))
def test_service_level_grows_and_asa_falls_as_agents_are_added(workload: Workload, extra: int) -> None:
    first = math.floor(workload.traffic) + 1 + extra
    fewer, more = evaluate(workload, first, TARGET), evaluate(workload, first + 1, TARGET)
    assert more.service_level >= fewer.service_level - 1e-12
    assert more.asa_seconds <= fewer.asa_seconds + 1e-9
    assert more.wait_probability <= fewer.wait_probability + 1e-12
    assert 0.0 <= more.service_level <= 1.0


@given(workloads, st.sampled_from([ServiceLevel(80, 20), ServiceLevel(90, 20), ServiceLevel(70, 40)]))
def test_agents_needed_meets_the_target_and_one_fewer_does_not(workload: Workload, target: ServiceLevel) -> None:
    needed = agents_needed(workload, target)
    assert needed.service_level >= target.percent / 100
    assert needed.agents > workload.traffic
    if needed.agents - 1 > workload.traffic:
        assert evaluate(workload, needed.agents - 1, target).service_level < target.percent / 100
