"""The local store refuses a change that names a row of another account, or one it does not hold, in the same
words ("not found"), before the mutator reads the row; nothing is written and no outbox row is queued."""

from __future__ import annotations

from typing import Any

import pytest

from agentdesk.store import Store, StoreError
from tests.store.test_store_mutations import NOW, counts


def _first(store: Store, sql: str, *params: Any) -> str:
    row = store.conn.execute(sql, params).fetchone()
    assert row is not None, sql
    return str(row[0])


def _two_accounts(store: Store) -> tuple[str, str]:
    accounts = [a.id for a in store.accounts()]
    assert len(accounts) >= 2
    return accounts[0], accounts[1]


def _refusal(store: Store, name: str, args: dict[str, Any]) -> str:
    before = counts(store)
    with pytest.raises(StoreError) as refused:
        store.mutate(name, args)
    assert counts(store) == before
    return str(refused.value)


def test_a_comment_filed_under_one_account_on_anothers_customer_is_not_found(demo_store: Store) -> None:
    mine, theirs = _two_accounts(demo_store)
    their_customer = _first(demo_store, "SELECT id FROM customer WHERE account_id = ? ORDER BY id", theirs)

    def comment(customer: str) -> dict[str, Any]:
        return {"comment_id": "cm-1", "account_id": mine, "customer_id": customer, "agent_id": None,
                "body": "Noted.", "created_at": NOW}

    said = _refusal(demo_store, "comment.add@1", comment(their_customer))
    unknown = _refusal(demo_store, "comment.add@1", comment("no-such-customer"))
    assert "not found" in said
    assert said.replace(their_customer, "?") == unknown.replace("no-such-customer", "?")


def test_a_call_cannot_be_linked_to_another_accounts_customer(demo_store: Store) -> None:
    mine, theirs = _two_accounts(demo_store)
    call = _first(demo_store, "SELECT id FROM interaction WHERE account_id = ? ORDER BY id", mine)
    their_customer = _first(demo_store, "SELECT id FROM customer WHERE account_id = ? ORDER BY id", theirs)
    said = _refusal(demo_store, "call.link_customer@1", {"interaction_id": call, "customer_id": their_customer})
    assert said == (f"call.link_customer@1: there is no customer {their_customer} "
                    "(not found in the accounts you work for).")
    assert demo_store.conn.execute("SELECT customer_id FROM interaction WHERE id = ?", (call,)).fetchone()[0] \
        != their_customer


def test_a_missing_ticket_is_not_found_before_its_state_is_read(demo_store: Store) -> None:
    said = _refusal(demo_store, "ticket.set_status@1", {"ticket_id": "no-such-ticket", "status": "resolved",
                                                         "changed_at": NOW})
    assert said == "ticket.set_status@1: there is no ticket no-such-ticket (not found in the accounts you work for)."
