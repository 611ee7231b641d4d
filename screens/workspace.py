"""The agent workspace: the screen an agent lives in during calls.

Call bar and hold timer on top, the customer history on the left, the top-ten FAQ on the right. The screen
fetches data from the store in workers and hands plain records to the widgets. It is composed of parts that hold
the screen (never import it): the call bar's clock in `workspace_calls.py`, the FAQ keys in `workspace_faq.py`,
cases in `workspace_tickets.py`, appointments in `workspace_booking.py`; the changes themselves are made by the desks.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Footer
from textual.worker import get_current_worker

from agentdesk.desks.workstation import Desks
from agentdesk.domain.calls import CallError, CallState
from agentdesk.domain.phones import display as show_phone
from agentdesk.records import Account, Customer, HistoryCursor, HistoryPage, IncomingCall
from screens.attention import NeedsAttention
from screens.comment import AddComment
from screens.context import Workstation, workstation
from screens.find_customer import FindCustomer
from screens.new_customer import AddCustomer, NewCustomer
from screens.workspace_booking import AppointmentKeys
from screens.workspace_calls import CallLine
from screens.workspace_faq import FaqKeys
from screens.workspace_sound import SOUND_BINDINGS, DeskSound
from screens.workspace_tickets import CaseKeys
from screens.wrap_up import WrapUp, WrapUpResult, outcome_label
from widgets import CallBar, CustomerHistory, FaqPanel, HistoryView, HoldTimer, SyncStatus
from widgets.recording_player import RecordingPlayerBar

HISTORY_FILTERS: tuple[tuple[str, frozenset[str] | None], ...] = (
    ("everything", None),
    ("calls", frozenset({"call"})),
    ("messages", frozenset({"email", "chat", "web_form", "sms", "fax"})),
    ("comments", frozenset({"comment"})),
    ("tickets", frozenset({"ticket"})),
    ("orders", frozenset({"order"})),
    ("appointments", frozenset({"appointment"})),
)


class Workspace(Screen[None]):
    """Where an agent takes calls, reads a customer's history and answers from the FAQ."""

    CSS_PATH = "workspace.tcss"
    BINDINGS = [
        Binding("r", "ring", "Ring", id="call.ring_demo", tooltip="Ring a demo call on this line"),
        Binding("a", "answer", "Answer", id="call.answer", tooltip="Answer the ringing call"),
        Binding("h", "hold", "Hold", id="call.hold", tooltip="Put the caller on hold (10 s cap) or take them back"),
        Binding("e", "end_call", "End", id="call.end", tooltip="End the call and wrap up"),
        Binding("slash", "find", "Find", id="customer.find", tooltip="Find a customer by phone, name, e-mail, order or case"),
        Binding("n", "new_customer", "New", id="customer.new", tooltip="Add the caller as a new customer"),
        # Comment and Filter stay out of the footer so it keeps `?` at 80 columns (the history bar says "f filter").
        Binding("c", "comment", "Comment", show=False, id="customer.comment",
                tooltip="Add a comment to this customer's history"),
        Binding("f", "filter", "Filter", show=False, id="history.filter",
                tooltip="Show one kind of history: calls, messages..."),
        Binding("right_square_bracket", "older", "Older", show=False, id="history.older", tooltip="Older history"),
        Binding("left_square_bracket", "newer", "Newer", show=False, id="history.newer", tooltip="Newer history"),
        Binding("s", "faq_search", "FAQ search", id="faq.search", tooltip="Search the whole FAQ base"),
        Binding("l", "faq_links", "Links", show=False, id="faq.links", tooltip="Move to the links of the open answer"),
        Binding("b", "faq_back", "Back", show=False, id="faq.back", tooltip="Back to the previous answer or the top ten"),
        Binding("g", "scripts", "Scripts", show=False, id="faq.scripts",
                tooltip="The account's call scripts: the greeting first, then booking, payment and the rest"),
        Binding("x", "escalate", "Not answered", id="faq.escalate", tooltip="No FAQ answers: escalate and follow up"),
        Binding("exclamation_mark", "attention", "Attention", show=False, id="sync.attention",
                tooltip="Changes the backend refused, with the reason"),
        # Hidden from the footer (full at 80 columns) but in the palette, like the paging keys.
        Binding("t", "tickets", "Tickets", show=False, id="tickets.inbox", tooltip="The tickets inbox, most urgent first"),
        Binding("o", "case_from_call", "Open case", show=False, id="case.from_call",
                tooltip="Open a case for the caller; its number is shown at once"),
        Binding("k", "book", "Book", show=False, id="appointment.book",
                tooltip="Book, move or cancel the customer's appointments with the account's professionals"),
        Binding("w", "outbound", "Outbound", show=False, id="tasks.outbound",
                tooltip="Today's outbound work: reminders, surveys and follow-up calls"),
        *[
            Binding(
                str(n % 10), f"faq({n})", f"FAQ {n}", show=False, id=f"faq.top{n}",
                tooltip=f"Open answer {n} of the top ten",
            )
            for n in range(1, 11)
        ],
        *SOUND_BINDINGS,
    ]

    def __init__(self, desks: Desks, accounts: list[Account]) -> None:
        super().__init__()
        self.desks = desks
        self.desk = desks.calls
        self.store = desks.calls.store
        self.accounts = {a.id: a for a in accounts}
        self.account: Account = accounts[0]
        self.customer: Customer | None = None
        self.filter_index = 0
        self.page_cursors: list[HistoryCursor | None] = [None]
        self.line = CallLine(self, self.desk)
        self.faq = FaqKeys(self, self.desk)
        self.cases = CaseKeys(self, self.desk, desks.tickets, self.after_saved)
        self.appointments = AppointmentKeys(self, desks, self.accounts, self.after_saved, self.reload_customer)

    @property
    def station(self) -> Workstation:
        return workstation(self)

    def compose(self) -> ComposeResult:
        with Horizontal(id="top"):
            yield CallBar(id="call-bar")
            yield SyncStatus(id="sync-status")
        yield HoldTimer(id="hold-timer")
        yield RecordingPlayerBar(id="recording-player")
        with Horizontal(id="panes"):
            yield CustomerHistory(id="history")
            yield FaqPanel(id="faq")
        # Compact and without the palette's own entry, so an 80-column footer keeps the call's keys and `?`.
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.sound = DeskSound.for_screen(self, self.desk)
        self.faq.load_top_ten(self.account)
        self.tick()
        self.set_interval(0.1, self.tick)
        self.set_interval(2.0, self.count_unsynced)
        self.query_one(SyncStatus).connection = self.station.connection
        self.count_unsynced()
        self.listen_for_calls()
        self.query_one(CustomerHistory).focus_timeline()
        self.call_after_refresh(self.station.first_frame_shown)

    # -- saving and syncing ----------------------------------------------------------------------------

    def after_saved(self, future: Future[int], then: Callable[[], Any]) -> None:
        """Run `then` on the UI once the local commit of `future` succeeded (errors are reported by the
        writer)."""

        def wait() -> None:
            if future.exception() is None:
                self.app.call_from_thread(then)

        self.run_worker(wait, thread=True, group="after-saved", exit_on_error=False)

    @work(thread=True, exclusive=True, group="attention", exit_on_error=False)
    def action_attention(self) -> None:
        refused = self.store.rejections()
        alternatives = self.appointments.rebooking_offers(refused)

        def done(marked: list[int] | None) -> None:
            if marked:
                self.run_worker(lambda: self.store.dismiss_rejections(marked), thread=True, exit_on_error=False)

        self.app.call_from_thread(
            self.app.push_screen, NeedsAttention(refused, alternatives, self.appointments.rebook_refused), done
        )

    def show_connection(self, connection: str, pulled: int) -> None:
        """The backend connection changed or a sync round ended: say so; show another agent's changes."""
        # A round can end before this screen has composed its widgets (or after it was taken down at exit):
        # then there is no status line to update, and on_mount reads the connection the App keeps.
        for status in self.query(SyncStatus):
            status.connection = connection
        self.count_unsynced()
        if pulled and self.customer is not None and len(self.page_cursors) <= 2:
            self.reload_customer()

    @work(thread=True, exclusive=True, group="unsynced", exit_on_error=False)
    def count_unsynced(self) -> None:
        count = self.store.outbox_count()
        for status in self.query(SyncStatus):
            self.app.call_from_thread(setattr, status, "unsynced", count)

    # -- the phone line --------------------------------------------------------------------------------

    @work(exclusive=True, group="call-source", exit_on_error=False)
    async def listen_for_calls(self) -> None:
        async for incoming in self.station.call_source.calls():
            self.offer(incoming)

    def offer(self, incoming: IncomingCall) -> None:
        """A call rings: the caller is looked up by number and popped on screen."""
        try:
            call = self.desk.offer(incoming)
        except CallError as error:
            self.notify(str(error), severity="warning", timeout=4)
            return
        self.app.bell()
        self.sound.call_rings(call)
        if call.account.id != self.account.id or not self.query_one(FaqPanel).top_ten:
            self.account = call.account
            self.faq.load_top_ten(call.account)
        self.faq.trail.clear()
        self.query_one(FaqPanel).show_say(None)
        self.open_customer(call.customer_id, unknown_caller=show_phone(call.caller), after_writes=True)
        self.tick()

    def tick(self) -> None:
        """Redraw the call bar and hold timer from the clocks; apply the hold cap."""
        self.sound.tick()  # first: the hold tones hear the reading at the cap before the cap applies it
        self.line.tick(self.customer, saved=not self.station.unsaved)

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
        if not self.station.call_source.ring_now():
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
        # The hold-cap banner belongs to the call that ended.
        self.query_one(HoldTimer).clear()
        if self.desk.call is None:  # never answered: nothing to wrap up
            self.query_one(FaqPanel).show_say(None)
            self.reload_customer()
            return
        suggested = "escalated" if self.desk.call.escalation_level else "resolved"

        def saved(result: WrapUpResult | None) -> None:
            if result is not None and self.desk.in_wrap_up:
                committed = self.desk.wrap_up(result.outcome, result.notes)
                # What was said on the call (escalation, case number) goes with it.
                self.query_one(FaqPanel).show_say(None)
                what = "with notes" if result.notes else "without notes"
                self.after_saved(committed, lambda: self.notify(
                    f"Wrap-up saved: {outcome_label(result.outcome)}, {what}.", timeout=3, markup=False))
            self.refresh_bindings()
            self.tick()
            self.desk.writer.flush()
            self.reload_customer()

        self.app.push_screen(WrapUp(suggested), saved)

    # -- the customer ----------------------------------------------------------------------------------

    def open_customer(
        self, customer_id: str | None, *, unknown_caller: str | None = None, after_writes: bool = False
    ) -> None:
        """Show a customer (first page of everything), or the unknown caller's card. `after_writes` reads
        once the writes queued so far are committed (a ringing call shows in its caller's history)."""
        self.sound.stop_recording()
        self.filter_index = 0
        self.page_cursors = [None]
        shown = self.customer.id if self.customer else None
        call = self.desk.call
        if customer_id != shown and not (call is not None and customer_id == call.customer_id):
            # A line to say belongs to its call or customer: another customer on screen takes it away.
            self.query_one(FaqPanel).show_say(None)
        if customer_id is None:
            self.customer = None
            self.query_one(CustomerHistory).show(
                HistoryView(None, None, self.account.time_zone, unknown_caller=unknown_caller)
            )
            return
        self.load_history(customer_id, None, 1, after_writes=after_writes)

    @work(thread=True, exclusive=True, group="history", exit_on_error=False)
    def load_history(
        self, customer_id: str, before: HistoryCursor | None, page_number: int, *, after_writes: bool = False
    ) -> None:
        if after_writes:
            self.desk.writer.flush()
        customer = self.store.customer(customer_id)
        label, kinds = HISTORY_FILTERS[self.filter_index]
        page = self.store.history(customer_id, kinds=kinds, before=before, limit=self.station.settings.ui.history_page_size)
        if get_current_worker().is_cancelled:
            return
        self.app.call_from_thread(self.show_history, customer, page, page_number, label)

    def show_history(self, customer: Customer, page: HistoryPage, page_number: int, label: str) -> None:
        self.customer = customer
        account = self.accounts.get(customer.account_id, self.account)
        if self.desk.call is None and account.id != self.account.id:
            self.account = account
            self.faq.load_top_ten(account)
        if len(self.page_cursors) == page_number:
            self.page_cursors.append(page.next_cursor)
        self.query_one(CustomerHistory).show(
            HistoryView(customer, page, account.time_zone, page_number=page_number, filter_label=label)
        )

    def reload_customer(self) -> None:
        if self.customer is not None:
            self.page_cursors = [None]
            self.load_history(self.customer.id, None, 1)

    def action_find(self) -> None:
        def chosen(customer_id: str | None) -> None:
            if customer_id:
                self.line.link_unknown_caller(customer_id)
                self.open_customer(customer_id)

        self.app.push_screen(FindCustomer(self.store), chosen)

    def action_filter(self) -> None:
        if self.customer is None:
            return
        self.filter_index = (self.filter_index + 1) % len(HISTORY_FILTERS)
        self.reload_customer()

    def action_older(self) -> None:
        page = len(self.page_cursors) - 1  # the page on screen
        if self.customer is None or self.page_cursors[-1] is None:
            return
        self.load_history(self.customer.id, self.page_cursors[-1], page + 1)

    def action_newer(self) -> None:
        if self.customer is None or len(self.page_cursors) <= 2:
            return
        self.page_cursors.pop()
        page = len(self.page_cursors) - 1
        before = self.page_cursors[page - 1]
        self.page_cursors.pop()
        self.load_history(self.customer.id, before, page)

    def action_new_customer(self) -> None:
        call = self.desk.call
        account = call.account if call else self.account
        phone = call.caller if call and call.customer_id is None else ""

        def save(new: NewCustomer | None) -> None:
            if new is None:
                return
            created = self.desks.customers.create(account.id, new.name, new.phone, new.email)
            if call is not None and call is self.desk.call and call.customer_id is None:
                self.desk.link_customer(created.customer_id)

            def saved() -> None:
                self.notify("New customer saved.", timeout=3)
                self.open_customer(created.customer_id)

            self.after_saved(created.saved, saved)

        self.app.push_screen(AddCustomer(account.name, phone, self.desk.region), save)

    def action_comment(self) -> None:
        customer = self.customer
        if customer is None:
            self.notify("Open a customer first (/ to find one).", severity="warning")
            return

        def save(text: str | None) -> None:
            if not text:
                return

            def saved() -> None:
                self.notify("Comment saved.", timeout=3)
                self.reload_customer()

            self.after_saved(self.desks.customers.add_comment(customer, text), saved)

        self.app.push_screen(AddComment(customer.name), save)

    # -- the FAQ, cases, appointments and sound: parts composed into the screen -------------------------

    def action_sound(self, key: str) -> None:
        if (said := self.sound.on_key(key, self.query_one(CustomerHistory))) is not None:
            self.notify(said[0], severity=said[1], timeout=5)

    def action_faq(self, rank: int) -> None:
        self.faq.open_rank(rank)

    def on_customer_history_entry_chosen(self, event: CustomerHistory.EntryChosen) -> None:
        if event.entry.kind == "ticket":
            self.cases.open_ticket(event.entry.id, self.reload_customer)

    def on_faq_panel_article_chosen(self, event: FaqPanel.ArticleChosen) -> None:
        self.faq.open_fresh(event.faq_id)

    def on_faq_panel_link_chosen(self, event: FaqPanel.LinkChosen) -> None:
        self.faq.follow(event.link, self.account.id)

    def action_faq_back(self) -> None:
        self.faq.back()

    def action_faq_links(self) -> None:
        self.faq.focus_links()

    def action_scripts(self) -> None:
        self.faq.pick_script(self.account)

    def action_faq_search(self) -> None:
        self.faq.search(self.account.id)

    def action_escalate(self) -> None:
        call = self.desk.call
        customer_id = call.customer_id if call else (self.customer.id if self.customer else None)
        self.faq.escalate(call.account if call else self.account, customer_id)

    def action_tickets(self) -> None:
        self.cases.open_inbox()

    def action_case_from_call(self) -> None:
        self.cases.case_from_call(self.customer, self.reload_customer)

    def action_book(self) -> None:
        customer = self.customer
        account = self.accounts.get(customer.account_id, self.account) if customer else self.account
        self.appointments.book(customer, account)

    def action_outbound(self) -> None:
        self.appointments.outbound()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        checked = self.line.check(action)
        if checked is not True:
            return checked
        if action in {"comment", "filter"}:
            return True if self.customer is not None else None
        if action in {"faq_back", "faq_links"}:
            return True if self.faq.trail else None
        return True
