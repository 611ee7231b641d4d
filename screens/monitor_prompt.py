"""A one-line prompt for a supervisor's action: the reason an agent is set away, or a message for their desk."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static


class FloorPrompt(ModalScreen[str | None]):
    """Enter sends, Escape goes back."""

    CSS_PATH = "dialogs.tcss"
    BINDINGS = [Binding("escape", "cancel", "Back", tooltip="Close without acting")]

    def __init__(self, title: str, limit: int) -> None:
        super().__init__()
        self.title_text, self.limit = title, limit

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.title_text, classes="dialog-title", markup=False)
            yield Input(max_length=self.limit, id="answer")
            yield Static("Enter send · Esc back", classes="dialog-hint", markup=False)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        if text:
            self.dismiss(text)

    def action_cancel(self) -> None:
        self.dismiss(None)
