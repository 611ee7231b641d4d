"""Demo data: a deterministic store of accounts, agents, customers with histories, FAQ, orders and tickets.

The demo stands in for data pulled from the server, so it is written directly into the tables, not through
mutations: it has no outbox rows and nothing to push. The same seed gives the same data (Faker and
`random.Random` seeded, ids drawn from that generator, times counted from the day of the store's clock, so a demo
made today has tickets and outbound calls due today, soon and overdue; the tests' fixed clock gives 2026-11-23).
One customer of the first account, +1 800-218-1525, has `long_history` interactions; two customers
carry hostile text (escape sequences, Textual markup) in their names, notes and messages, to show that the
screens print it as text.

Rows are inserted with executemany in one transaction, with secondary indexes and full-text triggers set
aside and rebuilt once at the end (see `demodata.loader`), so 100,000 customers and a million interactions
take a few minutes at most, and a failed load leaves the store as it was.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from agentdesk.demodata.agent_skills import add_agent_skills
from agentdesk.demodata.appointments import add_appointment_book
from agentdesk.demodata.content import HOSTILE_NAMES
from agentdesk.demodata.histories import Histories
from agentdesk.demodata.loader import RowBuffer, restore_indexes, set_aside_indexes, wipe
from agentdesk.demodata.professional_emails import add_professional_emails
from agentdesk.demodata.quality import add_quality
from agentdesk.demodata.tickets import add_refund_and_cancellation_tickets
from agentdesk.demodata.world import Dice, build_world, make_pools
from agentdesk.errors import StoreError
from agentdesk.localstore.connection import CACHE_KIB
from agentdesk.localstore.tickets import refresh_clocks
from agentdesk.localstore.transaction import transaction
from agentdesk.store import Store, rebuild_search_indexes

WELL_KNOWN_NUMBER = "+18002181525"
"""The demo customer everyone can call: +1 800-218-1525, with the long history."""

FLUSH_ROWS = 200_000
"""Rows buffered in memory before they are written (bounds memory for the largest demo)."""


@dataclass(frozen=True, slots=True)
class DemoSummary:
    """What `generate` made."""

    seed: int
    accounts: int
    agents: int
    customers: int
    interactions: int
    calls: int
    holds: int
    recordings: int
    comments: int
    orders: int
    tickets: int
    faq_articles: int
    well_known_number: str
    well_known_customer_id: str
    known_numbers: tuple[str, ...]
    """Phone numbers of demo customers (the well-known one first), for the demo call source."""
    seconds: float

    def __str__(self) -> str:
        return (
            f"{self.accounts} accounts, {self.agents} agents, {self.customers:,} customers, "
            f"{self.interactions:,} interactions ({self.calls:,} calls), {self.comments:,} comments, "
            f"{self.orders:,} orders, {self.tickets:,} tickets, {self.faq_articles} FAQ articles; "
            f"call {self.well_known_number} for the long history"
        )


def generate(
    store: Store,
    *,
    customers: int,
    seed: int,
    long_history: int = 2000,
    interactions_per_customer: float = 10.0,
    progress: Callable[[str], None] | None = None,
    reset: bool = False,
) -> DemoSummary:
    """Fill an empty `store` with demo data (`reset=True` first deletes all business data and the outbox)."""
    if customers < 1:
        raise StoreError("The demo needs at least one customer.")
    if not reset and not store.is_empty():
        raise StoreError(f"The store at {store.path} already holds data. Use `agentdesk demo` to replace it.")
    started = time.perf_counter()
    tell = progress or (lambda _line: None)
    with store.lock:
        conn = store.conn
        # Foreign keys cannot change inside a transaction; nothing else writes while the lock is held.
        conn.execute("PRAGMA foreign_keys = OFF")
        # One atomic transaction: a crash loses the load, never the store, so it need not wait for the disk.
        conn.execute("PRAGMA synchronous = OFF")
        conn.execute("PRAGMA cache_size = -1048576")
        try:
            with transaction(conn, "loading the demo data"):
                summary = _load(conn, customers, seed, long_history, interactions_per_customer, reset, tell,
                                store.clock.now())
        finally:
            conn.execute("PRAGMA synchronous = FULL")
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # fold the big WAL back into the file
        numbers = tuple(known_caller_numbers(store))
    seconds = time.perf_counter() - started
    tell(f"done in {seconds:.1f} s")
    return DemoSummary(**summary, known_numbers=numbers, seconds=round(seconds, 2))


def _load(
    conn: sqlite3.Connection, customers: int, seed: int, long_history: int, mean: float, reset: bool,
    tell: Callable[[str], None], now: datetime,
) -> dict[str, Any]:
    if reset:
        wipe(conn)
    set_aside = set_aside_indexes(conn)
    dice = Dice(seed)
    pools = make_pools(seed)
    rows = RowBuffer()
    world = build_world(dice, pools, rows, now)
    histories = Histories(dice, pools, world)
    first = world.accounts[0]
    r = dice.random
    well_known = histories.customer(
        rows, 0, first, interactions=long_history, phone=WELL_KNOWN_NUMBER, years=3
    )
    step = max(1, customers // 10)
    for index in range(1, customers):
        if index <= len(HOSTILE_NAMES):
            histories.customer(rows, index, first, interactions=6, name=HOSTILE_NAMES[index - 1], hostile=3)
        else:
            pick = r()
            account = world.accounts[0 if pick < 0.4 else min(3, 1 + int((pick - 0.4) / 0.2))]
            histories.customer(rows, index, account, interactions=int(r() * 2 * mean + 0.5))
        if rows.pending() >= FLUSH_ROWS:
            rows.flush(conn)
        if index % step == 0:
            tell(f"{index:,} of {customers:,} customers")
    rows.flush(conn)
    extras = add_refund_and_cancellation_tickets(conn, world, seed, customers, histories.order_number)
    extras.update(add_appointment_book(conn, world, seed))
    extras.update(add_quality(conn, world, seed, now))
    extras.update(add_agent_skills(conn, world, seed))
    extras.update(add_professional_emails(conn, world, seed))
    tell("building indexes")
    restore_indexes(conn, set_aside)
    rebuild_search_indexes(conn)
    refresh_clocks(conn)
    counts = histories.counts
    for table, made in extras.items():
        counts[table] = counts.get(table, 0) + made
    return {
        "seed": seed, "accounts": len(world.accounts), "agents": len(world.agent_names) + counts.get("agent", 0),
        "customers": customers,
        "interactions": counts.get("interaction", 0), "calls": counts.get("call", 0),
        "holds": counts.get("hold", 0), "recordings": counts.get("recording", 0),
        "comments": counts.get("comment", 0), "orders": counts.get("order", 0),
        "tickets": counts.get("ticket", 0),
        "faq_articles": world.faq_articles, "well_known_number": WELL_KNOWN_NUMBER,
        "well_known_customer_id": well_known,
    }


def known_callers_by_line(store: Store, per_line: int = 200) -> dict[str, list[str]]:
    """For each account's line (the number its customers dial), phone numbers of that account's customers, oldest
    first: a demo call from a known caller rings on the caller's own account's line."""
    found: dict[str, list[str]] = {}
    with store.lock:
        lines = store.conn.execute("SELECT id, phone_number FROM account ORDER BY name").fetchall()
        for account_id, line in lines:
            rows = store.conn.execute(
                "SELECT p.e164 FROM customer AS c JOIN customer_phone AS p ON p.customer_id = c.id"
                " WHERE c.account_id = ? ORDER BY c.rowid LIMIT ?",
                (account_id, per_line),
            ).fetchall()
            found[line] = [row[0] for row in rows]
    return found


def known_caller_numbers(store: Store, limit: int = 200) -> list[str]:
    """Phone numbers of customers in the store, oldest first (the well-known number leads a demo store)."""
    with store.lock:
        rows = store.conn.execute(
            "SELECT e164 FROM customer_phone ORDER BY rowid LIMIT ?", (limit,)
        ).fetchall()
    return [row[0] for row in rows]
