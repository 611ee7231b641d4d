"""The call bar: what is on the agent's line right now, in one glance."""

from __future__ import annotations

from dataclasses import dataclass

from textual.content import Content
from textual.widgets import Static

from widgets.screen_text import one_line


@dataclass(frozen=True, slots=True)
class CallView:
    """What the call bar shows; made by the screen from the call desk."""

    state: str  # "ringing", "on call", "on hold", "ended" (wrap-up)
    caller: str  # display form of the caller's number
    customer_name: str | None  # untrusted: sanitised here
    account_name: str
    ring_number: int = 0
    ring_limit: int = 3
    talk_seconds: float = 0.0
    holds: int = 0
    saved: bool = True  # every step so far is committed to the local store


def clock_text(seconds: float) -> str:
    """`m:ss` for a call's length."""
    whole = max(0, int(seconds))
    return f"{whole // 60}:{whole % 60:02d}"


COMPACT_BELOW = 100
"""Below this width (an 80-column terminal beside the sync status) the bar puts what must never be cut first."""


class CallBar(Static):
    """One line about the call: state, caller ID, customer, account, rings or talk time."""

    DEFAULT_CSS = """
    CallBar {
        height: 1;
        padding: 0 1;
        background: $boost;
        &.-ringing { background: $warning 40%; }
        &.-late { background: $error 50%; }
        &.-on-call { background: $success 30%; }
        &.-on-hold { background: $accent 40%; }
        &.-wrap-up { background: $primary 30%; }
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(markup=False, id=id)
        self.view: CallView | None = None
        self._shown = False

    def show(self, view: CallView | None) -> None:
        """Show `view`, or the idle line when there is no call (the same view again is not redrawn: the desk
        shows it ten times a second)."""
        if self._shown and view == self.view:
            return
        self._shown = True
        self.view = view
        state = view.state if view else ""
        self.set_class(state == "ringing", "-ringing")
        self.set_class(state == "ringing" and view is not None and view.ring_number >= view.ring_limit, "-late")
        self.set_class(state == "on call", "-on-call")
        self.set_class(state == "on hold", "-on-hold")
        self.set_class(state == "ended", "-wrap-up")
        # One line whatever it says: a new text needs no new layout of the screen (a layout per tick held up
        # every frame while a recording played and the agent worked).
        self.update(self._render_view(view), layout=False)

    def on_resize(self) -> None:
        self.update(self._render_view(self.view), layout=False)

    def _render_view(self, view: CallView | None) -> Content:
        if view is None:
            return Content.assemble(("○ Available", "bold"), "  no call on the line")
        if 0 < self.size.width < COMPACT_BELOW:
            return self._render_compact(view)
        who = one_line(view.customer_name, 28) if view.customer_name else "unknown caller"
        parts: list[str | tuple[str, str]] = [
            (f"● {view.state.upper()}", "bold"),
            "  ",
            (view.caller, "bold"),
            "  ",
            (who, "italic" if view.customer_name is None else ""),
            "  · ",
            one_line(view.account_name, 24),
            "  · ",
        ]
        if view.state == "ringing":
            parts.append((f"ring {view.ring_number} (answer before ring {view.ring_limit})", "bold"))
        else:
            parts.append(f"talk {clock_text(view.talk_seconds)}")
            if view.holds:
                parts.append(f"  holds {view.holds}")
        if not view.saved:
            parts.append(("  NOT SAVED", "bold reverse"))
        return Content.assemble(*parts)

    def _render_compact(self, view: CallView) -> Content:
        """State, rings or talk time and the line's account, which a narrow bar must never lose; an unknown
        caller's number after them (a known caller is named in full on the customer card below)."""
        who = "unknown caller"
        if view.state == "ringing":
            count = (f"ring {view.ring_number}/{view.ring_limit}", "bold")
        else:
            holds = f" · {view.holds} hold{'s' if view.holds > 1 else ''}" if view.holds else ""
            count = (clock_text(view.talk_seconds) + holds, "bold")
        parts: list[str | tuple[str, str]] = [(f"● {view.state.upper()}", "bold"), " ", count]
        if not view.saved:
            parts.append(("  NOT SAVED", "bold reverse"))
        parts += [" · ", one_line(view.account_name, 22)]
        if view.customer_name is None:
            # A known caller's name and number are on the customer card just below; a stranger's number is not.
            parts += [" · ", (view.caller, "bold"), " ", (who, "italic")]
        return Content.assemble(*parts)
