"""The hold timer: a countdown to the 10-second cap that no caller may pass."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from agentdesk.domain.hold import HoldPhase, HoldReading


class HoldTimer(Static):
    """Counts down the hold; amber from the warning, and the line to say once the cap took the caller back."""

    DEFAULT_CSS = """
    HoldTimer {
        height: 1;
        padding: 0 1;
        display: none;
        &.-holding { display: block; background: $accent 30%; }
        &.-warning { display: block; background: $warning 60%; text-style: bold; }
        &.-released { display: block; background: $error 40%; }
    }
    """

    BAR_CELLS = 20

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(markup=False, id=id)
        self.reading: HoldReading | None = None
        self._cleared = False

    def show(self, reading: HoldReading | None, cap_seconds: float) -> None:
        """Show the countdown for `reading`; hide when the caller is not on hold."""
        if reading is None:
            self.clear()
            return
        self._cleared = False
        self.reading = reading
        phase = reading.phase
        self.set_class(phase is HoldPhase.HOLDING, "-holding")
        self.set_class(phase is HoldPhase.WARNING, "-warning")
        self.remove_class("-released")
        filled = round(self.BAR_CELLS * min(reading.elapsed, cap_seconds) / cap_seconds)
        bar = "█" * filled + "░" * (self.BAR_CELLS - filled)
        label = "ON HOLD" if phase is HoldPhase.HOLDING else "ON HOLD — take the caller back now"
        self.update(  # one line: its text needs no new layout of the screen (showing and hiding is the class's)
            Content.assemble(
                (label, "bold"), f"  {reading.remaining:4.1f} s left  ", bar, f"  {reading.elapsed:4.1f} s"
            ), layout=False,
        )

    def show_released(self, line: str) -> None:
        """The cap took the caller off hold: show the line the agent says now."""
        self.reading = None
        self._cleared = False
        self.set_class(False, "-holding", "-warning")
        self.add_class("-released")
        self.update(Content.assemble(("Off hold at the cap. Say: ", "bold"), line), layout=False)

    def clear(self) -> None:
        """Hide the timer (once: the desk clears it ten times a second when no call is on hold)."""
        if self._cleared:
            return
        self._cleared = True
        self.reading = None
        self.set_class(False, "-holding", "-warning", "-released")
        self.update("", layout=False)
