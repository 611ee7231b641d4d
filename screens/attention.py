"""Needs attention: the changes the backend refused or this terminal could not save, with the reason, so nothing
an agent did disappears quietly. Enter marks one as dealt with (it stays in the store's record). A booking refused
because another agent took the slot first lists the next free slots; 1, 2 or 3 books the customer there at once."""

from __future__ import annotations

from collections.abc import Callable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from agentdesk.localstore.appointments import Proposal
from agentdesk.localstore.replica import Rejection
from widgets.screen_text import one_line

Rebook = Callable[[Rejection, Proposal], None]

WHAT = {
    "comment.add": "Comment", "customer.create": "New customer", "customer.update": "Customer change",
    "call.ring": "Call", "call.answer": "Answer", "call.hold": "Hold", "call.resume": "Take back",
    "call.end": "End of call", "call.wrap_up": "Wrap-up", "call.escalate": "Escalation", "faq.use": "FAQ use",
    "appointment.book": "Booking", "appointment.reschedule": "Moved booking", "appointment.cancel": "Cancelled booking",
    "appointment.survey": "Survey answer", "task.done": "Task done",
}


def describe(rejection: Rejection, alternatives: list[tuple[str, Proposal]] | None = None) -> str:
    name = rejection.name.split("@")[0]
    what = WHAT.get(name, name.replace("_", " ").replace(".", ": "))
    # A change this terminal could not save (negative id) carries a whole sentence for the agent already.
    reason = rejection.reason if rejection.mutation_id < 0 else rejection.reason.split(": ", 1)[-1]
    if alternatives:
        reason = reason.split("; free then:", 1)[0]
        offers = " · ".join(f"{n} {label}" for n, (label, _) in enumerate(alternatives, 1))
        reason += f". Rebook: {offers}"
    return f"{one_line(rejection.rejected_at[:16].replace('T', ' '), 16)}  {one_line(what, 40)} — {one_line(reason, 300)}"


class NeedsAttention(ModalScreen[list[int]]):
    """The refused changes; Enter marks one dealt with, Escape closes. Dismisses with the ids marked."""

    CSS_PATH = "dialogs.tcss"
    BINDINGS = [
        Binding("escape", "close", "Back", id="dialog.cancel", tooltip="Close the list"),
        *[
            Binding(str(n), f"rebook({n})", f"Rebook {n}", show=False, id=f"attention.rebook{n}",
                    tooltip=f"Book the refused appointment in free slot {n} instead")
            for n in range(1, 4)
        ],
    ]

    def __init__(
        self, rejections: list[Rejection], alternatives: dict[int, list[tuple[str, Proposal]]] | None = None,
        rebook: Rebook | None = None,
    ) -> None:
        super().__init__()
        self.rejections = rejections
        self.alternatives = alternatives or {}
        self.rebook = rebook
        self.marked: list[int] = []

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            count = len(self.rejections)
            title = f"Needs attention: {count} change(s) not saved or refused" if count else "Nothing needs attention"
            yield Static(title, classes="dialog-title", markup=False)
            yield OptionList(
                *[Option(Content(describe(r, self.alternatives.get(r.mutation_id))), id=str(r.mutation_id))
                  for r in self.rejections],
                id="refused",
            )
            hint = "Enter mark as dealt with · Esc back"
            if self.alternatives:
                hint = "1-3 rebook a refused booking · " + hint
            yield Static(hint, classes="dialog-hint", markup=False)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        option_list = self.query_one(OptionList)
        if event.option.id is not None:
            self.marked.append(int(event.option.id))
            option_list.remove_option(event.option.id)
        if option_list.option_count == 0:
            self.dismiss(self.marked)

    def action_rebook(self, number: int) -> None:
        option_list = self.query_one(OptionList)
        index = option_list.highlighted
        if index is None or self.rebook is None:
            return
        option = option_list.get_option_at_index(index)
        mutation_id = int(option.id or 0)
        offers = self.alternatives.get(mutation_id) or []
        if not 1 <= number <= len(offers):
            self.notify("This change has no free slot to rebook in.", severity="warning")
            return
        rejection = next(r for r in self.rejections if r.mutation_id == mutation_id)
        self.rebook(rejection, offers[number - 1][1])
        self.marked.append(mutation_id)
        option_list.remove_option(option.id or "")
        if option_list.option_count == 0:
            self.dismiss(self.marked)

    def action_close(self) -> None:
        self.dismiss(self.marked)
