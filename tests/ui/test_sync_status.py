"""The status line and sync rounds that end at awkward moments."""

from __future__ import annotations

from screens.app import AgentDeskApp
from screens.workspace import Workspace
from widgets import SyncStatus


async def test_a_sync_round_ending_before_a_workspace_is_composed_does_not_crash_the_desk(app: AgentDeskApp) -> None:
    # On a busy machine a sync round can end while a workspace has not built its status line yet (or has taken
    # it down at exit); that crashed the desk ("No nodes match 'SyncStatus'"). The connection waits on the App.
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.pause()
        not_composed = Workspace(app.desks, app.store.accounts())
        not_composed.show_connection("online", 0)
        app.connection = "online"
        app.screen.show_connection("online", 0)  # type: ignore[attr-defined]
        assert app.screen.query_one(SyncStatus).connection == "online"
