"""Appointments through the real backend (SQLite and PostgreSQL): a booking is tentative on the terminal and
confirmed by the backend; two agents booking one slot offline end with one booking and one refusal the agent
sees, with other times to offer; a move or a cancellation frees the time on the other terminals; fifty terminals
pushing at once never double-book; a backend made before appointments existed upgrades and takes bookings."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
import uuid
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, text

from agentdesk.clock import iso, parse_iso
from agentdesk.config import AppointmentSettings
from agentdesk.desks import booking_args as booker
from agentdesk.domain import booking
from agentdesk.localstore import appointments as ap
from agentdesk.server.admin import init_backend, schema_is_current
from agentdesk.server.db import make_engine
from agentdesk.server.schema import domain_tables
from agentdesk.store import StoreError
from tests.sync.conftest import Backend, Terminal
from tests.sync.test_real_processes import EXE, _port, _start

SETTINGS = AppointmentSettings()
APPOINTMENT_TABLES = ("appointment_slot", "appointment", "appointment_type", "time_off", "working_hours",
                      "professional_skill")
"""What 0002 adds, children first (the order they are dropped in to make a backend from before appointments)."""


# -- helpers ----------------------------------------------------------------------------------------------------


def rows(terminal: Terminal, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    return terminal.store.conn.execute(sql, params).fetchall()


def _kind(terminal: Terminal, account: str) -> ap.AppointmentType:
    """The account's first appointment type that two professionals or more may take."""
    for kind in terminal.store.appointment_types(account):
        if len(ap.suitable(terminal.store.conn, kind, booking.ANY)) >= 2:
            return kind
    raise AssertionError(f"account {account} has no appointment type two professionals can take")


def _customers(terminal: Terminal, account: str) -> list[str]:
    return [r[0] for r in rows(terminal, "SELECT id FROM customer WHERE account_id = ? ORDER BY id", account)]


def _tomorrow(terminal: Terminal) -> datetime:
    return terminal.store.clock.now() + timedelta(days=1)


def _units(kind: ap.AppointmentType, proposal: ap.Proposal) -> set[tuple[str, str]]:
    return {(proposal.professional_id, u) for u in booking.held_units(proposal.starts_at, kind.minutes,
                                                                       kind.buffer_minutes)}


def _apart(kind: ap.AppointmentType, proposals: list[ap.Proposal], count: int) -> list[ap.Proposal]:
    """`count` of the proposals whose held quarter hours do not meet."""
    chosen: list[ap.Proposal] = []
    taken: set[tuple[str, str]] = set()
    for proposal in proposals:
        if not _units(kind, proposal) & taken:
            chosen.append(proposal)
            taken |= _units(kind, proposal)
    assert len(chosen) >= count, "not enough separate free slots in the demo"
    return chosen[:count]


def _book(terminal: Terminal, kind: ap.AppointmentType, customer_id: str, proposal: ap.Proposal) -> dict[str, Any]:
    """The agent books `proposal` for the customer on this terminal; the mutation's arguments."""
    args = booker.book_args(kind, customer_id=customer_id, professional_id=proposal.professional_id,
                            start=proposal.starts_at, now=terminal.store.clock.now(), settings=SETTINGS,
                            agent_id=terminal.agent_id)
    terminal.store.mutate("appointment.book@1", args)
    return args


def _holder(terminal: Terminal, kind: ap.AppointmentType, proposal: ap.Proposal) -> set[tuple[Any, ...]]:
    """(customer, status) of whatever holds the proposal's quarter hours on this terminal."""
    units = booking.held_units(proposal.starts_at, kind.minutes, kind.buffer_minutes)
    return set(rows(terminal, "SELECT a.customer_id, a.status FROM appointment_slot s JOIN appointment a ON"
                              f" a.id = s.appointment_id WHERE s.professional_id = ? AND s.unit_start IN"
                              f" ({', '.join('?' * len(units))})", proposal.professional_id, *units))


