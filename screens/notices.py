"""Notices (toasts) are plain text in both apps: a notice often carries a customer's name, a subject or the
backend's words, and Textual reads a notice as markup unless told otherwise, so `[link=…]` in a name would become
a terminal hyperlink. Here it is told once, for every `notify` of every screen and widget."""

from __future__ import annotations

from textual.app import App
from textual.notifications import SeverityLevel


class PlainNotices(App[None]):
    """An App whose notices never read markup (put it before `App` in the bases)."""

    def notify(self, message: str, *, title: str = "", severity: SeverityLevel = "information",
               timeout: float | None = None, markup: bool = True) -> None:
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=False)
