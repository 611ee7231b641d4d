"""The life of one call: ringing, answered, holds, ended; with the times the report bills and counts."""

from __future__ import annotations

import pytest

from agentdesk.domain.calls import CallError, CallSession, CallState

RANG = 500.0


def ringing() -> CallSession:
    return CallSession(call_id="call-1", account_id="acme", caller="+18002181525", rang_at=RANG)


def answered(after: float = 4.0) -> CallSession:
    call = ringing()
    call.answer(RANG + after)
    return call


def test_a_new_call_rings() -> None:
    call = ringing()
    assert call.state is CallState.RINGING and call.state == "ringing"
    assert call.holds == [] and call.current_hold is None


def test_answering_puts_the_agent_on_the_call() -> None:
    call = answered()
    assert call.state is CallState.TALKING and call.state.value == "on call"
    assert call.answered_at == RANG + 4


def test_a_call_can_be_answered_only_once() -> None:
    call = answered()
    with pytest.raises(CallError, match="already answered"):
        call.answer(RANG + 5)


def test_there_is_no_hold_without_an_answered_call() -> None:
    with pytest.raises(CallError, match="Answer the call"):
        ringing().hold(RANG + 1, "h1")
    ended = answered()
    ended.end(RANG + 10)
    with pytest.raises(CallError, match="There is no active call to put on hold."):
        ended.hold(RANG + 11, "h1")


def test_hold_and_resume_record_the_hold_and_its_length() -> None:
    call = answered()
    hold = call.hold(RANG + 10, "h1")
    assert call.state is CallState.ON_HOLD and call.current_hold is hold
    assert hold.seconds(RANG + 13) == 3
    back = call.resume(RANG + 16)
    assert back is hold and hold.ended == RANG + 16 and not hold.hit_cap
    assert call.state is CallState.TALKING and call.current_hold is None
    assert hold.seconds(RANG + 100) == 6


def test_a_hold_ended_by_the_cap_is_marked() -> None:
    call = answered()
    call.hold(RANG + 10, "h1")
    assert call.resume(RANG + 20, hit_cap=True).hit_cap


def test_the_caller_cannot_be_put_on_hold_twice_or_resumed_when_not_on_hold() -> None:
    call = answered()
    with pytest.raises(CallError, match="not on hold"):
        call.resume(RANG + 5)
    call.hold(RANG + 5, "h1")
    with pytest.raises(CallError, match="already on hold"):
        call.hold(RANG + 6, "h2")


def test_a_duplicated_hold_event_is_refused() -> None:
    call = answered()
    call.hold(RANG + 5, "h1")
    call.resume(RANG + 6)
    with pytest.raises(CallError, match="already recorded"):
        call.hold(RANG + 7, "h1")
    assert len(call.holds) == 1


def test_ending_on_hold_closes_the_hold_first() -> None:
    call = answered()
    hold = call.hold(RANG + 10, "h1")
    call.end(RANG + 14)
    assert call.state is CallState.ENDED and hold.ended == RANG + 14 and call.ended_at == RANG + 14
    assert call.hold_seconds_total(RANG + 99) == 4


def test_a_call_ended_while_ringing_is_missed() -> None:
    call = ringing()
    call.end(RANG + 20)
    assert call.was_missed and call.talk_seconds(RANG + 30) == 0 and call.billable_seconds(RANG + 30) == 0


def test_an_answered_call_is_not_missed() -> None:
    call = answered()
    assert not call.was_missed  # still live
    call.end(RANG + 30)
    assert not call.was_missed


def test_a_call_ends_only_once() -> None:
    call = answered()
    call.end(RANG + 30)
    with pytest.raises(CallError, match="already ended"):
        call.end(RANG + 31)
    with pytest.raises(CallError, match="ended"):
        call.answer(RANG + 31)


def test_the_caller_hears_ring_one_during_the_first_six_seconds() -> None:
    call = ringing()
    assert call.ring_count(RANG) == 1
    assert call.ring_count(RANG + 5.9) == 1
    assert call.ring_count(RANG + 6.0) == 2
    assert call.ring_count(RANG + 12.5) == 3


def test_the_ring_count_freezes_at_the_answer() -> None:
    call = answered(after=7.0)
    assert call.ring_count(RANG + 60) == 2


def test_the_ring_count_follows_the_cycle_given() -> None:
    assert ringing().ring_count(RANG + 8, cycle_seconds=4.0) == 3


def test_talk_time_runs_from_the_answer_to_the_end_with_holds_included_in_billing() -> None:
    call = answered(after=4.0)
    assert call.talk_seconds(RANG + 10) == 6
    call.hold(RANG + 20, "h1")
    call.resume(RANG + 28)
    call.end(RANG + 94)
    assert call.talk_seconds(RANG + 500) == 90
    assert call.billable_seconds(RANG + 500) == 90
    assert call.hold_seconds_total(RANG + 500) == 8


def test_the_open_hold_counts_up_to_now() -> None:
    call = answered()
    call.hold(RANG + 10, "h1")
    call.resume(RANG + 12)
    call.hold(RANG + 20, "h2")
    assert call.hold_seconds_total(RANG + 25) == 7


def test_an_event_stamped_before_the_previous_one_does_not_make_a_negative_duration() -> None:
    call = answered(after=10.0)
    hold = call.hold(RANG + 5, "h1")  # a clock reading that raced the answer
    assert hold.started == RANG + 10
    call.end(RANG + 3)
    assert call.talk_seconds(RANG + 3) == 0 and hold.seconds(RANG) == 0


def test_call_errors_are_sentences_for_the_agent() -> None:
    with pytest.raises(CallError) as caught:
        ringing().resume(RANG)
    message = str(caught.value)
    assert message[0].isupper() and message.endswith(".")
