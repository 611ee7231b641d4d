"""The top-ten FAQ panel: the account's ten answers one key each, an answer with its links, and the line to
say when nothing answers the caller."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from agentdesk.domain.faq import SCRIPT_CATEGORY, parse_answer
from agentdesk.records import FaqArticle, FaqLink
from widgets.screen_text import one_line, sanitize


def rank_key(rank: int | None) -> str:
    """The key that opens a top-ten answer: 1..9, and 0 for the tenth."""
    if rank is None:
        return " "
    return "0" if rank == 10 else str(rank)


class FaqPanel(Vertical):
    """Top ten on top; an open answer replaces it until the agent goes back."""

    DEFAULT_CSS = """
    FaqPanel {
        #faq-title { height: 1; padding: 0 1; background: $boost; text-style: bold; }
        #top-ten { height: 1fr; text-wrap: nowrap; text-overflow: ellipsis; }
        #answer { height: 1fr; display: none; padding: 0 1; }
        #answer-title { text-style: bold; }
        #links { height: auto; max-height: 6; display: none; text-wrap: nowrap; text-overflow: ellipsis; }
        #say { height: auto; padding: 0 1; display: none; background: $warning 40%; text-style: bold; }
        &.-answer {
            #top-ten { display: none; }
            #answer { display: block; }
            #links { display: block; }
        }
        &.-say #say { display: block; }
    }
    """

    class ArticleChosen(Message):
        """The agent picked an FAQ from the top ten."""

        def __init__(self, faq_id: str) -> None:
            super().__init__()
            self.faq_id = faq_id

    class LinkChosen(Message):
        """The agent followed a link inside an answer."""

        def __init__(self, link: FaqLink) -> None:
            super().__init__()
            self.link = link

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.top_ten: list[FaqArticle] = []
        self.article: FaqArticle | None = None
        self.links: list[FaqLink] = []

    def compose(self) -> ComposeResult:
        yield Static("Top ten", id="faq-title", markup=False)
        yield Static(id="say", markup=False)
        yield OptionList(id="top-ten")
        with VerticalScroll(id="answer"):
            yield Static(id="answer-title", markup=False)
            yield Static(id="answer-body", markup=False)
        yield OptionList(id="links")

    def show_top_ten(self, account_name: str, articles: list[FaqArticle]) -> None:
        """Show an account's top ten (rank order), each with its key."""
        self.top_ten = articles
        self.query_one("#faq-title", Static).update(f"Top ten · {one_line(account_name, 30)}")
        options = self.query_one("#top-ten", OptionList)
        options.clear_options()
        options.add_options(
            [Option(Content(f"{rank_key(a.rank)}  {one_line(a.title, 60)}"), id=a.id) for a in articles]
        )
        if not articles:
            options.add_option(Option(Content("No FAQ for this account yet — press s to search"), disabled=True))
        self.show_list()

    def show_list(self) -> None:
        """Back to the top-ten list."""
        self.article = None
        self.remove_class("-answer")

    def show_article(self, article: FaqArticle, *, depth: int = 0) -> None:
        """Show one answer with its links; `depth` is how many answers the back key returns through."""
        self.article = article
        where = f"{rank_key(article.rank)} · " if article.rank else ""
        back = f" · b back ({depth})" if depth else " · b back"
        script = article.category.startswith(SCRIPT_CATEGORY)
        kind = "call script · read the Say: lines as written" if script else one_line(article.category, 30)
        self.query_one("#answer-title", Static).update(
            Content.assemble(f"{where}{one_line(article.title, 70)}", (f"\n{kind}", "dim"))
        )
        parts: list[str | tuple[str, str]] = []
        self.links = []
        for segment in parse_answer(article.body):
            if isinstance(segment, FaqLink):
                self.links.append(segment)
                parts.append((f"{sanitize(segment.label)}[{len(self.links)}]", "underline bold"))
            else:
                parts.append(sanitize(segment))
        self.query_one("#answer-body", Static).update(Content.assemble(*parts, ("\n" + back.strip(" ·"), "dim")))
        links = self.query_one("#links", OptionList)
        links.clear_options()
        links.add_options(
            [
                Option(Content(f"{n}→ {link.target.split(':', 1)[0]}: {one_line(link.label, 50)}"), id=str(n - 1))
                for n, link in enumerate(self.links, start=1)
            ]
        )
        self.add_class("-answer")
        self.query_one("#answer", VerticalScroll).scroll_home(animate=False)

    def show_say(self, line: str | None) -> None:
        """Show the line the agent reads to the caller (after an escalation), or hide it."""
        say = self.query_one("#say", Static)
        self.set_class(bool(line), "-say")
        say.update(Content.assemble(("Say: ", "bold"), line or ""))

    def focus_links(self) -> None:
        links = self.query_one("#links", OptionList)
        if self.links:
            links.focus()
            links.highlighted = 0

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        option_id = event.option.id
        if option_id is None:
            return
        if event.option_list.id == "top-ten":
            self.post_message(self.ArticleChosen(option_id))
        elif event.option_list.id == "links":
            self.post_message(self.LinkChosen(self.links[int(option_id)]))
