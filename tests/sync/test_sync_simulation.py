"""A deterministic simulation (Hypothesis, stateful): terminals write, go offline, and sync through a network that
drops requests, drops answers after the backend committed, duplicates and answers busy; the invariants of
docs/sync.md are checked after every step, convergence once the network heals. Runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import uuid
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test
from sqlalchemy import text

from agentdesk.clock import iso
from sync.engine import SyncError
from tests.sync.conftest import Backend, Terminal

FAULT = st.sampled_from([0.0, 0.0, 0.2, 0.5])


def test_the_invariants_hold_through_a_hostile_network(backend: Backend, terminals: Any) -> None:
    agent, accounts = backend.agent_with_accounts()
    other_agent = backend.scalar(
        "SELECT agent_id FROM agent_account WHERE account_id = :a AND agent_id != :me ORDER BY agent_id LIMIT 1",
        a=accounts[0], me=agent)
    other_accounts = backend.accounts_of(other_agent)

    class Desk(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.desks: list[Terminal] = [terminals(agent, accounts), terminals(other_agent, other_accounts)]
            self.written: dict[str, int] = {}  # comment id → which terminal wrote it
            self.cookies = [-1, -1]
            for desk in self.desks:
                desk.engine.sync_once()

        @rule(which=st.integers(0, 1), count=st.integers(1, 4), shared=st.booleans())
        def write(self, which: int, count: int, shared: bool) -> None:
            desk = self.desks[which]
            account = accounts[0] if shared else desk.accounts[-1]
            customer = desk.store.conn.execute(
                "SELECT id FROM customer WHERE account_id = ? ORDER BY id LIMIT 1", (account,)).fetchone()[0]
            for _ in range(count):
                comment_id = str(uuid.uuid4())
                desk.store.mutate("comment.add@1", {
                    "comment_id": comment_id, "account_id": account, "customer_id": customer,
                    "agent_id": desk.agent_id, "body": f"note {len(self.written)}", "created_at": iso(desk.store.clock.now()),
                })
                self.written[comment_id] = which

        @rule(which=st.integers(0, 1), drop_request=FAULT, drop_response=FAULT, duplicate=FAULT, busy=FAULT,
              batch=st.sampled_from([1, 3, 100]))
        def sync(self, which: int, drop_request: float, drop_response: float, duplicate: float, busy: float,
                 batch: int) -> None:
            desk = self.desks[which]
            f = desk.faults
            f.drop_request, f.drop_response, f.duplicate, f.busy = drop_request, drop_response, duplicate, busy
            desk.engine.batch = batch
            try:
                desk.engine.sync_once()
            except SyncError:
                pass  # offline for now; the invariants must hold anyway

        @rule(which=st.integers(0, 1), down=st.booleans())
        def network(self, which: int, down: bool) -> None:
            self.desks[which].faults.down = down

        @precondition(lambda self: len(self.written) > 0)
        @rule()
        def heal_and_settle(self) -> None:
            for desk in self.desks:
                desk.faults.__init__()  # type: ignore[misc]
            for _ in range(2):
                for desk in self.desks:
                    desk.engine.sync_once()
            for desk in self.desks:
                assert desk.store.outbox_count() == 0
                mine = {
                    r[0] for r in desk.store.conn.execute("SELECT id FROM comment")
                }
                with backend.engine.connect() as conn:
                    theirs = set(conn.execute(text(
                        "SELECT id FROM comment WHERE account_id IN ("
                        + ", ".join(f"'{a}'" for a in desk.accounts) + ")")).scalars())
                assert mine == theirs  # convergence

        @invariant()
        def exactly_once_and_nothing_lost(self) -> None:
            with backend.engine.connect() as conn:
                on_server = dict(conn.execute(text(
                    "SELECT id, count(*) FROM comment WHERE body LIKE 'note %' GROUP BY id")).all())
            for comment_id, which in self.written.items():
                assert on_server.get(comment_id, 0) <= 1
                desk = self.desks[which]
                queued = desk.store.conn.execute(
                    "SELECT count(*) FROM outbox WHERE args LIKE ?", (f'%"{comment_id}"%',)).fetchone()[0]
                refused = desk.store.conn.execute(
                    "SELECT count(*) FROM sync_rejection WHERE args LIKE ?", (f'%"{comment_id}"%',)).fetchone()[0]
                assert queued + on_server.get(comment_id, 0) + refused >= 1, "a change was lost"
                assert refused == 0

        @invariant()
        def monotone_and_contiguous(self) -> None:
            for n, desk in enumerate(self.desks):
                cookie, _ = desk.store.sync_position()
                assert cookie is not None and cookie >= self.cookies[n]
                self.cookies[n] = cookie
                ids = [r[0] for r in desk.store.conn.execute("SELECT id FROM outbox ORDER BY id")]
                assert ids == list(range(ids[0], ids[0] + len(ids))) if ids else True

        @invariant()
        def partitions_hold(self) -> None:
            for desk in self.desks:
                held = {r[0] for r in desk.store.conn.execute("SELECT DISTINCT account_id FROM customer")}
                assert held <= set(desk.accounts)

        @invariant()
        def local_atomicity(self) -> None:
            for desk in self.desks:
                orphans = desk.store.conn.execute(
                    "SELECT count(*) FROM undo_log WHERE mutation_id NOT IN (SELECT id FROM outbox)").fetchone()[0]
                assert orphans == 0

    run_state_machine_as_test(Desk, settings=settings(
        max_examples=8, stateful_step_count=20, deadline=None, derandomize=True,
        suppress_health_check=list(HealthCheck),
    ))
