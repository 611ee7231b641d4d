"""The workspace's FAQ handlers: the top ten by key, links and back, search, and escalation."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import work

from agentdesk.domain.escalation import next_level
from agentdesk.domain.faq import link_faq_id
from agentdesk.records import Account, FaqArticle
from screens.escalate import Escalate
from screens.faq_search import FaqSearch
from widgets import FaqPanel

if TYPE_CHECKING:
    from screens.workspace import Workspace

    _Base = Workspace
else:
    _Base = object


class FaqHandlers(_Base):
    """Mixed into the workspace: the FAQ panel's keys and messages."""

    @work(thread=True, exclusive=True, group="top-ten", exit_on_error=False)
    def load_top_ten(self, account: Account) -> None:
        articles = self.store.top_ten(account.id)
        self.app.call_from_thread(self.query_one(FaqPanel).show_top_ten, account.name, articles)

    def open_faq(self, faq_id: str, *, remember: bool = True) -> None:
        article = self.store.faq_article(faq_id)  # a primary-key read: well under a millisecond
        if article is None:
            self.notify("That answer is not in the FAQ base on this terminal.", severity="warning")
            return
        if remember:
            self.faq_trail.append(faq_id)
        self.query_one(FaqPanel).show_article(article, depth=len(self.faq_trail) - 1)
        self.desk.record_faq_use(faq_id)
        self.refresh_bindings()

    def action_faq(self, rank: int) -> None:
        top: list[FaqArticle] = self.query_one(FaqPanel).top_ten
        match = next((a for a in top if a.rank == rank), None)
        if match is None:
            return
        self.faq_trail.clear()
        self.open_faq(match.id)

    # Named handlers, not @on: Textual collects @on handlers only from Widget subclasses, not from mixins.
    def on_faq_panel_article_chosen(self, event: FaqPanel.ArticleChosen) -> None:
        self.faq_trail.clear()
        self.open_faq(event.faq_id)

    def on_faq_panel_link_chosen(self, event: FaqPanel.LinkChosen) -> None:
        faq_id = link_faq_id(event.link)
        if faq_id is None:
            kind = event.link.target.split(":", 1)[0]
            self.notify(f"The {kind} '{event.link.label[:60]}' opens in the account's script viewer (not here yet).")
            return
        self.open_faq(faq_id)

    def action_faq_back(self) -> None:
        panel = self.query_one(FaqPanel)
        if self.faq_trail:
            self.faq_trail.pop()
        if self.faq_trail:
            self.open_faq(self.faq_trail[-1], remember=False)
        else:
            panel.show_list()
        self.refresh_bindings()

    def action_faq_links(self) -> None:
        self.query_one(FaqPanel).focus_links()

    def action_faq_search(self) -> None:
        def chosen(faq_id: str | None) -> None:
            if faq_id:
                self.faq_trail.clear()
                self.open_faq(faq_id)

        self.app.push_screen(FaqSearch(self.store, self.account.id), chosen)

    def action_escalate(self) -> None:
        call = self.desk.call
        level = next_level(call.escalation_level if call else None)

        def escalate(question: str | None) -> None:
            if question is None:
                return
            customer_id = call.customer_id if call else (self.customer.id if self.customer else None)
            account = call.account if call else self.account
            level_now, line = self.desk.escalate(question, account, customer_id)
            who = "a senior agent" if level_now == "senior" else "the supervisor"
            self.query_one(FaqPanel).show_say(line)
            self.notify(f"Escalated to {who}; a follow-up task is on the list.", timeout=4)

        self.app.push_screen(Escalate(level), escalate)
