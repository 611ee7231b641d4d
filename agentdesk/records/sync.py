"""What a pull did to the local store, and the changes the backend refused (the agent's "needs attention" list)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class PullApplied:
    """What one pull did to the store."""

    changes: int
    acknowledged: int
    rejected: int
    replay_failed: tuple[int, ...]
    reset: bool
    cookie: int


@dataclass(frozen=True, slots=True)
class Rejection:
    """A change the backend refused, with its reason (for the agent's "needs attention" list)."""

    mutation_id: int
    name: str
    args: str
    reason: str
    rejected_at: str
