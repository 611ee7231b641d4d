"""A bare Textual app, the yardstick of start-up: a header line, one text and a footer, and nothing else.

`python bench/bare_textual.py PROBE` writes the time of its first frame to PROBE and quits, as `agentdesk
--startup-probe PROBE` does for the desk, so the two are measured the same way (see `bench/startup_bench.py`).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from textual.app import App, ComposeResult
from textual.widgets import Footer, Static


class Bare(App[None]):
    """The least a Textual app shows: one line of text and the footer."""

    BINDINGS = [("ctrl+q", "quit", "Quit")]

    def __init__(self, probe: Path) -> None:
        super().__init__()
        self.probe = probe

    def compose(self) -> ComposeResult:
        yield Static("A bare Textual app")
        yield Footer()

    def on_mount(self) -> None:
        self.call_after_refresh(self.shown)

    def shown(self) -> None:
        self.probe.write_text(repr(time.time()))
        self.exit()


if __name__ == "__main__":
    Bare(Path(sys.argv[1])).run()
