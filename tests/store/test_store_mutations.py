"""Mutations: the change and its outbox row commit together, ids are contiguous, failures leave nothing."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from typing import Any

import pytest

import agentdesk.mutations.registry as mutators
from agentdesk.clock import iso
from agentdesk.localstore.outbox import canonical_json, pending
from agentdesk.store import NotSaved, Store, StoreError, UnknownMutation

NOW = "2026-11-23T14:30:00.000000Z"


def counts(store: Store) -> tuple[int, ...]:
    tables = ("customer", "customer_phone", "customer_email", "comment", "interaction", "hold_event", "task",
              "faq_use", "outbox")
    return tuple(store.conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables)


def new_customer(store: Store, customer_id: str = "c-1", **changes: object) -> dict[str, Any]:
    args = {"customer_id": customer_id, "account_id": store.accounts()[0].id, "name": "Dana Whitfield",
            "phone": "(212) 555-0188", "email": " Dana@Example.COM ", "language": "en", "created_at": NOW}
    args.update(changes)
    return args


def test_a_mutation_writes_its_change_and_its_outbox_row_together(demo_store: Store) -> None:
    before = demo_store.outbox_count()
    mutation_id = demo_store.mutate("customer.create@1", new_customer(demo_store))
    card = demo_store.customer("c-1")
    assert (card.name, card.phones) == ("Dana Whitfield", ("+12125550188",))
    assert card.emails == ("dana@example.com",)
    assert demo_store.find_customers("dana whit")[0].id == "c-1"  # the search index follows
    assert demo_store.outbox_count() == before + 1
    row = pending(demo_store.conn)[-1]
    assert (row.id, row.name, row.version) == (mutation_id, "customer.create", 1)
    assert row.client_id == demo_store.client_id
    assert json.loads(row.args)["phone"] == "(212) 555-0188"  # the arguments as given (plus the region)
    assert row.args == canonical_json(json.loads(row.args)) and row.created_at == NOW


def test_outbox_ids_are_contiguous_across_a_whole_call(demo_store: Store) -> None:
    account = demo_store.accounts()[0]
    agent = demo_store.agents()[0].id
    steps = [
        ("call.ring@1", {"interaction_id": "i-1", "account_id": account.id, "customer_id": None,
                         "caller_number": "+12125550188", "ringing_at": NOW, "agent_id": agent}),
        ("customer.create@1", new_customer(demo_store)),
        ("call.link_customer@1", {"interaction_id": "i-1", "customer_id": "c-1"}),
        ("call.answer@1", {"interaction_id": "i-1", "answered_at": "2026-11-23T14:30:04.000000Z",
                           "agent_id": agent}),
        ("call.hold@1", {"hold_id": "h-1", "interaction_id": "i-1", "account_id": account.id,
                         "started_at": "2026-11-23T14:30:10.000000Z"}),
        ("call.resume@1", {"hold_id": "h-1", "ended_at": "2026-11-23T14:30:20.000000Z", "seconds": 10.0,
                           "hit_cap": True}),
        ("faq.use@1", {"use_id": "u-1", "account_id": None, "faq_id": demo_store.top_ten(account.id)[0].id,
                       "interaction_id": "i-1", "agent_id": agent, "used_at": NOW}),
        ("call.escalate@1", {"task_id": "t-1", "account_id": account.id, "customer_id": "c-1",
                             "interaction_id": "i-1", "level": "senior", "note": "Billing date?",
                             "due_at": "2026-11-23T16:30:00.000000Z", "created_at": NOW, "agent_id": agent}),
        ("call.end@1", {"interaction_id": "i-1", "ended_at": "2026-11-23T14:31:34.000000Z",
                        "billable_seconds": 90, "price_per_minute_cents": 118, "cost_cents": 177,
                        "outcome": None}),
        ("call.wrap_up@1", {"interaction_id": "i-1", "outcome": "resolved",
                            "notes": "Asked about the invoice", "wrap_up_seconds": 12}),
    ]
    ids = [demo_store.mutate(name, args) for name, args in steps]
    assert ids == list(range(ids[0], ids[0] + len(steps)))
    assert [e.id for e in pending(demo_store.conn)] == list(range(1, ids[-1] + 1))
    row = demo_store.interaction_row("i-1")
    assert row is not None and row["customer_id"] == "c-1" and row["state"] == "ended"
    assert (row["billable_seconds"], row["cost_cents"], row["outcome"], row["notes"]) == (
        90, 177, "resolved", "Asked about the invoice")
    [hold] = demo_store.holds_of("i-1")
    assert hold["seconds"] == 10.0 and hold["hit_cap"] is True
    task = next(t for t in demo_store.tasks() if t.id == "t-1")
    assert (task.kind, task.level, task.customer_id) == ("follow_up", "senior", "c-1")
    use = demo_store.conn.execute("SELECT account_id FROM faq_use WHERE id = 'u-1'").fetchone()
    assert use[0] == account.id  # outside the args, the article's account


def test_a_call_never_answered_is_missed(demo_store: Store) -> None:
    account = demo_store.accounts()[0]
    demo_store.mutate("call.ring@1", {"interaction_id": "i-2", "account_id": account.id, "customer_id": None,
                                      "caller_number": "+12125550123", "ringing_at": NOW, "agent_id": None})
    demo_store.mutate("call.end@1", {"interaction_id": "i-2", "ended_at": "2026-11-23T14:30:36.000000Z",
                                     "billable_seconds": 0, "price_per_minute_cents": 118, "cost_cents": 0,
                                     "outcome": None})
    assert demo_store.interaction_row("i-2")["outcome"] == "missed"  # type: ignore[index]


def test_a_failing_mutator_leaves_neither_change_nor_outbox_row(demo_store: Store) -> None:
    @mutators.mutator("test.half_then_fail", 1)
    def half_then_fail(conn: sqlite3.Connection, args: Mapping[str, Any]) -> None:
        conn.execute("INSERT INTO comment VALUES ('half', ?, ?, NULL, 'half done', ?)",
                     (args["account_id"], args["customer_id"], NOW))
        raise RuntimeError("the mutator broke half-way")

    customer = demo_store.find_customers("+18002181525")[0]
    before = counts(demo_store)
    try:
        with pytest.raises(StoreError, match="half-way"):
            demo_store.mutate("test.half_then_fail@1", {"account_id": customer.account_id,
                                                       "customer_id": customer.id})
    finally:
        mutators.unregister("test.half_then_fail", 1)
    assert counts(demo_store) == before
    assert not demo_store.conn.in_transaction
    next_id = demo_store.mutate("customer.create@1", new_customer(demo_store))
    assert next_id == (demo_store.conn.execute("SELECT max(id) FROM outbox").fetchone()[0])
    assert [e.id for e in pending(demo_store.conn)] == list(range(1, next_id + 1))  # no gap was left


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"name": None}, "name is missing"),
        ({"name": 42}, "name must be text"),
        ({"name": "x" * 201}, "201 characters"),
        ({"phone": "12"}, "not a valid phone number"),
        ({"email": "not-an-address"}, "not an e-mail address"),
        ({"created_at": "yesterday"}, "must be a UTC time"),
        ({"account_id": "no-such-account"}, "no account"),
        ({"surprise": 1}, "does not take surprise"),
    ],
)
def test_bad_arguments_are_refused_and_nothing_is_written(
    demo_store: Store, changes: dict[str, object], reason: str
) -> None:
    before = counts(demo_store)
    with pytest.raises(StoreError, match=reason):
        demo_store.mutate("customer.create@1", new_customer(demo_store, **changes))
    assert counts(demo_store) == before


def test_long_text_is_bounded_and_odd_text_is_kept_as_evidence(demo_store: Store) -> None:
    customer = demo_store.find_customers("+18002181525")[0]
    args = {"comment_id": "k-1", "account_id": customer.account_id, "customer_id": customer.id,
            "agent_id": None, "body": "x" * 100_001, "created_at": NOW}
    with pytest.raises(StoreError, match="at most 100,000"):
        demo_store.mutate("comment.add@1", args)
    hostile = "\x1b]52;c;ZXZpbA==\x07 [@click=app.quit]hi[/] \ud800 end"
    demo_store.mutate("comment.add@1", {**args, "body": hostile})
    stored = demo_store.conn.execute("SELECT body FROM comment WHERE id = 'k-1'").fetchone()[0]
    assert stored == hostile.replace("\ud800", "\ufffd")  # only the unstorable lone surrogate is replaced


def test_unknown_mutations_are_refused(demo_store: Store) -> None:
    before = counts(demo_store)
    for name in ("customer.delete@1", "customer.create@9", "customer.create", "@1", ""):
        with pytest.raises(UnknownMutation):
            demo_store.mutate(name, {})
    assert counts(demo_store) == before


def test_a_full_disk_is_not_saved(demo_store: Store) -> None:
    conn = demo_store.conn
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.execute(f"PRAGMA max_page_count = {pages}")
    customer = demo_store.find_customers("+18002181525")[0]
    before = counts(demo_store)
    with pytest.raises(NotSaved, match="disk is full"):
        demo_store.mutate("comment.add@1", {
            "comment_id": "big", "account_id": customer.account_id, "customer_id": customer.id,
            "agent_id": None, "body": "evidence " * 10_000, "created_at": NOW})
    conn.execute("PRAGMA max_page_count = 1073741823")
    assert counts(demo_store) == before


def test_a_disk_error_is_not_saved(demo_store: Store) -> None:
    @mutators.mutator("test.disk_error", 1)
    def disk_error(conn: sqlite3.Connection, args: Mapping[str, Any]) -> None:
        error = sqlite3.OperationalError("disk I/O error")
        error.sqlite_errorcode = 778  # SQLITE_IOERR_WRITE
        raise error

    try:
        with pytest.raises(NotSaved, match="disk reported an error"):
            demo_store.mutate("test.disk_error@1", {})
    finally:
        mutators.unregister("test.disk_error", 1)


def test_a_store_locked_by_someone_else_is_not_saved(demo_store: Store) -> None:
    other = sqlite3.connect(demo_store.path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    demo_store.conn.execute("PRAGMA busy_timeout = 100")
    try:
        with pytest.raises(NotSaved, match="busy"):
            demo_store.mutate("customer.create@1", new_customer(demo_store))
    finally:
        other.execute("ROLLBACK")
        other.close()
        demo_store.conn.execute("PRAGMA busy_timeout = 5000")
    assert demo_store.mutate("customer.create@1", new_customer(demo_store)) > 0


def test_mutations_from_several_threads_are_serialised(demo_store: Store) -> None:
    from concurrent.futures import ThreadPoolExecutor

    customer = demo_store.find_customers("+18002181525")[0]

    def add(n: int) -> int:
        return demo_store.mutate("comment.add@1", {
            "comment_id": f"t-{n}", "account_id": customer.account_id, "customer_id": customer.id,
            "agent_id": None, "body": f"comment {n}", "created_at": iso(demo_store.clock.now())})

    with ThreadPoolExecutor(max_workers=4) as pool:
        ids = sorted(pool.map(add, range(40)))
    assert ids == list(range(ids[0], ids[0] + 40))
