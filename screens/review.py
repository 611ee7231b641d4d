"""Quality review (`agentdesk review`): the oldest unrated interaction of the reviewer's accounts, a key per score,
and the next one at once.

The next item is fetched while the reviewer reads the current one, so a score shows the next without a wait.
`c` writes a comment that goes with the next score; `n` passes over an item (it comes back next time);
`a` lists every agent's averages; Escape leaves.
"""

from __future__ import annotations

from concurrent.futures import Future
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Footer, Input, Static

from agentdesk.desks.messages import reason_for_agent
from agentdesk.records import RatingAverage, ReviewCursor, ReviewItem
from widgets.review_card import CHANNEL_WORDS, ReviewCard, averages_line
from widgets.screen_text import one_line

if TYPE_CHECKING:
    from agentdesk.desks.review import ReviewDesk
    from agentdesk.records import Account


class ReviewScreen(Screen[None]):
    """The review queue, one item at a time."""

    CSS = """
    ReviewScreen #title { height: 1; padding: 0 1; background: $primary; color: $text; text-style: bold; }
    ReviewScreen #card { height: 1fr; }
    ReviewScreen #comment { height: 3; }
    ReviewScreen #status { height: 1; padding: 0 1; color: $text-muted; }
    """
    BINDINGS = [
        *[Binding(str(n), f"rate({n})", f"Rate {n}", show=False, id=f"review.rate{n}",
                  tooltip=f"Rate it {n} of 5 and go on") for n in range(1, 6)],
        Binding("c", "comment", "Comment", id="review.comment", tooltip="Write a comment for the next score"),
        Binding("n", "skip", "Skip", id="review.skip", tooltip="Pass over this one for now"),
        Binding("a", "averages", "Averages", id="review.averages", tooltip="Every agent's ratings, 30 days"),
        Binding("escape", "leave", "Quit", id="review.quit", tooltip="Leave the review"),
    ]

    def __init__(self, desk: ReviewDesk, accounts: list[Account]) -> None:
        super().__init__()
        self.desk = desk
        self.zones = {a.id: ZoneInfo(a.time_zone) for a in accounts}
        self.item: ReviewItem | None = None
        self.averages: list[RatingAverage] = []
        self.prefetched: Future[tuple[ReviewItem | None, list[RatingAverage]]] | None = None
        self.rated = 0

    def compose(self) -> ComposeResult:
        yield Static(f"Quality review · {one_line(self.desk.agent.name, 40)}", id="title", markup=False)
        with VerticalScroll(id="card"):
            yield ReviewCard("Finding the oldest unrated interaction…", id="item")
        yield Input(placeholder="Comment for the next score (c to write, Enter to keep it)", id="comment",
                    max_length=2000)
        yield Static("", id="status", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#card").focus()
        self.prefetched = self._fetch(None)
        self._show_when_ready()

    def _fetch(self, after: ReviewCursor | None) -> Future[tuple[ReviewItem | None, list[RatingAverage]]]:
        """Fetch the item after `after`, with its agent's averages, on the desk's reading thread."""
        found: Future[tuple[ReviewItem | None, list[RatingAverage]]] = Future()

        def fetch() -> None:
            try:
                item = self.desk.next(after)
                averages = self.desk.averages([item.agent_id]) if item and item.agent_id else []
                found.set_result((item, averages))
            except Exception as error:  # shown as a sentence; the queue can be tried again with `n`
                found.set_exception(error)

        self.run_worker(fetch, thread=True, group="review-fetch", exit_on_error=False)
        return found

    @work(thread=True, exclusive=True, group="review-show", exit_on_error=False)
    def _show_when_ready(self) -> None:
        waiting = self.prefetched
        if waiting is None:
            return
        try:
            item, averages = waiting.result(timeout=30)
        except Exception as error:
            self.app.call_from_thread(self._say, f"The queue cannot be read: {reason_for_agent(error)}")
            return
        self.app.call_from_thread(self._show, item, averages)

    def _show(self, item: ReviewItem | None, averages: list[RatingAverage]) -> None:
        self.item, self.averages = item, averages
        zone = self.zones.get(item.account_id) if item else None
        self.query_one(ReviewCard).show(item, zone, max(40, self.size.width - 4), averages)
        self.query_one("#card", VerticalScroll).scroll_home(animate=False)
        self._say(f"{self.rated} rated this session · 1-5 rate · c comment · n skip · a averages · Esc quit"
                  if item else f"{self.rated} rated this session · the queue is empty")
        # The next one is fetched while this one is read.
        self.prefetched = self._fetch(item.cursor) if item else None

    def _say(self, words: str) -> None:
        self.query_one("#status", Static).update(words)

    def _go_on(self) -> None:
        if self.prefetched is None:
            self.prefetched = self._fetch(self.item.cursor if self.item else None)
        self._show_when_ready()

    def action_rate(self, score: int) -> None:
        item = self.item
        if item is None:
            self.notify("Nothing to rate here.", severity="warning")
            return
        box = self.query_one("#comment", Input)
        comment, box.value = box.value, ""
        saved = self.desk.rate(item, score, comment)
        self.rated += 1
        self._go_on()
        self._tell_average(saved, item, score)

    @work(thread=True, group="review-saved", exit_on_error=False)
    def _tell_average(self, saved: Future[int], item: ReviewItem, score: int) -> None:
        what = f"{item.agent_name or 'the agent'}'s {CHANNEL_WORDS.get(item.channel, item.channel).lower()}"
        try:
            saved.result(timeout=30)
        except Exception as error:
            self.app.call_from_thread(self.notify, f"The rating of {what} was not saved: {reason_for_agent(error)}",
                                      severity="error")
            return
        averages = [a for a in self.desk.averages([item.agent_id]) if a.source == "qc"] if item.agent_id else []
        now = f" Quality average now {averages_line(averages).removeprefix('quality ')}." if averages else ""
        self.app.call_from_thread(self.notify, one_line(f"Rated {what} {score}/5.{now}", 120), timeout=4)

    def action_skip(self) -> None:
        self._go_on()

    def action_comment(self) -> None:
        self.query_one("#comment", Input).focus()

    @on(Input.Submitted, "#comment")
    def _comment_kept(self) -> None:
        self.query_one("#card").focus()

    def action_averages(self) -> None:
        self.app.push_screen(RatingAverages(self.desk))

    def action_leave(self) -> None:
        if self.focused is self.query_one("#comment", Input):
            self.query_one("#card").focus()
            return
        self.app.exit()


class RatingAverages(ModalScreen[None]):
    """Every agent's rating averages by source over the last 30 days, with counts (an agent: their own)."""

    CSS_PATH = "dialogs.tcss"
    CSS = "RatingAverages #averages { height: auto; max-height: 16; }"
    BINDINGS = [Binding("escape", "dismiss", "Back", id="dialog.cancel", tooltip="Close the list")]

    def __init__(self, desk: ReviewDesk) -> None:
        super().__init__()
        self.desk = desk

    def compose(self) -> ComposeResult:
        from textual.containers import Vertical

        with Vertical(classes="dialog"):
            yield Static("Ratings, last 30 days", classes="dialog-title", markup=False)
            yield DataTable(id="averages", cursor_type="row", zebra_stripes=True)
            yield Static("Esc back", classes="dialog-hint", markup=False)

    def on_mount(self) -> None:
        self.query_one(DataTable).add_columns("Agent", "Quality", "Rated", "Customers", "Rated")
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False)
    def load(self) -> None:
        found = self.desk.averages()
        self.app.call_from_thread(self._fill, found)

    def _fill(self, found: list[RatingAverage]) -> None:
        table = self.query_one(DataTable)
        by_agent: dict[str, dict[str, RatingAverage]] = {}
        for average in found:
            by_agent.setdefault(average.agent_id, {})[average.source] = average
        for agent_id, sources in by_agent.items():
            qc, customer = sources["qc"], sources["customer"]
            table.add_row(one_line(qc.agent_name, 28), *_cells(qc), *_cells(customer), key=agent_id)
        if not by_agent:
            table.add_row("(no agents)", "", "", "", "")


def _cells(average: RatingAverage) -> tuple[str, str]:
    return ("–" if average.average is None else f"{average.average:.2f}", str(average.count))
