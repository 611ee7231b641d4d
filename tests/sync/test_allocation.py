"""Written cases allocated on the backend (SQLite and PostgreSQL): a new case goes at once to an agent of its account
on the floor by the admin's rules, with a note saying why; the cases of an agent away too long move to one on the
floor, and a terminal's pull shows the new owner. Time is driven through the functions' `now`, never slept."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Any

from sqlalchemy import Engine, text

from agentdesk.config import AllocationSettings
from agentdesk.server.allocation_moves import move_from_absent
from agentdesk.server.live import heartbeat
from agentdesk.server.mail.intake import take_in
from agentdesk.server.mail.schema import ensure_mail_schema
from agentdesk.server.mail.written import WrittenMessage, take_written
from agentdesk.server.sync import Caller
from tests.sync.conftest import Backend

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
RULES = AllocationSettings()


def _mail(subject: str, body: str, to: str, message_id: str = "<a1@example.org>",
          sender: str = "Grace Hopper <grace@example.org>") -> bytes:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, to, subject
    message["Message-ID"] = message_id
    message.set_content(body)
    return message.as_bytes()


def _rows(engine: Engine, sql: str, **params: Any) -> list[tuple[Any, ...]]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql), params)]


def _address(engine: Engine, account: str) -> str:
    ensure_mail_schema(engine, "2000-01-01T00:00:00.000000Z")
    return str(_rows(engine, "SELECT address FROM mail_mailbox WHERE account_id = :a", a=account)[0][0])


def _first_account(engine: Engine) -> str:
    return str(_rows(engine, "SELECT id FROM account ORDER BY id LIMIT 1")[0][0])


def _front_line(engine: Engine, account: str) -> list[tuple[str, str]]:
    """(id, name) of the account's agents and senior agents, by name."""
    return [(str(i), str(n)) for i, n in _rows(
        engine, "SELECT a.id, a.name FROM agent a JOIN agent_account aa ON aa.agent_id = a.id"
        " WHERE aa.account_id = :a AND a.role IN ('agent', 'senior') ORDER BY a.name, a.id", a=account)]


def _workload(engine: Engine, counts: dict[str, int]) -> None:
    """Nobody's floor but this: nobody heard from, no ticket assigned, then each agent `counts` open phone cases."""
    with engine.begin() as conn:
        conn.execute(text("UPDATE sync_state SET version = version + 1 WHERE id = 1"))
        conn.execute(text("DELETE FROM presence"))
        conn.execute(text("UPDATE ticket SET assignee_id = NULL"))
        spare = iter(conn.execute(text("SELECT id FROM ticket ORDER BY id")).scalars().all())
        for agent, count in counts.items():
            for _ in range(count):
                conn.execute(text("UPDATE ticket SET assignee_id = :a, status = 'open', channel = 'phone'"
                                  " WHERE id = :t"), {"a": agent, "t": next(spare)})


def _on_floor(engine: Engine, agent: str, at: datetime, state: str = "available") -> None:
    heartbeat(engine, Caller(agent, "agent", None), {
        "client_group_id": f"desk-{agent}", "agent_state": state, "call_state": "idle", "unsynced": 0,
        "oldest_unsynced_s": None, "last_push_at": None, "last_pull_at": None}, now=at.timestamp())


def _owner_and_notes(engine: Engine, ticket_id: str) -> tuple[str | None, list[str]]:
    [(owner,)] = _rows(engine, "SELECT assignee_id FROM ticket WHERE id = :t", t=ticket_id)
    notes = _rows(engine, "SELECT body FROM ticket_message WHERE ticket_id = :t AND kind = 'note' ORDER BY created_at",
                  t=ticket_id)
    return owner, [str(n[0]) for n in notes]


