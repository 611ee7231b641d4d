"""The workspace's call handlers: ring, answer, hold with its cap, end and wrap up."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import work

from agentdesk.calldesk import TimerEvent
from agentdesk.domain.calls import CallError, CallState
from agentdesk.domain.hold import RELEASE_LINE, HoldPhase
from agentdesk.domain.phones import display as show_phone
from agentdesk.records import IncomingCall
from screens.wrap_up import WrapUp, WrapUpResult
from widgets import CallBar, CallView, HoldTimer

if TYPE_CHECKING:
    from screens.workspace import Workspace

    _Base = Workspace
else:
    _Base = object


class CallHandlers(_Base):
    """Mixed into the workspace: everything the phone line does."""

    _warned_hold: str | None = None

    @work(exclusive=True, group="call-source", exit_on_error=False)
    async def listen_for_calls(self) -> None:
        async for incoming in self.agentdesk.call_source.calls():
            self.offer(incoming)

    def offer(self, incoming: IncomingCall) -> None:
        """A call rings: the caller is looked up by number and popped on screen."""
        try:
            call = self.desk.offer(incoming)
        except CallError as error:
            self.notify(str(error), severity="warning", timeout=4)
            return
        self.app.bell()
        if call.account.id != self.account.id or not self.query_one("FaqPanel").top_ten:
            self.account = call.account
            self.load_top_ten(call.account)
        self.faq_trail.clear()
        self.query_one("FaqPanel").show_say(None)
        self.open_customer(call.customer_id, unknown_caller=show_phone(call.caller), after_writes=True)
        self.tick()

    def tick(self) -> None:
        """Redraw the call bar and hold timer from the clocks; apply the hold cap."""
        event = self.desk.check_timers()
        if event is TimerEvent.HOLD_RELEASED:
            self.query_one(HoldTimer).show_released(RELEASE_LINE)
            self.notify(f"Caller taken off hold at the cap. Say: {RELEASE_LINE}", severity="warning", timeout=6)
            self.refresh_bindings()
        elif event is TimerEvent.ABANDONED:
            self.notify("The caller hung up before the call was answered.", severity="warning", timeout=5)
            self.refresh_bindings()
        call = self.desk.call
        bar = self.query_one(CallBar)
        if call is None:
            bar.show(None)
            self.query_one(HoldTimer).clear()
            return
        now = self.desk.clock.monotonic()
        customer_name = None
        if call.customer_id and self.customer is not None and self.customer.id == call.customer_id:
            customer_name = self.customer.name
        bar.show(
            CallView(
                state=call.session.state.value,
                caller=show_phone(call.caller),
                customer_name=customer_name,
                account_name=call.account.name,
                ring_number=self.desk.ring_number(),
                ring_limit=self.desk.ring_policy.answer_before_ring,
                talk_seconds=call.session.talk_seconds(now),
                holds=len(call.session.holds),
                saved=not self.agentdesk.unsaved,
            )
        )
        reading = self.desk.hold_reading()
        timer = self.query_one(HoldTimer)
        if reading is not None:
            timer.show(reading, self.desk.hold_policy.cap_seconds)
            hold = call.session.current_hold
            if reading.phase is HoldPhase.WARNING and hold and self._warned_hold != hold.hold_id:
                self._warned_hold = hold.hold_id
                self.app.bell()
        elif timer.reading is not None:
            timer.clear()

    def _act(self, step: str) -> bool:
        try:
            getattr(self.desk, step)()
        except CallError as error:
            self.notify(str(error), severity="warning", timeout=4)
            return False
        self.refresh_bindings()
        self.tick()
        return True

    def action_ring(self) -> None:
        if not self.agentdesk.call_source.ring_now():
            self.notify("Calls come from the phone system on this terminal.", timeout=3)

    def action_answer(self) -> None:
        if self._act("answer"):
            self.refresh_first_page()

    @work(thread=True, exclusive=True, group="refresh-history", exit_on_error=False)
    def refresh_first_page(self) -> None:
        """Once the answer is committed, the call's row in the history says so (first page only: an agent
        reading older pages stays where they are)."""
        self.desk.writer.flush()
        if len(self.page_cursors) <= 2:
            self.app.call_from_thread(self.reload_customer)

    def action_hold(self) -> None:
        if self.desk.state is CallState.ON_HOLD:
            self._act("resume")
        else:
            self.query_one(HoldTimer).clear()
            self._act("hold")

    def action_end_call(self) -> None:
        if not self._act("end"):
            return
        if self.desk.call is None:  # never answered: nothing to wrap up
            self.reload_customer()
            return
        suggested = "escalated" if self.desk.call.escalation_level else "resolved"

        def saved(result: WrapUpResult | None) -> None:
            if result is not None and self.desk.in_wrap_up:
                self.desk.wrap_up(result.outcome, result.notes)
            self.refresh_bindings()
            self.tick()
            self.desk.writer.flush()
            self.reload_customer()

        self.app.push_screen(WrapUp(suggested), saved)

    def check_call_action(self, action: str) -> bool | None:
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
