"""What the monitor's long lists share: a header line, then one line per row drawn only while on screen, and a
highlighted row moved by the arrow and page keys and kept in view."""

from __future__ import annotations

from typing import Any

from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding
from textual.scroll_view import ScrollView
from textual.strip import Strip


class RowView(ScrollView, can_focus=True):
    """Rows in `self.rows`, the highlighted one at `self.cursor`; subclasses draw the lines."""

    BINDINGS = [
        Binding("up", "move(-1)", "Up", show=False), Binding("down", "move(1)", "Down", show=False),
        Binding("pageup", "move(-10)", "Page up", show=False), Binding("pagedown", "move(10)", "Page down", show=False),
    ]

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.rows: list[dict[str, Any]] = []
        self.cursor = 0

    def action_move(self, step: int) -> None:
        """Move the highlighted row, scrolling it into view."""
        if not self.rows:
            return
        self.cursor = max(0, min(len(self.rows) - 1, self.cursor + step))
        top = int(self.scroll_offset.y)
        visible = max(1, self.scrollable_content_region.height - 1)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False)
        elif self.cursor >= top + visible:
            self.scroll_to(y=self.cursor - visible + 1, animate=False)
        self.refresh()

    def header(self, columns: tuple[tuple[str, int], ...], extra: Style | None = None) -> Strip:
        """The header line: each column's name in its width, bold and underlined."""
        text = " ".join(name.ljust(width)[:width] for name, width in columns)
        style = Style(bold=True, underline=True) + (extra or Style())
        return Strip([Segment(text, style)]).crop(0, self.size.width)
