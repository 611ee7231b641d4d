"""Search the whole FAQ base by words, product and category."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Select, Static
from textual.widgets.option_list import Option

from agentdesk.records import FaqHit
from agentdesk.store import Store
from widgets.screen_text import one_line


class FaqSearch(ModalScreen[str | None]):
    """Words narrow as typed; product and category filter; Enter opens the highlighted answer."""

    CSS_PATH = "dialogs.tcss"
    BINDINGS = [
        Binding("escape", "cancel", "Back", id="dialog.cancel", tooltip="Close without opening an answer"),
        Binding("down", "results", "Results", show=False, id="faq.results", tooltip="Move into the results"),
    ]

    def __init__(self, store: Store, account_id: str | None) -> None:
        super().__init__()
        self.store = store
        self.account_id = account_id
        self.hits: list[FaqHit] = []

    def compose(self) -> ComposeResult:
        products, categories = self.store.faq_facets(self.account_id) if self.account_id else ([], [])
        with Vertical(classes="dialog"):
            yield Static("Search the FAQ", classes="dialog-title")
            yield Input(placeholder="words…", id="words", max_length=200)
            with Horizontal(id="facets"):
                yield Select([(Content(one_line(p, 30)), p) for p in products], prompt="any product", id="product")
                yield Select([(Content(one_line(c, 30)), c) for c in categories], prompt="any category", id="category")
            yield OptionList(id="hits")
            yield Static("Enter open · ↓ results · Esc back", classes="dialog-hint", markup=False)

    def on_mount(self) -> None:
        self.query_one("#words", Input).focus()

    def _filters(self) -> tuple[str, str | None, str | None]:
        product = self.query_one("#product", Select).value
        category = self.query_one("#category", Select).value
        return (
            self.query_one("#words", Input).value,
            product if isinstance(product, str) else None,
            category if isinstance(category, str) else None,
        )

    @on(Input.Changed, "#words")
    @on(Select.Changed)
    def refresh_hits(self) -> None:
        self.search(*self._filters())

    @work(thread=True, exclusive=True, group="faq-search", exit_on_error=False)
    def search(self, words: str, product: str | None, category: str | None) -> None:
        hits = self.store.search_faq(words, account_id=self.account_id, product=product, category=category)
        self.app.call_from_thread(self.show_hits, (words, product, category), hits)

    def show_hits(self, filters: tuple[str, str | None, str | None], hits: list[FaqHit]) -> None:
        if filters != self._filters():
            return  # a newer search is on its way
        self.hits = hits
        listing = self.query_one("#hits", OptionList)
        listing.clear_options()
        # One line per answer at any width (at 80 columns a wrapped hit read as two answers): the title takes what
        # the product and category leave.
        room = listing.scrollable_content_region.width - 2 or 78
        title_width = max(20, min(50, room - 14 - 2 - 12 - 2))
        for hit in hits:
            line = (f"{one_line(hit.title, title_width):{title_width}}  {one_line(hit.product, 14):14}  "
                    f"{one_line(hit.category, 12)}")
            listing.add_option(Option(Content(line), id=hit.id))
        if not hits:
            listing.add_option(Option(Content("No answer found — x escalates the question"), disabled=True))
        else:
            listing.highlighted = 0

    @on(Input.Submitted, "#words")
    def open_first(self) -> None:
        listing = self.query_one("#hits", OptionList)
        if self.hits:
            self.dismiss(self.hits[listing.highlighted or 0].id)

    @on(OptionList.OptionSelected, "#hits")
    def open_chosen(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.dismiss(event.option.id)

    def action_results(self) -> None:
        self.query_one("#hits", OptionList).focus()

    def action_cancel(self) -> None:
        self.dismiss(None)
