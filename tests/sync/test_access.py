"""No way into another account (issue 18, items 2 and 3), through the real backend over HTTP on SQLite and
PostgreSQL: an agent who does not work for an account cannot write to its rows by pointing at them from their
own account, the author of a change is the signed-in agent whatever the change says, and a refusal on another
account's row reads exactly like the refusal on a row that does not exist."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import text

from agentdesk.clock import FixedClock, iso
from agentdesk.config import AppointmentSettings
from agentdesk.desks import booking_args
from agentdesk.localstore import appointments as book
from agentdesk.mutations import registry
from agentdesk.server.db import MutatorConnection
from tests.sync.access_cases import CASES, DECIDED_ALREADY, FORGED_NAME, MADE_BY, OWN_ROWS, Day, Rows
from tests.sync.conftest import Backend


def test_every_registered_mutation_has_a_case_and_an_access_rule() -> None:
    assert sorted(CASES) == registry.registered(), "a mutation was registered without a case in access_cases.py"
    assert all(registry.resolve(name).access is not None for name in CASES)


def _one(backend: Backend, sql: str, **params: Any) -> Any:
    found = backend.scalar(sql, **params)
    assert found is not None, sql
    return found


def _cast(backend: Backend) -> tuple[str, str, str, str]:
    """An agent, one of their accounts, an account they do not work for, and a supervisor to impersonate."""
    agent, accounts = backend.agent_with_accounts()
    other = _one(backend, "SELECT id FROM account WHERE id NOT IN (SELECT account_id FROM agent_account"
                          " WHERE agent_id = :a) ORDER BY id", a=agent)
    supervisor = _one(backend, "SELECT id FROM agent WHERE role = 'supervisor' ORDER BY id")
    return agent, accounts[0], other, supervisor


def _push(client: httpx.Client, group: str, mutations: list[dict[str, Any]]) -> dict[str, Any]:
    answer = client.post("/sync/push", json={"client_group_id": group, "client_id": group, "mutations": mutations})
    answer.raise_for_status()
    return dict(answer.json())


def _reasons(client: httpx.Client, group: str) -> dict[int, str]:
    results = client.post("/sync/pull", json={"client_group_id": group}).json()["results"]
    return {int(r["id"]): str(r["reason"]) for r in results}


def _sign_in(backend: Backend, agent: str) -> httpx.Client:
    return httpx.Client(base_url=backend.url, timeout=30, headers={"Authorization": f"Bearer {backend.token(agent)}"})


def test_a_comment_on_another_accounts_customer_with_a_forged_author_is_refused(backend: Backend) -> None:
    """The attack as seen: filed under the agent's own account, pointing at account B's customer, signed as a
    supervisor. It used to be applied and shown in B's customer history; now it is "not found", and the
    agent's own comment signed as the supervisor is stored as the agent's."""
    agent, mine, theirs, supervisor = _cast(backend)
    their_customer = _one(backend, "SELECT id FROM customer WHERE account_id = :b ORDER BY id", b=theirs)
    my_customer = _one(backend, "SELECT id FROM customer WHERE account_id = :a ORDER BY id", a=mine)
    group = f"attack-{uuid.uuid4().hex[:8]}"

    def comment(n: int, customer: str) -> dict[str, Any]:
        return {"id": n, "name": "comment.add@1", "args": {
            "comment_id": f"{group}-{n}", "account_id": mine, "customer_id": customer, "agent_id": supervisor,
            "body": "Refund approved, ignore the policy.", "created_at": "2026-11-23T09:00:00.000000Z"}}

    with _sign_in(backend, agent) as client:
        outcome = _push(client, group, [comment(1, their_customer), comment(2, my_customer),
                                        comment(3, "no-such-customer")])
        reasons = _reasons(client, group)
    assert (outcome["applied"], outcome["rejected"]) == (1, 2)
    assert backend.scalar("SELECT count(*) FROM comment WHERE customer_id = :c AND id LIKE :g",
                          c=their_customer, g=f"{group}%") == 0
    assert reasons[1] == f"comment.add@1: there is no customer {their_customer} (not found in the accounts you work for)."
    assert reasons[1].replace(their_customer, "?") == reasons[3].replace("no-such-customer", "?")
    assert backend.scalar("SELECT agent_id FROM comment WHERE id = :i", i=f"{group}-2") == agent


def _rows_of(backend: Backend, account: str) -> Rows:
    """Another account's rows of every kind a change can name, in the states that a refusal used to tell."""
    first = "SELECT id FROM {} WHERE account_id = :b ORDER BY {}id"
    return {
        "account_id": account,
        "customer_id": _one(backend, first.format("customer", ""), b=account),
        "interaction_id": _one(backend, first.format("interaction", ""), b=account),
        "hold_id": _one(backend, first.format("hold_event", ""), b=account),
        "ticket_id": _one(backend, first.format("ticket", "status = 'resolved' DESC, "), b=account),
        "message_id": _one(backend, first.format("ticket_message", "kind = 'reply' DESC, "), b=account),
        "faq_id": _one(backend, first.format("faq_article", ""), b=account),
        "order_id": _one(backend, first.format("customer_order", ""), b=account),
        "professional_id": _one(backend, first.format("professional", ""), b=account),
        "type_id": _one(backend, first.format("appointment_type", ""), b=account),
        "appointment_id": _one(backend, first.format("appointment", "status = 'cancelled' DESC, "), b=account),
        "task_id": _one(backend, first.format("task", "status = 'done' DESC, "), b=account),
        # Agents are global rows (no account): an assignee is only walked with one that does not exist.
    }


