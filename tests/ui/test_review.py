"""Quality review as a reviewer lives it: the oldest unrated call is on screen, a score key saves it with the
comment typed and the next one is there at once, the rated agent's average moves; an agent sees only their own
ratings, and cannot open the review."""

from __future__ import annotations

import pytest

from agentdesk.config import Settings
from agentdesk.desks.workstation import pick_agent
from agentdesk.store import Store, StoreError
from screens.app import make_app
from screens.review import RatingAverages, ReviewScreen
from tests.desk import screen_text, settle
from widgets.review_card import ReviewCard


async def _until_shown(pilot, screen: ReviewScreen, old_id: str | None = None) -> None:  # type: ignore[no-untyped-def]
    for _ in range(100):
        await settle(pilot)
        if screen.item is not None and screen.item.id != old_id:
            return
    raise AssertionError("the review screen showed no new item")


async def test_a_score_key_saves_the_rating_with_its_comment_and_shows_the_next_at_once(
    settings: Settings, store: Store, clock
) -> None:  # type: ignore[no-untyped-def]
    app = make_app(settings, store, clock=clock, start="review")
    assert app.agent.role == "qc"
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        await _until_shown(pilot, screen)
        first = screen.item
        assert first is not None
        text = screen_text(app).replace(" ", "")
        assert first.agent_name.replace(" ", "") in text and first.account_name.replace(" ", "") in text
        before = {a.source: a.count for a in app.desks.review.averages([first.agent_id])}

        await pilot.press("c")
        await pilot.press(*"Clear answer")
        await pilot.press("enter")
        await pilot.press("4")
        await _until_shown(pilot, screen, first.id)
        app.writer.flush()
        second = screen.item
        assert second is not None and (second.cursor.at, second.cursor.id) > (first.cursor.at, first.cursor.id)
        column = "interaction_id" if first.kind == "interaction" else "message_id"
        saved = store.conn.execute(f"SELECT source, score, comment FROM rating WHERE {column} = ? AND source = 'qc'",
                                   (first.id,)).fetchall()
        assert saved == [("qc", 4, "Clear answer")]
        after = {a.source: a.count for a in app.desks.review.averages([first.agent_id])}
        assert after["qc"] == before["qc"] + 1
        for _ in range(50):
            await settle(pilot)
            if "Rated" in screen_text(app):
                break
        assert f"Rated{first.agent_name}".replace(" ", "") in screen_text(app).replace(" ", "")

        await pilot.press("n")  # passed over: nothing saved for it, and the one after it shows
        await _until_shown(pilot, screen, second.id)
        column = "interaction_id" if second.kind == "interaction" else "message_id"
        assert store.conn.execute(f"SELECT count(*) FROM rating WHERE {column} = ? AND source = 'qc'",
                                  (second.id,)).fetchone() == (0,)
        await pilot.press("escape")
        await settle(pilot)
    assert app.return_code in (0, None)


async def test_the_card_shows_notes_and_holds_as_plain_text(settings: Settings, store: Store, clock) -> None:  # type: ignore[no-untyped-def]
    app = make_app(settings, store, clock=clock, start="review")
    async with app.run_test(size=(120, 35)) as pilot:
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        await _until_shown(pilot, screen)
        item = screen.item
        assert item is not None
        shown = str(app.screen.query_one(ReviewCard).render())
        if item.kind == "interaction" and item.channel == "phone":
            assert ("No holds." in shown) == (not item.holds)
            assert "talk" in shown
        assert "Notes:" in shown or "Thread" in shown


async def test_an_agent_sees_only_their_own_averages_and_may_not_review(
    settings: Settings, store: Store, clock
) -> None:  # type: ignore[no-untyped-def]
    app = make_app(settings, store, clock=clock)
    assert app.agent.role == "agent"
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app._open_ratings()
        for _ in range(30):
            await settle(pilot)
            if isinstance(app.screen, RatingAverages) and app.screen.query_one("DataTable").row_count:
                break
        table = app.screen.query_one("DataTable")
        assert table.row_count == 1
        assert str(table.get_row_at(0)[0]) == app.agent.name
    with pytest.raises(StoreError, match="quality review is for quality control"):
        pick_agent(store, app.agent.id, reviewer=True)
