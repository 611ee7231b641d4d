"""Sync as agents live it, against a real backend on loopback (SQLite and PostgreSQL): a new terminal fills up,
work done offline arrives exactly once, terminals converge, refusals reach the agent, a copied store is caught,
an account taken away leaves the terminal."""

from __future__ import annotations

import shutil
import uuid
from typing import Any

import pytest

from agentdesk.clock import iso
from sync.engine import Transient
from tests.sync.conftest import Backend, Terminal


def comment(terminal: Terminal, body: str, account: str | None = None) -> str:
    """The agent adds a comment to a customer of `account` (the terminal's first by default)."""
    account = account or terminal.accounts[0]
    customer = terminal.store.conn.execute(
        "SELECT id FROM customer WHERE account_id = ? ORDER BY id LIMIT 1", (account,)).fetchone()
    customer_id = customer[0] if customer else _any_customer_of(terminal, account)
    comment_id = str(uuid.uuid4())
    terminal.store.mutate("comment.add@1", {
        "comment_id": comment_id, "account_id": account, "customer_id": customer_id, "agent_id": terminal.agent_id,
        "body": body, "created_at": iso(terminal.store.clock.now()),
    })
    return comment_id


def _any_customer_of(terminal: Terminal, account: str) -> str:
    raise AssertionError(f"no customer of {account} on this terminal")


def rows(terminal: Terminal, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    return terminal.store.conn.execute(sql, params).fetchall()


def partition_snapshot(terminal: Terminal) -> dict[str, set[Any]]:
    return {
        "customers": {r[0] for r in rows(terminal, "SELECT id FROM customer")},
        "comments": {(r[0], r[1]) for r in rows(terminal, "SELECT id, body FROM comment")},
        "interactions": {(r[0], r[1]) for r in rows(terminal, "SELECT id, state FROM interaction")},
    }


def backend_snapshot(backend: Backend, accounts: list[str]) -> dict[str, set[Any]]:
    from sqlalchemy import text

    with backend.engine.connect() as conn:
        def q(sql: str) -> list[Any]:
            return conn.execute(text(sql), {"a": accounts}).all() if False else conn.execute(
                text(sql.replace(":a", ", ".join(f"'{a}'" for a in accounts)))).all()

        return {
            "customers": {r[0] for r in q("SELECT id FROM customer WHERE account_id IN (:a)")},
            "comments": {(r[0], r[1]) for r in q("SELECT id, body FROM comment WHERE account_id IN (:a)")},
            "interactions": {(r[0], r[1]) for r in q("SELECT id, state FROM interaction WHERE account_id IN (:a)")},
        }


def test_a_new_terminal_gets_its_accounts_and_nothing_else(backend: Backend, terminals: Any) -> None:
    agent, accounts = backend.agent_with_accounts()
    terminal = terminals(agent, accounts)
    assert terminal.store.is_empty()

    terminal.engine.sync_once()

    held = {r[0] for r in rows(terminal, "SELECT DISTINCT account_id FROM customer")}
    assert held == set(accounts)
    assert {r[0] for r in rows(terminal, "SELECT id FROM account")} == set(accounts)
    assert partition_snapshot(terminal) == backend_snapshot(backend, accounts)
    assert terminal.engine.status.state == "online"


def test_work_done_offline_arrives_exactly_once_through_a_hostile_network(backend: Backend, terminals: Any) -> None:
    agent, accounts = backend.agent_with_accounts()
    terminal = terminals(agent, accounts)
    terminal.engine.sync_once()

    terminal.faults.down = True
    made = [comment(terminal, f"offline note {n}") for n in range(30)]
    with pytest.raises(Transient):
        terminal.engine.sync_once()
    assert terminal.engine.status.state == "offline"
    assert terminal.store.outbox_count() == 30  # nothing lost, nothing acknowledged

    terminal.faults.down = False
    terminal.faults.drop_response, terminal.faults.duplicate, terminal.faults.busy = 0.3, 0.3, 0.2
    terminal.engine.batch = 7
    for _ in range(20):
        try:
            terminal.engine.sync_once()
            break
        except Transient:
            continue
    assert {"dropped response", "duplicate", "busy"} <= set(terminal.faults.seen)
    assert terminal.store.outbox_count() == 0
    for comment_id in made:
        assert backend.scalar("SELECT count(*) FROM comment WHERE id = :i", i=comment_id) == 1
    assert backend.scalar("SELECT count(*) FROM sync_mutation WHERE client_group_id = :g",
                          g=terminal.store.client_group_id) == 30
    assert partition_snapshot(terminal) == backend_snapshot(backend, accounts)


def test_two_terminals_converge(backend: Backend, terminals: Any) -> None:
    agent, accounts = backend.agent_with_accounts()
    first, second = terminals(agent, accounts), terminals(agent, accounts)
    first.engine.sync_once()
    second.engine.sync_once()

    written = comment(first, "Customer prefers e-mail")
    comment(second, "Called back, no answer")
    first.engine.sync_once()
    second.engine.sync_once()
    first.engine.sync_once()

    assert (written, "Customer prefers e-mail") in partition_snapshot(second)["comments"]
    assert partition_snapshot(first) == partition_snapshot(second) == backend_snapshot(backend, accounts)


def test_a_pending_change_survives_the_rebase_on_top_of_anothers(backend: Backend, terminals: Any) -> None:
    """A call answered offline on one terminal stays answered when another terminal's changes are pulled."""
    agent, accounts = backend.agent_with_accounts()
    first, second = terminals(agent, accounts), terminals(agent, accounts)
    first.engine.sync_once()
    second.engine.sync_once()
    call_id = str(uuid.uuid4())
    now = iso(first.store.clock.now())
    first.store.mutate("call.ring@1", {"interaction_id": call_id, "account_id": accounts[0], "customer_id": None,
                                       "caller_number": "+18005550100", "ringing_at": now, "agent_id": agent})
    first.engine.sync_once()
    assert first.store.rejections() == []
    first.faults.down = True
    first.store.mutate("call.answer@1", {"interaction_id": call_id, "answered_at": now, "agent_id": agent})
    comment(second, "from the other desk")
    second.engine.sync_once()

    first.faults.down = False
    first.engine.pull()  # pull only: the answer is still queued here
    assert rows(first, "SELECT state FROM interaction WHERE id = ?", call_id) == [("answered",)]
    assert ("from the other desk" in {c[1] for c in partition_snapshot(first)["comments"]})
    assert first.store.outbox_count() == 1
    first.engine.sync_once()
    assert backend.scalar("SELECT state FROM interaction WHERE id = :i", i=call_id) == "answered"
    assert first.store.outbox_count() == 0


def test_a_refused_change_reaches_the_agent_and_leaves_the_store(backend: Backend, terminals: Any) -> None:
    agent, accounts = backend.agent_with_accounts()
    terminal = terminals(agent, accounts)
    terminal.engine.sync_once()
    other = backend.scalar("SELECT id FROM account WHERE id NOT IN (SELECT account_id FROM agent_account"
                           " WHERE agent_id = :a) ORDER BY id LIMIT 1", a=agent)
    customer = backend.scalar("SELECT id FROM customer WHERE account_id = :a LIMIT 1", a=other)
    # The terminal holds no row of that account; a forged mutation for it is still only a request.
    terminal.store.mutate("call.ring@1", {"interaction_id": str(uuid.uuid4()), "account_id": accounts[0],
                                          "customer_id": None, "caller_number": "+18005550101",
                                          "ringing_at": iso(terminal.store.clock.now()), "agent_id": agent})
    conn = terminal.store.conn
    forged = str(uuid.uuid4())
    with terminal.store.lock:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO outbox (id, client_id, name, version, args, created_at) VALUES"
                     " ((SELECT max(id) FROM outbox) + 1, 'c', 'comment.add', 1, ?, '2026-11-23T00:00:00Z')",
                     (f'{{"account_id":"{other}","agent_id":"{agent}","body":"x","comment_id":"{forged}",'
                      f'"created_at":"2026-11-23T00:00:00.000000Z","customer_id":"{customer}"}}',))
        conn.execute("COMMIT")

    terminal.engine.sync_once()

    refused = terminal.store.rejections()
    assert [r.name for r in refused] == ["comment.add@1"]
    assert "account" in refused[0].reason
    assert backend.scalar("SELECT count(*) FROM comment WHERE id = :i", i=forged) == 0
    assert terminal.store.outbox_count() == 0
    assert {r[0] for r in rows(terminal, "SELECT DISTINCT account_id FROM customer")} == set(accounts)


