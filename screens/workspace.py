"""The agent workspace: the screen an agent lives in during calls.

Call bar and hold timer on top, the customer history on the left, the top-ten FAQ on the right. The screen
fetches data from the store in workers and hands plain records to the widgets; its handlers are split by
concern: calls in `workspace_calls.py`, FAQ and escalation in `workspace_faq.py`, the customer here.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Footer
from textual.worker import get_current_worker

from agentdesk.calldesk import CallDesk
from agentdesk.clock import iso
from agentdesk.records import Account, Customer, HistoryCursor, HistoryPage
from screens.attention import NeedsAttention
from screens.comment import AddComment
from screens.find_customer import FindCustomer
from screens.new_customer import AddCustomer, NewCustomer
from screens.workspace_booking import BookingHandlers
from screens.workspace_calls import CallHandlers
from screens.workspace_faq import FaqHandlers
from screens.workspace_tickets import TicketHandlers
from widgets import CallBar, CustomerHistory, FaqPanel, HistoryView, HoldTimer, SyncStatus

if TYPE_CHECKING:
    from agentdesk.app import AgentDeskApp

HISTORY_FILTERS: tuple[tuple[str, frozenset[str] | None], ...] = (
    ("everything", None),
    ("calls", frozenset({"call"})),
    ("messages", frozenset({"email", "chat", "web_form", "sms", "fax"})),
    ("comments", frozenset({"comment"})),
    ("tickets", frozenset({"ticket"})),
    ("orders", frozenset({"order"})),
    ("appointments", frozenset({"appointment"})),
)


class Workspace(CallHandlers, FaqHandlers, TicketHandlers, BookingHandlers, Screen[None]):
    """Where an agent takes calls, reads a customer's history and answers from the FAQ."""

    CSS_PATH = "workspace.tcss"
    BINDINGS = [
        Binding("r", "ring", "Ring", id="call.ring_demo", tooltip="Ring a demo call on this line"),
        Binding("a", "answer", "Answer", id="call.answer", tooltip="Answer the ringing call"),
        Binding("h", "hold", "Hold", id="call.hold", tooltip="Put the caller on hold (10 s cap) or take them back"),
        Binding("e", "end_call", "End", id="call.end", tooltip="End the call and wrap up"),
        Binding("slash", "find", "Find", id="customer.find", tooltip="Find a customer by phone, name, e-mail, order or case"),
        Binding("n", "new_customer", "New", id="customer.new", tooltip="Add the caller as a new customer"),
        Binding("c", "comment", "Comment", id="customer.comment", tooltip="Add a comment to this customer's history"),
        Binding("f", "filter", "Filter", id="history.filter", tooltip="Show one kind of history: calls, messages..."),
        Binding("right_square_bracket", "older", "Older", show=False, id="history.older", tooltip="Older history"),
        Binding("left_square_bracket", "newer", "Newer", show=False, id="history.newer", tooltip="Newer history"),
        Binding("s", "faq_search", "FAQ search", id="faq.search", tooltip="Search the whole FAQ base"),
        Binding("l", "faq_links", "Links", show=False, id="faq.links", tooltip="Move to the links of the open answer"),
        Binding("b", "faq_back", "Back", show=False, id="faq.back", tooltip="Back to the previous answer or the top ten"),
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
    ]

    def __init__(self, desk: CallDesk, accounts: list[Account]) -> None:
        super().__init__()
        self.desk = desk
        self.store = desk.store
        self.accounts = {a.id: a for a in accounts}
        self.account: Account = accounts[0]
        self.customer: Customer | None = None
        self.filter_index = 0
        self.page_cursors: list[HistoryCursor | None] = [None]
        self.faq_trail: list[str] = []

    @property
    def agentdesk(self) -> AgentDeskApp:
        from agentdesk.app import AgentDeskApp

        assert isinstance(self.app, AgentDeskApp)
        return self.app

    def compose(self) -> ComposeResult:
        with Horizontal(id="top"):
            yield CallBar(id="call-bar")
            yield SyncStatus(id="sync-status")
        yield HoldTimer(id="hold-timer")
        with Horizontal(id="panes"):
            yield CustomerHistory(id="history")
            yield FaqPanel(id="faq")
        yield Footer()

    def on_mount(self) -> None:
        self.load_top_ten(self.account)
        self.tick()
        self.set_interval(0.1, self.tick)
        self.set_interval(2.0, self.count_unsynced)
        self.query_one(SyncStatus).connection = self.agentdesk.connection
        self.count_unsynced()
        self.listen_for_calls()
        self.query_one(CustomerHistory).focus_timeline()
        self.call_after_refresh(self.agentdesk.first_frame_shown)

    # -- saving ----------------------------------------------------------------------------------------

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
        alternatives = self.rebooking_offers(refused)

        def done(marked: list[int] | None) -> None:
            if marked:
                self.run_worker(lambda: self.store.dismiss_rejections(marked), thread=True, exit_on_error=False)

        self.app.call_from_thread(
            self.app.push_screen, NeedsAttention(refused, alternatives, self.rebook_refused), done
        )

    def show_connection(self, connection: str, pulled: int) -> None:
        """The backend connection changed or a sync round ended: say so; show another agent's changes."""
        self.query_one(SyncStatus).connection = connection
        self.count_unsynced()
        if pulled and self.customer is not None and len(self.page_cursors) <= 2:
            self.reload_customer()

    @work(thread=True, exclusive=True, group="unsynced", exit_on_error=False)
    def count_unsynced(self) -> None:
        count = self.store.outbox_count()
        self.app.call_from_thread(setattr, self.query_one(SyncStatus), "unsynced", count)

    # -- the customer ----------------------------------------------------------------------------------

    def open_customer(
        self, customer_id: str | None, *, unknown_caller: str | None = None, after_writes: bool = False
    ) -> None:
        """Show a customer (first page of everything), or the unknown caller's card. `after_writes` reads
        once the writes queued so far are committed (a ringing call shows in its caller's history)."""
        self.filter_index = 0
        self.page_cursors = [None]
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
        page = self.store.history(customer_id, kinds=kinds, before=before, limit=self.agentdesk.settings.ui.history_page_size)
        if get_current_worker().is_cancelled:
            return
        self.app.call_from_thread(self.show_history, customer, page, page_number, label)

    def show_history(self, customer: Customer, page: HistoryPage, page_number: int, label: str) -> None:
        self.customer = customer
        account = self.accounts.get(customer.account_id, self.account)
        if self.desk.call is None and account.id != self.account.id:
            self.account = account
            self.load_top_ten(account)
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
            customer_id = str(uuid.uuid4())
            future = self.desk.writer.submit(
                "customer.create@1",
                {
                    "customer_id": customer_id,
                    "account_id": account.id,
                    "name": new.name,
                    "phone": new.phone,
                    "email": new.email,
                    "language": "en",
                    "created_at": iso(self.desk.clock.now()),
                },
            )
            if call is not None and call is self.desk.call and call.customer_id is None:
                self.desk.link_customer(customer_id)

            def saved() -> None:
                self.notify("New customer saved.", timeout=3)
                self.open_customer(customer_id)

            self.after_saved(future, saved)

        self.app.push_screen(AddCustomer(account.name, phone, self.desk.region), save)

    def action_comment(self) -> None:
        customer = self.customer
        if customer is None:
            self.notify("Open a customer first (/ to find one).", severity="warning")
            return

        def save(text: str | None) -> None:
            if not text:
                return
            future = self.desk.writer.submit(
                "comment.add@1",
                {
                    "comment_id": str(uuid.uuid4()),
                    "account_id": customer.account_id,
                    "customer_id": customer.id,
                    "agent_id": self.desk.agent.id,
                    "body": text,
                    "created_at": iso(self.desk.clock.now()),
                },
            )

            def saved() -> None:
                self.notify("Comment saved.", timeout=3)
                self.reload_customer()

            self.after_saved(future, saved)

        self.app.push_screen(AddComment(customer.name), save)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        checked = self.check_call_action(action)
        if checked is not True:
            return checked
        if action in {"comment", "filter"}:
            return True if self.customer is not None else None
        if action in {"faq_back", "faq_links"}:
            return True if self.faq_trail else None
        return True
