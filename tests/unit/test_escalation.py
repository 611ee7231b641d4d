"""Escalation: a senior agent first, then the supervisor; the caller is told when we call back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from agentdesk.domain.escalation import caller_line, follow_up_due, next_level

NOW = datetime(2026, 11, 23, 14, 30, tzinfo=UTC)


def test_an_unanswered_question_goes_to_a_senior_then_to_the_supervisor() -> None:
    assert next_level(None) == "senior"
    assert next_level("senior") == "supervisor"
    assert next_level("supervisor") == "supervisor"


def test_a_senior_calls_back_within_two_hours_and_a_supervisor_within_one() -> None:
    assert follow_up_due(NOW, "senior") == NOW + timedelta(hours=2)
    assert follow_up_due(NOW, "supervisor") == NOW + timedelta(hours=1)


def test_the_caller_hears_the_callback_time_in_the_accounts_zone() -> None:
    due = follow_up_due(NOW, "senior")  # 16:30 UTC
    assert caller_line(due, "America/New_York") == (
        "I'm checking this with my team; we will call you back by 11:30 AM."
    )
    assert caller_line(due, "America/Los_Angeles").endswith("by 8:30 AM.")
    assert caller_line(due, "Europe/Berlin").endswith("by 5:30 PM.")


def test_summer_time_is_followed() -> None:
    assert caller_line(datetime(2026, 7, 1, 16, 30, tzinfo=UTC), "America/New_York").endswith("by 12:30 PM.")


def test_the_promised_time_is_rounded_up_never_earlier_than_the_task() -> None:
    due = datetime(2026, 11, 23, 16, 31, 5, tzinfo=UTC)
    assert caller_line(due, "UTC").endswith("by 4:35 PM.")
    assert caller_line(datetime(2026, 11, 23, 23, 58, tzinfo=UTC), "UTC").endswith("by 12:00 AM.")


def test_an_unknown_zone_is_said_in_utc_with_its_label() -> None:
    assert caller_line(NOW, "Mars/Olympus_Mons").endswith("by 2:30 PM UTC.")
    assert caller_line(NOW, "../../etc/passwd").endswith("by 2:30 PM UTC.")


def test_a_naive_time_is_taken_as_utc() -> None:
    assert caller_line(datetime(2026, 11, 23, 16, 30), "America/New_York").endswith("by 11:30 AM.")


def test_a_callback_falls_in_the_accounts_business_hours_and_says_the_zone_and_day() -> None:
    from agentdesk.domain.escalation import follow_up_due_in_hours

    late_friday = datetime(2026, 11, 27, 22, 10, tzinfo=UTC)  # 17:10 in New York, a Friday
    due = follow_up_due_in_hours(late_friday, "senior", "America/New_York")
    # 50 minutes left on Friday, the other 70 on Monday morning from 9:00.
    assert due == datetime(2026, 11, 30, 15, 10, tzinfo=UTC)
    line = caller_line(due, "America/New_York", zone_label=True, now=late_friday)
    assert line.endswith("by 10:10 AM EST on Monday.")
    night = datetime(2026, 11, 24, 6, 25, tzinfo=UTC)  # 1:25 AM in New York
    due = follow_up_due_in_hours(night, "supervisor", "America/New_York")
    assert caller_line(due, "America/New_York", zone_label=True, now=night).endswith("by 10:00 AM EST.")
    midday = datetime(2026, 11, 24, 16, 0, tzinfo=UTC)  # 11:00 in New York: plain two hours
    assert follow_up_due_in_hours(midday, "senior", "America/New_York") == midday + timedelta(hours=2)
