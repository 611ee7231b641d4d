"""The ticket composer: a reply (delivered to the customer) or an internal note, always saying which."""

from __future__ import annotations

from typing import Literal

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Static, TextArea

from widgets.screen_text import sanitize

Mode = Literal["reply", "note"]
MODE_LINES: dict[str, str] = {
    "reply": "REPLY · goes to the customer · F2 switches to an internal note · Ctrl+S sends",
    "note": "INTERNAL NOTE · never shown to the customer · F2 switches to a reply · Ctrl+S saves",
}


class TicketComposer(Vertical):
    """The mode line and the text; posts `Changed` as the agent types (for the draft)."""

    DEFAULT_CSS = """
    TicketComposer {
        height: auto;
        & > #composer-mode { height: 1; padding: 0 1; text-style: bold; }
        & > TextArea { height: 5; }
        &.-reply > #composer-mode { background: $success 30%; }
        &.-reply > TextArea { border: tall $success; }
        &.-note > #composer-mode { background: $warning 40%; }
        &.-note > TextArea { border: tall $warning; }
    }
    """

    mode: reactive[Mode] = reactive("reply")
    """What Ctrl+S sends: a reply to the customer or an internal note."""

    class Changed(Message):
        """The text or the mode changed."""

        def __init__(self, text: str, mode: Mode) -> None:
            super().__init__()
            self.text = text
            self.mode = mode

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, classes="-reply")
        self._quiet = False

    def compose(self) -> ComposeResult:
        yield Static(MODE_LINES["reply"], id="composer-mode", markup=False)
        yield TextArea(id="composer-text", soft_wrap=True, tab_behavior="focus")

    @property
    def text(self) -> str:
        return self.query_one(TextArea).text

    def load(self, text: str, mode: Mode) -> None:
        """Show a saved draft (without posting `Changed`)."""
        self._quiet = True
        self.mode = mode
        self.query_one(TextArea).load_text(sanitize(text))  # a draft may come from another terminal
        self.call_after_refresh(setattr, self, "_quiet", False)

    def clear(self) -> None:
        self.load("", self.mode)

    def insert(self, text: str) -> None:
        """Put `text` at the cursor, and show its start (a template is read from the top, not from its tail)."""
        area = self.query_one(TextArea)
        start = area.cursor_location
        area.insert(text)
        area.move_cursor(start)
        area.scroll_cursor_visible(center=False, animate=False)
        area.focus()

    def toggle(self) -> None:
        self.mode = "note" if self.mode == "reply" else "reply"

    def focus_text(self) -> None:
        self.query_one(TextArea).focus()

    def watch_mode(self, mode: Mode) -> None:
        self.set_class(mode == "reply", "-reply")
        self.set_class(mode == "note", "-note")
        if self.is_mounted:
            self.query_one("#composer-mode", Static).update(MODE_LINES[mode])
            if not self._quiet:
                self.post_message(self.Changed(self.text, mode))

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        event.stop()
        if not self._quiet:
            self.post_message(self.Changed(event.text_area.text, self.mode))
