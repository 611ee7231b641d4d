"""Local atomicity across kill -9: no domain row without its outbox row, no outbox row without its change."""

from __future__ import annotations

import json
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from agentdesk.clock import FixedClock
from agentdesk.demo import DemoSummary
from agentdesk.store import Store

ROOT = Path(__file__).resolve().parents[2]

# The child writes a stream of mutations as fast as it can, printing each id after its commit.
CHILD = """
import sys
from pathlib import Path
from agentdesk.clock import FixedClock, iso
from agentdesk.store import Store

store = Store.open(Path(sys.argv[1]), FixedClock())
run, account, customer = sys.argv[2], sys.argv[3], sys.argv[4]
now = iso(FixedClock().now())
for n in range(1_000_000):
    key = f"crash-{run}-{n}"
    if n % 3 == 0:
        name, args = "comment.add@1", {"comment_id": key, "account_id": account, "customer_id": customer,
                                       "agent_id": None, "body": "x" * (1 + n % 5000), "created_at": now}
    elif n % 3 == 1:
        name, args = "call.ring@1", {"interaction_id": key, "account_id": account, "customer_id": customer,
                                     "caller_number": "+18002181525", "ringing_at": now, "agent_id": None}
    else:
        name, args = "customer.create@1", {"customer_id": key, "account_id": account, "name": f"Crash {n}",
                                           "phone": "+12125550100", "email": None, "language": "en",
                                           "created_at": now}
    print(store.mutate(name, args), flush=True)
"""

KEYS = {"comment.add": ("comment", "comment_id"), "call.ring": ("interaction", "interaction_id"),
        "customer.create": ("customer", "customer_id")}


def check_atomicity(path: Path) -> int:
    """Every crash-made row has its outbox row and every outbox row its change; ids are contiguous."""
    store = Store.open(path, FixedClock())
    try:
        conn = store.conn
        queued = conn.execute("SELECT id, name, args FROM outbox ORDER BY id").fetchall()
        assert [row[0] for row in queued] == list(range(1, len(queued) + 1))
        expected: dict[str, set[str]] = {table: set() for table, _ in KEYS.values()}
        for _, name, args in queued:
            table, key = KEYS[name]
            expected[table].add(json.loads(args)[key])
        for table in expected:
            stored = {r[0] for r in conn.execute(f"SELECT id FROM {table} WHERE id LIKE 'crash-%'")}
            assert stored == expected[table], table
        return len(queued)
    finally:
        store.close()


def test_kill_9_in_the_middle_of_mutations_loses_no_pairing(small_demo: tuple[Path, DemoSummary],
                                                            tmp_path: Path) -> None:
    path = tmp_path / "crash.db"
    shutil.copyfile(small_demo[0], path)
    store = Store.open(path, FixedClock())
    customer = store.customer(small_demo[1].well_known_customer_id)
    store.close()
    rng = random.Random(5)
    committed = 0
    for run in range(3):
        child = subprocess.Popen(
            [sys.executable, "-c", CHILD, str(path), str(run), customer.account_id, customer.id],
            cwd=ROOT, stdout=subprocess.PIPE, text=True,
        )
        assert child.stdout is not None
        printed: list[int] = []
        while len(printed) < 150:  # let it get going, then kill it at a random moment
            line = child.stdout.readline()
            assert line, "the child stopped writing"
            printed.append(int(line))
        time.sleep(rng.uniform(0.0, 0.05))
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
        printed.extend(int(x) for x in child.stdout.read().split())
        child.stdout.close()
        queued = check_atomicity(path)
        # Every mutation the child saw committed survived the kill (synchronous=FULL), and ids kept counting.
        assert printed[0] == committed + 1 and queued >= printed[-1]
        committed = queued
