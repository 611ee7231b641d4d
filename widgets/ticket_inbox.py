"""The tickets inbox: open tickets most urgent first, with an SLA countdown that turns amber and red."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, Static

from agentdesk.domain.text import one_line
from agentdesk.domain.tickets import STATUS_WORDS, SlaPhase, read_sla, sla_label
from agentdesk.records import InboxRow

_SLA_STYLE = {SlaPhase.AMBER: "bold #d7a000", SlaPhase.RED: "bold #e05050", SlaPhase.ESCALATE: "bold reverse #e05050"}
# Styles inside DataTable cells cannot come from CSS classes; these read on dark and light themes alike.


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
        table = self.query_one(DataTable)
        for label, key in (("Due", "due"), ("Case", "case"), ("Customer", "customer"), ("Subject", "subject"),
                           ("State", "state"), ("Kind", "kind"), ("Account", "account"), ("With", "with")):
            table.add_column(label, key=key)

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
            cells = (row.case_number, one_line(row.customer_name, 18), one_line(row.subject, 34),
                     STATUS_WORDS.get(row.status, row.status), row.kind.replace("_", " "),
                     one_line(row.account_name, 14), one_line(row.assignee_name or "", 14))
            table.add_row(sla_cell(row, view.now), *(Text(cell, no_wrap=True) for cell in cells), key=row.id)
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
            table.update_cell(row.id, "due", sla_cell(row, now))

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
