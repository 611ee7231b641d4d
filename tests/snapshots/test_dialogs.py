"""Every dialog of the desk at 80x24, opened by its key during a call, as an agent on a small terminal meets it:
fixed clock, fixed demo data."""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot

from screens.app import AgentDeskApp
from tests.desk import settle
from tests.snapshots.test_workspace import on_a_call

# (name, the keys after the call is answered): each opens one dialog (or overlay) over the workspace.
DIALOGS = [
    ("help", ("question_mark",)),
    ("find_customer", ("slash",)),
    ("comment", ("c",)),
    ("new_customer", ("n",)),
    ("faq_search", ("s", *"warranty")),
    ("escalate", ("x",)),
    ("needs_attention", ("exclamation_mark",)),
    ("outbound", ("w",)),
    ("case_from_call", ("o",)),
    ("wrap_up", ("e",)),
    ("call_scripts", ("g",)),
    # A notice (toast) at 80 columns: one line high, on the left, the FAQ pane left free.
    ("notice_after_wrap_up", ("e", *"Boiler fixed", "ctrl+s")),
]


@pytest.mark.parametrize("keys", [keys for _, keys in DIALOGS], ids=[name for name, _ in DIALOGS])
def test_dialog_at_80x24(snap_compare: Any, app: AgentDeskApp, keys: tuple[str, ...]) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await on_a_call(pilot)
        await pilot.press(*keys)
        await settle(pilot)
        # A blinking cursor is drawn or not by the moment of the picture: its blink is paused with the cursor shown
        # (setting cursor_blink to False leaves a text area's cached lines as they were, drawn or not).
        focused = pilot.app.focused
        if focused is not None and hasattr(focused, "_pause_blink"):
            focused._pause_blink(visible=True)
        await settle(pilot)

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)
