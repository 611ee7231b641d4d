"""The sync engine: pushes the outbox to the backend and pulls its changes into the local store (docs/sync.md).

One engine per store, one round at a time (a lock). A round pushes every queued mutation in batches, then pulls
until the backend has nothing more. Network trouble is retried with exponential backoff and jitter (tenacity),
honouring `Retry-After`, within an overall deadline; a timeout is "unknown", so the same ids go again (the
backend skips what it already applied). Outbox rows leave only when a pull acknowledges them.
"""

from __future__ import annotations

import json
import random
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
from tenacity import RetryCallState, Retrying, retry_if_exception_type, stop_after_delay, wait_exponential_jitter

from agentdesk.clock import Clock, iso
from agentdesk.errors import StoreError
from agentdesk.records import PullApplied
from agentdesk.store import Store

SNAPSHOT_FILE_TYPE = "application/vnd.sqlite3"
"""The first copy as an SQLite file (`POST /sync/snapshot` with `format: sqlite`)."""
PUSH_BATCH = 100


class SyncError(Exception):
    """Sync cannot go on by itself; the message is a sentence for the agent."""


class Transient(SyncError):
    """The backend could not be reached or asked to come back later."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class SignedOut(SyncError):
    """The backend does not accept this terminal's sign-in."""


_SIGNED_OUT = {
    "sign_in_expired": "your sign-in expired: run agentdesk login",
    "sign_in_revoked": "your sign-in was revoked: run agentdesk login",
}
"""The status line's words for the sign-ins the backend refuses by their end or by an operator."""


def signed_out_words(payload: Any, otherwise: str) -> str:
    """What to tell the agent about a sign-in the backend refused (its 401 answer's JSON), or `otherwise`."""
    code = payload.get("code") if isinstance(payload, dict) else None
    return _SIGNED_OUT.get(str(code), otherwise)


class Forked(SyncError):
    """The backend has seen these mutation ids with other contents: the store was restored or copied.
    `first_mismatch` is the first id that differs (those before it in the push were the same)."""

    def __init__(self, message: str, first_mismatch: int | None = None) -> None:
        super().__init__(message)
        self.first_mismatch = first_mismatch


@dataclass(frozen=True, slots=True)
class Connectivity:
    """What the status line shows: `online`, `syncing`, `offline` (since when), `signed out` or `forked`."""

    state: str
    since: datetime | None = None
    detail: str = ""


@dataclass(frozen=True, slots=True)
class RoundResult:
    pushed: int
    acknowledged: int
    rejected: int
    changes: int


@contextmanager
def _network() -> Iterator[None]:
    """HTTP trouble as `Transient`: a timeout is "unknown", so the same request goes again later."""
    try:
        yield
    except httpx.TimeoutException as error:
        raise Transient("the backend did not answer in time") from error
    except httpx.TransportError as error:
        raise Transient("the backend cannot be reached") from error


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after", "")
    try:
        return min(max(float(value), 0.0), 60.0)
    except ValueError:
        return None


