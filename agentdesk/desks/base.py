"""What every desk shares: the store it reads, the writer it submits to, the clock and the agent at work."""

from __future__ import annotations

import uuid
from concurrent.futures import Future

from agentdesk.clock import Clock, iso
from agentdesk.desks.writer import LocalWriter
from agentdesk.records import Agent
from agentdesk.store import Store


class Desk:
    """The parts of a desk: reads from `store`, writes through `writer`, stamps times with `clock`."""

    def __init__(self, store: Store, writer: LocalWriter, clock: Clock, agent: Agent) -> None:
        self.store = store
        self.writer = writer
        self.clock = clock
        self.agent = agent

    def now_iso(self) -> str:
        """Now, as the mutations store it."""
        return iso(self.clock.now())

    def submit(self, name: str, args: dict[str, object]) -> Future[int]:
        """Queue one mutation; the future holds its id once it is committed (failures are reported by the writer)."""
        return self.writer.submit(name, args)


def new_id() -> str:
    """A fresh id for a new row: made once, in the mutation's arguments, so a replay after a sync makes the same row."""
    return str(uuid.uuid4())
