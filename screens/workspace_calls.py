"""The phone line's part of the workspace: the call bar and the hold timer redrawn from the clocks, with the hold
cap and the caller who gives up ringing applied as time passes; and which call keys work in which state.

`CallLine` is composed into the workspace (it holds the screen, not the other way round).
"""

from __future__ import annotations

from typing import Any

from textual.screen import Screen

from agentdesk.desks.calls import CallDesk, TimerEvent
from agentdesk.domain.calls import CallState
from agentdesk.domain.hold import RELEASE_LINE, HoldPhase
from agentdesk.domain.phones import display as show_phone
from agentdesk.records import Customer
from widgets import CallBar, CallView, HoldTimer
from widgets.screen_text import one_line


class CallLine:
    """Shows the call on `desk`'s line in `screen`'s call bar and hold timer."""

    def __init__(self, screen: Screen[Any], desk: CallDesk) -> None:
        self.screen = screen
        self.desk = desk
        self._warned_hold: str | None = None

    def link_unknown_caller(self, customer_id: str) -> None:
        """A customer found during a call from an unknown number is the caller: the call is linked to them (then
        `o` opens a case for them), when they are a customer of the line's account."""
        call = self.desk.call
        if call is None or call.customer_id is not None:
            return
        found = self.desk.store.customer(customer_id)
        if found is None:
            return
        if found.account_id != call.account.id:
            self.screen.notify(f"{one_line(found.name, 40)} is a customer of another account: this call stays with"
                               " an unknown caller.", severity="warning", timeout=5)
            return
        self.desk.link_customer(customer_id)
        self.screen.notify(f"This call is now {one_line(found.name, 40)}'s.", timeout=3)

    def tick(self, customer: Customer | None, *, saved: bool) -> None:
        """Redraw from the clocks and apply what time did (the hold cap, an abandoned ring). `customer` is the one
        on screen (named in the bar when it is the caller); `saved` is False once a change could not be saved."""
        screen, desk = self.screen, self.desk
        event = desk.check_timers()
        if event is TimerEvent.HOLD_RELEASED:
            screen.query_one(HoldTimer).show_released(RELEASE_LINE)
            screen.notify(f"Caller taken off hold at the cap. Say: {RELEASE_LINE}", severity="warning", timeout=6)
            screen.refresh_bindings()
        elif event is TimerEvent.ABANDONED:
            screen.notify("The caller hung up before the call was answered.", severity="warning", timeout=5)
            screen.refresh_bindings()
        elif event is TimerEvent.NOT_RECORDED:
            screen.refresh_bindings()  # the line is free again; the writer already said why
        call = desk.call
        bar = screen.query_one(CallBar)
        if call is None:
            bar.show(None)
            screen.query_one(HoldTimer).clear()
            return
        now = desk.clock.monotonic()
        customer_name = None
        if call.customer_id and customer is not None and customer.id == call.customer_id:
            customer_name = customer.name
        bar.show(
            CallView(
                state=call.session.state.value,
                caller=show_phone(call.caller),
                customer_name=customer_name,
                account_name=call.account.name,
                ring_number=desk.ring_number(),
                ring_limit=desk.ring_policy.answer_before_ring,
                talk_seconds=call.session.talk_seconds(now),
                holds=len(call.session.holds),
                saved=saved,
            )
        )
        reading = desk.hold_reading()
        timer = screen.query_one(HoldTimer)
        if reading is not None:
            timer.show(reading, desk.hold_policy.cap_seconds)
            hold = call.session.current_hold
            if reading.phase is HoldPhase.WARNING and hold and self._warned_hold != hold.hold_id:
                self._warned_hold = hold.hold_id
                screen.app.bell()
        elif timer.reading is not None:
            timer.clear()

    def check(self, action: str) -> bool | None:
        """Which call keys work now: True, None (shown greyed) or False (hidden)."""
        state = self.desk.state
        if action == "answer":
            return True if state is CallState.RINGING else None
        if action == "hold":
            return True if state in (CallState.TALKING, CallState.ON_HOLD) else None
        if action == "end_call":
            return True if state in (CallState.RINGING, CallState.TALKING, CallState.ON_HOLD) else None
        if action == "ring":
            return True if state is None else None
        return True
