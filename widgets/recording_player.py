"""The recording player's line: which call's recording is in the player, play/pause, its position and length."""

from __future__ import annotations

from dataclasses import dataclass

from textual.content import Content
from textual.widgets import Static

KEYS_HINT = "p play/pause · , back 5 s · . forward 5 s"


@dataclass(frozen=True, slots=True)
class PlayerView:
    """What the line shows: the recording's title and the player's status ("▶ 0:12 / 1:03")."""

    title: str
    status: str
    note: str = ""  # "fetching…", or why it cannot play


class RecordingPlayerBar(Static):
    """One line under the call bar while a recording is in the player; hidden otherwise."""

    DEFAULT_CSS = """
    RecordingPlayerBar {
        height: 1;
        padding: 0 1;
        display: none;
        background: $primary 25%;
        &.-loaded { display: block; }
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(markup=False, id=id)
        self.view: PlayerView | None = None

    def show(self, view: PlayerView | None) -> None:
        """Show the player's state, or hide the line when the player is empty (unchanged views are not redrawn)."""
        if view == self.view:
            return
        self.view = view
        self.set_class(view is not None, "-loaded")
        # One line whatever it says: the position ticking on needs no new layout of the screen (it held up every
        # frame while a recording played); showing and hiding the line is the class's, which lays out.
        if view is None:
            self.update("", layout=False)
            return
        self.update(Content.assemble(
            (view.status or "…", "bold"), "  ", ("Recording ", "bold"), view.title,
            f"  {view.note}" if view.note else "", f"  ({KEYS_HINT})",
        ), layout=False)
