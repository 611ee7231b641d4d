"""The local writer: commits mutations to the store one at a time, in order, off the UI thread.

A commit with `synchronous=FULL` waits for the disk; the agent's screen must not. Order matters (a call is
answered before it is held), so one thread does all the writing. A change that cannot be saved is never silent:
its detail goes to the log file and it is kept, in the agent's words, for the needs-attention list (`!`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from agentdesk.desks.messages import not_saved_message
from agentdesk.store import Store

log = logging.getLogger("agentdesk.writer")

ErrorHandler = Callable[[str, BaseException], None]
SavedHandler = Callable[[str], None]


class LocalWriter:
    """Queues named mutations for the local store and reports any that could not be saved."""

    def __init__(
        self, store: Store, on_error: ErrorHandler | None = None, on_saved: SavedHandler | None = None
    ) -> None:
        self._store = store
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="agentdesk-writer")
        self.on_error = on_error
        self.on_saved = on_saved
        """Called on the writer thread after each commit, with the mutation's name; must not block."""
        self._last: Future[Any] | None = None
        self.on_submitted: Callable[[str, Mapping[str, object]], None] | None = None
        """Called on the caller's thread with each mutation as it is queued (the floor reporter); must not block."""

    def submit(self, name: str, args: Mapping[str, object]) -> Future[int]:
        """Queue `name` with `args`; the future holds the mutation id once it is committed."""
        if self.on_submitted is not None:
            self.on_submitted(name, args)
        values = dict(args)
        future = self._pool.submit(self._store.mutate, name, values)
        future.add_done_callback(lambda done: self._report(name, values, done))
        self._last = future
        return future

    def call(self, fn: Callable[[], object]) -> Future[object]:
        """Run `fn` on the writer thread, in order with the mutations: local-only writes such as drafts."""
        future = self._pool.submit(fn)
        self._last = future
        return future

    def _report(self, name: str, args: Mapping[str, object], done: Future[int]) -> None:
        error = done.exception()
        if error is not None:
            self._keep_refusal(name, args, error)
            if self.on_error is not None:
                self.on_error(name, error)
        elif error is None and self.on_saved is not None:
            self.on_saved(name)

    def _keep_refusal(self, name: str, args: Mapping[str, object], error: BaseException) -> None:
        """Log the detail; note the refusal for `!` (on the writer thread, before the agent is told)."""
        log.error("%s was not saved: %s; arguments %r", name, error, dict(args), exc_info=error)
        try:
            self._store.note_refusal(name, args, not_saved_message(name, error))
        except Exception:  # a store that cannot write this either: the toast still tells the agent
            log.exception("the refusal of %s could not be kept for the needs-attention list", name)

    def flush(self, timeout: float = 10.0) -> None:
        """Wait until everything queued so far is committed (or failed)."""
        if self._last is not None:
            self._last.exception(timeout=timeout)

    def close(self) -> None:
        """Finish what is queued, then stop the thread."""
        self._pool.shutdown(wait=True)
