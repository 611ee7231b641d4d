"""The floor's ticket figures: near and past the 6 h response goal, and escalations counted in the account's day."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from agentdesk.domain.tickets import TicketFigures, ticket_figures

NOON_LONDON = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)  # London keeps UTC in December


def test_an_escalation_counts_on_the_day_its_12_h_ran_out_in_the_accounts_zone() -> None:
    last_night = NOON_LONDON.replace(hour=0) - timedelta(minutes=1)  # 23:59 yesterday
    this_morning = NOON_LONDON.replace(hour=0, minute=1)  # 00:01 today
    figures = ticket_figures([("escalated", last_night - timedelta(hours=12)),
                              ("escalated", this_morning - timedelta(hours=12))], NOON_LONDON, "Europe/London")
    assert figures.escalated_today == 1 and figures.breached == 2 and figures.open == 2


def test_near_the_goal_means_within_its_last_quarter_and_pending_or_answered_owes_nothing() -> None:
    at = NOON_LONDON
    figures = ticket_figures([
        ("open", at - timedelta(hours=4, minutes=29)),  # due in 1 h 31: not yet near
        ("open", at - timedelta(hours=4, minutes=31)),  # due in 1 h 29: near
        ("new", at - timedelta(hours=6, minutes=1)),    # past the goal
        ("pending", at - timedelta(hours=9)),           # waiting for the customer: nothing owed
        ("open", None),                                  # answered
        ("resolved", at - timedelta(hours=30)),          # not the desk's work any more
    ], at, "Europe/London")
    assert figures == TicketFigures(open=5, due_soon=1, breached=1, escalated_today=0)
