"""The life of a ticket: moves, consent, SLA clocks, the refund window in the account's time zone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from agentdesk.domain.tickets import (
    Consent,
    ConsentHow,
    MoveRefused,
    SaveOutcome,
    SlaPhase,
    Status,
    check_move,
    check_review,
    check_save_outcome,
    read_sla,
    refund_window,
    status_after_reply,
)

NOW = datetime(2026, 11, 23, 14, 30, tzinfo=UTC)
CONSENT = Consent(ConsentHow.CALL, NOW - timedelta(minutes=2))


@pytest.mark.parametrize("current", ["new", "open", "pending", "escalated"])
def test_any_open_ticket_can_be_resolved_with_consent(current: str) -> None:
    assert check_move(current, "resolved", consent=CONSENT, now=NOW) is Status.RESOLVED


@pytest.mark.parametrize("current", ["new", "open", "pending", "escalated"])
def test_resolving_without_the_customers_permission_is_refused(current: str) -> None:
    with pytest.raises(MoveRefused, match="permission"):
        check_move(current, "resolved")


def test_consent_dated_before_the_ticket_or_in_the_future_is_refused() -> None:
    with pytest.raises(MoveRefused, match="before the ticket"):
        check_move("open", "resolved", consent=CONSENT, opened_at=NOW, now=NOW)
    future = Consent(ConsentHow.WRITING, NOW + timedelta(hours=1))
    with pytest.raises(MoveRefused, match="future"):
        check_move("open", "resolved", consent=future, now=NOW)


@pytest.mark.parametrize(("current", "target", "reason"), [
    ("closed", "open", "closed ticket cannot change"),
    ("new", "closed", "cannot become closed"),
    ("open", "new", "cannot become new"),
    ("resolved", "pending", "cannot become pending customer"),
    ("open", "open", "already open"),
    ("open", "archived", "not a ticket state"),
])
def test_impossible_moves_are_refused_with_a_reason(current: str, target: str, reason: str) -> None:
    with pytest.raises(MoveRefused, match=reason):
        check_move(current, target, consent=CONSENT)


def test_resolved_ticket_can_be_reopened_closed_or_sent_for_review_once() -> None:
    assert check_move("resolved", "open") is Status.OPEN
    assert check_move("resolved", "closed") is Status.CLOSED
    check_review("resolved", already_requested=False)
    with pytest.raises(MoveRefused, match="already waiting"):
        check_review("resolved", already_requested=True)
    with pytest.raises(MoveRefused, match="Only a resolved"):
        check_review("open", already_requested=False)


def test_a_reply_opens_a_new_ticket_and_reopens_a_resolved_one() -> None:
    assert status_after_reply("new") is Status.OPEN
    assert status_after_reply("resolved") is Status.OPEN
    assert status_after_reply("pending") is Status.PENDING


def test_sla_clock_goes_amber_then_red_then_escalates() -> None:
    received = NOW
    assert read_sla(received, NOW).phase is SlaPhase.OK
    assert read_sla(received, NOW).label == "6h00m"
    assert read_sla(received, NOW + timedelta(hours=4, minutes=29)).phase is SlaPhase.OK
    assert read_sla(received, NOW + timedelta(hours=4, minutes=31)).phase is SlaPhase.AMBER
    late = read_sla(received, NOW + timedelta(hours=6, minutes=12))
    assert late.phase is SlaPhase.RED and late.label == "-0h12m"
    escalated = read_sla(received, NOW + timedelta(hours=13))
    assert escalated.phase is SlaPhase.ESCALATE and escalated.label == "ESC +1h00m"
    assert read_sla(None, NOW).phase is SlaPhase.NONE


def test_refund_window_counts_sixty_days_in_the_accounts_time_zone() -> None:
    # 03:00 UTC on 2 March is still 1 March in New York: the window ends 30 April there, not 1 May.
    ordered = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)
    on_last_day = datetime(2026, 5, 1, 3, 59, tzinfo=UTC)  # 23:59 on 30 April in New York (EDT)
    window = refund_window(ordered, on_last_day, "America/New_York")
    assert window.order_date.isoformat() == "2026-03-01"
    assert window.last_day.isoformat() == "2026-04-30"
    assert window.open and window.days_left == 0
    assert "last day today" in window.label
    after = refund_window(ordered, on_last_day + timedelta(minutes=2), "America/New_York")
    assert not after.open and "60 days" in after.label
    # In Tokyo the same order is from 2 March, so the window lasts a day longer.
    assert refund_window(ordered, on_last_day, "Asia/Tokyo").days_left == 0
    assert refund_window(ordered, NOW.replace(month=3, day=10), "Asia/Tokyo").days_left == 52


def test_refund_granted_only_inside_the_window_and_after_help_was_offered() -> None:
    inside = refund_window(NOW - timedelta(days=10), NOW, "UTC")
    outside = refund_window(NOW - timedelta(days=61), NOW, "UTC")
    with pytest.raises(MoveRefused, match="Offer help first"):
        check_save_outcome("refund", "refunded", help_offered=False, already=None, window=inside)
    assert check_save_outcome("refund", "refunded", help_offered=True, already=None, window=inside) \
        is SaveOutcome.REFUNDED
    with pytest.raises(MoveRefused, match="60 days"):
        check_save_outcome("refund", "refunded", help_offered=True, already=None, window=outside)
    assert check_save_outcome("refund", "saved", help_offered=True, already=None, window=outside) \
        is SaveOutcome.SAVED
    with pytest.raises(MoveRefused, match="already recorded"):
        check_save_outcome("refund", "saved", help_offered=True, already="saved", window=inside)


def test_cancellations_of_recurring_products_at_any_time() -> None:
    assert check_save_outcome("cancellation", "cancelled", help_offered=True, already=None, window=None,
                              recurring=True) is SaveOutcome.CANCELLED
    with pytest.raises(MoveRefused, match="recurring"):
        check_save_outcome("cancellation", "cancelled", help_offered=True, already=None, window=None,
                           recurring=False)
    with pytest.raises(MoveRefused, match="Only refund and cancellation"):
        check_save_outcome("question", "saved", help_offered=True, already=None, window=None)
