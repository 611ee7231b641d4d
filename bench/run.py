"""AgentDesk benchmarks: `python bench/run.py [--quick]` prints one JSON object of figures.

The full run builds (once, cached in bench/.cache) a store of 100,000 customers and about 1,000,000
interactions, one customer with 100,000 of them; `--quick` uses 5,000 customers (the long customer still has
100,000). Figures are medians or 95th percentiles over repeated runs, as named in each key's comment.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "bench" / ".cache"
sys.path.insert(0, str(ROOT))


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def build_store(customers: int, long_history: int) -> Path:
    """The benchmark store, generated once per size and schema in a child process and kept."""
    import hashlib

    from agentdesk.migrations import migrations

    # A store made before a migration was filled in (the numbered placeholders) would keep the old schema.
    schema = hashlib.sha256("".join(m.sql for m in migrations()).encode()).hexdigest()[:8]
    path = CACHE / f"store-{customers}-{long_history}-{schema}.db"
    if path.exists():
        return path
    CACHE.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    for leftover in CACHE.glob(partial.name + "*"):
        leftover.unlink()
    exe = Path(sys.executable).with_name("agentdesk")
    subprocess.run(
        [str(exe), "--store", str(partial), "demo", "--customers", str(customers), "--seed", "2026",
         "--long-history", str(long_history)],
        check=True, stdout=subprocess.DEVNULL,
    )
    partial.rename(path)
    return path


def startup_ms(store: Path, runs: int) -> float:
    """Process start to the first frame of the workspace, in a real pty; median of `runs`."""
    sys.path.insert(0, str(ROOT / "tests"))
    from tests.e2e.terminal import Terminal, agentdesk_command

    samples = []
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "startup.db"
        shutil.copyfile(store, copy)
        for n in range(runs + 1):
            probe = Path(tmp) / f"probe-{n}"
            started = time.time()
            terminal = Terminal(agentdesk_command(copy, "--startup-probe", str(probe)))
            terminal.process.wait(timeout=60)
            terminal.close()
            if n:  # the first run warms the page cache
                samples.append((float(probe.read_text()) - started) * 1000)
    return statistics.median(samples)


def store_figures(store_path: Path, samples: int) -> dict[str, float]:
    """p95 of store lookups by phone, e-mail, order and case number; name prefixes; FAQ words."""
    from agentdesk.clock import SystemClock
    from agentdesk.store import Store

    store = Store.open(store_path, SystemClock())
    rng = random.Random(7)
    db = store.conn
    total = db.execute("SELECT count(*) FROM customer").fetchone()[0]

    def pick(sql: str) -> list[str]:
        rows = [r[0] for r in db.execute(sql + f" LIMIT {samples} OFFSET ?", (rng.randrange(max(1, total // 2)),))]
        return rows or [r[0] for r in db.execute(sql + f" LIMIT {samples}")]

    queries = (
        pick("SELECT e164 FROM customer_phone")
        + pick("SELECT email FROM customer_email")
        + pick("SELECT number FROM customer_order")
        + pick("SELECT case_number FROM ticket")
    )
    names = [n.split() for n in pick("SELECT name FROM customer")]
    prefixes = [f"{w[0][:3]} {w[-1][:2]}" if len(w) > 1 else w[0][:3] for w in names]
    faq_words = [max(t.split(), key=len)[:5] for t in pick("SELECT title FROM faq_article")]

    def timed(fn, items: list[str]) -> list[float]:  # type: ignore[no-untyped-def]
        out = []
        for item in items:
            t0 = time.perf_counter()
            fn(item)
            out.append((time.perf_counter() - t0) * 1000)
        return out

    figures = {
        "lookup_ms": p95(timed(lambda q: store.find_customers(q, limit=20), queries)),
        "name_search_ms": p95(timed(lambda q: store.find_customers(q, limit=20), prefixes)),
        "faq_search_ms": p95(timed(lambda q: store.search_faq(q, limit=20), faq_words)),
    }
    store.close()
    return figures


def ui_figures(store_path: Path, calls: int) -> dict[str, float]:
    """Runs in a child process: the workspace headless on the real store; screen pop, long history, memory."""
    import asyncio
    import resource

    from agentdesk.clock import SystemClock
    from agentdesk.config import load_settings
    from agentdesk.records import IncomingCall
    from agentdesk.store import Store

    async def run() -> dict[str, float]:
        from screens.app import make_app
        from widgets import CustomerHistory

        settings = load_settings(ROOT / "tests" / "agentdesk-test.toml", env={})
        store = Store.open(store_path, SystemClock())
        app = make_app(settings, store)
        rng = random.Random(11)
        numbers = [r[0] for r in store.conn.execute(
            "SELECT e164 FROM customer_phone ORDER BY rowid LIMIT 2000")]
        accounts = {a.id: a for a in store.accounts()}
        pops: list[float] = []
        opens: list[float] = []
        frames: list[float] = []
        async with app.run_test(size=(120, 35)) as pilot:
            screen = app.screen
            history = screen.query_one(CustomerHistory)
            await pilot.pause()
            compose_frame = app._display

            def display(target, renderable):  # type: ignore[no-untyped-def]
                # Headless, Textual composes every frame as it would for a terminal and skips only the write:
                # a composed frame is the moment the agent would see it.
                compose_frame(target, renderable)
                if renderable is not None:
                    frames.append(time.perf_counter())

            app._display = display  # type: ignore[method-assign]

            async def shown(customer_id: str) -> None:
                while not (history.view and history.view.customer and history.view.customer.id == customer_id
                           and history.view.page is not None):
                    await asyncio.sleep(0.0005)
                frames.clear()  # the first frame composed after the card and the page arrived
                while not frames:
                    await asyncio.sleep(0.0005)

            for n in range(calls):
                number = rng.choice(numbers)
                row = store.conn.execute(
                    "SELECT customer_id, account_id FROM customer_phone WHERE e164 = ?", (number,)).fetchone()
                call = IncomingCall(f"bench-{n}-{rng.getrandbits(64):016x}", number,
                                    accounts[row[1]].phone_number, app.clock.now())
                history.view = None
                t0 = time.perf_counter()
                screen.offer(call)
                app.desk.answer()
                await shown(row[0])
                pops.append((frames[0] - t0) * 1000)
                app.desk.end()
                app.desk.wrap_up("resolved", "benchmark call")
            long_id = store.find_customers("+18002181525")[0].id
            for _ in range(5):
                history.view = None
                t0 = time.perf_counter()
                screen.open_customer(long_id)
                await shown(long_id)
                opens.append((frames[0] - t0) * 1000)
            from bench.tickets import inbox_open_ms, load_tickets, ticket_open_ms

            long_ticket = load_tickets(store)
            tickets = {"inbox_open_ms": await inbox_open_ms(app, pilot, frames),
                       "ticket_open_ms": await ticket_open_ms(app, pilot, frames, long_ticket)}
        store.close()
        return {
            "screen_pop_ms": p95(pops),
            "history_open_100k_ms": statistics.median(opens),
            **tickets,  # the inbox with 50,000 open tickets (goal 200), a ticket of 2,000 messages (goal 150)
            "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        }

    return asyncio.run(run())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a small store; about a minute")
    parser.add_argument("--ui-child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.ui_child:
        print(json.dumps(ui_figures(args.ui_child, calls=30 if os.environ.get("BENCH_QUICK") else 60)))
        return
    # An installed AgentDesk starts from bytecode; a checkout run with PYTHONDONTWRITEBYTECODE would not.
    for package in ("agentdesk", "screens", "widgets", "sync"):
        compileall.compile_dir(ROOT / package, quiet=1)
    customers = 5_000 if args.quick else 100_000
    store = build_store(customers, 100_000)
    figures: dict[str, float] = {"customers": customers}
    figures["startup_ms"] = startup_ms(store, runs=3 if args.quick else 5)
    from bench.startup_bench import startup_vs_textual

    # startup_vs_textual: median of (desk / bare Textual app) first-frame ratios over alternating pairs (goal 1.5)
    figures.update(startup_vs_textual(store, pairs=5 if args.quick else 9))
    figures.update(store_figures(store, samples=100 if args.quick else 300))
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "ui.db"
        shutil.copyfile(store, copy)
        env = dict(os.environ, BENCH_QUICK="1" if args.quick else "")
        child = subprocess.run(
            [sys.executable, __file__, "--ui-child", str(copy)], capture_output=True, text=True, env=env, check=True
        )
        figures.update(json.loads(child.stdout.strip().splitlines()[-1]))
    from bench.booking_bench import booking_figures

    figures.update(booking_figures(args.quick))  # free_slots_ms: next 10 slots, 200 professionals, 50,000 booked
    from bench.sync_bench import sync_figures

    figures.update(sync_figures(store, args.quick))
    from bench.report_bench import report_figures

    figures.update(report_figures(store))  # daily_report_ms: the busiest account-day's report, median of 3
    from bench.review_bench import review_figures

    figures.update(review_figures(store))  # review_next_ms: the review queue's next item with its card, p95 (goal 100)
    from bench.sound_bench import sound_figures

    figures.update(sound_figures())  # sound_start_ms (to the first frame handed to the device), ui_max_stall_playing_ms
    from bench.mail_bench import mail_figures

    figures.update(mail_figures(args.quick))  # mail_ingest_per_s: messages taken in over SMTP per second (goal 50)
    from bench.floor_bench import floor_figures

    # board_update_ms (goal 50), floor_fresh_ms (goal 1,000), floor_backend_cpu (goal 0.5): 1,000 agents, 5 monitors
    figures.update(floor_figures(args.quick))
    print(json.dumps({k: round(v, 2) if isinstance(v, float) else v for k, v in figures.items()}))


if __name__ == "__main__":
    main()
