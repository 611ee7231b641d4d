"""A live call an agent can trust (issue 17): what is told to the caller exists, refusals are never silent and are
said in the agent's words, demo calls survive a restart, wrap-up notes are kept, and prompts go with their call."""

from __future__ import annotations

import re
import uuid
from zoneinfo import ZoneInfo

import pytest

from agentdesk.clock import FixedClock, iso
from agentdesk.config import Settings
from agentdesk.store import Store
from screens.app import AgentDeskApp, make_app
from screens.attention import NeedsAttention
from screens.booker import Booker
from screens.workspace import Workspace
from screens.wrap_up import WrapUp
from tests.desk import WELL_KNOWN, advance, incoming, ring, screen_text, settle
from tests.ui.test_tickets import told
from widgets import CallBar, FaqPanel, HoldTimer

MACHINE_WORDS = re.compile(r"@\d|ticket\.open|call\.ring|constraint|sqlite|[0-9a-f]{8}-[0-9a-f]{4}-", re.IGNORECASE)


def _other_line(app: AgentDeskApp, caller: str) -> int:
    """The index of an account whose line is not the account of `caller`'s customer."""
    customer = app.store.customer_for_caller(caller, None)
    assert customer is not None
    return next(i for i, a in enumerate(app.store.accounts()) if a.id != customer.account_id)


async def test_another_accounts_customer_rings_as_a_new_caller_and_no_case_is_offered(app: AgentDeskApp) -> None:
    said = told(app)
    async with app.run_test(size=(120, 35), notifications=True) as pilot:
        before = app.store.conn.execute("SELECT count(*) FROM ticket").fetchone()[0]
        await ring(pilot, WELL_KNOWN, _other_line(app, WELL_KNOWN))
        call = app.desk.call
        assert call is not None and call.customer_id is None
        assert app.store.interaction_row(call.interaction_id) is not None  # the ring is saved
        await pilot.press("a")
        await advance(pilot, 5)
        await pilot.press("o")
        await settle(pilot)
        assert isinstance(app.screen, Workspace)
        assert app.store.conn.execute("SELECT count(*) FROM ticket").fetchone()[0] == before
        assert said[-1].startswith("Find the caller (/) or add them (n) first")
        assert not any("CS-" in line for line in said) and app.store.rejections() == []


def test_a_case_for_another_accounts_customer_is_refused_plainly_and_kept_for_attention(app: AgentDeskApp) -> None:
    from agentdesk.desks.tickets import CaseRefused

    tickets = app.desks.tickets
    customer = app.store.customer_for_caller(WELL_KNOWN, None)
    assert customer is not None
    line = app.store.accounts()[_other_line(app, WELL_KNOWN)]
    app.desk.offer(incoming(app, "+12025550143", _other_line(app, WELL_KNOWN)))
    call = app.desk.call
    assert call is not None and call.account.id == line.id
    with pytest.raises(CaseRefused) as refused:
        tickets.open_case(call, customer, tickets.next_case_number(), "Boiler", "")
    reason = str(refused.value)
    assert "no case was opened" in reason and line.name in reason and not MACHINE_WORDS.search(reason)
    tickets.note_refused_case(call, customer, reason).result(10)
    [kept] = app.store.rejections()
    assert kept.mutation_id < 0 and kept.reason == reason
    app.writer.close()


async def test_a_change_the_store_refuses_is_told_in_the_agents_words_and_kept_for_attention(
    app: AgentDeskApp,
) -> None:
    said = told(app)
    async with app.run_test(size=(120, 35), notifications=True) as pilot:
        await ring(pilot, WELL_KNOWN)
        call = app.desk.call
        assert call is not None
        # The same call rung twice (what a restart did with seeded ids): the store refuses the second.
        app.desk.writer.submit("call.ring@1", {
            "interaction_id": call.interaction_id, "account_id": call.account.id, "customer_id": call.customer_id,
            "caller_number": call.caller, "ringing_at": iso(app.clock.now()), "agent_id": app.agent.id,
        })
        await settle(pilot)
        refusal = said[-1]
        assert refusal.startswith("The ringing call was not recorded.") and "listed under !" in refusal
        assert not MACHINE_WORDS.search(refusal), refusal
        [kept] = app.store.rejections()
        assert kept.reason.startswith("The ringing call was not recorded.") and not MACHINE_WORDS.search(kept.reason)
        await pilot.press("exclamation_mark")
        await settle(pilot)
        assert isinstance(app.screen, NeedsAttention) and "The ringing call was not recorded" in screen_text(app)