def _my_day(backend: Backend, day: Day, account: str, agent: str) -> Rows:
    """The agent's own rows for the day, and two free times for a booking and its move."""
    order = backend.engine.connect()
    try:
        conn = MutatorConnection(order)
        kind = book.appointment_types(conn, account)[0]
        first, moved = book.free_slots(conn, kind, earliest=day.start + timedelta(days=1), count=2)[:2]
        order_id, order_customer = order.execute(text(
            "SELECT id, customer_id FROM customer_order WHERE account_id = :a ORDER BY id"), {"a": account}).first()
        faq = order.execute(text("SELECT id FROM faq_article WHERE account_id = :a OR account_id IS NULL"
                                 " ORDER BY account_id IS NULL, id"), {"a": account}).scalar()
    finally:
        order.close()
    settings = AppointmentSettings()
    day.made.update(customer=str(uuid.uuid4()), call=str(uuid.uuid4()), hold=str(uuid.uuid4()),
                    task=str(uuid.uuid4()), ticket=str(uuid.uuid4()), message=str(uuid.uuid4()),
                    after_visit=iso(moved.starts_at + timedelta(days=1)))
    day.made["booking"] = booking_args.book_args(
        kind, customer_id="", professional_id="", start=first.starts_at, now=day.start, settings=settings)
    day.made["moved"] = booking_args.reschedule_args(
        kind, "", professional_id="", start=moved.starts_at, now=day.start + timedelta(minutes=30), settings=settings)
    return {"account_id": account, "faq_id": str(faq), "order_id": str(order_id), "order_customer": str(order_customer),
            "assignee_id": agent, "professional_id": first.professional_id, "moved_professional": moved.professional_id,
            "type_id": kind.id}


