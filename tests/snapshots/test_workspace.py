"""What the agent sees, at 80x24 and 120x35: fixed clock, fixed demo data, no blinking cursor."""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot

from screens.app import AgentDeskApp
from tests.desk import WELL_KNOWN, advance, ring, settle

SIZES = pytest.mark.parametrize("size", [(80, 24), (120, 35)], ids=["80x24", "120x35"])


async def on_a_call(pilot: Pilot[Any]) -> None:
    await ring(pilot, WELL_KNOWN)
    await advance(pilot, 5)
    await pilot.press("a")
    await advance(pilot, 42)


class TestWorkspace:
    """The workspace through one call: idle, ringing, talking, holding near the cap, reading the FAQ,
    escalating."""

    @SIZES
    def test_idle(self, snap_compare: Any, app: AgentDeskApp, size: tuple[int, int]) -> None:
        async def run_before(pilot: Pilot[Any]) -> None:
            await settle(pilot)

        assert snap_compare(app, terminal_size=size, run_before=run_before)

    @SIZES
    def test_ringing(self, snap_compare: Any, app: AgentDeskApp, size: tuple[int, int]) -> None:
        async def run_before(pilot: Pilot[Any]) -> None:
            await ring(pilot, WELL_KNOWN)
            await advance(pilot, 7)

        assert snap_compare(app, terminal_size=size, run_before=run_before)

    @SIZES
    def test_on_a_call_with_history(self, snap_compare: Any, app: AgentDeskApp, size: tuple[int, int]) -> None:
        assert snap_compare(app, terminal_size=size, run_before=on_a_call)

    @SIZES
    def test_on_hold_near_the_cap(self, snap_compare: Any, app: AgentDeskApp, size: tuple[int, int]) -> None:
        async def run_before(pilot: Pilot[Any]) -> None:
            await on_a_call(pilot)
            await pilot.press("h")
            await advance(pilot, 8)

        assert snap_compare(app, terminal_size=size, run_before=run_before)

    @SIZES
    def test_faq_answer_open(self, snap_compare: Any, app: AgentDeskApp, size: tuple[int, int]) -> None:
        async def run_before(pilot: Pilot[Any]) -> None:
            await on_a_call(pilot)
            await pilot.press("1")
            await settle(pilot)

        assert snap_compare(app, terminal_size=size, run_before=run_before)

    @SIZES
    def test_escalation(self, snap_compare: Any, app: AgentDeskApp, size: tuple[int, int]) -> None:
        async def run_before(pilot: Pilot[Any]) -> None:
            await on_a_call(pilot)
            await pilot.press("x")
            await settle(pilot)
            await pilot.press(*"Does the warranty cover water damage?", "enter")
            await settle(pilot)

        assert snap_compare(app, terminal_size=size, run_before=run_before)
