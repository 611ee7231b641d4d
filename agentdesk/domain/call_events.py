"""The phone system's view of a call, as the backend receives it: ringing → answered → held ⇄ resumed → ended
(or ringing → ended: the caller hung up first). Pure rules, shared by the backend and its tests."""

from __future__ import annotations

from enum import StrEnum

from agentdesk.errors import CallEventRefused as CallEventRefused


class CallEventType(StrEnum):
    RINGING = "ringing"
    ANSWERED = "answered"
    HELD = "held"
    RESUMED = "resumed"
    ENDED = "ended"


_NEXT: dict[str | None, frozenset[CallEventType]] = {
    None: frozenset({CallEventType.RINGING}),
    "ringing": frozenset({CallEventType.ANSWERED, CallEventType.ENDED}),
    "answered": frozenset({CallEventType.HELD, CallEventType.ENDED}),
    "held": frozenset({CallEventType.RESUMED, CallEventType.ENDED}),
    "resumed": frozenset({CallEventType.HELD, CallEventType.ENDED}),
    "ended": frozenset(),
}


def next_state(current: str | None, event: CallEventType) -> str:
    """The call's state after `event`; `CallEventRefused` for an impossible move."""
    allowed = _NEXT.get(current, frozenset())
    if event not in allowed:
        if current is None:
            raise CallEventRefused(f"call is unknown: its first event must be ringing, not {event.value}")
        if current == "ended":
            raise CallEventRefused(f"call has ended; {event.value} cannot follow")
        raise CallEventRefused(f"a {current} call cannot be {event.value}")
    return event.value
