"""The ticket screens' dialogs: search, pick a template or an agent, consent to resolve, state, save the sale,
a long message read page by page, and a case opened from a call."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static, TextArea
from textual.widgets.option_list import Option

from agentdesk.localstore.tickets import READ_PAGE_CHARS
from agentdesk.store import Store
from widgets.screen_text import one_line, sanitize

_BACK = Binding("escape", "cancel", "Back", id="dialog.cancel", tooltip="Close without choosing")


class Choice(ModalScreen[str | None]):
    """A titled list of options; Enter picks one (its id), Escape closes."""

    CSS_PATH = "dialogs.tcss"
    DEFAULT_CSS = """
    Choice .dialog-detail { height: auto; max-height: 12; margin-bottom: 1; color: $text-muted; }
    """
    BINDINGS = [_BACK]

    def __init__(
        self, title: str, options: list[tuple[str, str, bool]], hint: str = "Enter choose · Esc back", detail: str = "",
        *, preselect: bool = True, previews: dict[str, str] | None = None,
    ) -> None:
        super().__init__()
        self.title_text = title
        self.options = options  # (id, label, enabled)
        self.hint = hint
        self.detail = detail  # text shown above the options (already sanitised)
        self.preselect = preselect  # False: nothing is chosen until the agent moves to it (a decision, not a default)
        self.previews = previews  # per option id, shown above the list while it is highlighted (already sanitised)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            # Titles and labels carry stored text (template names, agents, states): sanitised here, once for all.
            yield Static(sanitize(self.title_text), classes="dialog-title", markup=False)
            if self.detail or self.previews:
                yield Static(sanitize(self.detail), classes="dialog-detail", id="detail", markup=False)
            yield OptionList(*[Option(Content(sanitize(label)), id=key, disabled=not enabled)
                               for key, label, enabled in self.options], id="choices")
            yield Static(self.hint, classes="dialog-hint", markup=False)

    def on_mount(self) -> None:
        listing = self.query_one(OptionList)
        listing.focus()
        first = next((n for n, (_, _, enabled) in enumerate(self.options) if enabled), None)
        listing.highlighted = None
        if first is not None and self.preselect:
            listing.highlighted = first

    @on(OptionList.OptionSelected)
    def chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    @on(OptionList.OptionHighlighted)
    def preview(self, event: OptionList.OptionHighlighted) -> None:
        if self.previews is not None:
            self.query_one("#detail", Static).update(sanitize(self.previews.get(str(event.option.id), "")))

    def action_cancel(self) -> None:
        self.dismiss(None)


class SearchTickets(ModalScreen[str | None]):
    """A case number, or words of the customer's name or the subject; an empty search shows everything."""

    CSS_PATH = "dialogs.tcss"
    BINDINGS = [_BACK]

    def __init__(self, current: str) -> None:
        super().__init__()
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static("Search the tickets", classes="dialog-title", markup=False)
            yield Input(self.current, placeholder="CS-… case number, customer name or subject words", id="words",
                        max_length=200)
            yield Static("Enter search · Esc back", classes="dialog-hint", markup=False)

    @on(Input.Submitted)
    def search(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip())

    def action_cancel(self) -> None:
        self.dismiss(None)


@dataclass(frozen=True, slots=True)
class ConsentGiven:
    """How and when the customer agreed to resolve (`when` as typed: "now" or HH:MM)."""

    how: str
    when: str


class ConsentToResolve(ModalScreen[ConsentGiven | None]):
    """Record the customer's permission before the ticket is marked resolved (or, for a saved sale, their
    agreement to withdraw). Nothing is chosen when it opens: the ticket's own channel is offered first, and a
    call only counts where there was a call."""

    CSS_PATH = "dialogs.tcss"
    BINDINGS = [_BACK]

    def __init__(self, case_number: str, channel: str = "email", title: str = "") -> None:
        super().__init__()
        self.case_number = case_number
        self.channel = channel
        self.title_text = title or f"Resolve {case_number}: how did the customer agree?"

    def compose(self) -> ComposeResult:
        writing = Option(Content("In writing (e-mail, chat, form)"), id="writing")
        call = Option(Content("On a call" if self.channel == "phone" else "On a call (only if you spoke with them)"),
                      id="call")
        with Vertical(classes="dialog"):
            yield Static(self.title_text, classes="dialog-title", markup=False)
            yield OptionList(*((call, writing) if self.channel == "phone" else (writing, call)), id="how")
            yield Static("When: now, or HH:MM today (account time)", markup=False)
            yield Input("now", placeholder="now, or HH:MM", id="when", max_length=20)
            yield Static("", id="error", classes="dialog-error", markup=False)
            yield Static("↑↓ choose how · Enter records it · Esc back", classes="dialog-hint", markup=False)

    def on_mount(self) -> None:
        listing = self.query_one(OptionList)
        listing.highlighted = None
        listing.focus()

    @on(OptionList.OptionSelected)
    def chosen(self, event: OptionList.OptionSelected) -> None:
        when = self.query_one("#when", Input).value.strip() or "now"
        self.dismiss(ConsentGiven(str(event.option.id), when))

    @on(Input.Submitted)
    def submitted(self) -> None:
        listing = self.query_one(OptionList)
        if listing.highlighted is None:
            self.query_one("#error", Static).update("Choose how the customer agreed (↑↓ in the list) first.")
            return
        option = listing.get_option_at_index(listing.highlighted)
        self.dismiss(ConsentGiven(str(option.id), self.query_one("#when", Input).value.strip() or "now"))

    def action_cancel(self) -> None:
        self.dismiss(None)