def _never_double_booked(backend: Backend, *terminals: Terminal) -> None:
    """Every held quarter hour belongs to one live booking, and every live booking holds all of its quarter hours,
    on the backend and on each terminal."""
    check = ("SELECT count(*) FROM appointment a JOIN appointment_type t ON t.id = a.type_id"
             " WHERE a.status <> 'cancelled' AND (SELECT count(*) FROM appointment_slot s"
             " WHERE s.appointment_id = a.id) <> (t.minutes + t.buffer_minutes + 14) / 15")
    orphans = ("SELECT count(*) FROM appointment_slot s LEFT JOIN appointment a ON a.id = s.appointment_id"
               " WHERE a.id IS NULL OR a.status = 'cancelled' OR a.professional_id <> s.professional_id")
    assert backend.scalar(check) == 0 and backend.scalar(orphans) == 0
    assert backend.scalar("SELECT count(*) FROM (SELECT professional_id, unit_start FROM appointment_slot"
                          " GROUP BY professional_id, unit_start HAVING count(*) > 1) twice") == 0
    for terminal in terminals:
        assert rows(terminal, check) == [(0,)] and rows(terminal, orphans) == [(0,)]


def _two_agents_sharing_an_account(backend: Backend) -> tuple[str, str, str]:
    with backend.engine.connect() as conn:
        first, second, account = conn.execute(text(
            "SELECT x.agent_id, y.agent_id, x.account_id FROM agent_account x"
            " JOIN agent_account y ON y.account_id = x.account_id AND y.agent_id > x.agent_id"
            " JOIN agent a ON a.id = x.agent_id JOIN agent b ON b.id = y.agent_id"
            " WHERE a.role = 'agent' AND b.role = 'agent' ORDER BY x.account_id, x.agent_id, y.agent_id LIMIT 1"
        )).one()
    return first, second, account


def _two_desks(backend: Backend, terminals: Any) -> tuple[Terminal, Terminal, str]:
    """Two agents' terminals that share an account, both synced once; and that account."""
    first_agent, second_agent, account = _two_agents_sharing_an_account(backend)
    first = terminals(first_agent, backend.accounts_of(first_agent), name="first")
    second = terminals(second_agent, backend.accounts_of(second_agent), name="second")
    first.engine.sync_once()
    second.engine.sync_once()
    return first, second, account


# -- a: tentative, then confirmed ---------------------------------------------------------------------------------


def test_a_booking_is_tentative_on_the_terminal_until_the_backend_confirms_it(
    backend: Backend, terminals: Any
) -> None:
    agent, accounts = backend.agent_with_accounts()
    desk = terminals(agent, accounts)
    desk.engine.sync_once()
    kind = _kind(desk, accounts[0])
    slot = desk.store.free_slots(kind, earliest=_tomorrow(desk), count=1)[0]
    args = _book(desk, kind, _customers(desk, accounts[0])[0], slot)
    made = args["appointment_id"]

    assert rows(desk, "SELECT status FROM appointment WHERE id = ?", made) == [("tentative",)]
    assert desk.store.appointment(made).status == "tentative"  # type: ignore[union-attr]

    desk.engine.sync_once()

    assert desk.store.outbox_count() == 0 and desk.store.rejections() == []
    assert rows(desk, "SELECT status, professional_id, starts_at FROM appointment WHERE id = ?", made) == [
        ("confirmed", slot.professional_id, iso(slot.starts_at))]
    assert backend.scalar("SELECT status FROM appointment WHERE id = :i", i=made) == "confirmed"
    tasks = {(r[0], r[1], r[2]) for r in rows(desk, "SELECT id, kind, due_at FROM task WHERE appointment_id = ?", made)}
    assert tasks == {(args["reminder_task_id"], "reminder", args["reminder_due_at"]),
                     (args["survey_task_id"], "survey", args["survey_due_at"])}
    assert backend.scalar("SELECT count(*) FROM task WHERE appointment_id = :i AND status = 'open'", i=made) == 2
    units = booking.held_units(slot.starts_at, kind.minutes, kind.buffer_minutes)
    assert [r[0] for r in rows(desk, "SELECT unit_start FROM appointment_slot WHERE appointment_id = ?"
                                     " ORDER BY unit_start", made)] == units
    with backend.engine.connect() as conn:
        on_backend = conn.execute(text("SELECT unit_start FROM appointment_slot WHERE appointment_id = :i"
                                       " ORDER BY unit_start"), {"i": made}).scalars().all()
    assert on_backend == units
    _never_double_booked(backend, desk)


# -- b: two agents book one slot offline ----------------------------------------------------------------------------


