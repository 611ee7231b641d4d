"""Salvaging the unsynced work of a damaged store (`agentdesk recover FILE`).

A store set aside as damaged keeps its pending-changes journal beside it (`FILE-pending`). Recovery reads every
change it can from the journal and from the damaged file's own outbox (whatever pages of it are still readable),
and replays them, oldest first, as new changes of a sound store, which then syncs them like any other change.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from agentdesk.errors import StoreError
from agentdesk.localstore.journal import PendingChange, journal_path, read
from agentdesk.store import Store


@dataclass(frozen=True, slots=True)
class Salvage:
    """What could be read of a damaged store's pending changes."""

    changes: tuple[PendingChange, ...]  # oldest first
    unreadable: int  # ids missing between readable ones, or damaged journal lines and outbox rows nothing made up for
    sources: tuple[str, ...]  # what was read ("the journal", "the store's outbox")


@dataclass
class Replayed:
    """What replaying a salvage into a store did."""

    recovered: int = 0
    refused: list[tuple[PendingChange, str]] = field(default_factory=list)


def salvage(damaged: Path) -> Salvage:
    """Every readable pending change of the damaged store file `damaged` (its journal first, then its outbox)."""
    journaled, bad_lines = read(journal_path(damaged))
    sources = ["the journal"] if journal_path(damaged).exists() else []
    by_id = {c.id: c for c in journaled}
    groups = {c.client_group_id for c in journaled}
    group = next(iter(groups)) if len(groups) == 1 else ""
    from_outbox, bad_rows = _outbox_rows(damaged, group)
    if from_outbox or bad_rows:
        sources.append("the store's outbox")
    filled = 0  # changes only the outbox had: most likely those of the journal's damaged lines
    for change in from_outbox:
        if change.id not in by_id:
            by_id[change.id] = change
            filled += 1
    ordered = tuple(sorted(by_id.values(), key=lambda c: c.id))
    # Queued ids are contiguous (acknowledged ones leave from the low end): a hole between two readable
    # changes is a change that could not be read from either file.
    holes = (ordered[-1].id - ordered[0].id + 1 - len(ordered)) if ordered else 0
    return Salvage(ordered, max(max(bad_lines - filled, 0) + bad_rows, holes), tuple(sources))


def _outbox_rows(damaged: Path, group: str) -> tuple[list[PendingChange], int]:
    """The outbox rows still readable in the damaged file (read from a copy: the evidence stays untouched)."""
    if not damaged.exists():
        return [], 0
    rows: list[PendingChange] = []
    bad = 0
    with tempfile.TemporaryDirectory(prefix="agentdesk-recover-") as folder:
        copy = Path(folder) / "damaged.db"
        try:
            shutil.copyfile(damaged, copy)
            wal = damaged.with_name(damaged.name + "-wal")
            if wal.exists():
                shutil.copyfile(wal, copy.with_name(copy.name + "-wal"))
        except OSError:
            return [], 0
        try:
            conn = sqlite3.connect(copy)
        except sqlite3.Error:
            return [], 0
        try:
            ids = [int(r[0]) for r in conn.execute("SELECT id FROM outbox ORDER BY id")]
        except sqlite3.Error:
            conn.close()
            return [], 0
        try:
            for mutation_id in ids:
                try:
                    row = conn.execute("SELECT name, version, args, created_at FROM outbox WHERE id = ?",
                                       (mutation_id,)).fetchone()
                    json.loads(row[2])
                    rows.append(PendingChange(group, mutation_id, str(row[0]), int(row[1]), str(row[2]), str(row[3])))
                except (sqlite3.Error, TypeError, ValueError):
                    bad += 1
        finally:
            conn.close()
    return rows, bad


def replay(store: Store, found: Salvage, progress: Callable[[str], None] | None = None) -> Replayed:
    """Apply every salvaged change to `store` as a new change (queued for the backend), oldest first. A change
    the store refuses (e.g. the backend already had it, so its row exists) is counted with the reason."""
    done = Replayed()
    for change in found.changes:
        name = f"{change.name}@{change.version}"
        try:
            store.mutate(name, json.loads(change.args))
        except StoreError as error:
            done.refused.append((change, str(error)))
            if progress is not None:
                progress(f"not replayed: {name} ({str(error)[:200]})")
            continue
        done.recovered += 1
    return done
