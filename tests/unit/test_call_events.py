"""The phone system's call life on the backend: only possible moves pass, each refusal says why."""

from __future__ import annotations

import pytest

from agentdesk.domain.call_events import CallEventRefused, CallEventType, next_state

E = CallEventType


def test_a_whole_call_with_a_hold() -> None:
    state = None
    for event in (E.RINGING, E.ANSWERED, E.HELD, E.RESUMED, E.HELD, E.RESUMED, E.ENDED):
        state = next_state(state, event)
    assert state == "ended"


def test_a_caller_may_hang_up_while_ringing_or_on_hold() -> None:
    assert next_state("ringing", E.ENDED) == "ended"
    assert next_state("held", E.ENDED) == "ended"


@pytest.mark.parametrize(("state", "event", "why"), [
    (None, E.ANSWERED, "first event must be ringing"),
    ("ringing", E.HELD, "a ringing call cannot be held"),
    ("ringing", E.RINGING, "a ringing call cannot be ringing"),
    ("answered", E.RESUMED, "a answered call cannot be resumed"),
    ("held", E.HELD, "a held call cannot be held"),
    ("ended", E.ANSWERED, "call has ended"),
])
def test_impossible_moves_are_refused_with_a_reason(state: str | None, event: CallEventType, why: str) -> None:
    with pytest.raises(CallEventRefused, match=why):
        next_state(state, event)