class Reason(ModalScreen[str | None]):
    """One line of why (a correction keeps it in the ticket's history); Enter records it, Escape goes back."""

    CSS_PATH = "dialogs.tcss"
    BINDINGS = [_BACK]

    def __init__(self, title: str) -> None:
        super().__init__()
        self.title_text = title

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(sanitize(self.title_text), classes="dialog-title", markup=False)
            yield Input(placeholder="why, e.g. pressed saved by mistake", id="reason", max_length=300)
            yield Static("", id="error", classes="dialog-error", markup=False)
            yield Static("Enter record · Esc back", classes="dialog-hint", markup=False)

    @on(Input.Submitted)
    def submitted(self, event: Input.Submitted) -> None:
        if not event.value.strip():
            self.query_one("#error", Static).update("Say why: the reason stays in the ticket's history.")
            return
        self.dismiss(event.value.strip())

    def action_cancel(self) -> None:
        self.dismiss(None)


class CaseFromCall(ModalScreen[tuple[str, str] | None]):
    """A new case during a call: subject and what was said; Ctrl+S opens it. Its number is shown only once the case
    is saved (a number read to a caller must exist), so this dialog does not show it."""

    CSS_PATH = "dialogs.tcss"
    BINDINGS = [
        _BACK,
        Binding("ctrl+s", "save", "Open case", id="case.save", tooltip="Open the case and queue the confirmation"),
    ]

    def __init__(self, customer_name: str, *, has_email: bool = True) -> None:
        super().__init__()
        self.customer_name = customer_name
        self.has_email = has_email  # no address: no confirmation can be sent, so none is promised

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(f"New case for {one_line(self.customer_name, 40)}", classes="dialog-title", markup=False)
            after = "" if self.has_email else " They have no e-mail address on file: ask them to write it down."
            yield Static(f"Its number shows once the case is saved: read it to the caller then.{after}",
                         markup=False)
            yield Input(placeholder="subject, e.g. Boiler makes a noise", id="subject", max_length=200)
            yield TextArea(id="body", soft_wrap=True, tab_behavior="focus")
            yield Static("", id="error", classes="dialog-error", markup=False)
            yield Static("Subject, Enter, what was said · Ctrl+S opens the case · Esc back",
                         classes="dialog-hint", markup=False)

    def on_mount(self) -> None:
        self.query_one("#subject", Input).focus()

    @on(Input.Submitted)
    def next_field(self) -> None:
        self.query_one("#body", TextArea).focus()

    def action_save(self) -> None:
        subject = self.query_one("#subject", Input).value.strip()
        if not subject:
            self.query_one("#error", Static).update("Give the case a subject.")
            return
        self.dismiss((subject, self.query_one("#body", TextArea).text.strip()))

    def action_cancel(self) -> None:
        self.dismiss(None)


class MessageReader(ModalScreen[None]):
    """A long message, READ_PAGE_CHARS characters a page (a 10 MB e-mail never reaches the screen whole)."""

    CSS_PATH = "dialogs.tcss"
    BINDINGS = [
        Binding("escape", "cancel", "Back", id="dialog.cancel", tooltip="Back to the ticket"),
        Binding("right_square_bracket", "page(1)", "Next page", id="message.next", tooltip="The next page"),
        Binding("left_square_bracket", "page(-1)", "Previous page", id="message.previous",
                tooltip="The previous page"),
    ]

    def __init__(self, store: Store, message_id: str) -> None:
        super().__init__()
        self.store = store
        self.message_id = message_id
        self.page = 0
        self.pages = 1

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static("", id="reader-title", classes="dialog-title", markup=False)
            with VerticalScroll(id="reader"):
                yield Static("loading…", id="reader-text", markup=False)
            yield Static("] next page · [ previous · Esc back", classes="dialog-hint", markup=False)

    def on_mount(self) -> None:
        self.load(0)

    @work(thread=True, exclusive=True, group="reader", exit_on_error=False)
    def load(self, page: int) -> None:
        text, length = self.store.message_text(self.message_id, page)
        self.app.call_from_thread(self.show, page, text, length)

    def show(self, page: int, text: str, length: int) -> None:
        self.page = page
        self.pages = max(1, -(-length // READ_PAGE_CHARS))
        self.query_one("#reader-title", Static).update(f"Page {page + 1} of {self.pages:,} · {length:,} characters")
        self.query_one("#reader-text", Static).update(sanitize(text))
        self.query_one("#reader", VerticalScroll).scroll_home(animate=False)

    def action_page(self, step: int) -> None:
        target = self.page + step
        if 0 <= target < self.pages:
            self.load(target)

    def action_cancel(self) -> None:
        self.dismiss(None)
