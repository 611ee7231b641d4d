"""Not answered by any FAQ: note the question for whoever calls back."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static


class Escalate(ModalScreen[str | None]):
    """One line for the question; Enter escalates to `level`."""

    CSS_PATH = "dialogs.tcss"
    BINDINGS = [Binding("escape", "cancel", "Back", id="dialog.cancel", tooltip="Do not escalate")]

    def __init__(self, level: str) -> None:
        super().__init__()
        self.level = level

    def compose(self) -> ComposeResult:
        who = "a senior agent" if self.level == "senior" else "the supervisor"
        with Vertical(classes="dialog"):
            yield Static(f"Escalate to {who}", classes="dialog-title", markup=False)
            yield Input(placeholder="What did the caller ask?", id="question", max_length=2000)
            yield Static("Enter escalate · Esc back", classes="dialog-hint", markup=False)

    @on(Input.Submitted, "#question")
    def escalate(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip())

    def action_cancel(self) -> None:
        self.dismiss(None)