async def test_demo_calls_ring_after_a_restart_on_the_same_store(
    settings: Settings, store: Store, clock: FixedClock,
) -> None:
    """Demo calls rung with `r`, the desk quit and started again with the same seed: every call is saved."""
    rung: list[str] = []
    for _ in range(2):
        app = make_app(settings, store, clock=clock)
        said = told(app)
        async with app.run_test(size=(120, 35)) as pilot:
            for _ in range(3):
                await pilot.press("r")
                await settle(pilot)
                call = app.desk.call
                assert call is not None
                rung.append(call.interaction_id)
                await pilot.press("a")
                await advance(pilot, 3)
                await pilot.press("e")
                await settle(pilot)
                await pilot.press(*"Called about the demo", "ctrl+s")
                await settle(pilot)
                assert app.desk.call is None
        assert not any("not recorded" in line or "not saved" in line for line in said), said
    assert len(set(rung)) == 6
    for call_id in rung:
        row = store.interaction_row(call_id)
        assert row is not None and row["notes"] == "Called about the demo"


async def test_tab_out_of_the_notes_then_save_does_not_lose_them_silently(app: AgentDeskApp) -> None:
    said = told(app)
    async with app.run_test(size=(120, 35), notifications=True) as pilot:
        await ring(pilot, WELL_KNOWN)
        await pilot.press("a")
        await advance(pilot, 5)
        call_id = app.desk.call.interaction_id
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, WrapUp)
        assert "Type the notes" in screen_text(app)
        await pilot.press("tab")
        await settle(pilot)
        assert "Tab notes" in screen_text(app)  # the hint follows the focus
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, WrapUp)  # not saved without notes on the first Ctrl+S
        assert "No notes yet" in screen_text(app)
        await pilot.press(*"Wants a callback on Friday", "ctrl+s")
        await settle(pilot)
        assert app.store.interaction_row(call_id)["notes"] == "Wants a callback on Friday"
        assert said[-1] == "Wrap-up saved: Resolved on the call, with notes."


async def test_the_escalation_line_names_the_zone_and_goes_with_its_customer(app: AgentDeskApp) -> None:
    async with app.run_test(size=(120, 35)) as pilot:
        await ring(pilot, WELL_KNOWN)
        await pilot.press("a", "x")
        await settle(pilot)
        await pilot.press(*"Can I pay in instalments?", "enter")
        await settle(pilot)
        panel = app.screen.query_one(FaqPanel)
        assert panel.has_class("-say")
        zone = app.desk.call.account.time_zone
        label = app.clock.now().astimezone(ZoneInfo(zone)).tzname()
        assert re.search(rf"call you back by \d{{1,2}}:\d\d [AP]M {label}", screen_text(app))
        other = app.store.conn.execute(
            "SELECT id FROM customer WHERE id != ? LIMIT 1", (app.desk.call.customer_id,)).fetchone()[0]
        app.screen.open_customer(other)
        await settle(pilot)
        assert not panel.has_class("-say") and "call you back" not in screen_text(app)


async def test_the_hold_cap_banner_goes_with_the_call(app: AgentDeskApp) -> None:
    async with app.run_test(size=(120, 35)) as pilot:
        await ring(pilot, WELL_KNOWN)
        await pilot.press("a")
        await advance(pilot, 2)
        await pilot.press("h")
        await advance(pilot, 11, step=0.25)
        timer = app.screen.query_one(HoldTimer)
        assert timer.has_class("-released")
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, WrapUp)
        assert not timer.has_class("-released")


