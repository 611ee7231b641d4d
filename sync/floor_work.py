"""A monitor's line to the floor's work on the backend: the escalated and overdue tickets and follow-ups of the
supervisor's accounts (`GET /floor/work`), and moving one (`POST /floor/work/reassign`, `/floor/work/take`).
Every answer is what to do next or the sentence to show: a refusal, or the backend away, never an exception."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx


def _why(answer: httpx.Response) -> str:
    try:
        detail = answer.json().get("detail")
    except ValueError:
        detail = None
    if isinstance(detail, list):  # the body was refused field by field (422)
        return "The backend could not read the request (422)."
    return str(detail or f"The backend refused ({answer.status_code}).")


class FloorWork:
    """`client` gives the monitor's connection (None before it is made)."""

    def __init__(self, client: Callable[[], httpx.AsyncClient | None]) -> None:
        self.client = client

    async def _send(self, method: str, path: str, body: dict[str, str] | None = None
                    ) -> tuple[dict[str, Any] | None, str | None]:
        client = self.client()
        if client is None:
            return None, "Not connected to a backend yet."
        try:
            answer = await client.request(method, path, json=body, timeout=15)
        except httpx.HTTPError as error:
            return None, f"The backend did not answer ({type(error).__name__}); try again."
        if answer.status_code != 200:
            return None, _why(answer)
        try:
            return answer.json(), None
        except ValueError:
            return None, "The backend's answer could not be read; try again."

    async def load(self) -> tuple[dict[str, Any] | None, str | None]:
        """(`{"rows", "staff"}`, None), or (None, why not)."""
        return await self._send("GET", "/floor/work")

    async def reassign(self, kind: str, row_id: str, agent_id: str) -> tuple[dict[str, Any] | None, str | None]:
        """Give the row to `agent_id`: (what was done, None), or (None, why not)."""
        return await self._send("POST", "/floor/work/reassign", {"kind": kind, "id": row_id, "to_agent_id": agent_id})

    async def take(self, kind: str, row_id: str) -> tuple[dict[str, Any] | None, str | None]:
        """Take the row over (assigned to the signed-in supervisor): (what was done, None), or (None, why not)."""
        return await self._send("POST", "/floor/work/take", {"kind": kind, "id": row_id})
