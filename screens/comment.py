"""Add a comment to a customer's history: everyone on the team will see it."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static, TextArea

from widgets.screen_text import one_line

MAX_COMMENT = 10_000


class AddComment(ModalScreen[str | None]):
    """A comment box; Ctrl+S saves, Escape discards."""

    CSS_PATH = "dialogs.tcss"
    BINDINGS = [
        Binding("escape", "cancel", "Back", id="dialog.cancel", tooltip="Close without saving"),
        Binding("ctrl+s", "save", "Save", id="comment.save", tooltip="Save the comment"),
    ]

    def __init__(self, customer_name: str) -> None:
        super().__init__()
        self.customer_name = customer_name

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(f"Comment on {one_line(self.customer_name, 40)}", classes="dialog-title", markup=False)
            yield TextArea(id="body", soft_wrap=True)
            yield Static("", id="error", classes="dialog-error", markup=False)
            yield Static("Ctrl+S save · Esc back", classes="dialog-hint", markup=False)

    def action_save(self) -> None:
        text = self.query_one("#body", TextArea).text.strip()
        if not text:
            self.query_one("#error", Static).update("The comment is empty.")
        elif len(text) > MAX_COMMENT:
            self.query_one("#error", Static).update(f"A comment holds at most {MAX_COMMENT:,} characters.")
        else:
            self.dismiss(text)

    def action_cancel(self) -> None:
        self.dismiss(None)
