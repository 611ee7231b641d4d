"""Keeping a terminal in sync in the background: one thread runs sync rounds, another listens for the backend's
hints ("something changed: pull now") on its server-sent-event stream.

A round runs when a local change is saved (`wake`), when a hint arrives (at most every HINT_GAP_S), and every
`interval_s` otherwise; after a failure the wait grows (with jitter) up to a minute, so an outage does not turn
into a storm of requests.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable

import httpx

from sync.engine import Forked, RoundResult, SignedOut, SyncEngine, SyncError, heartbeat

MAX_WAIT_S = 60.0
PRESENCE_EVERY_S = 10.0
"""Heartbeats go at least this often (the backend forgets a terminal after 30 s)."""
HINT_GAP_S = 0.75
"""Pulls prompted by hints are at least this far apart (another agent's change still shows within about 1 s)."""


class SyncLoop:
    """Runs `engine.sync_once` in a daemon thread; `on_round` hears every successful round."""

    def __init__(
        self,
        engine: SyncEngine,
        *,
        interval_s: float = 5.0,
        on_round: Callable[[RoundResult], None] | None = None,
        hints: bool = True,
        presence: Callable[[], tuple[str, str]] | None = None,
    ) -> None:
        self.engine = engine
        self.interval_s = interval_s
        self.on_round = on_round
        self.presence = presence
        """(agent state, call state) for the heartbeat sent after every round; None sends none."""
        self._wake = threading.Event()
        self._local = threading.Event()
        self._stop = threading.Event()
        self._failures = 0
        self._rng = random.Random()
        self._threads = [threading.Thread(target=self._run, name="agentdesk-sync", daemon=True)]
        if hints:
            self._threads.append(threading.Thread(target=self._listen, name="agentdesk-sync-hints", daemon=True))

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def wake(self) -> None:
        """Sync now: a local change was saved."""
        self._local.set()
        self._wake.set()

    def hinted(self) -> None:
        """The backend says something changed: pull soon (at most every HINT_GAP_S)."""
        self._wake.set()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        for thread in self._threads:
            if thread.is_alive():
                thread.join(timeout)

    def _wait_s(self) -> float:
        if self._failures == 0:
            return self.interval_s
        grown = min(MAX_WAIT_S, self.interval_s * 2 ** min(self._failures, 6))
        return grown * (0.5 + self._rng.random() / 2)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.engine.store.changes.retry_unsaved()  # changes a full disk held back go out with this round
            except Exception:  # still no room: the store keeps them and says so at the next change
                pass
            try:
                result = self.engine.sync_once()
            except (SignedOut, Forked):
                self._failures = 6  # nothing changes until a person acts; keep trying rarely
            except SyncError:
                self._failures += 1
            except Exception:  # a bug must not kill syncing for the rest of the shift
                self._failures += 1
            else:
                self._failures = 0
                if self.on_round is not None:
                    self.on_round(result)
            if self.presence is not None:
                try:
                    heartbeat(self.engine, *self.presence())
                except Exception:  # presence is best effort; syncing goes on
                    pass
            started = time.monotonic()
            self._wake.wait(min(self._wait_s(), PRESENCE_EVERY_S))
            if not self._local.is_set():
                # Woken by a hint (or the timer): on a busy floor hints come several times a second, so pull at
                # most every HINT_GAP_S; a local change still goes out at once.
                self._local.wait(max(0.0, HINT_GAP_S - (time.monotonic() - started)))
            self._wake.clear()
            self._local.clear()

    def _listen(self) -> None:
        """Follow the backend's hint stream; reconnect after a pause when it drops."""
        while not self._stop.is_set():
            try:
                with self.engine.client.stream("GET", "/sync/hints", timeout=httpx.Timeout(10, read=60)) as stream:
                    if stream.status_code != 200:
                        raise httpx.HTTPError(f"hints answered {stream.status_code}")
                    for line in stream.iter_lines():
                        if self._stop.is_set():
                            return
                        if line.startswith("data:"):
                            self.hinted()
            except httpx.HTTPError:
                pass
            self._stop.wait(2.0 + self._rng.random() * 3)
