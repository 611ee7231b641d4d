"""Keyboard first: every action is a Binding with an id, in the footer and in the command palette."""

from __future__ import annotations

from screens.app import AgentDeskApp
from screens.workspace import Workspace
from tests.desk import WELL_KNOWN, ring, screen_text, settle


def test_every_workspace_key_has_an_id_and_a_tooltip() -> None:
    for binding in Workspace.BINDINGS:
        assert binding.id and binding.tooltip, binding  # type: ignore[union-attr]


async def test_actions_of_the_moment_are_commands_in_the_palette(app: AgentDeskApp) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await ring(pilot, WELL_KNOWN)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert any(t.startswith("Answer") for t in titles)
        assert any(t.startswith("Find") for t in titles)
        assert not any(t.startswith("Hold") for t in titles)  # no hold while ringing
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"answer")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(pilot)
        assert app.desk.state.value == "on call"


async def test_workspace_fits_an_80_by_24_terminal(app: AgentDeskApp) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await ring(pilot, WELL_KNOWN)
        await pilot.press("a", "1")
        await settle(pilot)
        shown = screen_text(app)
        assert "ON CALL" in shown
        assert "Top ten" in shown or "1 ·" in shown
