"""The hold cap: no caller on hold longer than 10 s, warned from 7 s."""

from __future__ import annotations

import pytest

from agentdesk.domain.hold import RELEASE_LINE, WARNING_TEXT, HoldPhase, HoldPolicy, read_hold

POLICY = HoldPolicy()
START = 1000.0


def test_the_default_promise_is_ten_seconds_with_a_warning_at_seven() -> None:
    assert (POLICY.cap_seconds, POLICY.warn_seconds) == (10.0, 7.0)


def test_a_fresh_hold_counts_down_from_the_cap() -> None:
    reading = read_hold(POLICY, START, START + 2.5)
    assert (reading.elapsed, reading.remaining, reading.phase) == (2.5, 7.5, HoldPhase.HOLDING)


def test_the_agent_is_warned_from_seven_seconds() -> None:
    assert read_hold(POLICY, START, START + 6.99).phase is HoldPhase.HOLDING
    assert read_hold(POLICY, START, START + 7.0).phase is HoldPhase.WARNING
    assert read_hold(POLICY, START, START + 9.99).phase is HoldPhase.WARNING


def test_hold_is_released_at_ten_seconds() -> None:
    reading = read_hold(POLICY, START, START + 10.0)
    assert reading.phase is HoldPhase.RELEASED and reading.remaining == 0.0


def test_remaining_never_goes_below_zero_when_the_tick_comes_late() -> None:
    reading = read_hold(POLICY, START, START + 14.0)
    assert (reading.elapsed, reading.remaining, reading.phase) == (14.0, 0.0, HoldPhase.RELEASED)


def test_a_reading_from_before_the_start_counts_as_zero() -> None:
    reading = read_hold(POLICY, START, START - 0.5)
    assert (reading.elapsed, reading.remaining, reading.phase) == (0.0, 10.0, HoldPhase.HOLDING)


def test_a_shorter_contract_cap_is_honoured() -> None:
    policy = HoldPolicy(cap_seconds=5.0, warn_seconds=3.0)
    assert read_hold(policy, 0.0, 3.0).phase is HoldPhase.WARNING
    assert read_hold(policy, 0.0, 5.0).phase is HoldPhase.RELEASED


@pytest.mark.parametrize(
    ("cap", "warn"), [(10.0, 10.0), (10.0, 12.0), (10.0, 0.0), (0.0, -1.0), (float("inf"), 7.0)]
)
def test_a_warning_must_come_after_the_start_and_before_the_cap(cap: float, warn: float) -> None:
    with pytest.raises(ValueError):
        HoldPolicy(cap_seconds=cap, warn_seconds=warn)


def test_the_agent_has_words_for_the_release_and_the_warning() -> None:
    assert RELEASE_LINE.startswith("Thank you for holding")
    assert "cap" in WARNING_TEXT
