"""The store as a replica of the backend: undo records for unacknowledged mutations, and the local rebase.

While a mutation runs locally, temporary triggers on the writer connection record a before-image of every row
it touches in `undo_log` (an insert remembers the key, an update or delete the whole old row). A pull then, in
one transaction: undoes every unacknowledged mutation (newest first), applies the backend's rows, drops the
outbox rows the backend has acknowledged, replays the rest in order, and saves the cookie (docs/sync.md).

Tables that are not the backend's (the outbox, `meta`, the undo log, rejections, search indexes) are local.
All functions run inside the caller's transaction.
`PullApplied` and `Rejection` live in `agentdesk.records`; importing them from here still works.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from agentdesk.errors import StoreError
from agentdesk.localstore import bulk
from agentdesk.records.sync import PullApplied, Rejection

LOCAL_TABLES = frozenset({"outbox", "meta", "undo_log", "sync_rejection", "ticket_draft"})
"""The same set as `agentdesk.models.LOCAL_ONLY` (a test holds them equal; the store does not import models)."""
COOKIE, EPOCH = "sync_cookie", "sync_epoch"


@dataclass(frozen=True, slots=True)
class TableShape:
    name: str
    columns: tuple[str, ...]
    keys: tuple[str, ...]
    partition: str | None  # the column naming the account, None for global tables


def synced_tables(conn: sqlite3.Connection) -> dict[str, TableShape]:
    """The tables the backend owns, with their columns and keys, parents first (creation order)."""
    shapes: dict[str, TableShape] = {}
    rows = conn.execute(
        "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        " AND sql NOT LIKE 'CREATE VIRTUAL%' ORDER BY rowid"
    ).fetchall()
    virtual = {r[0] for r in conn.execute("SELECT name FROM sqlite_schema WHERE sql LIKE 'CREATE VIRTUAL%'")}
    for (name,) in rows:
        if name in LOCAL_TABLES or any(name.startswith(v + "_") for v in virtual):
            continue
        info = conn.execute(f"PRAGMA table_info({name})").fetchall()
        columns = tuple(r[1] for r in info)
        keys = tuple(r[1] for r in sorted((r for r in info if r[5]), key=lambda r: r[5]))
        if not keys:
            continue
        partition = "id" if name == "account" else ("account_id" if "account_id" in columns else None)
        shapes[name] = TableShape(name, columns, keys, partition)
    return shapes


def install_undo_triggers(conn: sqlite3.Connection, tables: Iterable[TableShape]) -> None:
    """Temporary triggers (this connection only) that fill `undo_log` while `temp.undo_ctl` names a mutation."""
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS undo_ctl (mutation_id INTEGER)")
    if conn.execute("SELECT count(*) FROM temp.undo_ctl").fetchone()[0] == 0:
        conn.execute("INSERT INTO temp.undo_ctl (mutation_id) VALUES (NULL)")
    when = "WHEN (SELECT mutation_id FROM temp.undo_ctl) IS NOT NULL"
    current = "(SELECT mutation_id FROM temp.undo_ctl)"
    for t in tables:
        new_key = "json_array(" + ", ".join(f"NEW.{k}" for k in t.keys) + ")"
        old_key = "json_array(" + ", ".join(f"OLD.{k}" for k in t.keys) + ")"
        old_row = "json_object(" + ", ".join(f"'{c}', OLD.{c}" for c in t.columns) + ")"
        conn.execute(
            f"CREATE TEMP TRIGGER IF NOT EXISTS undo_{t.name}_insert AFTER INSERT ON main.{t.name} {when} BEGIN"
            f" INSERT INTO undo_log (mutation_id, table_name, op, row_key) VALUES ({current}, '{t.name}', 'insert',"
            f" {new_key}); END"
        )
        conn.execute(
            f"CREATE TEMP TRIGGER IF NOT EXISTS undo_{t.name}_update AFTER UPDATE ON main.{t.name} {when} BEGIN"
            f" INSERT INTO undo_log (mutation_id, table_name, op, row_key, before) VALUES ({current}, '{t.name}',"
            f" 'update', {old_key}, {old_row}); END"
        )
        conn.execute(
            f"CREATE TEMP TRIGGER IF NOT EXISTS undo_{t.name}_delete AFTER DELETE ON main.{t.name} {when} BEGIN"
            f" INSERT INTO undo_log (mutation_id, table_name, op, row_key, before) VALUES ({current}, '{t.name}',"
            f" 'delete', {old_key}, {old_row}); END"
        )


def recording(conn: sqlite3.Connection, mutation_id: int | None) -> None:
    """Start (an id) or stop (None) recording before-images for a mutation."""
    conn.execute("UPDATE temp.undo_ctl SET mutation_id = ?", (mutation_id,))


def _upsert(conn: sqlite3.Connection, shape: TableShape, row: Mapping[str, Any]) -> None:
    columns = [c for c in shape.columns if c in row]
    updates = [c for c in columns if c not in shape.keys]
    sql = (
        f"INSERT INTO {shape.name} ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})"
        f" ON CONFLICT ({', '.join(shape.keys)}) DO "
        + (f"UPDATE SET {', '.join(f'{c} = excluded.{c}' for c in updates)}" if updates else "NOTHING")
    )
    conn.execute(sql, [row[c] for c in columns])


def _delete(conn: sqlite3.Connection, shape: TableShape, key: list[Any]) -> None:
    where = " AND ".join(f"{k} = ?" for k in shape.keys)
    conn.execute(f"DELETE FROM {shape.name} WHERE {where}", key)


def undo_all(conn: sqlite3.Connection, tables: Mapping[str, TableShape]) -> int:
    """Take back every recorded change, newest first; returns how many."""
    rows = conn.execute("SELECT table_name, op, row_key, before FROM undo_log ORDER BY seq DESC").fetchall()
    for table_name, op, row_key, before in rows:
        shape = tables[table_name]
        if op == "insert":
            _delete(conn, shape, json.loads(row_key))
        else:
            _upsert(conn, shape, json.loads(before))
    conn.execute("DELETE FROM undo_log")
    return len(rows)


def forget_all(conn: sqlite3.Connection, tables: Mapping[str, TableShape]) -> None:
    """Empty every synced table (a pull from scratch follows)."""
    for shape in reversed(list(tables.values())):
        conn.execute(f"DELETE FROM {shape.name}")


def keep_only_accounts(conn: sqlite3.Connection, tables: Mapping[str, TableShape], accounts: list[str]) -> None:
    """Drop the rows of every account this terminal is no longer assigned to (global rows stay)."""
    marks = ", ".join("?" for _ in accounts) or "NULL"
    for shape in reversed(list(tables.values())):
        if shape.partition is not None:
            conn.execute(
                f"DELETE FROM {shape.name} WHERE {shape.partition} IS NOT NULL AND {shape.partition} NOT IN ({marks})",
                accounts,
            )


def apply_changes(
    conn: sqlite3.Connection, tables: Mapping[str, TableShape], changes: Iterable[Mapping[str, Any]],
    accounts: list[str] | None,
) -> int:
    """Write the backend's rows (upsert) and tombstones (delete); rows of other accounts are refused."""
    allowed = set(accounts) if accounts is not None else None
    count = 0
    for change in changes:
        shape = tables.get(str(change.get("table")))
        if shape is None:
            continue  # a table this version does not have yet
        if change.get("deleted"):
            _delete(conn, shape, list(change["key"]))
        else:
            row = change["row"]
            owner = row.get(shape.partition) if shape.partition else None
            if allowed is not None and owner is not None and owner not in allowed:
                continue
            _upsert(conn, shape, row)
        count += 1
    return count