class SyncEngine:
    """Pushes and pulls for one store through one HTTP client (its base URL and sign-in already set)."""

    def __init__(
        self,
        store: Store,
        client: httpx.Client,
        clock: Clock,
        *,
        deadline_s: float = 30.0,
        batch: int = PUSH_BATCH,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
        on_status: Callable[[Connectivity], None] | None = None,
    ) -> None:
        self.store = store
        self.client = client
        self.clock = clock
        self.deadline_s = deadline_s
        self.batch = batch
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._lock = threading.Lock()
        self._pushed_upto = 0
        self.on_status = on_status
        self.status = Connectivity("offline", clock.now(), "not synced yet")
        self.token: str | None = None
        """The sign-in, for the other channels to the same backend (calls offered, hints)."""
        self.last_push_at: str | None = None
        self.last_pull_at: str | None = None

    # -- status ---------------------------------------------------------------------------------------------

    def _set(self, state: str, detail: str = "") -> None:
        since = self.status.since if state == self.status.state == "offline" else self.clock.now()
        new = Connectivity(state, since, detail)
        if new != self.status:
            self.status = new
            if self.on_status is not None:
                self.on_status(new)

    # -- HTTP ----------------------------------------------------------------------------------------------

    def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        with _network():
            response = self.client.post(path, json=body)
        payload = self._check(response)
        if not isinstance(payload, dict):
            raise SyncError(f"The backend refused the sync request ({response.status_code}): not an answer")
        return payload

    @staticmethod
    def _check(response: httpx.Response) -> Any:
        """The answer's JSON when the status is a success; otherwise the error the status means."""
        if response.status_code in (429, 502, 503, 504):
            raise Transient(f"the backend is busy ({response.status_code})", _retry_after(response))
        if response.status_code >= 500:
            # A failure of the backend on this very request, not a busy one: sending it again at once fails
            # the same way, so the round ends here (the loop tries again later, at its slower pace).
            raise SyncError(f"The backend failed on this request ({response.status_code}); your changes are kept"
                            " and sent again later.")
        detail = ""
        try:
            payload = response.json()
            detail = str(payload.get("detail", ""))[:300] if isinstance(payload, dict) else ""
        except ValueError:
            payload = None
        if response.status_code == 401:
            raise SignedOut(signed_out_words(payload, detail or "Sign in again: `agentdesk login`."))
        if response.status_code == 409:
            mismatch = payload.get("mutation_id") if isinstance(payload, dict) else None
            raise Forked(detail or "This store was restored or copied.",
                         int(mismatch) if isinstance(mismatch, int) else None)
        if response.status_code >= 400:
            raise SyncError(f"The backend refused the sync request ({response.status_code}): {detail}")
        return payload

    def _snapshot_once(self) -> tuple[PullApplied, int]:
        """Stream the backend's snapshot straight into the store (one local transaction); a cut-off stream or
        a network failure rolls it back and reads as `Transient`."""
        body = {"client_group_id": self.store.client_group_id, "format": "sqlite"}
        with _network(), self.client.stream("POST", "/sync/snapshot", json=body) as response:
            if response.status_code != 200:
                response.read()
                self._check(response)
                raise SyncError(f"The backend answered the first copy with {response.status_code}.")
            if response.headers.get("content-type", "").startswith(SNAPSHOT_FILE_TYPE):
                return self._snapshot_file(response)
            lines = (line for line in response.iter_lines() if line)
            try:
                header = json.loads(next(lines))
            except (StopIteration, ValueError) as error:
                raise Transient("the backend's copy of the data came without its header") from error
            if not isinstance(header, dict) or "cookie" not in header or "epoch" not in header:
                raise SyncError("The backend's copy of the data has no cookie or epoch.")

            def chunks() -> Iterator[dict[str, Any]]:
                for line in lines:
                    try:
                        item = json.loads(line)
                    except ValueError as error:  # a line broken off by a dropped connection
                        raise Transient("the backend's copy of the data was cut off") from error
                    if not isinstance(item, dict):
                        raise SyncError("The backend's copy of the data holds something that is not a table.")
                    if item.get("end"):
                        return
                    yield item
                raise Transient("the backend's copy of the data was cut off")

            applied = self.store.apply_snapshot(header, chunks())
            return applied, int(header.get("last_mutation_id") or 0)

    def _snapshot_file(self, response: httpx.Response) -> tuple[PullApplied, int]:
        """The first copy as an SQLite file: written beside the store, checked complete, copied in, removed."""
        expected = int(response.headers.get("content-length") or -1)
        path = self.store.path.with_name(f".{self.store.path.name}.copy-{uuid.uuid4().hex[:8]}")
        try:
            received = 0
            with path.open("wb") as out:
                for chunk in response.iter_bytes(1 << 20):
                    out.write(chunk)
                    received += len(chunk)
            if expected < 0 or received != expected:
                raise Transient(f"the backend's copy of the data was cut off ({received:,} of {expected:,} bytes)")
            try:
                applied, header = self.store.apply_snapshot_file(path)
            except StoreError as error:
                raise SyncError(str(error)) from error
            return applied, int(header.get("last_mutation_id") or 0)
        finally:
            path.unlink(missing_ok=True)

    def _with_retries(self, fn: Callable[[], Any]) -> Any:
        backoff = wait_exponential_jitter(multiplier=0.2, max=10.0, jitter=0.5)

        def wait(state: RetryCallState) -> float:
            error = state.outcome.exception() if state.outcome else None
            asked = error.retry_after if isinstance(error, Transient) else None
            return max(asked or 0.0, backoff(state))

        retrying = Retrying(
            stop=stop_after_delay(self.deadline_s), wait=wait, retry=retry_if_exception_type(Transient),
            reraise=True, sleep=self._sleep,
        )
        return retrying(fn)

    # -- push and pull -------------------------------------------------------------------------------------

    def push(self) -> int:
        """Send every queued mutation; returns how many the backend took in (applied or rejected) now."""
        sent = 0
        while True:
            entries = self.store.pending_mutations(after=self._pushed_upto, limit=self.batch)
            if not entries:
                return sent
            body = {
                "client_group_id": self.store.client_group_id,
                "client_id": self.store.client_id,
                "mutations": [
                    {"id": e.id, "name": f"{e.name}@{e.version}", "args": json.loads(e.args)} for e in entries
                ],
            }
            answer = self._with_retries(lambda body=body: self._post("/sync/push", body))
            last = int(answer.get("last_mutation_id", 0))
            if last < entries[0].id and last == self._pushed_upto:
                if last + 1 < entries[0].id:
                    # It acknowledged up to entries[0].id - 1 before and now holds less: it was put back from a
                    # backup. This store goes on as a new terminal (its unsynced changes kept, renumbered) and,
                    # its cookie cleared, copies the backend whole again.
                    raise Forked("The backend was put back from a backup and lost changes it had taken from this"
                                 " store; the changes not yet synced stay queued here.", entries[0].id)
                raise SyncError(
                    f"The backend has changes up to {last} from this store and cannot take {entries[0].id}; "
                    "it may have been restored from a backup. The changes stay queued here."
                )
            # Normally `last` is the batch's last id; lower means the backend wants earlier ones again.
            sent += max(0, last - self._pushed_upto)
            self._pushed_upto = last
            self.last_push_at = iso(self.clock.now())

    def pull(self) -> tuple[int, int, int]:
        """Apply the backend's changes until it has no more; (changes, acknowledged, rejected). A store that
        has never pulled, or whose backend started over, copies its partitions whole (`/sync/snapshot`), then
        pulls from there."""
        totals = [0, 0, 0]
        copied = False

        def copy_whole() -> None:
            applied, acked = self._with_retries(self._snapshot_once)
            self.last_pull_at = iso(self.clock.now())
            totals[0] += applied.changes
            totals[1] += applied.acknowledged
            totals[2] += applied.rejected
            self._pushed_upto = max(self._pushed_upto, acked)

        if self.store.sync_position()[0] is None:
            copy_whole()
            copied = True
        while True:
            cookie, epoch = self.store.sync_position()
            body = {"client_group_id": self.store.client_group_id, "cookie": cookie, "epoch": epoch}
            answer = self._with_retries(lambda body=body: self._post("/sync/pull", body))
            if answer.get("reset") and not copied:
                # The backend started over (restored from a backup: a new epoch, or a version behind this
                # store's): everything comes again, as the first copy (minutes faster than paging the change
                # log); this store's unsynced changes are replayed on top of it as after any pull.
                copy_whole()
                copied = True
                continue
            applied = self.store.apply_pull(answer)
            self.last_pull_at = iso(self.clock.now())
            totals[0] += applied.changes
            totals[1] += applied.acknowledged
            totals[2] += applied.rejected
            self._pushed_upto = max(self._pushed_upto, int(answer.get("last_mutation_id") or 0))
            if not answer.get("more"):
                return totals[0], totals[1], totals[2]

    def sync_once(self) -> RoundResult:
        """One round: push everything, then pull everything (push first, always: a pull acknowledges by id, so
        ids the backend holds with other contents must be found by a push before any pull). A store found to be
        a restored or copied one splits off as a new terminal and goes again, its unsynced changes kept.
        Raises `SyncError` (subclasses say which)."""
        with self._lock:
            self._set("syncing")
            try:
                try:
                    pushed = self.push()
                except Forked as fork:
                    if fork.first_mismatch is None:
                        raise
                    self.store.split_off(confirmed_below=fork.first_mismatch)
                    self._pushed_upto = 0
                    pushed = self.push()
                changes, acked, rejected = self.pull()
            except Transient as error:
                self._set("offline", str(error))
                raise
            except SignedOut as error:
                self._set("signed out", str(error))
                raise
            except Forked as error:
                self._set("forked", str(error))
                raise
            except SyncError as error:
                self._set("offline", str(error))
                raise
            self._set("online")
            return RoundResult(pushed, acked, rejected, changes)


def heartbeat(engine: SyncEngine, agent_state: str, call_state: str) -> bool:
    """Tell the backend how this terminal is doing (presence); False when it could not be told."""
    store = engine.store
    oldest = store.pending_mutations(limit=1)
    age = None
    if oldest:
        from agentdesk.clock import parse_iso

        age = max(0, int((engine.clock.now() - parse_iso(oldest[0].created_at)).total_seconds()))
    body = {
        "client_group_id": store.client_group_id, "agent_state": agent_state, "call_state": call_state,
        "unsynced": store.outbox_count(), "oldest_unsynced_s": age,
        "last_push_at": engine.last_push_at, "last_pull_at": engine.last_pull_at,
    }
    try:
        return engine.client.post("/presence", json=body, timeout=5).status_code == 204
    except httpx.HTTPError:
        return False