def test_a_new_mail_goes_to_the_available_agent_with_the_fewest_open_cases(backend_engine: Engine) -> None:
    account = _first_account(backend_engine)
    (busy, _), (free, free_name), (middling, _), *absent = _front_line(backend_engine, account)
    _workload(backend_engine, {busy: 3, free: 1, middling: 2})  # the absent have none, and get nothing
    for agent in (busy, free, middling):
        _on_floor(backend_engine, agent, NOW - timedelta(seconds=5))
    address = _address(backend_engine, account)

    [taken] = take_in(backend_engine, _mail("Broken kettle", "It leaks.", address), [address], now=NOW,
                      allocation=RULES)

    assert absent
    assert _owner_and_notes(backend_engine, str(taken.ticket_id)) == (
        free, [f"Allocated to {free_name}: fewest open cases (1)"])
    # A chat from a gateway is a written case too: it goes to the next with the fewest (the new mail made it 2 each).
    chat = take_written(backend_engine, WrittenMessage("chat", account, "c-9", "Where is my parcel?", session_id="s9"),
                        now=NOW, allocation=RULES)
    owner, [note] = _owner_and_notes(backend_engine, chat.ticket_id)
    assert owner in (free, middling) and note.startswith("Allocated to ")


def test_category_words_win_over_workload(backend_engine: Engine) -> None:
    account = _first_account(backend_engine)
    (expert, expert_name), (idle, _), *_rest = _front_line(backend_engine, account)
    _workload(backend_engine, {expert: 4})
    for agent in (expert, idle):
        _on_floor(backend_engine, agent, NOW - timedelta(seconds=5))
    address = _address(backend_engine, account)
    rules = AllocationSettings(words={account: {"Refund": [expert]}})

    [refund] = take_in(backend_engine, _mail("About my refunds", "Still waiting.", address), [address], now=NOW,
                       allocation=rules)
    [other] = take_in(backend_engine, _mail("Lost parcel", "Nothing came.", address, "<a2@example.org>"), [address],
                      now=NOW, allocation=rules)

    assert _owner_and_notes(backend_engine, str(refund.ticket_id)) == (
        expert, [f'Allocated to {expert_name}: category word "refund" (4 open cases)'])
    assert _owner_and_notes(backend_engine, str(other.ticket_id))[0] == idle


def test_the_customers_language_comes_before_workload(
        backend_engine: Engine) -> None:
    account = _first_account(backend_engine)
    (plain, _), (speaker, speaker_name), *_rest = _front_line(backend_engine, account)
    _workload(backend_engine, {speaker: 1})
    for agent in (plain, speaker):
        _on_floor(backend_engine, agent, NOW - timedelta(seconds=5))
    with backend_engine.begin() as conn:
        conn.execute(text("UPDATE agent SET languages = '[\"en\"]' WHERE id = :a"), {"a": plain})
        conn.execute(text("UPDATE agent SET languages = '[\"en\", \"fr-CA\"]' WHERE id = :a"), {"a": speaker})
        customer, email = conn.execute(text("SELECT customer_id, email FROM customer_email WHERE account_id = :a"
                                            " ORDER BY email LIMIT 1"), {"a": account}).one()
        conn.execute(text("UPDATE customer SET language = 'fr' WHERE id = :c"), {"c": customer})
    address = _address(backend_engine, account)

    [taken] = take_in(backend_engine, _mail("Colis perdu", "Rien reçu.", address, sender=str(email)), [address],
                      now=NOW, allocation=RULES)

    assert _owner_and_notes(backend_engine, str(taken.ticket_id)) == (
        speaker, [f"Allocated to {speaker_name}: speaks the customer's language, fr (1 open case)"])


