"""Find a customer by phone, name, e-mail, order number or case number."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from agentdesk.domain.phones import display as show_phone
from agentdesk.records import CustomerMatch
from agentdesk.store import Store
from widgets.screen_text import one_line


class FindCustomer(ModalScreen[str | None]):
    """Type to search; Enter opens the highlighted customer, Escape goes back."""

    CSS_PATH = "dialogs.tcss"
    BINDINGS = [
        Binding("escape", "cancel", "Back", id="dialog.cancel", tooltip="Close without choosing"),
        Binding("down", "results", "Results", show=False, id="find.results", tooltip="Move into the results"),
    ]

    def __init__(self, store: Store) -> None:
        super().__init__()
        self.store = store
        self.matches: list[CustomerMatch] = []

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static("Find a customer", classes="dialog-title")
            yield Input(placeholder="phone, name, e-mail, ORD-… or CS-…", id="query", max_length=200)
            yield OptionList(id="results")
            yield Static("Enter open · ↓ results · Esc back", classes="dialog-hint", markup=False)

    @on(Input.Changed, "#query")
    def search_as_typed(self, event: Input.Changed) -> None:
        self.search(event.value)

    @work(thread=True, exclusive=True, group="find-customer", exit_on_error=False)
    def search(self, query: str) -> None:
        matches = self.store.find_customers(query, limit=20)
        self.app.call_from_thread(self.show_matches, query, matches)

    def show_matches(self, query: str, matches: list[CustomerMatch]) -> None:
        if query != self.query_one("#query", Input).value:
            return  # an older search finished after a newer one started
        self.matches = matches
        results = self.query_one("#results", OptionList)
        results.clear_options()
        for match in matches:
            phone = show_phone(match.phone) if match.phone else ""
            line = (
                f"{one_line(match.name, 30):30}  {phone:16}  {one_line(match.email or '', 28):28}  "
                f"{one_line(match.account_name, 18)}  ({match.matched_on})"
            )
            results.add_option(Option(Content(line), id=match.id))
        if not matches and query.strip():
            results.add_option(Option(Content("No customer found"), disabled=True))
        elif matches:
            results.highlighted = 0

    @on(Input.Submitted, "#query")
    def open_first(self) -> None:
        results = self.query_one("#results", OptionList)
        if self.matches:
            index = results.highlighted if results.highlighted is not None else 0
            self.dismiss(self.matches[index].id)

    @on(OptionList.OptionSelected, "#results")
    def open_chosen(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.dismiss(event.option.id)

    def action_results(self) -> None:
        self.query_one("#results", OptionList).focus()

    def action_cancel(self) -> None:
        self.dismiss(None)
