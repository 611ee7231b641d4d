"""Wrap-up after a call: the outcome and the notes the next agent will read."""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Select, Static, TextArea

OUTCOMES: tuple[tuple[str, str], ...] = (
    ("Resolved on the call", "resolved"),
    ("Follow-up needed", "follow_up"),
    ("Escalated", "escalated"),
    ("Order taken", "order_taken"),
    ("Appointment booked", "appointment_booked"),
    ("Transferred", "transferred"),
    ("Wrong number / no action", "no_action"),
)


@dataclass(frozen=True, slots=True)
class WrapUpResult:
    """The agent's wrap-up."""

    outcome: str
    notes: str


class WrapUp(ModalScreen[WrapUpResult]):
    """Choose an outcome, write notes, Ctrl+S saves. The line stays in wrap-up until saved."""

    CSS_PATH = "dialogs.tcss"
    BINDINGS = [Binding("ctrl+s", "save", "Save wrap-up", id="wrapup.save", tooltip="Save outcome and notes")]

    def __init__(self, suggested_outcome: str = "resolved") -> None:
        super().__init__()
        self.suggested_outcome = suggested_outcome

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static("Wrap-up", classes="dialog-title")
            yield Select(OUTCOMES, value=self.suggested_outcome, allow_blank=False, id="outcome")
            yield TextArea(id="notes", soft_wrap=True)
            yield Static("Tab notes · Ctrl+S save", classes="dialog-hint", markup=False)

    def on_mount(self) -> None:
        self.query_one("#notes", TextArea).focus()

    def action_save(self) -> None:
        outcome = self.query_one("#outcome", Select).value
        notes = self.query_one("#notes", TextArea).text.strip()
        self.dismiss(WrapUpResult(outcome=str(outcome), notes=notes[:100_000]))
