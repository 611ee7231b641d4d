"""The FAQ part of the workspace: the top ten by key, links and back, search, and escalation when no answer fits.

`FaqKeys` is composed into the workspace (it holds the screen, not the other way round): the workspace's key and
message handlers call it. Every answer read is recorded on the call through the call desk.
"""

from __future__ import annotations

from typing import Any

from textual.screen import Screen

from agentdesk.desks.calls import CallDesk
from agentdesk.domain.escalation import next_level
from agentdesk.domain.faq import link_faq_id, link_script
from agentdesk.records import Account, FaqArticle, FaqLink
from screens.escalate import Escalate
from screens.faq_search import FaqSearch
from screens.ticket_dialogs import Choice
from widgets import FaqPanel
from widgets.screen_text import one_line


class FaqKeys:
    """The FAQ panel of `screen`, and the trail of answers opened (for back)."""

    def __init__(self, screen: Screen[Any], desk: CallDesk) -> None:
        self.screen = screen
        self.desk = desk
        self.trail: list[str] = []

    @property
    def panel(self) -> FaqPanel:
        return self.screen.query_one(FaqPanel)

    def load_top_ten(self, account: Account) -> None:
        """Show `account`'s ten most used answers (read in a worker)."""

        def read() -> None:
            articles = self.desk.store.top_ten(account.id)
            self.screen.app.call_from_thread(self.panel.show_top_ten, account.name, articles)

        self.screen.run_worker(read, thread=True, exclusive=True, group="top-ten", exit_on_error=False)

    def open(self, faq_id: str, *, remember: bool = True) -> None:
        """Show an answer and record that it was read on this call."""
        article = self.desk.store.faq_article(faq_id)  # a primary-key read: well under a millisecond
        if article is None:
            self.screen.notify("That answer is not in the FAQ base on this terminal.", severity="warning")
            return
        if remember:
            self.trail.append(faq_id)
        self.panel.show_article(article, depth=len(self.trail) - 1)
        self.desk.record_faq_use(faq_id)
        self.screen.refresh_bindings()

    def open_fresh(self, faq_id: str) -> None:
        """Open an answer as the start of a new trail."""
        self.trail.clear()
        self.open(faq_id)

    def open_rank(self, rank: int) -> None:
        """The top ten's answer number `rank`."""
        top: list[FaqArticle] = self.panel.top_ten
        match = next((a for a in top if a.rank == rank), None)
        if match is not None:
            self.open_fresh(match.id)

    def follow(self, link: FaqLink, account_id: str) -> None:
        """A link in the open answer: another answer or one of `account_id`'s call scripts opens here (b goes
        back); a page of the account's website is named, as it does not live in this terminal."""
        faq_id = link_faq_id(link)
        name = link_script(link)
        if name is not None:
            script = self.desk.store.script(account_id, name)
            if script is None:
                self.screen.notify(f"This account has no '{one_line(link.label, 60)}' script on this terminal.",
                                   severity="warning")
                return
            faq_id = script.id
        if faq_id is None:
            self.screen.notify(f"'{one_line(link.label, 60)}' is a page of the account's website, not kept in this"
                               " terminal.", timeout=4)
            return
        self.open(faq_id)

    def pick_script(self, account: Account) -> None:
        """The account's call scripts, the greeting first; the one chosen opens in the panel (b goes back)."""
        scripts = self.desk.store.scripts(account.id)
        if not scripts:
            self.screen.notify(f"{one_line(account.name, 40)} has no call scripts on this terminal.", severity="warning")
            return

        def chosen(faq_id: str | None) -> None:
            if faq_id:
                self.open(faq_id)

        options = [(script.id, script.title, True) for script in scripts]
        self.screen.app.push_screen(Choice(f"Call scripts of {account.name}", options, "Enter open · Esc back"), chosen)

    def back(self) -> None:
        """The previous answer, or the top ten."""
        if self.trail:
            self.trail.pop()
        if self.trail:
            self.open(self.trail[-1], remember=False)
        else:
            self.panel.show_list()
        self.screen.refresh_bindings()

    def focus_links(self) -> None:
        self.panel.focus_links()

    def search(self, account_id: str) -> None:
        """Search the whole FAQ base of the account; the answer chosen opens."""

        def chosen(faq_id: str | None) -> None:
            if faq_id:
                self.open_fresh(faq_id)

        self.screen.app.push_screen(FaqSearch(self.desk.store, account_id), chosen)

    def escalate(self, account: Account, customer_id: str | None) -> None:
        """No answer fits: ask for the question, then a follow-up task goes to a senior agent (then the supervisor);
        the line to read to the caller shows in the panel."""
        call = self.desk.call
        level = next_level(call.escalation_level if call else None)

        def escalate(question: str | None) -> None:
            if question is None:
                return
            level_now, line = self.desk.escalate(question, account, customer_id)
            who = "a senior agent" if level_now == "senior" else "the supervisor"
            self.panel.show_say(line)
            self.screen.notify(f"Escalated to {who}; a follow-up task is on the list.", timeout=4)

        self.screen.app.push_screen(Escalate(level), escalate)
