"""The one place where a stored text becomes screen text.

Everything the store holds may come from a customer or from another terminal through the backend: names,
e-mails, subjects, notes, even a language code or a phone number. Widgets and screens take text for the screen
only from here: each function accepts whatever a row holds (None, bytes, a number) and returns text with every
terminal control removed (`agentdesk.domain.text.sanitize`), for `Content`/`Text` or `markup=False` widgets,
never for markup. tests/e2e/test_every_column_on_every_screen.py fills every text column of the store with
hostile text and walks every screen in a real terminal to hold this.
"""

from __future__ import annotations

from agentdesk.domain import text as _text


def _as_text(value: object) -> str:
    """What a stored value reads as: None is empty, bytes are decoded (bad bytes marked), others as str()."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bytes | bytearray):
        return bytes(value).decode("utf-8", errors="replace")
    return str(value)


def sanitize(value: object) -> str:
    """A stored text for the screen, lines kept: terminal controls removed, a marker where something was."""
    return _text.sanitize(_as_text(value))


def one_line(value: object, width: int) -> str:
    """A stored text for the screen on one line of at most `width` cells, cut with "…"."""
    return _text.one_line(_as_text(value), width)


def show_link(value: object) -> str:
    """A customer's link for the screen: its real host, then the link as text (never a terminal hyperlink)."""
    return _text.show_link(_as_text(value))


__all__ = ["one_line", "sanitize", "show_link"]
