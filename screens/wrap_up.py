"""Wrap-up after a call: the outcome and the notes the next agent will read."""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widget import Widget
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


NOTES_HINT = "Type the notes · Tab outcome · Ctrl+S save"
OUTCOME_HINT = "Enter choose the outcome · Tab notes · Ctrl+S save"


def outcome_label(outcome: str) -> str:
    """The words the agent chose from for `outcome`."""
    return next((label for label, value in OUTCOMES if value == outcome), outcome.replace("_", " "))


@dataclass(frozen=True, slots=True)
class WrapUpResult:
    """The agent's wrap-up."""

    outcome: str
    notes: str


class WrapUp(ModalScreen[WrapUpResult]):
    """Write notes (focus starts there), choose an outcome, Ctrl+S saves. The line stays in wrap-up until saved;
    saving without notes takes a second Ctrl+S."""

    CSS_PATH = "dialogs.tcss"
    BINDINGS = [Binding("ctrl+s", "save", "Save wrap-up", id="wrapup.save", tooltip="Save outcome and notes")]

    def __init__(self, suggested_outcome: str = "resolved") -> None:
        super().__init__()
        self.suggested_outcome = suggested_outcome
        self._confirmed_empty = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static("Wrap-up", classes="dialog-title")
            yield Select(OUTCOMES, value=self.suggested_outcome, allow_blank=False, id="outcome")
            yield TextArea(id="notes", soft_wrap=True, tab_behavior="focus")
            yield Static("", id="error", classes="dialog-error", markup=False)
            yield Static(NOTES_HINT, id="hint", classes="dialog-hint", markup=False)

    def on_mount(self) -> None:
        self.query_one("#notes", TextArea).focus()

    def on_descendant_focus(self, event: object) -> None:
        """The hint says what the keys do where the focus is now."""
        focused: Widget | None = self.focused
        in_notes = focused is not None and focused.id == "notes"
        self.query_one("#hint", Static).update(NOTES_HINT if in_notes else OUTCOME_HINT)

    def action_save(self) -> None:
        outcome = self.query_one("#outcome", Select).value
        notes_box = self.query_one("#notes", TextArea)
        notes = notes_box.text.strip()
        if not notes and not self._confirmed_empty:
            # Notes are what the next agent reads: saving none is a choice, never an accident of focus.
            self._confirmed_empty = True
            self.query_one("#error", Static).update("No notes yet: type them here, or Ctrl+S again to save without.")
            notes_box.focus()
            return
        self.dismiss(WrapUpResult(outcome=str(outcome), notes=notes[:100_000]))