def test_an_away_agents_cases_move_to_one_on_the_floor_and_a_terminal_sees_it(
        backend: Backend, terminals: Any) -> None:
    desk_agent, accounts = backend.agent_with_accounts()
    account = accounts[0]
    desk_name = dict(_front_line(backend.engine, account))[desk_agent]
    away, away_name = next((a, n) for a, n in _front_line(backend.engine, account) if a != desk_agent)
    also_away = next(a for a, _ in _front_line(backend.engine, account) if a not in (desk_agent, away))
    _workload(backend.engine, {desk_agent: 2})  # `also_away` has fewer, but is away too: never given a case
    with backend.engine.begin() as conn:
        conn.execute(text("UPDATE sync_state SET version = version + 1 WHERE id = 1"))
        cases = conn.execute(text("SELECT id FROM ticket WHERE account_id = :a AND assignee_id IS NULL ORDER BY id"
                                  " LIMIT 2"), {"a": account}).scalars().all()
        conn.execute(text("UPDATE ticket SET assignee_id = :x, status = 'open', channel = 'email' WHERE id IN (:c, :d)"),
                     {"x": away, "c": cases[0], "d": cases[1]})
    went_away = NOW - timedelta(minutes=40)
    for agent in (away, also_away):
        _on_floor(backend.engine, agent, went_away, "away")
    desk = terminals(desk_agent, accounts)
    desk.engine.sync_once()

    for minutes_away in (20, 29):  # not yet past the limit: nothing moves
        at = went_away + timedelta(minutes=minutes_away)
        for agent in (away, also_away, desk_agent):
            _on_floor(backend.engine, agent, at, "away" if agent != desk_agent else "available")
        assert move_from_absent(backend.engine, RULES, at) == 0
    for agent in (away, also_away, desk_agent):
        _on_floor(backend.engine, agent, NOW, "away" if agent != desk_agent else "available")
    assert move_from_absent(backend.engine, RULES, NOW) == 2
    assert move_from_absent(backend.engine, RULES, NOW + timedelta(minutes=1)) == 0  # moved once, not back

    for case in cases:
        owner, [note] = _owner_and_notes(backend.engine, case)
        assert owner == desk_agent
        assert note.startswith(f"Moved from {away_name}, away since ") and f", to {desk_name}: " in note
    desk.engine.sync_once()
    pulled = dict(desk.store.conn.execute("SELECT id, assignee_id FROM ticket WHERE id IN (?, ?)", tuple(cases)))
    assert pulled == {case: desk_agent for case in cases}
    notes = desk.store.conn.execute("SELECT body FROM ticket_message WHERE ticket_id = ? AND kind = 'note'",
                                    (cases[0],)).fetchall()
    assert [n[0] for n in notes] == [_owner_and_notes(backend.engine, cases[0])[1][0]]


def test_with_nobody_on_the_floor_the_agent_with_the_fewest_open_cases_gets_it(backend_engine: Engine) -> None:
    account = _first_account(backend_engine)
    *others, (last, last_name) = _front_line(backend_engine, account)
    _workload(backend_engine, {agent: 1 for agent, _ in others})  # nobody heard from; the last by name has none
    address = _address(backend_engine, account)

    [taken] = take_in(backend_engine, _mail("Hello?", "Anyone there?", address), [address], now=NOW,
                      allocation=RULES)

    assert _owner_and_notes(backend_engine, str(taken.ticket_id)) == (last, [
        f"Allocated to {last_name}: nobody of the account is on the floor with room for it; fewest open cases (0)"])
    assert move_from_absent(backend_engine, RULES, NOW + timedelta(hours=2)) == 0  # nobody to move it to


def test_with_allocation_off_cases_stay_unassigned_and_nothing_moves(backend_engine: Engine) -> None:
    account = _first_account(backend_engine)
    (agent, _), (away, _), *_rest = _front_line(backend_engine, account)
    _workload(backend_engine, {})
    _on_floor(backend_engine, agent, NOW - timedelta(seconds=5))
    address = _address(backend_engine, account)
    off = AllocationSettings(enabled=False)

    [taken] = take_in(backend_engine, _mail("Broken kettle", "It leaks.", address), [address], now=NOW, allocation=off)
    with backend_engine.begin() as conn:
        conn.execute(text("UPDATE ticket SET assignee_id = :x WHERE id = :t"), {"x": away, "t": taken.ticket_id})

    assert move_from_absent(backend_engine, off, NOW + timedelta(hours=2)) == 0
    assert _owner_and_notes(backend_engine, str(taken.ticket_id)) == (away, [])
