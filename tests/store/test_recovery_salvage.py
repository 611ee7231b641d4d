"""What `agentdesk recover` can read of a damaged store: its journal and its outbox make up for each other, and
what neither holds is counted as unreadable."""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

from agentdesk.clock import FixedClock, iso
from agentdesk.localstore.journal import journal_path
from agentdesk.recovery import replay, salvage
from agentdesk.store import Store


def _store_with_changes(demo_template: Path, tmp_path: Path, count: int) -> tuple[Path, list[str]]:
    path = tmp_path / "store.db"
    shutil.copyfile(demo_template, path)
    store = Store.open(path, FixedClock())
    customer, account = store.conn.execute("SELECT id, account_id FROM customer ORDER BY id LIMIT 1").fetchone()
    ids = []
    for n in range(count):
        ids.append(str(uuid.uuid4()))
        store.mutate("comment.add@1", {"comment_id": ids[-1], "account_id": account, "customer_id": customer,
                                       "agent_id": None, "body": f"note {n}", "created_at": iso(FixedClock().now())})
    store.close()
    return path, ids


def _spoil_line(path: Path, line: int) -> None:
    lines = journal_path(path).read_bytes().split(b"\n")
    lines[line] = lines[line].replace(b"note", b"nope")  # the checksum no longer fits
    journal_path(path).write_bytes(b"\n".join(lines))


def test_a_damaged_journal_line_is_made_up_for_by_the_outbox(demo_template: Path, tmp_path: Path) -> None:
    path, _ = _store_with_changes(demo_template, tmp_path, 10)
    _spoil_line(path, 4)
    found = salvage(path)
    assert len(found.changes) == 10 and found.unreadable == 0
    assert found.sources == ("the journal", "the store's outbox")


def test_what_neither_file_holds_is_counted_as_unreadable(demo_template: Path, tmp_path: Path) -> None:
    path, ids = _store_with_changes(demo_template, tmp_path, 10)
    _spoil_line(path, 4)
    with open(path, "r+b") as file:
        file.write(b"\x00" * 100)  # the store's header is gone: its outbox cannot be read
    found = salvage(path)
    assert len(found.changes) == 9 and found.unreadable == 1

    shutil.copyfile(demo_template, tmp_path / "fresh.db")  # the fresh store, as a demo start builds it
    fresh = Store.open(tmp_path / "fresh.db", FixedClock())
    try:
        done = replay(fresh, found)
        assert done.recovered == 9 and not done.refused
        kept = {r[0] for r in fresh.conn.execute("SELECT id FROM comment")}
        assert [i in kept for i in ids] == [True] * 4 + [False] + [True] * 5
        assert fresh.outbox_count() == 9
    finally:
        fresh.close()


def test_the_desk_on_a_damaged_store_names_the_exact_recover_command(demo_template: Path, tmp_path: Path) -> None:
    import subprocess
    import sys

    path, _ = _store_with_changes(demo_template, tmp_path, 3)
    with open(path, "r+b") as file:
        file.write(b"\x00" * 100)
    config = Path(__file__).resolve().parents[1] / "agentdesk-test.toml"
    exe = str(Path(sys.executable).with_name("agentdesk"))
    run = subprocess.run([exe, "--config", str(config), "--store", str(path)], capture_output=True, text=True,
                         timeout=60, stdin=subprocess.DEVNULL)
    assert run.returncode == 1, run.stderr
    aside = next(p for p in tmp_path.glob("store.db.corrupt-*") if not p.name.endswith("-pending"))
    said = " ".join(run.stderr.split())
    assert f"agentdesk --config {config} --store {path} recover {aside}" in said
    assert journal_path(aside).exists() and not journal_path(path).exists()