def get_meta(conn: sqlite3.Connection, key: str) -> str | None:
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return str(row[0]) if row else None


def set_meta(conn: sqlite3.Connection, key: str, value: str) -> None:
    conn.execute(
        "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (key, value),
    )


def replay_pending(
    conn: sqlite3.Connection, apply: Callable[[str, dict[str, Any]], None]
) -> list[int]:
    """Run every queued mutation again, in order, recording before-images; the ids that no longer apply here
    (they stay queued: the backend decides)."""
    failed = []
    for mutation_id, name, version, args in conn.execute(
        "SELECT id, name, version, args FROM outbox ORDER BY id"
    ).fetchall():
        conn.execute("SAVEPOINT replay")
        recording(conn, mutation_id)
        try:
            apply(f"{name}@{version}", json.loads(args))
            conn.execute("RELEASE replay")
        except Exception:
            conn.execute("ROLLBACK TO replay")
            conn.execute("RELEASE replay")
            failed.append(mutation_id)
        finally:
            recording(conn, None)
    return failed


def rebase(
    conn: sqlite3.Connection, tables: Mapping[str, TableShape], pull: Mapping[str, Any],
    apply: Callable[[str, dict[str, Any]], None], now: str,
) -> PullApplied:
    """The pull's whole local transaction (see the module's docstring); the caller begins and commits."""
    undo_all(conn, tables)
    accounts = pull.get("accounts")
    reset = bool(pull.get("reset"))
    if reset:
        forget_all(conn, tables)
    if accounts is not None:
        keep_only_accounts(conn, tables, list(accounts))
    changed = apply_changes(conn, tables, pull.get("changes") or [], accounts)
    return _settle(conn, pull, apply, now, changed, reset)


