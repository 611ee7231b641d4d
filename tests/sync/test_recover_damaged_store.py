"""Unsynced work survives a damaged store: 50 changes made offline, the store damaged four ways, the desk sets it
aside and names `agentdesk recover`, and the real command replays them into a fresh store built from a real
backend on loopback, which then holds every one of them."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest

from agentdesk.clock import FixedClock, iso
from agentdesk.errors import CorruptStore
from agentdesk.localstore.journal import journal_path
from agentdesk.store import Store
from tests.sync.conftest import Backend

EXE = str(Path(sys.executable).with_name("agentdesk"))
CONFIG = Path(__file__).resolve().parents[1] / "agentdesk-test.toml"
CHANGES = 50
PAGE = 4096


def _truncated(store: Path) -> None:
    size = store.stat().st_size
    with open(store, "r+b") as file:
        file.truncate(size * 6 // 10)


def _bad_header(store: Path) -> None:
    with open(store, "r+b") as file:
        file.write(b"this is no database any more" * 4)


def _zeroed_pages(store: Path) -> None:
    pages = store.stat().st_size // PAGE
    with open(store, "r+b") as file:
        for page in range(pages // 2 - 10, pages // 2 + 10):
            file.seek(page * PAGE)
            file.write(b"\x00" * PAGE)


def _wal_deleted(store: Path) -> None:
    store.with_name(store.name + "-wal").unlink()


DAMAGE = {"truncated": _truncated, "bad header": _bad_header, "zeroed pages mid-file": _zeroed_pages,
          "WAL deleted (half-copied store)": _wal_deleted}


def _offline_work(terminals: Any, backend: Backend, path: Path, crashed: Path) -> list[str]:
    """A terminal filled from the backend makes 50 comments offline; `crashed` gets its files as a crash leaves
    them (copied while it is open, the last changes still in its WAL). Returns the comments' ids."""
    agent, accounts = backend.agent_with_accounts()
    terminal = terminals(agent, accounts, store_path=path)
    terminal.engine.sync_once()
    store = terminal.store
    customer, account = store.conn.execute(
        "SELECT id, account_id FROM customer WHERE account_id = ? ORDER BY id LIMIT 1", (accounts[0],)).fetchone()
    store.conn.execute("PRAGMA wal_autocheckpoint = 0")  # a crash leaves the recent work in the WAL
    ids = []
    for n in range(CHANGES):
        comment = str(uuid.uuid4())
        store.mutate("comment.add@1", {
            "comment_id": comment, "account_id": account, "customer_id": customer, "agent_id": agent,
            "body": f"offline note {n}", "created_at": iso(FixedClock().now())})
        ids.append(comment)
    assert store.outbox_count() == CHANGES
    for suffix in ("", "-wal", "-pending"):
        shutil.copyfile(path.with_name(path.name + suffix), crashed.with_name(crashed.name + suffix))
    return ids


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_every_unsynced_change_is_recovered_from_a_damaged_store(
    damage: str, terminals: Any, backend: Backend, tmp_path: Path
) -> None:
    crashed = tmp_path / "desk" / "store.db"
    crashed.parent.mkdir()
    ids = _offline_work(terminals, backend, tmp_path / "first.db", crashed)
    if damage != "WAL deleted (half-copied store)":
        # Opened once more and closed cleanly, so the WAL is folded into the file the damage then hits.
        Store.open(crashed, FixedClock()).close()
    DAMAGE[damage](crashed)

    with pytest.raises(CorruptStore) as seen:
        Store.open(crashed, FixedClock())
    aside = seen.value.moved_to
    assert aside is not None and journal_path(aside).exists()
    assert f"agentdesk recover {aside}" in str(seen.value)

    assert backend.scalar("SELECT count(*) FROM comment WHERE id = :i", i=ids[0]) == 0  # nothing synced yet
    env = {**os.environ, "AGENTDESK_BACKEND__URL": backend.url,
           "AGENTDESK_TOKEN": backend.token(backend.agent_with_accounts()[0])}
    run = subprocess.run([EXE, "--config", str(CONFIG), "--store", str(crashed), "recover", str(aside)],
                         env=env, capture_output=True, text=True, timeout=180)
    assert run.returncode == 0, run.stderr
    said = re.search(r"Recovered (\d+) pending changes .*\((\d+) unreadable", run.stderr)
    assert said is not None, run.stderr
    landed = sum(backend.scalar("SELECT count(*) FROM comment WHERE id = :i", i=i) for i in ids)
    print(f"{damage}: {landed} of {CHANGES} pending changes recovered on the backend; the command said "
          f"{said.group(1)} recovered, {said.group(2)} unreadable")
    assert (int(said.group(1)), int(said.group(2))) == (CHANGES, 0)
    assert landed == CHANGES
    assert "Synced: 50 changes acknowledged, 0 refused; 0 waiting." in run.stderr
    fresh = Store.open(crashed, FixedClock())
    try:
        assert fresh.outbox_count() == 0
    finally:
        fresh.close()
