"""A call from ring to wrap-up, as an agent works it from the keyboard."""

from __future__ import annotations

from screens.app import AgentDeskApp
from tests.desk import WELL_KNOWN, advance, incoming, ring, settle
from widgets import CallBar, CustomerHistory, HoldTimer


async def test_known_caller_pops_up_while_ringing(app: AgentDeskApp) -> None:
    async with app.run_test(size=(120, 35)) as pilot:
        await ring(pilot, "800-218-1525")
        bar = app.screen.query_one(CallBar)
        history = app.screen.query_one(CustomerHistory)
        assert bar.view is not None and bar.view.state == "ringing"
        assert bar.view.ring_number == 1
        assert history.view is not None and history.view.customer is not None
        assert WELL_KNOWN in history.view.customer.phones
        assert history.view.page is not None and len(history.view.page.entries) == 20


async def test_ring_count_reaches_the_third_ring_at_twelve_seconds(app: AgentDeskApp) -> None:
    async with app.run_test(size=(120, 35)) as pilot:
        await ring(pilot, WELL_KNOWN)
        await advance(pilot, 11.5)
        assert app.screen.query_one(CallBar).view.ring_number == 2
        assert not app.screen.query_one(CallBar).has_class("-late")
        await advance(pilot, 1.0)
        assert app.screen.query_one(CallBar).view.ring_number == 3
        assert app.screen.query_one(CallBar).has_class("-late")


async def test_hold_warns_at_seven_and_is_released_at_ten_seconds(app: AgentDeskApp) -> None:
    async with app.run_test(size=(120, 35)) as pilot:
        await ring(pilot, WELL_KNOWN)
        await pilot.press("a")
        await advance(pilot, 5)
        await pilot.press("h")
        timer = app.screen.query_one(HoldTimer)
        assert app.desk.state.value == "on hold"
        await advance(pilot, 6.5)
        assert timer.has_class("-holding") and not timer.has_class("-warning")
        await advance(pilot, 1.0)
        assert timer.has_class("-warning")
        await advance(pilot, 3.0, step=0.25)
        assert app.desk.state.value == "on call"
        assert timer.has_class("-released")
        call_id = app.desk.call.interaction_id
        holds = app.store.holds_of(call_id)
        assert len(holds) == 1
        assert holds[0]["hit_cap"] and holds[0]["seconds"] == 10.0


async def test_a_short_hold_is_stored_with_its_length(app: AgentDeskApp) -> None:
    async with app.run_test(size=(120, 35)) as pilot:
        await ring(pilot, WELL_KNOWN)
        await pilot.press("a", "h")
        await advance(pilot, 4)
        await pilot.press("h")
        await settle(pilot)
        holds = app.store.holds_of(app.desk.call.interaction_id)
        assert [(h["seconds"], bool(h["hit_cap"])) for h in holds] == [(4.0, False)]


async def test_no_hold_without_an_answered_call(app: AgentDeskApp) -> None:
    async with app.run_test(size=(120, 35)) as pilot:
        before = app.store.outbox_count()
        await pilot.press("h")
        await ring(pilot, WELL_KNOWN)
        await pilot.press("h")  # still ringing: no hold
        await settle(pilot)
        assert app.desk.state.value == "ringing"
        assert app.store.holds_of(app.desk.call.interaction_id) == []
        assert app.store.outbox_count() == before + 1  # only the ring


async def test_call_is_stored_with_times_billing_and_wrap_up(app: AgentDeskApp) -> None:
    async with app.run_test(size=(120, 35)) as pilot:
        await ring(pilot, WELL_KNOWN)
        await advance(pilot, 4)
        await pilot.press("a")
        await advance(pilot, 90, step=5)
        call_id = app.desk.call.interaction_id
        await pilot.press("e")
        await settle(pilot)
        await pilot.press(*"Asked about the invoice")
        await pilot.press("ctrl+s")
        await settle(pilot)
        row = app.store.interaction_row(call_id)
        assert row is not None
        assert row["ringing_at"] < row["answered_at"] < row["ended_at"]
        assert row["billable_seconds"] == 90
        account = app.store.accounts()[0]
        assert row["price_per_minute_cents"] == account.price_per_minute_cents
        assert row["cost_cents"] == round(90 * account.price_per_minute_cents / 60)
        assert row["outcome"] == "resolved"
        assert row["notes"] == "Asked about the invoice"
        assert app.desk.call is None
        assert app.screen.query_one(CallBar).view is None


async def test_unanswered_caller_hangs_up_and_the_call_is_missed(app: AgentDeskApp) -> None:
    async with app.run_test(size=(120, 35)) as pilot:
        await ring(pilot, WELL_KNOWN)
        call_id = app.desk.call.interaction_id
        await advance(pilot, 40, step=1)
        assert app.desk.call is None
        assert app.store.interaction_row(call_id)["outcome"] == "missed"


async def test_second_call_while_busy_is_not_taken(app: AgentDeskApp) -> None:
    async with app.run_test(size=(120, 35)) as pilot:
        await ring(pilot, WELL_KNOWN)
        first = app.desk.call
        app.screen.offer(incoming(app, "+12125550123", call_id="00000000-0000-4000-8000-000000000999"))
        await settle(pilot)
        assert app.desk.call is first
        assert app.store.interaction_row("00000000-0000-4000-8000-000000000999") is None
