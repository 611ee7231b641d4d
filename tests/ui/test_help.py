"""Help one key away: `?` and F1 list every key of the screen, grouped; Esc closes; remapped keys are shown."""

from __future__ import annotations

from agentdesk.clock import FixedClock
from agentdesk.config import Settings
from agentdesk.store import Store
from screens.app import AgentDeskApp, make_app
from screens.help import HelpOverlay
from screens.workspace import Workspace
from tests.desk import WELL_KNOWN, ring, screen_text, settle


async def test_question_mark_and_f1_show_the_keys_and_esc_closes(app: AgentDeskApp) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for key in ("question_mark", "f1"):
            await pilot.press(key)
            await settle(pilot)
            assert isinstance(app.screen, HelpOverlay)
            shown = screen_text(app)
            assert "Keys on this screen" in shown and "The call" in shown
            assert "Answer" in shown and "[call.answer]" in shown
            await pilot.press("escape")
            await settle(pilot)
            assert isinstance(app.screen, Workspace)


async def test_the_overlay_lists_every_key_of_the_workspace(app: AgentDeskApp) -> None:
    async with app.run_test(size=(120, 35)) as pilot:
        await ring(pilot, WELL_KNOWN)
        await pilot.press("f1")
        await settle(pilot)
        text = str(app.screen.query_one("#help-text").render())
        for binding in Workspace.BINDINGS:
            assert f"[{binding.id}]" in text, binding.id  # type: ignore[union-attr]
        assert text.index("The call") < text.index("FAQ") < text.index("Here")


async def test_remapped_keys_work_and_the_overlay_shows_them(settings: Settings, store: Store) -> None:
    remapped = settings.model_copy(update={"keymap": {"call.answer": "f5", "call.ring_demo": "f4"}})
    app = make_app(remapped, store, clock=FixedClock())
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        text = str(app.screen.query_one("#help-text").render())
        assert "f5" in text.split("[call.answer]")[0].splitlines()[-1]
        await pilot.press("escape")
        await ring(pilot, WELL_KNOWN)
        await pilot.press("a")  # no longer the answer key
        await settle(pilot)
        assert app.desk.state.value == "ringing"
        await pilot.press("f5")
        await settle(pilot)
        assert app.desk.state.value == "on call"


async def test_the_palette_has_no_duplicates_nor_internal_names_and_esc_closes_it(app: AgentDeskApp) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert len(titles) == len(set(titles))
        assert [t for t in titles if t.startswith("Quit")] == ["Quit (^q)"]
        assert "Attention (!)" in titles and not any("exclamation" in t or "_" in t for t in titles)
        assert not any(t.startswith("Cursor") for t in titles)
        await pilot.press("ctrl+p")
        await settle(pilot)
        assert not isinstance(app.screen, Workspace)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, Workspace)
