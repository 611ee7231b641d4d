"""A desk's reports to the live floor: each call step the desk saves (ring, answer, hold, resume, end, wrap-up)
is told to the backend as a state change as it happens, and the supervisors' notices for this agent are
collected and handed to the desk. Best effort on a thread of its own: the desk never waits for it, and a step
the backend could not hear is dropped (the stored interaction, synced as usual, stays the record)."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

import httpx

NOTICE_POLL_S = 2.0


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class FloorReporter:
    """Reports to `client`'s backend; `on_notice(notice)` is called (from the reporter's thread) for each notice."""

    def __init__(self, client: httpx.Client, on_notice: Callable[[dict[str, Any]], None] | None = None) -> None:
        self.client = client
        self.on_notice = on_notice
        self.events: queue.Queue[dict[str, Any] | None] = queue.Queue(maxsize=1000)
        self.holds: dict[str, str] = {}  # hold id → call id
        self.thread = threading.Thread(target=self._run, daemon=True, name="agentdesk-floor")

    def start(self) -> None:
        """Say the agent is available and start reporting."""
        self._queue({"type": "available", "at": _now()})
        self.thread.start()

    def stop(self) -> None:
        """Say the agent signed out and stop."""
        self._queue({"type": "signed-out", "at": _now()})
        self._queue(None)
        self.thread.join(5)

    def observe(self, name: str, args: Mapping[str, Any]) -> None:
        """A mutation the desk queued: the floor event it means, if any."""
        event = self.event_for(name, args)
        if event is not None:
            self._queue(event)

    def event_for(self, name: str, args: Mapping[str, Any]) -> dict[str, Any] | None:
        """The floor event of one of the desk's call mutations (None for other mutations)."""
        if name == "call.ring@1":
            return {"type": "ringing", "at": args["ringing_at"], "call_id": args["interaction_id"],
                    "account_id": args["account_id"], "caller": str(args.get("caller_number") or "")[:80]}
        if name == "call.answer@1":
            return {"type": "answered", "at": args["answered_at"], "call_id": args["interaction_id"]}
        if name == "call.hold@1":
            self.holds[str(args["hold_id"])] = str(args["interaction_id"])
            return {"type": "held", "at": args["started_at"], "call_id": args["interaction_id"]}
        if name == "call.resume@1":
            call_id = self.holds.pop(str(args["hold_id"]), None)
            return None if call_id is None else {"type": "resumed", "at": args["ended_at"], "call_id": call_id,
                                                 "seconds": args.get("seconds"), "hit_cap": bool(args.get("hit_cap"))}
        if name == "call.end@1":
            return {"type": "ended", "at": args["ended_at"], "call_id": args["interaction_id"]}
        if name in ("call.wrap_up@1", "call.wrap_up@2", "call.wrap_up@3"):
            return {"type": "wrapped-up", "at": _now(), "call_id": args["interaction_id"],
                    "wrap_up_seconds": args.get("wrap_up_seconds")}
        return None

    def _queue(self, event: dict[str, Any] | None) -> None:
        try:
            self.events.put_nowait(event)
        except queue.Full:
            pass  # the backend has been away long; the floor catches up from the next steps

    def _run(self) -> None:
        polled = 0.0
        while True:
            try:
                event = self.events.get(timeout=0.5)
            except queue.Empty:
                event = {}
            if event is None:
                return
            if event:
                try:
                    self.client.post("/floor/events", json=event, timeout=5)
                except httpx.HTTPError:
                    pass
            if self.on_notice is not None and time.monotonic() - polled >= NOTICE_POLL_S:
                polled = time.monotonic()
                try:
                    answer = self.client.get("/floor/notices", timeout=5)
                    for notice in answer.json() if answer.status_code == 200 else []:
                        self.on_notice(notice)
                except (httpx.HTTPError, ValueError):
                    pass
