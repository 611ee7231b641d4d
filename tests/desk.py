"""Pilot helpers shared by the Pilot and snapshot tests: ring, let time pass, settle, read the screen."""

from __future__ import annotations

import contextlib
import html
import re
from typing import Any

from textual.pilot import Pilot
from textual.worker import WorkerCancelled, WorkerFailed

from agentdesk.clock import FixedClock
from agentdesk.records import IncomingCall
from screens.app import AgentDeskApp

WELL_KNOWN = "+18002181525"


async def settle(pilot: Pilot[Any]) -> None:
    """Let workers, the local writer and the messages they post finish, then let the screen catch up:
    done when two rounds in a row found nothing running."""
    app = pilot.app
    assert isinstance(app, AgentDeskApp)
    quiet = 0
    for _ in range(50):
        app.writer.flush()
        busy = [w for w in app.workers if w.group != "call-source" and w.is_running]
        for worker in busy:
            with contextlib.suppress(WorkerCancelled, WorkerFailed):
                await worker.wait()
        await pilot.pause()
        quiet = 0 if busy else quiet + 1
        if quiet >= 2:
            return


def incoming(app: AgentDeskApp, caller: str, account_index: int = 0, call_id: str | None = None) -> IncomingCall:
    account = app.store.accounts()[account_index]
    return IncomingCall(
        call_id=call_id or f"00000000-0000-4000-8000-{abs(hash(caller)) % 10**12:012d}",
        caller_number=caller,
        dialled_number=account.phone_number,
        offered_at=app.clock.now(),
    )


async def ring(pilot: Pilot[Any], caller: str, account_index: int = 0) -> None:
    app = pilot.app
    assert isinstance(app, AgentDeskApp)
    app.screen.offer(incoming(app, caller, account_index))  # type: ignore[attr-defined]
    await settle(pilot)


async def advance(pilot: Pilot[Any], seconds: float, step: float = 0.5) -> None:
    """Move the fixed clock forward in steps, ticking the screen as its timer would."""
    app = pilot.app
    assert isinstance(app, AgentDeskApp)
    clock = app.clock
    assert isinstance(clock, FixedClock)
    remaining = seconds
    while remaining > 1e-9:
        move = min(step, remaining)
        clock.advance(move)
        remaining -= move
        app.screen.tick()  # type: ignore[attr-defined]
    await settle(pilot)


def screen_text(app: AgentDeskApp) -> str:
    """What the terminal shows, as plain text (the screenshot without its SVG markup)."""
    svg = app.export_screenshot()
    lines = re.findall(r"<text[^>]*>(.*?)</text>", svg, re.S)
    return html.unescape(" ".join(lines)).replace("\xa0", " ")
