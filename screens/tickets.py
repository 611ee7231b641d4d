"""The tickets inbox: the open tickets of the agent's accounts, most urgent first by their SLA clock.

Pages of at most 200 rows come from the store in a worker (keyset paging: the first page of 50,000 open
tickets costs what a page of 200 does); filters cycle with one key each; `/` searches by case number, customer
or subject words; the countdowns are redrawn from the injected clock.
"""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer
from textual.worker import get_current_worker

from agentdesk.records import Account, InboxCursor, InboxPage, InboxQuery
from screens.context import Workstation, workstation
from screens.ticket_dialogs import SearchTickets
from widgets import InboxView, TicketInbox
from widgets.screen_text import one_line

INBOX_PAGE = 200
STATES: tuple[tuple[str, tuple[str, ...] | None], ...] = (
    ("every state", None), ("new", ("new",)), ("open", ("open",)), ("pending customer", ("pending",)),
    ("escalated", ("escalated",)), ("resolved", ("resolved",)), ("closed", ("closed",)),
)
KINDS: tuple[tuple[str, tuple[str, ...] | None], ...] = (
    ("every kind", None), ("refunds", ("refund",)), ("cancellations", ("cancellation",)),
    ("questions", ("question",)), ("escalations", ("escalation",)), ("follow-ups", ("follow_up",)),
)
CHANNELS: tuple[tuple[str, tuple[str, ...] | None], ...] = (
    ("every channel", None), ("e-mail", ("email",)), ("phone", ("phone",)), ("chat", ("chat",)),
    ("web form", ("web_form",)), ("SMS", ("sms",)), ("fax", ("fax",)),
)


class TicketsInbox(Screen[None]):
    """Triage by SLA: Enter opens a ticket; s, k, c and a filter; / searches; ] and [ page."""

    BINDINGS = [
        Binding("escape", "back", "Workspace", id="tickets.back", tooltip="Back to the call workspace"),
        Binding("o", "open", "Open", id="tickets.open", tooltip="Open the highlighted ticket"),
        Binding("slash", "search", "Search", id="tickets.search", tooltip="Find by case number, customer or words"),
        Binding("s", "cycle('state')", "State", id="tickets.filter_state", tooltip="Show one state"),
        Binding("k", "cycle('kind')", "Kind", id="tickets.filter_kind", tooltip="Show one kind: refunds..."),
        Binding("c", "cycle('channel')", "Channel", id="tickets.filter_channel", tooltip="Show one channel"),
        Binding("a", "cycle('account')", "Account", id="tickets.filter_account",
                tooltip="My accounts, or one account"),
        Binding("right_square_bracket", "next_page", "More", show=False, id="tickets.next_page",
                tooltip="The next page of tickets"),
        Binding("left_square_bracket", "previous_page", "Back a page", show=False, id="tickets.previous_page",
                tooltip="The previous page of tickets"),
    ]

    def __init__(self, accounts: list[Account], my_account_ids: list[str]) -> None:
        super().__init__()
        self.accounts = accounts
        mine = tuple(a.id for a in accounts if a.id in set(my_account_ids)) or None
        self.account_choices: list[tuple[str, tuple[str, ...] | None]] = [
            ("my accounts" if mine else "every account", mine),
            *[(one_line(a.name, 40), (a.id,)) for a in accounts],
        ]
        self.choice = {"state": 0, "kind": 0, "channel": 0, "account": 0}
        self.search = ""
        self.cursors: list[InboxCursor | None] = [None]  # the cursor of each page shown so far, from page 1

    @property
    def station(self) -> Workstation:
        return workstation(self)

    def compose(self) -> ComposeResult:
        yield TicketInbox(id="inbox")
        yield Footer(compact=True, show_command_palette=False)  # every key fits at 80 columns; ? lists them all

    def on_mount(self) -> None:
        self.query_one(TicketInbox).focus_table()
        self.reload()
        self.set_interval(15.0, self.tick)
        # Tickets arrive by sync and change on other terminals: the page on screen is read again now and then.
        self.set_interval(60.0, self.refresh_page)

    def on_screen_resume(self) -> None:
        self.refresh_page()

    def refresh_page(self) -> None:
        """The page on screen again, as it is now (back from a ticket, or after a sync)."""
        page_number = len(self.cursors) - 1
        if self.query_one(TicketInbox).view is not None and page_number >= 1:
            self.load_page(self.cursors[page_number - 1], page_number)

    def tick(self) -> None:
        self.query_one(TicketInbox).tick(self.station.clock.now())

    # -- what is shown -----------------------------------------------------------------------------------

    def inbox_query(self) -> InboxQuery:
        return InboxQuery(
            account_ids=self.account_choices[self.choice["account"]][1],
            statuses=STATES[self.choice["state"]][1],
            kinds=KINDS[self.choice["kind"]][1],
            channels=CHANNELS[self.choice["channel"]][1],
            search=self.search,
        )

    def describe(self) -> str:
        words = [self.account_choices[self.choice["account"]][0], STATES[self.choice["state"]][0],
                 KINDS[self.choice["kind"]][0], CHANNELS[self.choice["channel"]][0]]
        if self.search:
            words.append(f"search: {self.search[:30]}")
        return " · ".join(words)

    def reload(self) -> None:
        self.cursors = [None]
        self.load_page(None, 1)

    @work(thread=True, exclusive=True, group="inbox", exit_on_error=False)
    def load_page(self, after: InboxCursor | None, page_number: int) -> None:
        page = self.station.store.inbox(self.inbox_query(), after=after, limit=INBOX_PAGE)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self.show_page, page, page_number, self.describe())

    def show_page(self, page: InboxPage, page_number: int, filters: str) -> None:
        del self.cursors[page_number:]
        self.cursors.append(page.next_cursor)
        self.query_one(TicketInbox).show(InboxView(
            page.rows, self.station.clock.now(), page_number=page_number, more=page.next_cursor is not None,
            filters=filters,
        ))

    # -- keys --------------------------------------------------------------------------------------------

    def action_cycle(self, what: str) -> None:
        size = {"state": len(STATES), "kind": len(KINDS), "channel": len(CHANNELS),
                "account": len(self.account_choices)}[what]
        self.choice[what] = (self.choice[what] + 1) % size
        self.reload()

    def action_next_page(self) -> None:
        page_number = len(self.cursors) - 1
        if self.cursors[-1] is not None:
            self.load_page(self.cursors[-1], page_number + 1)

    def action_previous_page(self) -> None:
        page_number = len(self.cursors) - 1
        if page_number > 1:
            self.load_page(self.cursors[page_number - 2], page_number - 1)

    def action_search(self) -> None:
        def searched(words: str | None) -> None:
            if words is not None:
                self.search = words
                self.reload()

        self.app.push_screen(SearchTickets(self.search), searched)

    def action_open(self) -> None:
        ticket_id = self.query_one(TicketInbox).highlighted_id
        if ticket_id:
            self.open_ticket(ticket_id)

    def on_ticket_inbox_chosen(self, event: TicketInbox.Chosen) -> None:
        self.open_ticket(event.ticket_id)

    def open_ticket(self, ticket_id: str) -> None:
        from screens.ticket import TicketScreen

        self.app.push_screen(TicketScreen(ticket_id))

    def action_back(self) -> None:
        self.dismiss(None)