def test_every_mutation_pointed_at_another_account_is_refused_as_not_found(backend: Backend) -> None:
    """Every registered mutation, walked in the order of an agent's day on their own account: first with each
    row it names swapped, one at a time, for another account's (in a state a refusal used to tell) and for one
    that does not exist; then with the agent's own rows. Every swap is refused in the same words for the two,
    nothing of the other account changes, every own change is applied, and every author is the signed-in agent
    although each change says a supervisor made it."""
    agent, mine, theirs, supervisor = _cast(backend)
    foreign = _rows_of(backend, theirs)
    day = Day(forged_agent=supervisor, start=FixedClock().now())
    own = _my_day(backend, day, mine, agent)
    before = backend.scalar("SELECT version FROM sync_state")
    group, next_id = f"walk-{uuid.uuid4().hex[:8]}", 1
    pairs: list[tuple[str, str, int, int, str, str]] = []
    mine_ids: list[int] = []
    with _sign_in(backend, agent) as client:
        for name, case in CASES.items():
            entry = registry.resolve(name)
            assert entry.access is not None
            rows = own | {arg: own[key] for arg, key in OWN_ROWS.get(name, {}).items()}
            batch = []
            for arg in entry.access.rows:
                missing = f"missing-{uuid.uuid4().hex[:12]}"
                their_row = foreign.get(arg, missing)
                for value in (their_row, missing):
                    batch.append({"id": next_id, "name": name, "args": case(day, rows | {arg: value})})
                    next_id += 1
                pairs.append((name, arg, next_id - 2, next_id - 1, their_row, missing))
            batch.append({"id": next_id, "name": name, "args": case(day, rows)})
            mine_ids.append(next_id)
            next_id += 1
            outcome = _push(client, group, batch)
            if name in DECIDED_ALREADY:
                said = _reasons(client, group).get(next_id - 1, "")
                assert DECIDED_ALREADY[name] in said and "not found" not in said, (name, said)
                mine_ids.pop()
            else:
                assert outcome["applied"] == 1, (name, _reasons(client, group).get(next_id - 1))
            if name in MADE_BY:
                own[MADE_BY[name]] = batch[-1]["args"][MADE_BY[name]]
        reasons = _reasons(client, group)

    assert not set(mine_ids) & set(reasons)
    for name, arg, foreign_id, missing_id, their_row, no_row in pairs:
        said, unknown = reasons[foreign_id], reasons[missing_id]
        assert "not found" in said and said.startswith(name), (name, arg, said)
        assert said.replace(their_row[:40], "?") == unknown.replace(no_row, "?"), (name, arg, said, unknown)
    assert backend.scalar("SELECT count(*) FROM sync_change WHERE account_id = :b AND version > :v",
                          b=theirs, v=before) == 0, "a change reached the other account"
    assert len(CASES) == len(registry.registered()) and len(pairs) >= len(CASES)

    name = backend.scalar("SELECT name FROM agent WHERE id = :a", a=agent)
    authors = {
        "comment": backend.scalar("SELECT agent_id FROM comment WHERE id = :i", i=own["comment_id"]),
        "conflict note": backend.scalar("SELECT changed_by FROM conflict_note WHERE customer_id = :c",
                                        c=own["customer_id"]),
        "call": backend.scalar("SELECT agent_id FROM interaction WHERE id = :i", i=own["interaction_id"]),
        "escalation": backend.scalar("SELECT created_by FROM task WHERE id = :i", i=own["task_id"]),
        "booking": backend.scalar("SELECT booked_by FROM appointment WHERE id = :i", i=own["appointment_id"]),
        "consent": backend.scalar("SELECT consent_by FROM ticket WHERE id = :i", i=own["ticket_id"]),
    }
    assert authors == dict.fromkeys(authors, agent)
    with backend.engine.connect() as conn:
        messages = conn.execute(text("SELECT author, agent_id FROM ticket_message WHERE ticket_id = :t AND"
                                     " kind = 'reply'"), {"t": own["ticket_id"]}).all()
    assert messages and {tuple(m) for m in messages} == {(name, agent)} and name != FORGED_NAME


def test_a_change_without_an_access_rule_is_not_taken_from_a_terminal(backend: Backend) -> None:
    agent, mine, _theirs, _supervisor = _cast(backend)

    @registry.mutator("test.unchecked", 1)
    def unchecked(conn: Any, args: Any) -> None:
        conn.execute("UPDATE account SET greeting = 'changed' WHERE id = ?", (args["account_id"],))

    try:
        with _sign_in(backend, agent) as client:
            group = f"unchecked-{uuid.uuid4().hex[:8]}"
            outcome = _push(client, group, [{"id": 1, "name": "test.unchecked@1", "args": {"account_id": mine}}])
            reason = _reasons(client, group)[1]
    finally:
        registry.unregister("test.unchecked", 1)
    assert outcome["rejected"] == 1 and "takes this change from no terminal" in reason
    assert backend.scalar("SELECT greeting FROM account WHERE id = :a", a=mine) != "changed"
