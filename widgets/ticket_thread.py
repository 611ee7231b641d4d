"""A ticket's conversation: customer messages, public replies and internal notes, each plainly distinct."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Static

from agentdesk.records import ThreadMessage
from widgets.screen_text import sanitize

HEADINGS = {
    "customer": "CUSTOMER",
    "reply": "REPLY to the customer",
    "note": "INTERNAL NOTE · never shown to the customer",
}


@dataclass(frozen=True, slots=True)
class ThreadView:
    """A page of the thread and where it sits in the whole."""

    messages: tuple[ThreadMessage, ...]
    time_zone: str
    has_older: bool = False
    has_newer: bool = False


def heading(message: ThreadMessage, time_zone: str) -> str:
    """`REPLY to the customer · Bo Agent · 2026-11-23 09:14 · queued, not yet delivered`."""
    when = message.created_at.astimezone(ZoneInfo(time_zone)).strftime("%Y-%m-%d %H:%M")
    parts = [HEADINGS.get(message.kind, message.kind), sanitize(message.author)[:60], when]
    if message.delivery:
        parts.append({"queued": "queued, not yet delivered", "failed": "NOT DELIVERED"}.get(
            message.delivery, message.delivery))
    return " · ".join(parts)


class MessageBox(Static, can_focus=True):
    """One message; Enter reads a long one page by page."""

    BINDINGS = [Binding("enter", "read", "Read all", id="ticket.read_message", tooltip="Read the whole message")]

    class Read(Message):
        """The agent wants the whole of a long message."""

        def __init__(self, message_id: str) -> None:
            super().__init__()
            self.message_id = message_id

    def __init__(self, message: ThreadMessage, time_zone: str) -> None:
        body = sanitize(message.preview)
        if message.length > len(message.preview):
            body += f"\n… {message.length:,} characters in all: Enter reads the whole message."
        super().__init__(f"{heading(message, time_zone)}\n{body}", markup=False, classes=f"-{message.kind}")
        self.message = message

    def action_read(self) -> None:
        self.post_message(self.Read(self.message.id))


class TicketThread(VerticalScroll):
    """The page of messages, oldest at the top; shows the newest page first."""

    DEFAULT_CSS = """
    TicketThread {
        height: 1fr;
        & > .thread-edge { color: $text-muted; height: 1; }
        & > MessageBox { margin: 0 0 1 0; padding: 0 1; border-left: thick $secondary; }
        & > MessageBox.-customer { border-left: thick $primary; }
        & > MessageBox.-reply { border-left: thick $success; }
        & > MessageBox.-note { border-left: thick $warning; background: $warning 10%; }
        & > MessageBox:focus { background: $boost; }
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.view: ThreadView | None = None

    def show(self, view: ThreadView) -> None:
        """Replace the messages with `view`'s page and scroll to its newest message."""
        self.view = view
        self.remove_children()
        widgets: list[Static] = []
        if view.has_older:
            widgets.append(Static("↑ older messages: F5", classes="thread-edge", markup=False))
        widgets.extend(MessageBox(m, view.time_zone) for m in view.messages)
        if not view.messages:
            widgets.append(Static("No messages yet.", classes="thread-edge", markup=False))
        if view.has_newer:
            widgets.append(Static("↓ newer messages: F6", classes="thread-edge", markup=False))
        self.mount_all(widgets)
        self.call_after_refresh(self.scroll_end, animate=False)
