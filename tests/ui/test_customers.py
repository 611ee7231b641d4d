"""Finding customers, adding an unknown caller, comments, and paging through a long history."""

from __future__ import annotations

from screens.app import AgentDeskApp
from tests.conftest import LONG_HISTORY
from tests.desk import WELL_KNOWN, ring, settle
from widgets import CustomerHistory


async def find(pilot, app: AgentDeskApp, query: str) -> None:  # type: ignore[no-untyped-def]
    await pilot.press("slash")
    await settle(pilot)
    await pilot.press(*query)
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)


async def test_three_spellings_of_a_number_find_the_same_customer(app: AgentDeskApp) -> None:
    async with app.run_test(size=(120, 35)) as pilot:
        seen = set()
        for spelling in ("+1 (800) 218-1525", "18002181525", "800-218-1525"):
            await find(pilot, app, spelling)
            customer = app.screen.query_one(CustomerHistory).view.customer
            seen.add(customer.id)
        assert len(seen) == 1


async def test_find_by_order_number_opens_the_customer_with_that_order(app: AgentDeskApp) -> None:
    order = app.store.find_customers("ORD-", limit=1)
    assert order == [] or order[0].matched_on == "order"  # a bare prefix is no order number
    row = app.store.conn.execute(  # type: ignore[attr-defined]
        "SELECT number, customer_id FROM customer_order ORDER BY number LIMIT 1"
    ).fetchone()
    async with app.run_test(size=(120, 35)) as pilot:
        await find(pilot, app, row[0].lower())
        assert app.screen.query_one(CustomerHistory).view.customer.id == row[1]


async def test_unknown_caller_becomes_a_customer_in_a_few_keys(app: AgentDeskApp) -> None:
    async with app.run_test(size=(120, 35)) as pilot:
        await ring(pilot, "(212) 555-0188")
        history = app.screen.query_one(CustomerHistory)
        assert history.view.customer is None and history.view.unknown_caller
        await pilot.press("a", "n")
        await settle(pilot)
        await pilot.press(*"Dana Whitfield")
        await pilot.press("ctrl+s")
        await settle(pilot)
        customer = history.view.customer
        assert customer is not None and customer.name == "Dana Whitfield"
        assert customer.phones == ("+12125550188",)
        row = app.store.interaction_row(app.desk.call.interaction_id)
        assert row["customer_id"] == customer.id


async def test_a_comment_shows_at_the_top_of_the_history(app: AgentDeskApp) -> None:
    async with app.run_test(size=(120, 35)) as pilot:
        await find(pilot, app, WELL_KNOWN)
        await pilot.press("c")
        await settle(pilot)
        await pilot.press(*"Prefers e-mail after 5 pm")
        await pilot.press("ctrl+s")
        await settle(pilot)
        first = app.screen.query_one(CustomerHistory).view.page.entries[0]
        assert first.kind == "comment" and "Prefers e-mail after 5 pm" in first.summary + first.detail


async def test_long_history_pages_without_gaps_and_filters_by_kind(app: AgentDeskApp) -> None:
    async with app.run_test(size=(120, 35)) as pilot:
        await find(pilot, app, WELL_KNOWN)
        history = app.screen.query_one(CustomerHistory)
        seen: list[str] = []
        for _ in range(200):
            seen.extend(e.id for e in history.view.page.entries)
            if history.view.page.next_cursor is None:
                break
            await pilot.press("right_square_bracket")
            await settle(pilot)
        assert len(seen) == len(set(seen))
        assert len(seen) >= LONG_HISTORY
        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert history.view.page_number == (len(seen) + 19) // 20 - 1
        await pilot.press("f")
        await settle(pilot)
        assert history.view.filter_label == "calls"
        assert {e.kind for e in history.view.page.entries} == {"call"}


async def test_finding_the_customer_during_a_call_from_an_unknown_number_links_the_call(app: AgentDeskApp) -> None:
    """The caller rings from a number nobody has; the agent finds them by name with /: the call is theirs, so the
    case opened next (o) is for them, not a prompt to find the caller."""
    from screens.ticket_dialogs import CaseFromCall

    store = app.store
    customer = store.customer(store.conn.execute(  # type: ignore[attr-defined]
        "SELECT customer_id FROM customer_phone WHERE e164 = ?", (WELL_KNOWN,)).fetchone()[0])
    index = next(i for i, a in enumerate(store.accounts()) if a.id == customer.account_id)
    async with app.run_test(size=(120, 35)) as pilot:
        await ring(pilot, "+12025550143", index)
        await pilot.press("a")
        await settle(pilot)
        assert app.desk.call is not None and app.desk.call.customer_id is None
        call_id = app.desk.call.interaction_id
        await find(pilot, app, WELL_KNOWN)
        assert app.desk.call.customer_id == customer.id
        await pilot.press("o")
        await settle(pilot)
        assert isinstance(app.screen, CaseFromCall) and customer.name in app.screen.customer_name
    app.writer.flush()
    linked = store.conn.execute(  # type: ignore[attr-defined]
        "SELECT customer_id FROM interaction WHERE id = ?", (call_id,)).fetchone()
    assert linked == (customer.id,)
