"""Demo refund and cancellation tickets, with their orders and threads, for the tickets inbox.

They are drawn from a generator of their own (seeded from the demo's seed) after every other demo row, so the
rest of the demo, which the workspace's snapshots show, stays exactly as it was. Their customers are picked
past the first three (the well-known caller and the two hostile names keep their histories unchanged).
Customer messages arrive through the demo's "today" (up to 14:00 UTC, never after the moment the demo is made) and
the days before, so the inbox shows every SLA colour: fresh, amber, late and escalated.
"""

from __future__ import annotations

import random
import sqlite3
import uuid
from datetime import UTC, datetime

from agentdesk.demodata.world import DAY_US, World
from agentdesk.localstore.numbers import case_number

_HALF_HOUR_US = 1800 * 1_000_000
_HOUR_US = 3_600 * 1_000_000
_REFUND_MESSAGES = (
    "Hello, I would like a refund for order {order}. It arrived late and I no longer need it.",
    "The {product} from order {order} stopped working after a week. I want my money back, please.",
    "I was charged twice for order {order}. Please refund the second payment.",
    "Order {order} is not what I expected. How do I return it and get a refund?",
)
_CANCEL_MESSAGES = (
    "Please cancel my {product} subscription (order {order}) from next month.",
    "I am moving abroad and need to cancel the recurring {product} on order {order}.",
    "Your prices went up. Cancel my {product} plan unless you can do better.",
    "I do not use the {product} any more; please stop the monthly payments for order {order}.",
)
_NOTES = (
    "Checked the payment log: one charge only.",
    "Customer has been with us three years; offer the loyalty discount first.",
    "Courier confirms delivery on the date given.",
)
_FOLLOW_UPS = (
    "Any news? I wrote {days} days ago.",
    "Still waiting for an answer about order {order}.",
    "Thanks. I would still prefer the refund, please.",
)
_TICKET_COLUMNS = ("id", "account_id", "customer_id", "case_number", "subject", "status", "priority", "kind",
                   "channel", "created_at", "updated_at", "order_id", "assignee_id")


def _stamp(epoch_us: int) -> str:
    seconds, micros = divmod(epoch_us, 1_000_000)
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%S") + f".{micros:06d}Z"


def add_refund_and_cancellation_tickets(
    conn: sqlite3.Connection, world: World, seed: int, customers: int, first_order_number: int
) -> dict[str, int]:
    """Insert the demo's refund and cancellation tickets (inside the caller's load transaction); the counts."""
    rng = random.Random(seed * 7_919 + 3)
    base_us = world.base_us

    def new_id() -> str:
        return str(uuid.UUID(int=rng.getrandbits(128), version=4))

    pool = conn.execute(
        "SELECT id, account_id, name FROM customer WHERE rowid > 3 ORDER BY rowid LIMIT 20000"
    ).fetchall()
    if not pool:
        return {"ticket": 0, "order": 0}
    accounts = {account.id: account for account in world.accounts}
    terminal = new_id()  # the demo's seventh terminal (see localstore.numbers)
    count = max(12, customers // 8)
    tickets, messages, orders, lines = [], [], [], []
    order_number = first_order_number
    for n in range(count):
        customer_id, account_id, name = pool[rng.randrange(len(pool))]
        account = accounts[account_id]
        refund = rng.random() < 0.6
        product, unit = account.spec.products[rng.randrange(len(account.spec.products))]
        order_id = new_id()
        order_number += 1
        order = f"ORD-{order_number}"
        # Refunds: some orders inside the 60-day window, some just past it.
        age_days = rng.uniform(3, 85) if refund else rng.uniform(30, 700)
        # Half the requests came in today (up to 14:00 UTC), the rest over the last four days; made early in
        # the day, the demo moves what would lie ahead of the clock to the day before.
        if rng.random() < 0.5:
            opened_us = base_us + int(rng.uniform(1, 14) * _HOUR_US)
            if opened_us > world.now_us - _HALF_HOUR_US:
                opened_us -= DAY_US
        else:
            opened_us = base_us - int(rng.uniform(0.1, 4) * DAY_US)
        placed_us = opened_us - int(age_days * DAY_US)
        orders.append((order_id, account_id, customer_id, order, _stamp(placed_us), "delivered", unit,
                       0 if refund else 1))
        lines.append((new_id(), account_id, order_id, product, 1, unit))
        ticket_id = new_id()
        words = {"order": order, "product": product}
        body = rng.choice(_REFUND_MESSAGES if refund else _CANCEL_MESSAGES).format(**words)
        thread = [(new_id(), account_id, ticket_id, "customer", name, body, _stamp(opened_us))]
        at_us = opened_us
        agents = account.agent_ids
        agent_id = agents[rng.randrange(len(agents))]
        status = "new"
        if rng.random() < 0.7 and opened_us < base_us:
            at_us += int(rng.uniform(0.5, 3) * _HOUR_US)
            thread.append((new_id(), account_id, ticket_id, "note", world.agent_names[agent_id],
                           rng.choice(_NOTES), _stamp(at_us)))
            at_us += int(rng.uniform(0.2, 2) * _HOUR_US)
            thread.append((new_id(), account_id, ticket_id, "reply", world.agent_names[agent_id],
                           f"Hello {name},\n\nThank you for writing about {order}. We are looking into it.",
                           _stamp(at_us)))
            status = "open"
            if rng.random() < 0.5:
                at_us += int(rng.uniform(2, 20) * _HOUR_US)
                thread.append((new_id(), account_id, ticket_id, "customer", name,
                               rng.choice(_FOLLOW_UPS).format(days=2, **words), _stamp(at_us)))
        subject = f"Refund for {order}" if refund else f"Cancel my {product}"  # short: whole in an 80-column inbox
        tickets.append((ticket_id, account_id, customer_id, case_number(terminal, n + 1), subject, status,
                        "high" if rng.random() < 0.2 else "normal", "refund" if refund else "cancellation",
                        "email" if rng.random() < 0.7 else "web_form", _stamp(opened_us), _stamp(at_us), order_id,
                        agent_id if status == "open" else None))
        messages.extend(thread)
    conn.executemany(
        "INSERT INTO customer_order (id, account_id, customer_id, number, placed_at, status, total_cents, recurring)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)", orders)
    conn.executemany(
        "INSERT INTO order_line (id, account_id, order_id, product, quantity, unit_price_cents)"
        " VALUES (?, ?, ?, ?, ?, ?)", lines)
    conn.executemany(f"INSERT INTO ticket ({', '.join(_TICKET_COLUMNS)}) VALUES ({', '.join('?' * 13)})", tickets)
    conn.executemany(
        "INSERT INTO ticket_message (id, account_id, ticket_id, kind, author, body, created_at, delivery)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, CASE WHEN ? = 'reply' THEN 'delivered' END)",
        [(*m, m[3]) for m in messages])
    return {"ticket": len(tickets), "order": len(orders)}
