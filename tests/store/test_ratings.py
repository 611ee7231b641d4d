"""Ratings in the local store: who may give which, what can be rated, rating again, the review queue's order and
the averages a reviewer and an agent read."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from agentdesk.clock import FixedClock, iso
from agentdesk.store import Store, StoreError

NOW = FixedClock().now()


def _id() -> str:
    return str(uuid.uuid4())


def _role(store: Store, role: str) -> str:
    return store.conn.execute("SELECT id FROM agent WHERE role = ? ORDER BY id", (role,)).fetchone()[0]


def _ended_call(store: Store, *, by_other_than: str) -> tuple[str, str, str]:
    """An ended call of the last 30 days with no quality rating yet: (interaction, account, agent)."""
    return store.conn.execute(
        "SELECT i.id, i.account_id, i.agent_id FROM interaction i WHERE i.state = 'ended' AND i.channel = 'phone'"
        " AND i.agent_id IS NOT NULL AND i.agent_id <> ? AND i.at >= ?"
        " AND NOT EXISTS (SELECT 1 FROM rating r WHERE r.interaction_id = i.id) ORDER BY i.at LIMIT 1",
        (by_other_than, iso(NOW - timedelta(days=30)))).fetchone()


def _rate(store: Store, agent_id: str, account: str, score: int, *, source: str = "qc", comment: str = "",
          **target: str) -> None:
    store.mutate("rating.record@1", {"rating_id": _id(), "account_id": account, **target, "source": source,
                                     "score": score, "comment": comment, "agent_id": agent_id, "at": iso(NOW)})


def _ratings(store: Store, interaction_id: str) -> list[tuple[str, int, str, str | None]]:
    return store.conn.execute("SELECT source, score, comment, rated_by FROM rating WHERE interaction_id = ?"
                              " ORDER BY source", (interaction_id,)).fetchall()


def test_a_reviewer_rates_a_call_and_rating_it_again_replaces_the_score(store: Store) -> None:
    qc = _role(store, "qc")
    call, account, agent = _ended_call(store, by_other_than=qc)
    _rate(store, qc, account, 2, comment="Long hold, no summary.", interaction_id=call)
    assert _ratings(store, call) == [("qc", 2, "Long hold, no summary.", qc)]
    assert store.conn.execute("SELECT agent_id FROM rating WHERE interaction_id = ?", (call,)).fetchone() == (agent,)

    _rate(store, qc, account, 4, comment="Listened again: fine.", interaction_id=call)
    assert _ratings(store, call) == [("qc", 4, "Listened again: fine.", qc)]


def test_only_reviewers_give_quality_ratings_and_nobody_rates_their_own_work(store: Store) -> None:
    qc, front_line = _role(store, "qc"), _role(store, "agent")
    call, account, agent = _ended_call(store, by_other_than=qc)
    with pytest.raises(StoreError, match="only quality control"):
        _rate(store, front_line, account, 5, interaction_id=call)
    own = store.conn.execute("SELECT id, account_id FROM interaction WHERE agent_id = ? AND state = 'ended'"
                             " LIMIT 1", (agent,)).fetchone()
    with pytest.raises(StoreError, match="cannot rate their own work"):
        _rate(store, agent, own[1], 5, source="customer", interaction_id=own[0])
    assert _ratings(store, call) == []


def test_what_cannot_be_rated_is_refused_with_the_reason(store: Store) -> None:
    qc = _role(store, "qc")
    call, account, _ = _ended_call(store, by_other_than=qc)
    for score in (0, 6):
        with pytest.raises(StoreError, match="score"):
            _rate(store, qc, account, score, interaction_id=call)
    with pytest.raises(StoreError, match="either the interaction or the ticket reply"):
        _rate(store, qc, account, 3)
    ringing = _id()
    store.mutate("call.ring@1", {"interaction_id": ringing, "account_id": account, "caller_number": "+12025550100",
                                 "ringing_at": iso(NOW), "agent_id": qc})
    with pytest.raises(StoreError, match="once it has ended"):
        _rate(store, qc, account, 3, interaction_id=ringing)
    note = store.conn.execute("SELECT id, account_id FROM ticket_message WHERE kind = 'customer' LIMIT 1").fetchone()
    with pytest.raises(StoreError, match="only a reply"):
        _rate(store, qc, note[1], 3, message_id=note[0])


def test_a_ticket_reply_is_rated_against_the_agent_who_wrote_it(store: Store) -> None:
    qc = _role(store, "qc")
    reply, account, author = store.conn.execute(
        "SELECT m.id, m.account_id, m.author FROM ticket_message m JOIN agent g ON g.name = m.author"
        " JOIN agent_account aa ON aa.agent_id = g.id AND aa.account_id = m.account_id"
        " WHERE m.kind = 'reply' LIMIT 1").fetchone()
    _rate(store, qc, account, 5, message_id=reply)
    rated = store.conn.execute("SELECT g.name FROM rating r JOIN agent g ON g.id = r.agent_id WHERE r.message_id = ?",
                               (reply,)).fetchone()
    assert rated == (author,)


def test_the_queue_is_oldest_first_leaves_out_what_is_rated_and_the_averages_move(store: Store) -> None:
    qc = _role(store, "qc")
    accounts = store.agent_accounts(qc)
    first = store.ratings.next_to_review(accounts, qc, NOW)
    assert first is not None and first.at >= NOW - timedelta(days=30)
    second = store.ratings.next_to_review(accounts, qc, NOW, first.cursor)
    assert second is not None and (second.cursor.at, second.cursor.id) > (first.cursor.at, first.cursor.id)
    assert first.agent_id != qc and second.agent_id != qc

    before = {a.source: a for a in store.ratings.averages([first.agent_id], NOW)}
    target = {"interaction_id": first.id} if first.kind == "interaction" else {"message_id": first.id}
    _rate(store, qc, first.account_id, 1, **target)
    after = {a.source: a for a in store.ratings.averages([first.agent_id], NOW)}
    assert after["qc"].count == before["qc"].count + 1
    assert after["qc"].average is not None and (before["qc"].average is None or after["qc"].average < before["qc"].average)
    assert after["customer"] == before["customer"]
    # Rated, it has left the queue: the start of the queue is now the second.
    assert store.ratings.next_to_review(accounts, qc, NOW).id == second.id
