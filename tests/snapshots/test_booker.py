"""The booker during a call, at 80x24 and 120x35: proposals in the caller's time, one picked and read back;
the outbound list of the day."""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot

from screens.app import AgentDeskApp
from tests.desk import settle
from tests.snapshots.test_workspace import on_a_call

SIZES = pytest.mark.parametrize("size", [(80, 24), (120, 35)], ids=["80x24", "120x35"])


class TestBooker:
    @SIZES
    def test_proposals(self, snap_compare: Any, app: AgentDeskApp, size: tuple[int, int]) -> None:
        async def run_before(pilot: Pilot[Any]) -> None:
            await on_a_call(pilot)
            await pilot.press("k")
            await settle(pilot)
            pilot.app.screen.query_one("#prefs").cursor_blink = False  # focus starts in the preferences field

        assert snap_compare(app, terminal_size=size, run_before=run_before)

    @SIZES
    def test_slot_picked_and_read_back(self, snap_compare: Any, app: AgentDeskApp, size: tuple[int, int]) -> None:
        async def run_before(pilot: Pilot[Any]) -> None:
            await on_a_call(pilot)
            await pilot.press("k")
            await settle(pilot)
            pilot.app.screen.query_one("#prefs").cursor_blink = False  # focus starts in the preferences field
            pilot.app.screen.new_id = "5e1f0c2a-0000-4000-8000-000000000001"  # a fixed reference to read back
            await pilot.press("2")
            await settle(pilot)

        assert snap_compare(app, terminal_size=size, run_before=run_before)


class TestOutbound:
    @SIZES
    def test_the_days_outbound_work(self, snap_compare: Any, app: AgentDeskApp, size: tuple[int, int]) -> None:
        async def run_before(pilot: Pilot[Any]) -> None:
            await settle(pilot)
            await pilot.press("w")
            await settle(pilot)

        assert snap_compare(app, terminal_size=size, run_before=run_before)