def test_two_agents_book_one_slot_offline(backend: Backend, terminals: Any) -> None:
    first, second, account = _two_desks(backend, terminals)
    kind = _kind(first, account)
    slot = first.store.free_slots(kind, earliest=_tomorrow(first), count=1)[0]
    ada, bo = _customers(first, account)[:2]

    first.faults.down = second.faults.down = True
    won = _book(first, kind, ada, slot)["appointment_id"]
    lost = _book(second, kind, bo, slot)["appointment_id"]  # each terminal sees the slot free: both tentative
    assert _holder(first, kind, slot) == {(ada, "tentative")}
    assert _holder(second, kind, slot) == {(bo, "tentative")}

    first.faults.down = second.faults.down = False
    first.engine.sync_once()
    second.engine.sync_once()
    first.engine.sync_once()

    assert backend.scalar("SELECT status FROM appointment WHERE id = :i", i=won) == "confirmed"
    assert backend.scalar("SELECT count(*) FROM appointment WHERE id = :i", i=lost) == 0
    assert rows(second, "SELECT count(*) FROM appointment WHERE id = ?", lost) == [(0,)]
    assert rows(second, "SELECT count(*) FROM task WHERE appointment_id = ?", lost) == [(0,)]
    assert rows(second, "SELECT count(*) FROM appointment_slot WHERE appointment_id = ?", lost) == [(0,)]
    for terminal in (first, second):
        assert _holder(terminal, kind, slot) == {(ada, "confirmed")}
        assert terminal.store.outbox_count() == 0
    assert first.store.rejections() == []
    refused = second.store.rejections()  # what the "Needs attention" screen lists
    assert [r.name for r in refused] == ["appointment.book@1"]
    assert f"{slot.professional_name} is already booked at" in refused[0].reason
    assert "; free then: " in refused[0].reason
    offered = refused[0].reason.split("; free then: ", 1)[1].rstrip(".").split(", ")
    assert len(offered) == 3 and all(" with " in o for o in offered)
    assert lost in refused[0].args  # the refused booking's own arguments, to book again from
    _never_double_booked(backend, first, second)


# -- c: a move and a cancellation free the time on the other terminal ------------------------------------------------


def test_a_moved_and_a_cancelled_booking_free_their_time_on_the_other_terminal(
    backend: Backend, terminals: Any
) -> None:
    first, second, account = _two_desks(backend, terminals)
    kind = _kind(first, account)
    early, late = _apart(kind, first.store.free_slots(kind, earliest=_tomorrow(first), count=20), 2)
    ada, bo, cy = _customers(first, account)[:3]
    made = _book(first, kind, ada, early)["appointment_id"]
    first.engine.sync_once()
    second.engine.sync_once()
    assert _holder(second, kind, early) == {(ada, "confirmed")}
    with pytest.raises(StoreError, match="already booked"):
        _book(second, kind, bo, early)  # the other terminal now knows the time is taken

    now = first.store.clock.now()
    move = booker.reschedule_args(kind, made, professional_id=late.professional_id, start=late.starts_at, now=now,
                                  settings=SETTINGS, agent_id=first.agent_id)
    first.store.mutate("appointment.reschedule@1", move)
    first.engine.sync_once()
    second.engine.sync_once()

    assert _holder(second, kind, early) == set()
    assert _holder(second, kind, late) == {(ada, "confirmed")}
    assert dict(rows(second, "SELECT kind, due_at FROM task WHERE appointment_id = ?", made)) == {
        "reminder": move["reminder_due_at"], "survey": move["survey_due_at"]}
    took_early = _book(second, kind, bo, early)["appointment_id"]  # the time it left is free again
    second.engine.sync_once()
    assert backend.scalar("SELECT status FROM appointment WHERE id = :i", i=took_early) == "confirmed"

    first.store.mutate("appointment.cancel@1", booker.cancel_args(made, now=now, agent_id=first.agent_id,
                                                                  reason="the customer is away"))
    first.engine.sync_once()
    second.engine.sync_once()

    assert rows(second, "SELECT status, note FROM appointment WHERE id = ?", made) == [
        ("cancelled", "Cancelled: the customer is away")]
    assert rows(second, "SELECT count(*) FROM task WHERE appointment_id = ?", made) == [(0,)]
    assert _holder(second, kind, late) == set()
    took_late = _book(second, kind, cy, late)["appointment_id"]
    second.engine.sync_once()
    first.engine.sync_once()

    assert backend.scalar("SELECT status FROM appointment WHERE id = :i", i=took_late) == "confirmed"
    for terminal in (first, second):
        assert terminal.store.rejections() == [] and terminal.store.outbox_count() == 0
        assert _holder(terminal, kind, early) == {(bo, "confirmed")}
        assert _holder(terminal, kind, late) == {(cy, "confirmed")}
    _never_double_booked(backend, first, second)