def test_ids_of_demo_calls_differ_between_two_terminals_with_the_same_seed(store: Store, clock: FixedClock) -> None:
    from agentdesk.demo import known_callers_by_line
    from agentdesk.desks.call_sources import DemoCallSource

    lines = [a.phone_number for a in store.accounts()]
    first = DemoCallSource(clock, known_callers_by_line(store), lines, seed=7)
    second = DemoCallSource(clock, known_callers_by_line(store), lines, seed=7)
    ids = [first.next_call().call_id for _ in range(20)] + [second.next_call().call_id for _ in range(20)]
    assert len(set(ids)) == 40 and all(uuid.UUID(i).version == 4 for i in ids)


def test_a_known_demo_caller_belongs_to_the_account_whose_line_rang(store: Store, clock: FixedClock) -> None:
    from agentdesk.demo import known_callers_by_line
    from agentdesk.desks.call_sources import DemoCallSource

    accounts = {a.phone_number: a for a in store.accounts()}
    source = DemoCallSource(clock, known_callers_by_line(store), list(accounts), seed=7, unknown_share=0.25)
    known = 0
    rung_lines = set()
    for _ in range(60):
        call = source.next_call()
        account = accounts[call.dialled_number]
        rung_lines.add(account.id)
        customer = store.customer_for_caller(call.caller_number, account.id)
        if customer is not None:
            known += 1
            assert customer.account_id == account.id, (call, account.name)
    assert known >= 30 and len(rung_lines) == len(accounts)


async def test_the_booker_opens_on_the_preferences_and_reads_a_time_of_day(app: AgentDeskApp) -> None:
    async with app.run_test(size=(120, 35)) as pilot:
        await ring(pilot, WELL_KNOWN)
        await pilot.press("a")
        await pilot.press("k")
        await settle(pilot)
        booker = app.screen
        assert isinstance(booker, Booker) and booker.focused is not None and booker.focused.id == "prefs"
        assert "Type wishes" in screen_text(app)
        await pilot.press(*"sat 3pm")
        await settle(pilot)
        assert booker.proposals and "is not a day" not in screen_text(app)
        for proposal in booker.proposals:
            local = proposal.starts_at.astimezone(booker.caller_zone)
            assert local.weekday() == 5 and 12 <= local.hour < 17
        await pilot.press("ctrl+u", "2")  # an empty field again: a digit picks
        await settle(pilot)
        assert booker.picked == booker.proposals[1]


async def test_a_call_whose_ring_was_not_saved_frees_the_line(app: AgentDeskApp) -> None:
    said = told(app)
    async with app.run_test(size=(120, 35), notifications=True) as pilot:
        taken = app.store.conn.execute("SELECT id FROM interaction LIMIT 1").fetchone()[0]
        app.screen.offer(incoming(app, WELL_KNOWN, call_id=taken))  # an id the store has already
        await settle(pilot)
        await advance(pilot, 0.5)
        assert app.desk.call is None
        assert app.screen.query_one(CallBar).view is None  # no ON CALL for a call that does not exist
        assert any(line.startswith("The ringing call was not recorded.") for line in said)
        await pilot.press("r")  # the next call rings as usual
        await settle(pilot)
        assert app.desk.call is not None and app.store.interaction_row(app.desk.call.interaction_id) is not None


async def test_history_times_name_the_accounts_zone(app: AgentDeskApp) -> None:
    async with app.run_test(size=(120, 35)) as pilot:
        await ring(pilot, WELL_KNOWN)
        account = app.desk.call.account
        label = app.clock.now().astimezone(ZoneInfo(account.time_zone)).tzname()
        shown = screen_text(app)
        assert f"When {label}" in shown
        assert re.search(rf"\d{{4}}-\d\d-\d\d \d\d:\d\d (EST|EDT|{label}) · call", shown)
