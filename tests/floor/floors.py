"""Fixed floors for the monitor's tests and snapshots: a quiet one and an alarming one, at a fixed moment."""

from __future__ import annotations

from typing import Any

NOW = 1_780_000_000.0  # a fixed moment, so times in state and alerts draw the same every run
RATED = {1: ((4.2, 12), (4.6, 31)), 2: ((3.1, 9), (3.9, 14)), 3: ((None, 0), (5.0, 1)), 4: ((4.8, 20), (4.4, 102))}
"""The agents' ratings of the last 30 days (quality control's, customers'): average and count; others not rated."""


def ratings(n: int) -> dict[str, dict[str, Any]]:
    qc, customer = RATED.get(n, ((None, 0), (None, 0)))
    return {source: {"average": average, "count": count}
            for source, (average, count) in (("qc", qc), ("customer", customer))}


def agent(n: int, state: str, in_state: float, **more: Any) -> dict[str, Any]:
    """One agent's row as the backend streams it."""
    row = {"agent_id": f"a{n:04d}", "name": f"Agent {n:04d}", "accounts": ["acc-1", "acc-2"], "state": state,
           "since": NOW - in_state, "reason": "", "call_id": None, "call_account": None, "caller": "",
           "answered_at": None, "hold_started": None, "calls_today": 12, "aht_seconds": 241.0, "holds_today": 3,
           "cap_hits_today": 0, "last_seen": NOW - 2, "unsynced": 0, "last_push_at": None,
           "ratings": ratings(n)}
    if state in ("ringing", "on call", "on hold", "wrap-up"):
        row.update(call_id=f"call-{n}", call_account="acc-1", caller="Dana Reyes", answered_at=NOW - 95)
    row.update(more)
    return row


def queue(account_id: str, name: str, **more: Any) -> dict[str, Any]:
    """One account's queue as the backend streams it."""
    row = {"account_id": account_id, "name": name, "target": "80/20", "offered": 140, "answered": 131,
           "abandoned": 4, "short_abandons": 2, "waiting": 0, "oldest_waiting": None,
           "service_level_of_answered": 91.6, "service_level_of_offered": 88.9, "answered_before_ring_percent": 84.0,
           "asa_seconds": 8.2, "aht_seconds": 252.0, "holds": 40, "hold_cap_hits": 1, "agents_needed": 4}
    row.update(more)
    return row


def quiet() -> dict[str, Any]:
    """Everyone answering in time; nothing waiting."""
    agents = [agent(1, "on call", 95), agent(2, "available", 40), agent(3, "wrap-up", 12),
              agent(4, "away", 300, reason="lunch"), agent(5, "available", 8)]
    return {"version": 1, "at": NOW, "agents": agents,
            "accounts": [queue("acc-1", "Alder Home Services"), queue("acc-2", "Birch Outdoor Supply")]}


def alarming() -> dict[str, Any]:
    """A hold at the cap, a call ringing past the 3rd ring, an offline desk with unsynced work, a queue under target."""
    agents = [agent(1, "on hold", 10.5, hold_started=NOW - 10.5, cap_hits_today=2), agent(2, "ringing", 15),
              agent(3, "offline", 600, unsynced=7, name="Bad\x1b[31m Name"), agent(4, "on hold", 8),
              agent(5, "available", 3)]
    return {"version": 2, "at": NOW, "agents": agents,
            "accounts": [queue("acc-1", "Alder Home Services", waiting=6, oldest_waiting=NOW - 75,
                               service_level_of_offered=61.0),
                         queue("acc-2", "Birch Outdoor Supply", waiting=2, service_level_of_offered=78.0)]}


def big(count: int = 1000) -> dict[str, Any]:
    """A floor of `count` agents in every state."""
    states = ("available", "ringing", "on call", "on hold", "wrap-up", "away", "offline")
    agents = [agent(n, states[n % len(states)], n % 50) for n in range(count)]
    return {"version": 1, "at": NOW, "agents": agents,
            "accounts": [queue(f"acc-{n}", f"Account {n}") for n in range(1, 5)]}