def load_snapshot(
    conn: sqlite3.Connection, tables: Mapping[str, TableShape], header: Mapping[str, Any],
    chunks: Iterable[Mapping[str, Any]], apply: Callable[[str, dict[str, Any]], None], now: str,
) -> PullApplied:
    """A new terminal's first copy of the backend, in the caller's one transaction: undo what is unacknowledged,
    empty the synced tables, insert the snapshot's rows table by table (indexes and full-text set aside and
    rebuilt once), then acknowledge, note rejections and replay as a pull does. `header` carries the cookie,
    epoch, accounts, last acknowledged id and results; each chunk is `{"table", "columns", "rows"}` with rows
    as lists in the order of `columns`. Columns this store does not have are left out, rows of accounts the
    terminal is not assigned to are refused."""
    accounts = header.get("accounts")
    allowed = set(accounts) if accounts is not None else None

    def fill() -> int:
        count = 0
        for chunk in chunks:
            shape = tables.get(str(chunk.get("table")))
            if shape is None:
                continue  # a table this version does not have yet
            columns = [str(c) for c in chunk.get("columns") or []]
            keep = [i for i, c in enumerate(columns) if c in shape.columns]
            names = [columns[i] for i in keep]
            rows: list[Any] = list(chunk.get("rows") or [])
            if len(keep) != len(columns):
                rows = [[row[i] for i in keep] for row in rows]
            if allowed is not None and shape.partition in names:
                at = names.index(str(shape.partition))
                rows = [row for row in rows if row[at] is None or row[at] in allowed]
            conn.executemany(
                f"INSERT INTO {shape.name} ({', '.join(names)}) VALUES ({', '.join('?' for _ in names)})", rows)
            count += len(rows)
        return count

    return _replace_all(conn, tables, header, apply, now, fill)


def _replace_all(
    conn: sqlite3.Connection, tables: Mapping[str, TableShape], header: Mapping[str, Any],
    apply: Callable[[str, dict[str, Any]], None], now: str, fill: Callable[[], int],
) -> PullApplied:
    """A first copy's frame: undo what is unacknowledged, empty the synced tables with their indexes and
    triggers set aside, `fill()` them (the rows it wrote), rebuild indexes and full-text once, then settle
    as a pull does."""
    undo_all(conn, tables)
    set_aside = bulk.set_aside_indexes(conn, tables)
    forget_all(conn, tables)
    count = fill()
    bulk.restore_indexes(conn, set_aside)
    bulk.rebuild_search_indexes(conn)
    return _settle(conn, header, apply, now, count, True)


