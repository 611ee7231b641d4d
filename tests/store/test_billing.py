"""A call is billed talk + hold + after-call work, at the account's price per minute, in whole cents."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from agentdesk.clock import FixedClock, iso
from agentdesk.store import Store, StoreError

NOW = FixedClock().now()


def test_the_wrap_up_adds_the_after_call_work_to_the_billed_time_and_the_cost(store: Store) -> None:
    account = store.accounts()[0]
    agent = next(a for a in store.agents() if a.role == "agent")
    call, hold = str(uuid.uuid4()), str(uuid.uuid4())
    store.mutate("call.ring@1", {"interaction_id": call, "account_id": account.id, "caller_number": "+12025550123",
                                 "ringing_at": iso(NOW), "agent_id": agent.id})
    store.mutate("call.answer@1", {"interaction_id": call, "answered_at": iso(NOW + timedelta(seconds=6)),
                                   "agent_id": agent.id})
    store.mutate("call.hold@1", {"hold_id": hold, "account_id": account.id, "interaction_id": call,
                                 "started_at": iso(NOW + timedelta(seconds=60))})
    store.mutate("call.resume@1", {"hold_id": hold, "ended_at": iso(NOW + timedelta(seconds=70)), "seconds": 10.0,
                                   "hit_cap": False})
    # Answered at 6 s, ended at 186 s: 180 s of talk and hold; the desk bills that at the end.
    store.mutate("call.end@1", {"interaction_id": call, "ended_at": iso(NOW + timedelta(seconds=186)),
                                "billable_seconds": 180, "price_per_minute_cents": 118, "cost_cents": 354})
    store.mutate("call.wrap_up@2", {"interaction_id": call, "outcome": "resolved", "notes": "", "wrap_up_seconds": 30})

    billed = store.conn.execute("SELECT billable_seconds, cost_cents, wrap_up_seconds FROM interaction WHERE id = ?",
                                (call,)).fetchone()
    assert billed == (210, 413, 30)  # 3.5 minutes at $1.18 = $4.13

    # Written again (the agent corrected the notes after 40 s in all): billed once, with the new time.
    store.mutate("call.wrap_up@2", {"interaction_id": call, "outcome": "resolved", "notes": "Fixed.",
                                    "wrap_up_seconds": 40})
    assert store.conn.execute("SELECT billable_seconds, cost_cents FROM interaction WHERE id = ?",
                              (call,)).fetchone() == (220, 433)


def test_a_call_still_going_on_cannot_be_wrapped_up(store: Store) -> None:
    account = store.accounts()[0]
    call = str(uuid.uuid4())
    store.mutate("call.ring@1", {"interaction_id": call, "account_id": account.id, "caller_number": "+12025550123",
                                 "ringing_at": iso(NOW)})
    with pytest.raises(StoreError, match="no ended call"):
        store.mutate("call.wrap_up@2", {"interaction_id": call, "outcome": "resolved", "notes": "",
                                        "wrap_up_seconds": 5})
