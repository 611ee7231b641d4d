"""The tickets inbox: open tickets most urgent first, with an SLA countdown that turns amber and red."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, Static

from agentdesk.domain.tickets import STATUS_WORDS, SlaPhase, read_sla, sla_label
from agentdesk.records import InboxRow
from widgets.screen_text import one_line

_SLA_STYLE = {SlaPhase.AMBER: "bold #d7a000", SlaPhase.RED: "bold #e05050", SlaPhase.ESCALATE: "bold reverse #e05050"}
# Styles inside DataTable cells cannot come from CSS classes; these read on dark and light themes alike.


NARROW_BELOW = 100
"""Below this width (an 80-column terminal) the inbox drops "With" and uses short words."""
NARROW_KINDS = {"cancellation": "cancel", "escalation": "escalate"}


@dataclass(frozen=True, slots=True)
class InboxView:
    """One page of the inbox as the screen fetched it."""

    rows: tuple[InboxRow, ...]
    now: datetime
    page_number: int = 1
    more: bool = False
    filters: str = "all open tickets"


def sla_cell(row: InboxRow, now: datetime) -> Text:
    """The countdown to the response goal, coloured by urgency."""
    reading = read_sla(row.awaiting_since, now)
    phase = reading.phase
    if phase is SlaPhase.ESCALATE and row.status != "escalated":
        phase = SlaPhase.RED  # due for escalation, not escalated: late, but not the backend's alarm
    return Text(sla_label(reading, row.status), style=_SLA_STYLE.get(phase, ""), no_wrap=True)


class TicketInbox(Vertical):
    """A line of filters and a table of tickets; Enter on a row posts `Chosen`."""

    DEFAULT_CSS = """
    TicketInbox {
        height: 1fr;
        & > #inbox-filters { height: 1; color: $text-muted; padding: 0 1; }
        & > DataTable { height: 1fr; }
    }
    """

    class Chosen(Message):
        """The agent opened a ticket."""

        def __init__(self, ticket_id: str) -> None:
            super().__init__()
            self.ticket_id = ticket_id

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.view: InboxView | None = None

    def compose(self) -> ComposeResult:
        yield Static("loading…", id="inbox-filters", markup=False)
        table: DataTable[str | Text] = DataTable(cursor_type="row", zebra_stripes=True)
        yield table

    def on_mount(self) -> None:
        self._add_columns()

    @property
    def narrow(self) -> bool:
        """Laid out for an 80-column terminal: every column but "With", in short words, one space apart."""
        return 0 < self.size.width < NARROW_BELOW

    def _add_columns(self) -> None:
        # Cells carry their own trailing space, so every column's width is its words (no padding to cut them).
        table = self.query_one(DataTable)
        table.cell_padding = 0
        columns = [("Due", "due"), ("Case", "case"), ("Customer", "customer"), ("Subject", "subject"),
                   ("State", "state"), ("Kind", "kind"), ("Account", "account"), ("With", "with")]
        for label, key in columns[:-1] if self.narrow else columns:
            table.add_column(label + " ", key=key)

    def on_resize(self) -> None:
        table = self.query_one(DataTable)
        if (len(table.columns) == 7) != self.narrow:
            table.clear(columns=True)
            self._add_columns()
            if self.view is not None:
                self.show(self.view)

    def _cells(self, row: InboxRow) -> tuple[str, ...]:
        """The row's words, fitted to the width: the subject takes what the other columns leave."""
        state = STATUS_WORDS.get(row.status, row.status)
        kind = row.kind.replace("_", " ")
        account = row.account_name.split()[0]  # "Alder", "Dogwood": the first name tells the accounts apart
        if self.narrow:
            # Short words that keep their meaning: "pending customer" is "pending".
            cells = [row.case_number, one_line(row.customer_name, 12), "", state.split()[0],
                     NARROW_KINDS.get(kind, kind), one_line(account, 8)]
            widths = (11, 12, 12, 0, 7, 8, 8)  # due, case, customer, subject, state, kind, account
        else:
            cells = [row.case_number, one_line(row.customer_name, 16), "", state, kind, one_line(account, 8),
                     one_line(row.assignee_name or "", 12)]
            widths = (11, 12, 16, 0, 16, 12, 8, 12)
        room = self.size.width - sum(widths) - len(widths) - 2  # a space after each cell, and the scrollbar
        cells[2] = one_line(row.subject, max(12 if self.narrow else 24, min(40, room)))
        return tuple(f"{cell} " for cell in cells)

    def focus_table(self) -> None:
        self.query_one(DataTable).focus()

    def show(self, view: InboxView) -> None:
        """Replace the rows with `view`'s page (at most a few hundred rows)."""
        keep = self.highlighted_id  # a refresh leaves the cursor on the ticket it was on
        self.view = view
        table = self.query_one(DataTable)
        table.clear()
        for row in view.rows:
            # DataTable parses str cells as markup: every cell is a Text, so "[/" in a name stays text.
            due = sla_cell(row, view.now)
            due.append(" ")
            table.add_row(due, *(Text(cell, no_wrap=True) for cell in self._cells(row)), key=row.id)
        ids = [row.id for row in view.rows]
        if keep in ids:
            table.move_cursor(row=ids.index(keep), animate=False)
        more = " · more: ]" if view.more else ""
        back = " · back: [" if view.page_number > 1 else ""
        count = f"{len(view.rows)} ticket{'s' * (len(view.rows) != 1)}" if view.rows else "no open tickets"
        self.query_one("#inbox-filters", Static).update(
            f"page {view.page_number}: {count}{more}{back} · {view.filters}")

    def tick(self, now: datetime) -> None:
        """Redraw the countdowns for `now` (the rows stay)."""
        if self.view is None:
            return
        table = self.query_one(DataTable)
        for row in self.view.rows:
            due = sla_cell(row, now)
            due.append(" ")
            table.update_cell(row.id, "due", due)

    @property
    def highlighted_id(self) -> str | None:
        """The ticket under the cursor."""
        if self.view is None or not self.view.rows:
            return None
        table = self.query_one(DataTable)
        index = min(max(table.cursor_row, 0), len(self.view.rows) - 1)
        return self.view.rows[index].id

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.row_key.value:
            self.post_message(self.Chosen(event.row_key.value))