def load_snapshot_file(
    conn: sqlite3.Connection, tables: Mapping[str, TableShape], schema: str,
    apply: Callable[[str, dict[str, Any]], None], now: str,
) -> tuple[PullApplied, dict[str, Any]]:
    """`load_snapshot` from the backend's copy as an SQLite file attached as `schema`: its `snapshot_header`
    row and one table per synced table, copied into the store by SQLite itself (`INSERT … SELECT`, a tenth of
    the time of inserting the same rows from Python). Only the store's own tables and columns are read, rows
    of accounts the terminal is not assigned to are left out, and a file holding anything but tables (a view
    or trigger that could run code when read) is refused. Returns the header too."""
    kinds = {str(r[0]) for r in conn.execute(f"SELECT DISTINCT type FROM {schema}.sqlite_master")}
    if not kinds <= {"table"}:
        raise StoreError("The backend's copy of the data holds more than tables; it was not used.")
    found = conn.execute(f"SELECT body FROM {schema}.snapshot_header").fetchall() if "table" in kinds else []
    header = json.loads(found[0][0]) if len(found) == 1 else None
    if not isinstance(header, dict) or "cookie" not in header or "epoch" not in header:
        raise StoreError("The backend's copy of the data has no header with a cookie and an epoch.")
    accounts = header.get("accounts")

    def fill() -> int:
        count = 0
        for shape in tables.values():
            offered = {str(r[1]) for r in conn.execute(f"PRAGMA {schema}.table_info({shape.name})")}
            names = [c for c in shape.columns if c in offered]
            if not names:
                continue  # a table this backend does not have yet
            where, values = "", ()
            if accounts is not None and shape.partition in names:
                where = f" WHERE {shape.partition} IS NULL OR {shape.partition} IN (SELECT value FROM json_each(?))"
                values = (json.dumps([str(a) for a in accounts]),)
            listed = ", ".join(names)
            count += conn.execute(
                f"INSERT INTO main.{shape.name} ({listed}) SELECT {listed} FROM {schema}.{shape.name}{where}",
                values).rowcount
        return count

    return _replace_all(conn, tables, header, apply, now, fill), header


def _settle(
    conn: sqlite3.Connection, pull: Mapping[str, Any], apply: Callable[[str, dict[str, Any]], None], now: str,
    changed: int, reset: bool,
) -> PullApplied:
    """After the backend's rows are in: note its rejections, drop what it acknowledged, replay the rest, save
    the cookie."""
    acked_upto = int(pull.get("last_mutation_id") or 0)
    rejected = 0
    for result in pull.get("results") or []:
        row = conn.execute("SELECT name, version, args FROM outbox WHERE id = ?", (int(result["id"]),)).fetchone()
        if row is None or int(result["id"]) > acked_upto:
            continue
        conn.execute(
            "INSERT INTO sync_rejection (mutation_id, name, args, reason, rejected_at) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT (mutation_id) DO NOTHING",
            (int(result["id"]), f"{row[0]}@{row[1]}", row[2], str(result.get("reason") or "refused")[:500], now),
        )
        rejected += 1
    acknowledged = conn.execute("DELETE FROM outbox WHERE id <= ?", (acked_upto,)).rowcount
    failed = replay_pending(conn, apply)
    set_meta(conn, COOKIE, str(int(pull["cookie"])))
    set_meta(conn, EPOCH, str(pull["epoch"]))
    return PullApplied(changed, acknowledged, rejected, tuple(failed), reset, int(pull["cookie"]))


def rejections(conn: sqlite3.Connection, *, include_dismissed: bool = False) -> list[Rejection]:
    where = "" if include_dismissed else " WHERE dismissed_at IS NULL"
    rows = conn.execute(
        f"SELECT mutation_id, name, args, reason, rejected_at FROM sync_rejection{where} ORDER BY mutation_id DESC"
    ).fetchall()
    return [Rejection(*row) for row in rows]


def split_off(conn: sqlite3.Connection, confirmed_below: int, new_group: str) -> None:
    """See `Store.split_off`; inside the caller's transaction."""
    conn.execute("DELETE FROM undo_log WHERE mutation_id < ?", (confirmed_below,))
    conn.execute("DELETE FROM outbox WHERE id < ?", (confirmed_below,))
    remaining = [r[0] for r in conn.execute("SELECT id FROM outbox ORDER BY id")]
    offset = 1_000_000_000_000  # renumber through a range no id uses, so no two rows ever share one
    for n, old in enumerate(remaining, start=1):
        conn.execute("UPDATE outbox SET id = ? WHERE id = ?", (offset + n, old))
        conn.execute("UPDATE undo_log SET mutation_id = ? WHERE mutation_id = ?", (offset + n, old))
    conn.execute("UPDATE outbox SET id = id - ? WHERE id > ?", (offset, offset))
    conn.execute("UPDATE undo_log SET mutation_id = mutation_id - ? WHERE mutation_id > ?", (offset, offset))
    set_meta(conn, "last_mutation_id", str(len(remaining)))
    set_meta(conn, "client_group_id", new_group)
    conn.execute("DELETE FROM meta WHERE key IN (?, ?)", (COOKIE, EPOCH))
