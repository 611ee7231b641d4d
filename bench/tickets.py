"""Ticket benchmarks, called from `bench/run.py`'s ui figures: the inbox with 50,000 open tickets and a ticket
with 2,000 messages, each timed from the key press to the first composed frame that shows the first page."""

from __future__ import annotations

import asyncio
import statistics
import time
import uuid
from datetime import timedelta
from typing import Any

OPEN_TICKETS = 50_000
THREAD_MESSAGES = 2_000


def load_tickets(store: Any, open_tickets: int = OPEN_TICKETS, messages: int = THREAD_MESSAGES) -> str:
    """Top the store up to `open_tickets` open tickets (each with a customer message, clocks running) and give
    one of them `messages` messages; that ticket's id. Written straight into the tables, like the demo."""
    from agentdesk.clock import iso, parse_iso
    from agentdesk.domain.tickets import TicketSla

    conn, sla = store.conn, TicketSla()
    now = store.clock.now()
    with store.lock:
        have = conn.execute("SELECT count(*) FROM ticket WHERE status NOT IN ('resolved', 'closed')").fetchone()[0]
        customers = conn.execute("SELECT id, account_id, name FROM customer ORDER BY rowid LIMIT 20000").fetchall()
        tickets, bodies = [], []
        for n in range(max(0, open_tickets - have)):
            customer_id, account_id, name = customers[n % len(customers)]
            ticket_id = str(uuid.UUID(int=n + 1, version=4))
            since = iso(now - timedelta(minutes=n % 1440))  # the last day: every colour of clock
            due = iso(sla.due(parse_iso(since)))
            tickets.append((ticket_id, account_id, customer_id, f"CS-BENCH-{n:06d}", "Where is my parcel?", "new",
                            "normal", ("question", "refund", "cancellation")[n % 3], "email", since, since, since,
                            due))
            bodies.append((str(uuid.UUID(int=10**9 + n, version=4)), account_id, ticket_id, "customer", name,
                           "Where is my parcel? It was due last week.", since))
        big = tickets[0][0] if tickets else conn.execute("SELECT id FROM ticket LIMIT 1").fetchone()[0]
        account = conn.execute("SELECT account_id FROM ticket WHERE id = ?", (big,)).fetchone()
        thread = [(str(uuid.UUID(int=2 * 10**9 + n, version=4)), account[0] if account else "", big,
                   ("customer", "reply", "note")[n % 3], "Bench", f"Message {n} of the long thread. " * 8,
                   iso(parse_iso("2026-01-01T00:00:00.000000Z").replace(second=n % 60, minute=n // 60 % 60,
                                                                           hour=n // 3600)))
                  for n in range(messages)]
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(
            "INSERT INTO ticket (id, account_id, customer_id, case_number, subject, status, priority, kind, channel,"
            " created_at, updated_at, awaiting_since, response_due_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            tickets)
        conn.executemany(
            "INSERT INTO ticket_message (id, account_id, ticket_id, kind, author, body, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)", [*bodies, *thread])
        conn.execute("COMMIT")
    return big


async def _first_frame(frames: list[float], ready: Any) -> float:
    while not ready():
        await asyncio.sleep(0.0005)
    frames.clear()  # the first frame composed after the page arrived
    while not frames:
        await asyncio.sleep(0.0005)
    return frames[0]


async def inbox_open_ms(app: Any, pilot: Any, frames: list[float], runs: int = 7) -> float:
    """The inbox from its key to the first page of open tickets on screen; median of `runs`."""
    from screens.tickets import TicketsInbox
    from widgets import TicketInbox

    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        screen = TicketsInbox(app.store.accounts(), app.store.agent_accounts(app.agent.id))
        app.push_screen(screen)

        def ready(screen: Any = screen) -> bool:
            if not screen.is_mounted:
                return False
            view = screen.query_one(TicketInbox).view
            return view is not None and bool(view.rows)

        shown = await _first_frame(frames, ready)
        samples.append((shown - t0) * 1000)
        app.pop_screen()
        await pilot.pause()
    return statistics.median(samples)


async def ticket_open_ms(app: Any, pilot: Any, frames: list[float], ticket_id: str, runs: int = 7) -> float:
    """A ticket with 2,000 messages from its key to the header and the newest page of its thread on screen."""
    from screens.ticket import TicketScreen
    from widgets import TicketThread

    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        screen = TicketScreen(ticket_id)
        app.push_screen(screen)

        def ready(screen: Any = screen) -> bool:
            return screen.is_mounted and screen.card is not None and screen.query_one(TicketThread).view is not None

        shown = await _first_frame(frames, ready)
        samples.append((shown - t0) * 1000)
        app.pop_screen()
        await pilot.pause()
    return statistics.median(samples)
