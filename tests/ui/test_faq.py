"""The top-ten FAQ panel during a call: keys, links and back, search, and escalation."""

from __future__ import annotations

from agentdesk.domain.faq import answer_links, link_faq_id
from screens.app import AgentDeskApp
from tests.desk import WELL_KNOWN, ring, screen_text, settle
from widgets import FaqPanel


async def test_number_keys_open_the_top_ten_and_the_use_is_recorded(app: AgentDeskApp) -> None:
    async with app.run_test(size=(120, 35)) as pilot:
        await ring(pilot, WELL_KNOWN)
        await pilot.press("a")
        panel = app.screen.query_one(FaqPanel)
        assert [a.rank for a in panel.top_ten] == list(range(1, 11))
        await pilot.press("3")
        await settle(pilot)
        assert panel.article is not None and panel.article.rank == 3
        await pilot.press("0")
        await settle(pilot)
        assert panel.article.rank == 10
        uses = app.store.conn.execute(  # type: ignore[attr-defined]
            "SELECT faq_id FROM faq_use WHERE interaction_id = ? ORDER BY used_at, rowid",
            (app.desk.call.interaction_id,),
        ).fetchall()
        assert [u[0] for u in uses] == [panel.top_ten[2].id, panel.top_ten[9].id]


async def test_following_a_link_and_coming_back(app: AgentDeskApp) -> None:
    async with app.run_test(size=(120, 35)) as pilot:
        panel = app.screen.query_one(FaqPanel)
        await settle(pilot)
        linked = next(a for a in panel.top_ten if any(link_faq_id(x) for x in answer_links(a.body)))
        await pilot.press(str(linked.rank % 10))
        await settle(pilot)
        target = next(link_faq_id(x) for x in answer_links(linked.body) if link_faq_id(x))
        index = next(i for i, x in enumerate(panel.links) if link_faq_id(x) == target)
        await pilot.press("l")
        for _ in range(index):
            await pilot.press("down")
        await pilot.press("enter")
        await settle(pilot)
        assert panel.article.id == target
        await pilot.press("b")
        await settle(pilot)
        assert panel.article.id == linked.id
        await pilot.press("b")
        await settle(pilot)
        assert panel.article is None and not panel.has_class("-answer")


async def test_search_finds_an_answer_by_its_words(app: AgentDeskApp) -> None:
    async with app.run_test(size=(120, 35)) as pilot:
        panel = app.screen.query_one(FaqPanel)
        await settle(pilot)
        wanted = panel.top_ten[4]
        word = max(wanted.title.split(), key=len).strip("?.,!")
        await pilot.press("s")
        await settle(pilot)
        await pilot.press(*word)
        await settle(pilot)
        hits = app.screen.hits
        assert wanted.id in [h.id for h in hits]
        await pilot.press("down")  # into the results, first one highlighted
        for _ in range([h.id for h in hits].index(wanted.id)):
            await pilot.press("down")
        await pilot.press("enter")
        await settle(pilot)
        assert panel.article.id == wanted.id


async def test_not_answered_escalates_to_senior_then_supervisor(app: AgentDeskApp) -> None:
    async with app.run_test(size=(120, 35)) as pilot:
        await ring(pilot, WELL_KNOWN)
        await pilot.press("a", "x")
        await settle(pilot)
        await pilot.press(*"Can I change the billing date?", "enter")
        await settle(pilot)
        panel = app.screen.query_one(FaqPanel)
        assert panel.has_class("-say")
        await pilot.press("x")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        tasks = [t for t in app.store.tasks() if t.kind == "follow_up"]
        mine = [t for t in tasks if t.note.startswith("Can I change") or "no FAQ" in t.note]
        assert sorted(t.level for t in mine) == ["senior", "supervisor"]
        assert all(t.due_at > app.clock.now() for t in mine)


async def test_a_script_link_opens_the_accounts_script_and_b_comes_back(app: AgentDeskApp) -> None:
    from agentdesk.domain.faq import link_script

    async with app.run_test(size=(80, 24)) as pilot:
        panel = app.screen.query_one(FaqPanel)
        await settle(pilot)
        linked = next(a for a in panel.top_ten if any(link_script(x) for x in answer_links(a.body)))
        await pilot.press(str(linked.rank % 10))
        await settle(pilot)
        name = next(link_script(x) for x in answer_links(linked.body) if link_script(x))
        index = next(i for i, x in enumerate(panel.links) if link_script(x) == name)
        await pilot.press("l")
        for _ in range(index):
            await pilot.press("down")
        await pilot.press("enter")
        await settle(pilot)
        assert panel.article is not None and panel.article.category == f"script:{name}"
        assert panel.article.account_id == app.screen.account.id
        assert "Say:" in screen_text(app)
        await pilot.press("b")
        await settle(pilot)
        assert panel.article.id == linked.id


async def test_g_lists_the_call_scripts_greeting_first_and_opens_the_one_chosen(app: AgentDeskApp) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        account = app.screen.account
        await pilot.press("g")
        await settle(pilot)
        shown = screen_text(app)
        assert f"Call scripts of {account.name}" in shown and "Greeting" in shown and "Identity check" in shown
        await pilot.press("enter")
        await settle(pilot)
        panel = app.screen.query_one(FaqPanel)
        assert panel.article is not None and panel.article.title == "Greeting"
        assert account.name.split()[0] in screen_text(app)  # the account's own greeting, to read out
        await pilot.press("b")
        await settle(pilot)
        assert panel.article is None
