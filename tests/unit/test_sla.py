"""Service levels: answer before the third ring, and 80 % of calls within 20 s."""

from __future__ import annotations

import math

import pytest

from agentdesk.domain.sla import RingPolicy, ServiceLevel


def test_answer_before_the_third_ring_means_within_twelve_seconds() -> None:
    assert RingPolicy().deadline_seconds == 12.0
    assert RingPolicy(cycle_seconds=5.0, answer_before_ring=4).deadline_seconds == 15.0


def test_rings_are_counted_on_the_north_american_cadence() -> None:
    policy = RingPolicy()
    assert [policy.ring_number(t) for t in (0, 1.9, 5.99, 6, 11.99, 12, 18)] == [1, 1, 1, 2, 2, 3, 4]


def test_a_reading_before_the_first_ring_or_from_a_broken_clock_is_ring_one() -> None:
    policy = RingPolicy()
    assert policy.ring_number(-3) == 1 and policy.ring_number(math.nan) == 1


@pytest.mark.parametrize(("cycle", "ring"), [(0.0, 3), (-6.0, 3), (math.inf, 3), (6.0, 1)])
def test_an_impossible_ring_policy_is_refused(cycle: float, ring: int) -> None:
    with pytest.raises(ValueError):
        RingPolicy(cycle_seconds=cycle, answer_before_ring=ring)


def test_the_usual_target_is_eighty_twenty() -> None:
    assert ServiceLevel() == ServiceLevel(80, 20) == ServiceLevel.parse("80/20")
    assert str(ServiceLevel()) == "80/20"


@pytest.mark.parametrize(
    ("text", "level"), [("90/20", (90, 20)), ("70 / 40", (70, 40)), ("60%/60s", (60, 60))]
)
def test_contract_variants_are_read_as_written(text: str, level: tuple[int, int]) -> None:
    assert ServiceLevel.parse(text) == ServiceLevel(*level)


@pytest.mark.parametrize("text", ["", "80", "80/", "eighty/twenty", "0/20", "101/20", "80/0", "80/20/5"])
def test_what_is_not_a_service_level_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        ServiceLevel.parse(text)


def test_eight_of_ten_answered_within_twenty_seconds_meets_eighty_twenty() -> None:
    times = [3, 5, 8, 10, 12, 15, 19, 20, 21, 45]
    level = ServiceLevel()
    assert level.achieved(times) == 80.0
    assert level.met(times)


def test_seven_of_ten_misses_eighty_twenty_but_meets_seventy_forty() -> None:
    times = [3, 5, 8, 10, 12, 15, 19, 25, 35, 45]
    assert not ServiceLevel().met(times)
    assert ServiceLevel(70, 40).met(times[:7] + [50, 60, 70])


def test_a_caller_who_gave_up_counts_against_the_level() -> None:
    assert ServiceLevel(50, 20).achieved([5.0, math.inf]) == 50.0
    assert ServiceLevel(50, 20).achieved([5.0, math.nan]) == 50.0


def test_a_percentage_near_the_target_is_compared_in_whole_calls() -> None:
    times = [1.0] * 7 + [99.0] * 3  # exactly 70 % of ten calls
    assert ServiceLevel(70, 20).met(times)
    assert ServiceLevel(71, 20).met(times) is False


def test_with_no_calls_nothing_was_missed() -> None:
    assert ServiceLevel().achieved([]) == 100.0 and ServiceLevel().met([])
