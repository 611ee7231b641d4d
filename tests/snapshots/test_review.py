"""Quality review at 80x24 and 120x35 as a reviewer meets it: the oldest unrated item of the fixed demo, and the
averages list (fixed clock, fixed demo data)."""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot

from agentdesk.config import Settings
from agentdesk.store import Store
from screens.app import make_app
from tests.desk import settle


async def _shown(pilot: Pilot[Any]) -> None:
    for _ in range(60):
        await settle(pilot)
        if getattr(pilot.app.screen, "item", None) is not None:
            break
    await settle(pilot)


@pytest.mark.parametrize("size", [(80, 24), (120, 35)], ids=["80x24", "120x35"])
def test_the_review_queue(snap_compare: Any, settings: Settings, store: Store, clock: Any,
                          size: tuple[int, int]) -> None:
    assert snap_compare(make_app(settings, store, clock=clock, start="review"), terminal_size=size,
                        run_before=_shown)


def test_every_agents_averages_at_80x24(snap_compare: Any, settings: Settings, store: Store, clock: Any) -> None:
    async def averages(pilot: Pilot[Any]) -> None:
        await _shown(pilot)
        await pilot.press("a")
        for _ in range(30):
            await settle(pilot)
        await pilot.app.workers.wait_for_complete()
        await settle(pilot)

    assert snap_compare(make_app(settings, store, clock=clock, start="review"), terminal_size=(80, 24),
                        run_before=averages)
