"""The floor's agent board: one line per agent, drawn only for the lines on screen (1,000 agents scroll without
a stall), coloured amber or red by the row's alert, dimmed while the stream is stale. From 100 columns up (the
screen's `-wide` breakpoint) each agent's quality and customer rating averages of the last 30 days follow, with
their counts ("4.2/12"): at 80 columns every other column already takes the width."""

from __future__ import annotations

import time
from typing import Any

from rich.segment import Segment
from rich.style import Style
from textual.geometry import Size
from textual.strip import Strip

from agentdesk.monitoring import FloorModel, clock_text, rating_text
from widgets.row_view import RowView
from widgets.screen_text import one_line

COLUMNS = (("Agent", 14), ("State", 9), ("In st", 5), ("Account", 9), ("Caller", 10), ("Talk", 5), ("Cls", 3),
           ("AHT", 5), ("H/cap", 5), ("Sync", 5))
WIDE_COLUMNS = (*COLUMNS, ("QC", 7), ("Cust", 7))
"""The columns from 100 columns up: the ratings (quality control's, customers') after the rest."""
LEVEL_STYLES = {"critical": Style(color="red", bold=True), "warning": Style(color="yellow"), "": Style()}


class AgentBoard(RowView):
    """Rows come from `show`; the widget draws the visible lines only."""

    DEFAULT_CSS = "AgentBoard { height: 1fr; } AgentBoard.-stale { opacity: 0.6; }"

    def __init__(self, model: FloorModel, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.model = model
        self.now = time.time()
        self.stale = False

    def show(self, rows: list[dict[str, Any]], now: float, *, stale: bool = False) -> None:
        """Take the rows to show (already sorted and filtered) and redraw."""
        self.rows, self.now, self.stale = rows, now, stale
        self.cursor = min(self.cursor, max(0, len(rows) - 1))
        columns = self._columns()
        self.virtual_size = Size(sum(w for _, w in columns) + len(columns) - 1, len(rows) + 1)
        self.set_class(stale, "-stale")
        self.refresh()

    def render_line(self, y: int) -> Strip:
        """Line `y` of the view: the header on top, then the agents from the scroll position."""
        dim = Style(dim=True) if self.stale else Style()
        columns = self._columns()
        if y == 0:
            return self.header(columns, dim)
        index = int(self.scroll_offset.y) + y - 1
        if index >= len(self.rows):
            return Strip.blank(self.size.width)
        row = self.rows[index]
        style = LEVEL_STYLES[self.model.agent_level(row, self.now)] + dim
        if index == self.cursor and self.has_focus:
            style += Style(reverse=True)
        cells = self._cells(row)[:len(columns)]
        text = " ".join(one_line(cell, width).ljust(width) for cell, (_, width) in zip(cells, columns, strict=True))
        x = int(self.scroll_offset.x)
        return Strip([Segment(text, style)]).crop(x, x + self.size.width)

    def _columns(self) -> tuple[tuple[str, int], ...]:
        return WIDE_COLUMNS if self.is_mounted and self.screen.has_class("-wide") else COLUMNS

    def _cells(self, row: dict[str, Any]) -> list[str]:
        now, state = self.now, row["state"]
        in_state = now - float(row["since"] or now)
        shown = state
        if state == "on hold":
            shown = f"hold {max(0, int(self.model.rules.hold_cap_s - in_state))}s"
        caller = row["reason"] if state == "away" else row["caller"]
        talk = clock_text(now - row["answered_at"]) if row["answered_at"] else ""
        aht = clock_text(row["aht_seconds"]) if row["aht_seconds"] is not None else "—"
        sync = str(row["unsynced"]) if row["unsynced"] else "ok"
        return [row["name"], shown, clock_text(in_state), self.model.account_name(row["call_account"]), caller or "",
                talk, str(row["calls_today"]), aht, f"{row['holds_today']}/{row['cap_hits_today']}", sync,
                rating_text(row, "qc"), rating_text(row, "customer")]
