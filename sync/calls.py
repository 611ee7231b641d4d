"""Calls offered by the backend: the phone system posts its events there, the backend offers each ringing call to
one agent, and this source hands that agent's terminal its calls through the same interface as the demo source."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import httpx

from agentdesk.records import IncomingCall

POLL_S = 0.5


class BackendCallSource:
    """Polls the backend for calls offered to this terminal's agent (every half second)."""

    def __init__(self, base_url: str, token: str, *, poll_s: float = POLL_S) -> None:
        self.base_url = base_url
        self.token = token
        self.poll_s = poll_s
        self._seen: set[str] = set()

    def ring_now(self) -> bool:
        return False  # calls come from the phone system

    async def calls(self) -> AsyncIterator[IncomingCall]:
        async with httpx.AsyncClient(base_url=self.base_url, timeout=5,
                                     headers={"Authorization": f"Bearer {self.token}"}) as client:
            while True:
                try:
                    answer = await client.get("/calls/offered")
                    offers = answer.json() if answer.status_code == 200 else []
                except (httpx.HTTPError, ValueError):
                    offers = []
                for offer in offers:
                    if offer["call_id"] in self._seen:
                        continue
                    self._seen.add(offer["call_id"])
                    yield IncomingCall(
                        call_id=offer["call_id"], caller_number=offer["caller_number"],
                        dialled_number=offer["dialled_number"], offered_at=_when(offer["rang_at"]),
                    )
                await asyncio.sleep(self.poll_s)


def _when(stamp: str) -> datetime:
    """The phone system's time of the ring (ISO 8601), or now when it sent something else."""
    try:
        moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return datetime.now(UTC)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