def test_a_copied_store_goes_on_as_a_new_terminal_and_loses_nothing(
    backend: Backend, terminals: Any, tmp_path: Any
) -> None:
    agent, accounts = backend.agent_with_accounts()
    original = terminals(agent, accounts, name="original")
    original.engine.sync_once()
    original.store.conn.execute("PRAGMA wal_checkpoint(FULL)")
    shutil.copyfile(original.store.path, tmp_path / "copy.db")
    comment(original, "made on the original")
    original.engine.sync_once()

    copy = terminals(agent, accounts, store_path=tmp_path / "copy.db")
    assert copy.store.client_group_id == original.store.client_group_id
    comment(copy, "made on the copy")  # the same mutation id as the original's, other contents

    copy.engine.sync_once()

    assert copy.store.client_group_id != original.store.client_group_id
    assert copy.store.outbox_count() == 0
    for body in ("made on the original", "made on the copy"):
        assert backend.scalar("SELECT count(*) FROM comment WHERE body = :b", b=body) == 1
    comment(original, "the original goes on")
    original.engine.sync_once()
    copy.engine.sync_once()
    assert partition_snapshot(copy) == partition_snapshot(original) == backend_snapshot(backend, accounts)


def test_a_store_restored_from_a_backup_loses_nothing(backend: Backend, terminals: Any, tmp_path: Any) -> None:
    agent, accounts = backend.agent_with_accounts()
    desk = terminals(agent, accounts, name="desk")
    desk.engine.sync_once()
    before_backup = [comment(desk, f"before the backup {n}") for n in range(3)]  # queued, not yet synced
    desk.store.conn.execute("PRAGMA wal_checkpoint(FULL)")
    shutil.copyfile(desk.store.path, tmp_path / "backup.db")
    desk.engine.sync_once()
    after_backup = [comment(desk, f"after the backup {n}") for n in range(2)]
    desk.engine.sync_once()

    restored = terminals(agent, accounts, store_path=tmp_path / "backup.db")  # the disk died; back to the backup
    assert restored.store.outbox_count() == 3
    made_after_restore = comment(restored, "after the restore")
    restored.engine.sync_once()

    for comment_id in before_backup + after_backup + [made_after_restore]:
        assert backend.scalar("SELECT count(*) FROM comment WHERE id = :i", i=comment_id) == 1
        assert rows(restored, "SELECT count(*) FROM comment WHERE id = ?", comment_id) == [(1,)]
    assert restored.store.outbox_count() == 0 and restored.store.rejections() == []
    assert partition_snapshot(restored) == backend_snapshot(backend, accounts)


