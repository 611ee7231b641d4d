"""The floor's work that a supervisor can move: escalated and overdue tickets and escalated follow-ups, one line
each, oldest first (at most 200, as the backend sends them); Enter or `g` reassigns the highlighted one, `k` takes
it over. Customers' names, subjects and notes are drawn through the sanitiser, never read as markup."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding
from textual.geometry import Size
from textual.strip import Strip

from widgets.row_view import RowView
from widgets.screen_text import one_line

COLUMNS = (("Kind", 6), ("Status", 9), ("Account", 10), ("Customer", 12), ("Subject", 17), ("Assignee", 12),
           ("Age", 4))
LEVEL_WORDS = {"senior": "→senior", "supervisor": "→superv."}


def age_text(seconds: float) -> str:
    """How long the row has waited: minutes, hours, then days."""
    minutes = int(seconds // 60)
    if minutes < 60:
        return f"{minutes}m"
    return f"{minutes // 60}h" if minutes < 48 * 60 else f"{minutes // 1440}d"


class WorkList(RowView):
    """Rows come from `show`; `account_name` turns an account id into its name."""

    BINDINGS = [
        Binding("enter", "screen.reassign_work", "Reassign", show=False),
        Binding("g", "screen.reassign_work", "Reassign"), Binding("k", "screen.take_work", "Take over"),
    ]

    DEFAULT_CSS = "WorkList { height: 1fr; }"

    def __init__(self, account_name: Callable[[str | None], str], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.account_name = account_name
        self.note = "Loading the work of your accounts…"

    def show(self, rows: list[dict[str, Any]], note: str = "") -> None:
        """Take the rows to show (or `note` when there are none) and redraw."""
        self.rows, self.note = rows, note or "Nothing escalated or overdue in your accounts."
        self.cursor = min(self.cursor, max(0, len(rows) - 1))
        self.virtual_size = Size(sum(w for _, w in COLUMNS) + len(COLUMNS) - 1, len(rows) + 1)
        self.refresh()

    @property
    def highlighted(self) -> dict[str, Any] | None:
        return self.rows[self.cursor] if self.rows else None

    def render_line(self, y: int) -> Strip:
        """Line `y` of the view: the header on top, then the rows from the scroll position."""
        if y == 0:
            return self.header(COLUMNS)
        index = int(self.scroll_offset.y) + y - 1
        if not self.rows and y == 1:
            return Strip([Segment(self.note, Style(dim=True))]).crop(0, self.size.width)
        if index >= len(self.rows):
            return Strip.blank(self.size.width)
        row = self.rows[index]
        urgent = row.get("status") == "escalated" or row.get("level") == "supervisor"
        style = Style(color="red") if urgent else Style(color="yellow")
        if index == self.cursor and self.has_focus:
            style += Style(reverse=True)
        text = " ".join(one_line(cell, width).ljust(width) for cell, (_, width) in zip(self.cells(row), COLUMNS,
                                                                                        strict=True))
        x = int(self.scroll_offset.x)
        return Strip([Segment(text, style)]).crop(x, x + self.size.width)

    def cells(self, row: dict[str, Any]) -> list[str]:
        """The row's cells, in the order of `COLUMNS`."""
        if row["kind"] == "ticket":
            kind, status = "ticket", "escalated" if row.get("status") == "escalated" else "overdue"
        else:
            kind, status = "f-up", LEVEL_WORDS.get(str(row.get("level")), "")
        return [kind, status, self.account_name(row["account_id"]), row.get("customer") or "",
                row.get("subject") or "", row.get("assignee") or "—", age_text(float(row.get("age_seconds") or 0))]
