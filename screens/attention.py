"""Needs attention: the changes the backend refused, with its reason, so nothing an agent did disappears quietly.
Enter marks one as dealt with (it stays in the store's record)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from agentdesk.domain.text import one_line
from agentdesk.localstore.replica import Rejection

WHAT = {
    "comment.add": "Comment", "customer.create": "New customer", "customer.update": "Customer change",
    "call.ring": "Call", "call.answer": "Answer", "call.hold": "Hold", "call.resume": "Take back",
    "call.end": "End of call", "call.wrap_up": "Wrap-up", "call.escalate": "Escalation", "faq.use": "FAQ use",
    "appointment.book": "Booking", "appointment.reschedule": "Moved booking", "appointment.cancel": "Cancelled booking",
    "appointment.survey": "Survey answer", "task.done": "Task done",
}


def describe(rejection: Rejection) -> str:
    name = rejection.name.split("@")[0]
    what = WHAT.get(name, name.replace("_", " ").replace(".", ": "))
    reason = rejection.reason.split(": ", 1)[-1]
    return f"{rejection.rejected_at[:16].replace('T', ' ')}  {what} — {one_line(reason, 240)}"


class NeedsAttention(ModalScreen[list[int]]):
    """The refused changes; Enter marks one dealt with, Escape closes. Dismisses with the ids marked."""

    CSS_PATH = "dialogs.tcss"
    BINDINGS = [
        Binding("escape", "close", "Back", id="dialog.cancel", tooltip="Close the list"),
    ]

    def __init__(self, rejections: list[Rejection]) -> None:
        super().__init__()
        self.rejections = rejections
        self.marked: list[int] = []

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            count = len(self.rejections)
            title = f"Needs attention: {count} change(s) the backend refused" if count else "Nothing needs attention"
            yield Static(title, classes="dialog-title", markup=False)
            yield OptionList(*[Option(describe(r), id=str(r.mutation_id)) for r in self.rejections], id="refused")
            yield Static("Enter mark as dealt with · Esc back", classes="dialog-hint", markup=False)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        option_list = self.query_one(OptionList)
        if event.option.id is not None:
            self.marked.append(int(event.option.id))
            option_list.remove_option(event.option.id)
        if option_list.option_count == 0:
            self.dismiss(self.marked)

    def action_close(self) -> None:
        self.dismiss(self.marked)
