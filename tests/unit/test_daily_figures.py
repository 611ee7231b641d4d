"""The day's figures from facts, against sums worked by hand."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from agentdesk.domain.daily_figures import (
    CallFact,
    DayFacts,
    FigureRules,
    HoldFact,
    MessageFact,
    RatingFact,
    TicketFact,
    day_figures,
    day_window,
)
from agentdesk.domain.sla import RingPolicy, ServiceLevel

DAY = date(2026, 11, 24)  # in UTC, to keep the sums readable


def at(hour: int, minute: int = 0, second: float = 0, day: int = 0) -> datetime:
    return datetime(2026, 11, 24, hour, minute, tzinfo=UTC) + timedelta(days=day, seconds=second)


def call(id_: str, rang: datetime, wait: float, connected: float | None = None, *, wrap: float | None = None,
         holds: tuple[HoldFact, ...] = (), direction: str = "in", price: int | None = None) -> CallFact:
    answered = rang + timedelta(seconds=wait) if connected is not None else None
    ended = answered + timedelta(seconds=connected) if answered and connected is not None else rang + timedelta(
        seconds=wait)
    return CallFact(id_, direction, rang, answered, ended, holds, wrap, price)


def facts(**parts) -> DayFacts:  # type: ignore[no-untyped-def]
    return DayFacts("acct", "Acme", "UTC", DAY, 120, ServiceLevel(80, 20), **parts)


def test_queue_figures_both_service_levels_and_the_third_ring() -> None:
    figures = day_figures(facts(calls=[
        call("a", at(9), 4, 100, wrap=20),  # within 20 s, before the 3rd ring
        call("b", at(9, 10), 12, 200, wrap=40),  # the 3rd ring has begun at 12 s: within 20 s, not before it
        call("c", at(10), 30, 60),  # late
        call("d", at(10, 5), 50),  # abandoned after 50 s
        call("e", at(10, 6), 4.9),  # short abandon
        CallFact("f", "in", at(11)),  # ringing still: waiting, in neither service level
    ]))
    assert (figures.calls_offered, figures.calls_answered, figures.calls_abandoned) == (5, 3, 1)
    assert (figures.short_abandons, figures.calls_waiting) == (1, 1)
    assert figures.answered_within_target == 2
    assert figures.service_level_of_answered == pytest.approx(200 / 3)
    assert figures.service_level_of_offered == pytest.approx(50.0)
    assert figures.answered_before_ring == 1
    assert figures.asa_seconds == pytest.approx((4 + 12 + 30) / 3)
    assert figures.aht_seconds == pytest.approx((120 + 240 + 60) / 3)
    assert figures.average_time_to_abandon_seconds == 50
    assert figures.abandonment_rate == pytest.approx(20.0)


def test_handle_time_is_talk_plus_hold_plus_after_call_work_and_cost_is_per_interaction() -> None:
    holds = (HoldFact(10.0, True), HoldFact(5.0))
    figures = day_figures(facts(
        calls=[call("a", at(9), 5, 95, wrap=25, holds=holds), call("out", at(9, 30), 3, 30, direction="out", price=60)],
        messages=[MessageFact("m", "email", at(12), 45.0), MessageFact("n", "chat", at(12, 5), 0.0)],
    ))
    assert figures.average_talk_seconds == 80  # 95 connected less 15 on hold
    assert figures.aht_seconds == 120  # 80 talk + 15 hold + 25 wrap-up
    assert figures.average_after_call_seconds == 25
    assert (figures.holds, figures.hold_cap_hits) == (2, 1)
    assert figures.billable_seconds == 120 + 30 + 45
    # 120 s at $1.20 = 240; 30 s at its own $0.60 = 30; 45 s at $1.20 = 90.
    assert figures.cost_cents == 240 + 30 + 90
    assert figures.calls_offered == 1  # the outbound call is billed, not queued


def test_only_the_local_day_counts() -> None:
    figures = day_figures(facts(calls=[call("x", at(23, 59, 59.9, day=-1), 1, 10), call("y", at(0, day=1), 1, 10),
                                       call("z", at(0), 1, 10)]))
    assert figures.calls_offered == 1


def test_tickets_e_mails_within_six_hours_and_the_twelve_hour_escalation() -> None:
    tickets = [
        TicketFact("t1", "C-1", "email", "resolved", at(2, day=-1), resolved_at=at(8), first_response_at=at(7, day=-1)),
        TicketFact("t2", "C-2", "email", "resolved", at(6), resolved_at=at(10), first_response_at=at(12, 1)),
        TicketFact("t3", "C-3", "chat", "open", at(1), first_response_at=at(2)),  # not an e-mail
        TicketFact("t4", "C-4", "email", "escalated", at(1), awaiting_since=at(1)),  # escalated at 13:00
        TicketFact("t5", "C-5", "email", "escalated", at(14), awaiting_since=at(14)),  # escalates tomorrow
    ]
    figures = day_figures(facts(tickets=tickets))
    assert figures.tickets_resolved == 2
    assert figures.average_resolution_seconds == (30 * 3600 + 4 * 3600) / 2
    # t1 was answered the day before; t2 took 6 h 1 min.
    assert (figures.emails_answered, figures.emails_answered_within_goal) == (1, 0)
    assert figures.tickets_escalated == 1


def test_an_e_mail_answered_at_exactly_six_hours_is_within_the_goal() -> None:
    ticket = TicketFact("t", "C", "email", "open", at(6), first_response_at=at(12))
    figures = day_figures(facts(tickets=[ticket]))
    assert figures.emails_answered_within_goal == 1


def test_ratings_by_source_and_a_source_not_recorded_yet() -> None:
    ratings = [RatingFact("customer", 4, "appointment", at(10)), RatingFact("customer", 5, "appointment", at(9)),
               RatingFact("customer", 1, "appointment", at(9, day=-1))]
    figures = day_figures(facts(ratings=ratings))
    customer, quality = {r.source: r for r in figures.rating_averages}["customer"], figures.rating_averages[0]
    assert (customer.average, customer.count, customer.kept) == (4.5, 2, True)
    assert (quality.source, quality.average, quality.count, quality.kept) == ("quality", None, 0, False)
    assert [r.score for r in figures.ratings] == [5, 4]  # in time order


def test_hourly_calls_and_service_level() -> None:
    figures = day_figures(facts(calls=[call("a", at(9), 5, 10), call("b", at(9, 30), 25, 10), call("c", at(9, 40), 30),
                                       call("d", at(15), 1, 10)]))
    hours = {h.hour: h for h in figures.hours}
    assert len(figures.hours) == 24
    assert (hours[9].offered, hours[9].answered, hours[9].abandoned, hours[9].within_target) == (3, 2, 1, 1)
    assert hours[9].service_level == pytest.approx(100 / 3)
    assert hours[15].service_level == 100.0
    assert hours[3].service_level is None


def test_an_empty_day_has_no_averages_rather_than_zeros() -> None:
    figures = day_figures(facts())
    assert figures.calls_offered == 0
    assert figures.asa_seconds is None and figures.service_level_of_offered is None
    assert figures.cost_cents == 0


def test_the_thresholds_come_from_the_rules() -> None:
    calls = [call("a", at(9), 8, 10), call("b", at(9, 5), 9)]
    strict = day_figures(facts(calls=calls), FigureRules(short_abandon_seconds=10, ring=RingPolicy(4.0, 3)))
    assert strict.calls_abandoned == 0 and strict.short_abandons == 1
    assert strict.answered_before_ring == 0  # with 4-second rings the 3rd ring begins at 8 s
    lenient = day_figures(facts(calls=calls))
    assert lenient.calls_abandoned == 1 and lenient.answered_before_ring == 1  # 8 s is in the 2nd 6-second ring


def test_the_day_runs_midnight_to_midnight_in_the_account_time_zone() -> None:
    start, end = day_window(date(2026, 11, 1), "America/New_York")  # the day clocks go back: 25 hours
    assert start == datetime(2026, 11, 1, 4, tzinfo=UTC)
    assert end - start == timedelta(hours=25)


def test_a_call_in_progress_counts_as_answered_but_has_no_handle_time_yet() -> None:
    live = CallFact("live", "in", at(9, 50), answered_at=at(9, 50, 6))  # the supervisor's counters, mid-call
    figures = day_figures(facts(calls=[call("done", at(9), 4, 100, wrap=20), live]))
    assert figures.calls_answered == 2 and figures.asa_seconds == 5
    assert figures.aht_seconds == 120  # only the ended call
    assert figures.billable_seconds == 120
    nine = figures.hours[9]
    assert (nine.answered, nine.handled, nine.aht_seconds) == (2, 1, 120)