def test_an_account_taken_away_while_offline_leaves_the_terminal(backend: Backend, terminals: Any) -> None:
    agent, accounts = backend.agent_with_accounts()
    terminal = terminals(agent, accounts)
    terminal.engine.sync_once()
    kept, taken = accounts
    with backend.engine.begin() as conn:
        from sqlalchemy import text

        conn.execute(text("UPDATE sync_state SET version = version + 1 WHERE id = 1"))
        conn.execute(text("DELETE FROM agent_account WHERE agent_id = :a AND account_id = :t"), {"a": agent, "t": taken})

    terminal.engine.sync_once()

    assert {r[0] for r in rows(terminal, "SELECT DISTINCT account_id FROM customer")} == {kept}
    assert rows(terminal, "SELECT count(*) FROM interaction WHERE account_id = ?", taken) == [(0,)]


def rename(terminal: Terminal, customer_id: str, new: str, base: str) -> None:
    terminal.store.mutate("customer.update@1", {
        "customer_id": customer_id, "field": "name", "base": base, "value": new, "agent_id": terminal.agent_id,
        "changed_at": iso(terminal.store.clock.now()), "note_id": str(uuid.uuid4()),
    })


def test_two_agents_edit_one_customer_field_offline_and_the_overwritten_value_is_kept(
    backend: Backend, terminals: Any
) -> None:
    agent, accounts = backend.agent_with_accounts()
    first, second = terminals(agent, accounts), terminals(agent, accounts)
    first.engine.sync_once()
    second.engine.sync_once()
    customer_id, original = rows(first, "SELECT id, name FROM customer WHERE account_id = ? ORDER BY id LIMIT 1",
                                 accounts[0])[0]
    first.faults.down = second.faults.down = True
    rename(first, customer_id, "Dana Whitfield-Okoro", original)
    rename(second, customer_id, "Dana Okoro", original)

    first.faults.down = second.faults.down = False
    first.engine.sync_once()
    second.engine.sync_once()  # arrives second: its value wins
    first.engine.sync_once()

    for terminal in (first, second):
        assert rows(terminal, "SELECT name FROM customer WHERE id = ?", customer_id) == [("Dana Okoro",)]
        notes = rows(terminal, "SELECT field, base_value, overwritten_value, new_value FROM conflict_note"
                               " WHERE customer_id = ?", customer_id)
        assert notes == [("name", original, "Dana Whitfield-Okoro", "Dana Okoro")]
    assert backend.scalar("SELECT count(*) FROM conflict_note WHERE customer_id = :c", c=customer_id) == 1


def test_an_agent_offline_for_three_days_with_ten_thousand_changes(backend: Backend, terminals: Any) -> None:
    agent, accounts = backend.agent_with_accounts()
    desk = terminals(agent, accounts)
    desk.engine.sync_once()
    desk.faults.down = True
    account, customer = rows(desk, "SELECT account_id, id FROM customer ORDER BY id LIMIT 1")[0]
    made = []
    for day in range(3):
        for n in range(3_334 if day < 2 else 3_332):
            made.append(str(uuid.uuid4()))
            desk.store.mutate("comment.add@1", {
                "comment_id": made[-1], "account_id": account, "customer_id": customer, "agent_id": agent,
                "body": f"day {day} note {n}", "created_at": iso(desk.store.clock.now()),
            })
        desk.store.clock.advance(86_400)  # type: ignore[attr-defined]
    with pytest.raises(Transient):
        desk.engine.sync_once()
    assert desk.engine.status.state == "offline" and desk.store.outbox_count() == 10_000

    desk.faults.down = False
    desk.engine.sync_once()

    assert desk.store.outbox_count() == 0
    assert backend.scalar("SELECT count(*) FROM comment WHERE body LIKE 'day %'") == 10_000
    assert backend.scalar("SELECT count(*) FROM sync_mutation WHERE client_group_id = :g AND status = 'applied'",
                          g=desk.store.client_group_id) == 10_000
    assert partition_snapshot(desk) == backend_snapshot(backend, accounts)
