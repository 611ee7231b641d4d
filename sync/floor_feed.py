"""A monitor's line to the backend's floor stream: a snapshot on connect, then the changes; when the stream
drops it says so at once and connects again on its own (1, 2, 4 s apart, at most 5 s)."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from typing import Any

import httpx

RETRY_S = (1.0, 2.0, 4.0, 5.0)


class FloorRefused(Exception):
    """The backend will not show this sign-in the floor; the message is the sentence to show."""


class FloorFeed:
    """Follows `/floor/stream` on `client` and hands each event to `on_event(kind, data)`; `on_drop(since)` when
    the stream is lost (since: epoch seconds), until `stop()`."""

    def __init__(self, client: httpx.AsyncClient, on_event: Callable[[str, dict[str, Any]], None],
                 on_drop: Callable[[float], None]) -> None:
        self.client = client
        self.on_event = on_event
        self.on_drop = on_drop
        self.stopped = False
        self.connected = False

    def stop(self) -> None:
        """Stop after the current read."""
        self.stopped = True

    async def run(self) -> None:
        """Follow the stream until stopped; `FloorRefused` for a sign-in that may not watch the floor."""
        failures = 0
        while not self.stopped:
            try:
                await self._follow()
                failures = 0
            except (httpx.HTTPError, ValueError, KeyError):
                failures += 1
            if self.stopped:
                return
            if self.connected or failures == 1:
                self.connected = False
                self.on_drop(time.time())
            await asyncio.sleep(RETRY_S[min(failures, len(RETRY_S) - 1)])

    async def _follow(self) -> None:
        async with self.client.stream("GET", "/floor/stream", timeout=httpx.Timeout(10, read=30)) as answer:
            if answer.status_code in (401, 403):
                await answer.aread()
                detail = answer.json().get("detail") if answer.headers.get("content-type", "").startswith(
                    "application/json") else ""
                raise FloorRefused(f"The backend refused to show this sign-in the floor: {detail or answer.status_code}."
                                   " Sign in as a supervisor or an admin (`agentdesk login`).")
            answer.raise_for_status()
            kind = ""
            async for line in answer.aiter_lines():
                if self.stopped:
                    return
                if line.startswith("event: "):
                    kind = line[7:]
                elif line.startswith("data: "):
                    self.connected = True
                    self.on_event(kind, json.loads(line[6:]))


async def floor_action(client: httpx.AsyncClient, name: str, args: dict[str, str]) -> str | None:
    """Ask the backend to carry out a supervisor's action: None when done, else the sentence why not."""
    try:
        answer = await client.post("/floor/actions", json={"name": name, "args": args}, timeout=10)
    except httpx.HTTPError as error:
        return f"The backend did not answer ({type(error).__name__}); try again."
    if answer.status_code == 200:
        return None
    try:
        return str(answer.json().get("detail") or answer.status_code)
    except ValueError:
        return f"The backend refused ({answer.status_code})."


class FloorActions:
    """A supervisor's actions on the floor, by what they do; each answers None when done, else the sentence why
    not. `client` gives the monitor's connection (None before it is made)."""

    def __init__(self, client: Callable[[], httpx.AsyncClient | None]) -> None:
        self.client = client

    async def _ask(self, name: str, args: dict[str, str]) -> str | None:
        client = self.client()
        if client is None:
            return "Not connected to a backend yet."
        return await floor_action(client, name, args)

    async def set_available(self, agent_id: str) -> str | None:
        return await self._ask("agent.set_state@1", {"agent_id": agent_id, "state": "available"})

    async def set_away(self, agent_id: str, reason: str) -> str | None:
        return await self._ask("agent.set_state@1", {"agent_id": agent_id, "state": "away", "reason": reason})

    async def message(self, agent_id: str, text: str) -> str | None:
        return await self._ask("agent.message@1", {"agent_id": agent_id, "text": text})
