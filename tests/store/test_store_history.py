"""A customer's timeline: newest first, paged by keyset without gaps or repeats, filtered by kind."""

from __future__ import annotations

import pytest

from agentdesk.clock import iso
from agentdesk.demo import DemoSummary
from agentdesk.records import HistoryCursor
from agentdesk.store import Store

ALL_ROWS = """
    SELECT at, id FROM interaction WHERE customer_id = :c
    UNION ALL SELECT created_at, id FROM comment WHERE customer_id = :c
    UNION ALL SELECT created_at, id FROM ticket WHERE customer_id = :c
    UNION ALL SELECT placed_at, id FROM customer_order WHERE customer_id = :c
    ORDER BY 1 DESC, 2 DESC
"""


def walk(store: Store, customer_id: str, kinds: frozenset[str] | None, limit: int) -> list[str]:
    ids: list[str] = []
    cursor: HistoryCursor | None = None
    for _ in range(10_000):
        page = store.history(customer_id, kinds=kinds, before=cursor, limit=limit)
        assert len(page.entries) <= limit
        ids.extend(entry.id for entry in page.entries)
        if page.next_cursor is None:
            return ids
        assert len(page.entries) == limit
        cursor = page.next_cursor
    raise AssertionError("the history never ended")


@pytest.mark.parametrize("limit", [1, 7, 50])
def test_pages_cover_the_whole_history_once_in_order(
    demo_store: Store, summary: DemoSummary, limit: int
) -> None:
    customer_id = summary.well_known_customer_id
    expected = [row[1] for row in demo_store.conn.execute(ALL_ROWS, {"c": customer_id})]
    assert len(expected) > 450
    assert walk(demo_store, customer_id, None, limit) == expected


def test_entries_are_newest_first_with_what_the_pane_shows(demo_store: Store, summary: DemoSummary) -> None:
    page = demo_store.history(summary.well_known_customer_id, limit=200)
    moments = [entry.at for entry in page.entries]
    assert moments == sorted(moments, reverse=True)
    calls = [e for e in page.entries if e.kind == "call"]
    answered = [e for e in calls if e.status != "missed"]
    assert answered and all(e.who and e.duration_seconds for e in answered)
    assert any(e.recording_seconds for e in answered)
    orders = [e for e in page.entries if e.kind == "order"]
    assert orders and all(e.summary.startswith("ORD-") and "×" in e.detail for e in orders)
    tickets = [e for e in page.entries if e.kind == "ticket"]
    assert tickets and all(e.summary.startswith("CS-") and e.status for e in tickets)
    messages = [e for e in page.entries if e.kind in ("email", "chat", "sms", "web_form", "fax")]
    assert messages and all(e.detail for e in messages)


@pytest.mark.parametrize(
    "kinds",
    [frozenset({"call"}), frozenset({"email", "chat", "web_form", "sms", "fax"}), frozenset({"comment"}),
     frozenset({"ticket"}), frozenset({"order"}), frozenset({"fax"}), frozenset({"order", "call"})],
)
def test_kind_filters_keep_only_those_kinds(
    demo_store: Store, summary: DemoSummary, kinds: frozenset[str]
) -> None:
    customer_id = summary.well_known_customer_id
    everything = demo_store.history(customer_id, limit=1000)
    wanted = [e.id for e in everything.entries if e.kind in kinds]
    ids = walk(demo_store, customer_id, kinds, 9)
    assert ids == wanted
    page = demo_store.history(customer_id, kinds=kinds, limit=1000)
    assert {e.kind for e in page.entries} <= kinds


def test_a_new_comment_comes_first(demo_store: Store, summary: DemoSummary) -> None:
    customer = demo_store.customer(summary.well_known_customer_id)
    demo_store.mutate("comment.add@1", {
        "comment_id": "c-new", "account_id": customer.account_id, "customer_id": customer.id,
        "agent_id": demo_store.agents()[0].id, "body": "Prefers e-mail after 5 pm\nsecond line",
        "created_at": iso(demo_store.clock.now()),
    })
    first = demo_store.history(customer.id, limit=3).entries[0]
    assert (first.kind, first.id, first.summary) == ("comment", "c-new", "Prefers e-mail after 5 pm")
    assert first.detail.endswith("second line")


def test_unknown_kinds_and_customers(demo_store: Store) -> None:
    with pytest.raises(ValueError):
        demo_store.history("x", kinds=frozenset({"telegram"}))
    page = demo_store.history("no-such-customer")
    assert page.entries == () and page.next_cursor is None
