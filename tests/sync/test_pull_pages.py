"""Pulls served from the backend's shared row cache, or from the latest changes it holds in memory, carry every
row the database would, whatever the caches do meanwhile."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from sqlalchemy import Engine, text

from agentdesk.server import sync as engine_sync
from agentdesk.server.admin import ensure_admin


@pytest.mark.parametrize("backend_engine", ["sqlite"], indirect=True)
def test_a_page_bigger_than_the_row_cache_reads_no_row_as_deleted(
    backend_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The shared cache is bounded and cleared when full; a first pull of thousands of rows must still send
    each of them (a row missing from the answer would make the terminal treat it as deleted)."""
    monkeypatch.setattr(engine_sync._RowCache, "MAX_ROWS", 50)
    admin = engine_sync.Caller(ensure_admin(backend_engine), "admin", None)
    with backend_engine.connect() as conn:
        customers = conn.execute(text("SELECT count(*) FROM customer")).scalar()
    sent: dict[str, int] = {}
    cookie, epoch, more = None, None, True
    while more:
        page = engine_sync.pull(backend_engine, admin, "page-test", cookie, epoch, page_rows=400)
        assert not [c for c in page.changes if c.get("deleted")], "a live row was sent as deleted"
        for change in page.changes:
            sent[change["table"]] = sent.get(change["table"], 0) + 1
        answer = json.loads(page.encode())  # what the terminal receives, from the shared ready-made encodings
        assert (answer["cookie"], answer["more"], answer["reset"]) == (page.cookie, page.more, cookie is None)
        cookie, epoch, more = page.cookie, page.epoch, page.more
    assert sent["customer"] == customers
    # And twice over, now partly from the cache: the same rows again.
    again = engine_sync.pull(backend_engine, admin, "page-test-2", None, None, page_rows=400)
    assert not [c for c in again.changes if c.get("deleted")]


def _fold(engine: Engine, caller: engine_sync.Caller, since: int, epoch: str, page_rows: int,
          quick: bool) -> tuple[dict[tuple[str, str], Any], int]:
    """Every page from `since`, applied in order as a terminal would: the rows it ends with, and the cookie."""
    rows: dict[tuple[str, str], Any] = {}
    cookie, more = since, True
    while more:
        page = engine_sync.pull(engine, caller, "memory-test", cookie, epoch, page_rows=page_rows, quick=quick)
        assert page is not None, "a recent pull was not answered from memory"
        versions = [c["version"] for c in page.changes]
        assert versions == sorted(versions) and all(cookie < v <= page.cookie for v in versions)
        for change in page.changes:
            rows[(change["table"], json.dumps(change["key"]))] = None if change.get("deleted") else change["row"]
        cookie, more = page.cookie, page.more
    return rows, cookie


@pytest.mark.parametrize("backend_engine", ["sqlite", "postgresql"], indirect=True)
def test_pulls_from_memory_send_what_the_database_would(
    backend_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a busy floor pulls are answered from the latest changes the backend holds in memory. From any recent
    cookie, whole or in pages, they must leave a terminal with the rows the database itself would send: a
    customer changed twice at its last value, only the caller's accounts, nothing missing."""
    engine = backend_engine
    admin = engine_sync.Caller(ensure_admin(engine), "admin", None)
    with engine.connect() as conn:
        agent_id, account = conn.execute(text(
            "SELECT aa.agent_id, aa.account_id FROM agent_account aa JOIN agent a ON a.id = aa.agent_id"
            " WHERE a.role = 'agent' ORDER BY aa.agent_id, aa.account_id LIMIT 1")).one()
        mine = conn.execute(text("SELECT id FROM customer WHERE account_id = :a ORDER BY id LIMIT 2"),
                            {"a": account}).scalars().all()
        theirs = conn.execute(text("SELECT id, account_id FROM customer WHERE account_id NOT IN"
                                   " (SELECT account_id FROM agent_account WHERE agent_id = :g) LIMIT 1"),
                              {"g": agent_id}).one()
        start, epoch = conn.execute(text("SELECT version, epoch FROM sync_state WHERE id = 1")).one()
        accounts = frozenset(conn.execute(text("SELECT account_id FROM agent_account WHERE agent_id = :g"),
                                          {"g": agent_id}).scalars())
    agent = engine_sync.Caller(agent_id, "agent", accounts)
    engine_sync.pull(engine, agent, "memory-test", int(start), str(epoch))  # the backend starts holding here

    def comment(n: int, customer: str, account_id: str) -> engine_sync.PushedMutation:
        return engine_sync.PushedMutation(n, "comment.add@1", {
            "comment_id": str(uuid.uuid4()), "account_id": account_id, "customer_id": customer,
            "agent_id": admin.agent_id, "body": f"note {n}", "created_at": "2026-11-23T09:00:00.000000Z"})

    def rename(n: int, value: str, base: str | None) -> engine_sync.PushedMutation:
        return engine_sync.PushedMutation(n, "customer.update@1", {
            "customer_id": mine[0], "field": "name", "base": base, "value": value, "agent_id": admin.agent_id,
            "changed_at": "2026-11-23T09:00:00.000000Z", "note_id": str(uuid.uuid4())})

    with engine.connect() as conn:
        name = conn.execute(text("SELECT name FROM customer WHERE id = :c"), {"c": mine[0]}).scalar()
    batches = [[comment(1, mine[0], account)], [comment(2, theirs[0], theirs[1]), comment(3, mine[1], account)],
               [rename(4, "Ada Renamed", name)], [comment(5, theirs[0], theirs[1])],
               [rename(6, "Ada Renamed Again", "Ada Renamed"), comment(7, mine[1], account)]]
    for batch in batches:  # one version each
        assert engine_sync.push(engine, admin, "memory-writer", batch).applied == len(batch)

    end = int(start) + len(batches)
    for caller in (agent, admin):
        for since in (int(start), int(start) + 2, end - 1):
            for page_rows in (1, 2, 5_000):
                from_memory, cookie = _fold(engine, caller, since, str(epoch), page_rows, quick=True)
                monkeypatch.setattr(engine_sync._Tail, "MAX_ENTRIES", 0)  # too small: answered by the database
                engine_sync._TAILS.clear()
                from_database, db_cookie = _fold(engine, caller, since, str(epoch), page_rows, quick=False)
                monkeypatch.undo()
                engine_sync._TAILS.clear()
                engine_sync.pull(engine, agent, "memory-test", int(start), str(epoch))
                assert cookie == db_cookie == end
                assert from_memory == from_database
    everything, _ = _fold(engine, agent, int(start), str(epoch), 5_000, quick=True)
    assert everything[("customer", json.dumps([mine[0]]))]["name"] == "Ada Renamed Again"
    assert {row["account_id"] for row in everything.values() if row and "account_id" in row} <= accounts
    assert not [key for key in everything if key[0] == "customer" and key[1] == json.dumps([theirs[0]])]