# -- when Python's check misses, the database still refuses, in words -------------------------------------------------


def test_when_the_check_misses_a_taken_slot_the_database_refuses_and_says_who_took_it(
    backend: Backend, terminals: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The slot's primary key, not `why_not`, is the rule: with the backend's check blinded (as if two pushes
    raced past it), the second booking still fails, as a rejection the agent can read, never as a 5xx."""
    first, second, account = _two_desks(backend, terminals)
    kind = _kind(first, account)
    slot = first.store.free_slots(kind, earliest=_tomorrow(first), count=1)[0]
    ada, bo = _customers(first, account)[:2]
    won = _book(first, kind, ada, slot)["appointment_id"]
    first.engine.sync_once()
    lost = _book(second, kind, bo, slot)["appointment_id"]  # this terminal has not pulled the first booking yet

    monkeypatch.setattr(ap, "why_not", lambda *_a, **_k: None)
    second.engine.sync_once()

    refused = second.store.rejections()
    assert [(r.name, r.reason) for r in refused] == [
        ("appointment.book@1", f"appointment.book@1: {slot.professional_name} was booked by someone else a moment ago.")]
    assert backend.scalar("SELECT count(*) FROM appointment WHERE id = :i", i=lost) == 0
    assert backend.scalar("SELECT count(*) FROM task WHERE appointment_id = :i", i=lost) == 0
    assert _holder(second, kind, slot) == {(ada, "confirmed")}
    assert backend.scalar("SELECT status FROM appointment WHERE id = :i", i=won) == "confirmed"
    _never_double_booked(backend, first, second)


# -- d: fifty terminals push at the same moment ---------------------------------------------------------------------


@pytest.mark.parametrize("backend_engine", ["postgresql"], indirect=True)
@pytest.mark.parametrize("times", [1, 5], ids=["all-one-slot", "five-overlapping-times"])
def test_fifty_concurrent_bookings_on_postgresql_never_double_book(
    backend: Backend, terminals: Any, times: int
) -> None:
    """Fifty terminals, each with one booking queued, push at once: all for one slot (exactly one is confirmed),
    or ten for each of five overlapping times. Each push is answered 200 with the booking applied or rejected;
    every quarter hour is held once."""
    agent, accounts = backend.agent_with_accounts()
    reference = terminals(agent, accounts)
    reference.engine.sync_once()
    account = accounts[0]
    kind = _kind(reference, account)
    wanted = reference.store.free_slots(kind, earliest=_tomorrow(reference), count=times)  # back to back: overlapping
    assert len(wanted) == times
    customers = _customers(reference, account)
    with backend.engine.connect() as conn:
        agents = conn.execute(text("SELECT agent_id FROM agent_account WHERE account_id = :a ORDER BY agent_id"),
                              {"a": account}).scalars().all()
    tokens = {a: backend.token(a) for a in agents}
    pushes = []
    for n in range(50):
        slot, who = wanted[n % len(wanted)], agents[n % len(agents)]
        args = booker.book_args(kind, customer_id=customers[n % len(customers)], professional_id=slot.professional_id,
                                start=slot.starts_at, now=reference.store.clock.now(), settings=SETTINGS, agent_id=who)
        pushes.append((who, str(uuid.uuid4()), args))

    barrier = threading.Barrier(len(pushes))
    answers: list[tuple[int, dict[str, Any]] | None] = [None] * len(pushes)
    spans: list[tuple[float, float]] = [(0.0, 0.0)] * len(pushes)

    def push(n: int) -> None:
        who, group, args = pushes[n]
        body = {"client_group_id": group, "client_id": group, "mutations": [
            {"id": 1, "name": "appointment.book@1", "args": args}]}
        with httpx.Client(base_url=backend.url, timeout=60,
                          headers={"Authorization": f"Bearer {tokens[who]}"}) as client:
            client.get("/health")  # connected before the start line
            barrier.wait()
            started = time.perf_counter()
            response = client.post("/sync/push", json=body)
            spans[n] = (started, time.perf_counter())
            answers[n] = (response.status_code, response.json())

    threads = [threading.Thread(target=push, args=(n,)) for n in range(len(pushes))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    took = max(end for _, end in spans) - min(start for start, _ in spans)
    print(f"\n50 concurrent bookings on PostgreSQL: {took * 1000:.0f} ms")

    assert all(answer is not None and answer[0] == 200 for answer in answers), answers
    outcomes = [answer[1] for answer in answers if answer is not None]
    assert all(o["last_mutation_id"] == 1 and o["applied"] + o["rejected"] == 1 for o in outcomes), outcomes
    groups = [group for _, group, _ in pushes]
    ids = [args["appointment_id"] for _, _, args in pushes]
    with backend.engine.connect() as conn:
        logged = conn.execute(text("SELECT client_group_id, status, reason FROM sync_mutation"
                                   " WHERE client_group_id = ANY(:g)"), {"g": groups}).all()
        last_ids = conn.execute(text("SELECT last_mutation_id FROM sync_client_group WHERE id = ANY(:g)"),
                                {"g": groups}).scalars().all()
        confirmed = conn.execute(text("SELECT id, professional_id, starts_at FROM appointment"
                                      " WHERE id = ANY(:i) AND status = 'confirmed'"), {"i": ids}).all()
        held_twice = conn.execute(text("SELECT professional_id, unit_start, count(*) FROM appointment_slot"
                                       " GROUP BY professional_id, unit_start HAVING count(*) > 1")).all()
        held = conn.execute(text("SELECT professional_id, unit_start FROM appointment_slot"
                                 " WHERE appointment_id = ANY(:i)"), {"i": ids}).all()
    assert len(logged) == 50 and sorted(last_ids) == [1] * 50  # no mutation lost, none applied twice
    by_group = {group: (status, reason) for group, status, reason in logged}
    applied = [n for n, (_, group, _) in enumerate(pushes) if by_group[group][0] == "applied"]
    rejected = [n for n, (_, group, _) in enumerate(pushes) if by_group[group][0] == "rejected"]
    assert len(applied) + len(rejected) == 50 and applied and rejected
    assert [outcomes[n]["applied"] for n in applied] == [1] * len(applied)
    assert [outcomes[n]["rejected"] for n in rejected] == [1] * len(rejected)
    for n in rejected:
        reason = by_group[pushes[n][1]][1]
        assert "is already booked at" in reason or "booked by someone else" in reason, reason
    assert held_twice == []
    accepted = {(pushes[n][2]["professional_id"], pushes[n][2]["starts_at"]) for n in applied}
    assert len(confirmed) == len(accepted) == len(applied)
    if times == 1:
        assert len(confirmed) == 1  # fifty bookings of one slot: exactly one confirmed
    assert {row[0] for row in confirmed} == {pushes[n][2]["appointment_id"] for n in applied}
    assert Counter(held).most_common(1)[0][1] == 1
    assert len(held) == len(applied) * len(booking.held_units(parse_iso(pushes[0][2]["starts_at"]), kind.minutes,
                                                               kind.buffer_minutes))
    print(f"  {len(applied)} confirmed, {len(rejected)} refused, {len(wanted)} times wanted")
    _never_double_booked(backend)


# -- e: a backend from before appointments upgrades ----------------------------------------------------------------


def _as_before_appointments(engine: Engine) -> None:
    """Turn a current backend into one made by revision 0001 before appointments existed: no appointment tables
    (nor their change log), no task.appointment_id, alembic at 0001."""
    with engine.begin() as conn:
        for table in APPOINTMENT_TABLES:
            conn.exec_driver_sql(f"DROP TABLE {table}")
        conn.exec_driver_sql("DROP INDEX task_appointment")
        conn.exec_driver_sql("ALTER TABLE task DROP COLUMN appointment_id")
        names = ", ".join(f"'{t}'" for t in APPOINTMENT_TABLES)
        conn.exec_driver_sql(f"DELETE FROM sync_change WHERE table_name IN ({names})")
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '0001'")


def _load_appointment_book(engine: Engine, demo: Path) -> None:
    """What an administrator does after the upgrade: the demo's appointment types, skills, hours and time off
    (not its bookings), in a new version so terminals pull them."""
    import sqlite3

    tables = {t.name: t for t in domain_tables()}
    source = sqlite3.connect(f"{demo.resolve().as_uri()}?mode=ro", uri=True)
    try:
        with engine.begin() as conn:
            conn.execute(text("UPDATE sync_state SET version = version + 1 WHERE id = 1"))
            for name in ("professional_skill", "working_hours", "time_off", "appointment_type"):
                names = [c.name for c in tables[name].columns]
                found = source.execute(f"SELECT {', '.join(names)} FROM {name}").fetchall()
                conn.execute(tables[name].insert(), [dict(zip(names, row, strict=True)) for row in found])
    finally:
        source.close()


def _triggers(engine: Engine, table: str) -> list[str]:
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            return list(conn.execute(text("SELECT tgname FROM pg_trigger WHERE tgrelid = CAST(:t AS regclass)"
                                          " AND NOT tgisinternal"), {"t": table}).scalars())
        return list(conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = :t"),
                                 {"t": table}).scalars())


def test_a_backend_from_before_appointments_upgrades_and_takes_bookings(
    backend: Backend, terminals: Any, demo_template: Path
) -> None:
    from sqlalchemy import inspect

    _as_before_appointments(backend.engine)
    assert not set(APPOINTMENT_TABLES) & set(inspect(backend.engine).get_table_names())

    init_backend(backend.engine)  # what `agentdesk server init` runs

    assert schema_is_current(backend.engine)  # 0002 and every later revision ran
    assert set(APPOINTMENT_TABLES) <= set(inspect(backend.engine).get_table_names())
    assert "appointment_id" in {c["name"] for c in inspect(backend.engine).get_columns("task")}
    for table in APPOINTMENT_TABLES:
        assert _triggers(backend.engine, table), f"{table} has no change-tracking trigger"
    init_backend(backend.engine)  # again: nothing to do
    _load_appointment_book(backend.engine, demo_template)

    agent, accounts = backend.agent_with_accounts()
    desk = terminals(agent, accounts)
    desk.engine.sync_once()
    kind = _kind(desk, accounts[0])
    slot = desk.store.free_slots(kind, earliest=_tomorrow(desk), count=1)[0]
    made = _book(desk, kind, _customers(desk, accounts[0])[0], slot)["appointment_id"]
    desk.engine.sync_once()

    assert desk.store.rejections() == [] and desk.store.outbox_count() == 0
    assert rows(desk, "SELECT status FROM appointment WHERE id = ?", made) == [("confirmed",)]
    assert backend.scalar("SELECT count(*) FROM appointment_slot WHERE appointment_id = :i", i=made) == len(
        booking.held_units(slot.starts_at, kind.minutes, kind.buffer_minutes))
    assert backend.scalar("SELECT count(*) FROM task WHERE appointment_id = :i", i=made) == 2
    _never_double_booked(backend, desk)


def test_the_backend_process_will_not_serve_an_old_database_until_it_is_upgraded(tmp_path: Path) -> None:
    """`agentdesk server` on a database from before appointments would answer every pull with a 503 (the task
    table lacks a column the release reads); it says what to run instead, and serves once that has run."""
    env = {**os.environ, "AGENTDESK_DATABASE_URL": str(tmp_path / "backend.db")}
    subprocess.run([EXE, "server", "init"], env=env, check=True, capture_output=True, timeout=120)
    engine = make_engine(str(tmp_path / "backend.db"))
    _as_before_appointments(engine)
    engine.dispose()
    port = _port()

    refused = subprocess.run([EXE, "server", "--port", str(port)], env=env, capture_output=True, text=True,
                             timeout=60)
    assert refused.returncode != 0 and "agentdesk server init" in refused.stderr, refused.stderr

    subprocess.run([EXE, "server", "init"], env=env, check=True, capture_output=True, timeout=120)
    server = _start(env, port)
    try:
        assert httpx.get(f"http://127.0.0.1:{port}/health", timeout=5).status_code == 200
    finally:
        server.send_signal(signal.SIGKILL)
        server.wait(10)
