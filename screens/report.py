"""The daily report on the monitor (`r`): the newest report the backend kept for an account (yesterday's, once
the account's midnight has passed), as its text, scrollable; p and n step to the previous and next kept day.

The report is read from the backend in a worker through `sync.reports`; its text is shown as plain text (a
customer's comment in it is never read as markup)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import httpx
from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import ScrollableContainer, Vertical
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from sync.reports import ReportUnavailable, kept_days, report_text
from widgets.screen_text import one_line, sanitize

ClientOf = Callable[[], httpx.AsyncClient | None]


class ReportScreen(Screen[None]):
    """One account's kept reports, newest first; `client` gives the monitor's connection."""

    DEFAULT_CSS = """
    ReportScreen #report-title { height: 1; background: $panel; }
    ReportScreen #report-scroll { height: 1fr; }
    ReportScreen #report-body { width: auto; }
    """
    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("p", "step(1)", "Prev day"), Binding("n", "step(-1)", "Next day"),
    ]

    def __init__(self, account_id: str, name: str, client: ClientOf) -> None:
        super().__init__()
        self.account_id, self.account_name, self.client = account_id, name, client
        self.days: list[date] = []
        self.index = 0

    def compose(self) -> ComposeResult:
        yield Static(Text(f"Daily report · {one_line(self.account_name, 40)} · reading…"), id="report-title")
        with ScrollableContainer(id="report-scroll"):
            yield Static(Text(""), id="report-body")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#report-scroll").focus()
        self.run_worker(self._first(), exclusive=True, group="report")

    async def _first(self) -> None:
        try:
            self.days = await kept_days(self.client(), self.account_id)
        except ReportUnavailable as why:
            self._say(str(why))
            return
        if not self.days:
            self._say("No report is kept for this account yet: the backend makes each day's report once the "
                      "account's midnight has passed.")
            return
        await self._show()

    async def _show(self) -> None:
        day = self.days[self.index]
        try:
            page = await report_text(self.client(), self.account_id, day)
        except ReportUnavailable as why:
            self._say(str(why))
            return
        title = (f"Daily report · {one_line(self.account_name, 30)} · {day:%a %Y-%m-%d} · "
                 f"{self.index + 1} of {len(self.days)} kept, newest first")
        self.query_one("#report-title", Static).update(Text(title))
        self.query_one("#report-body", Static).update(Text(sanitize(page), no_wrap=True))
        self.query_one("#report-scroll", ScrollableContainer).scroll_home(animate=False)

    def _say(self, sentence: str) -> None:
        self.query_one("#report-title", Static).update(Text(f"Daily report · {one_line(self.account_name, 40)}"))
        self.query_one("#report-body", Static).update(Text(sanitize(sentence)))

    def action_step(self, older: int) -> None:
        """Step `older` kept days back (negative: forward)."""
        if not self.days:
            return
        wanted = self.index + older
        if not 0 <= wanted < len(self.days):
            self.notify("No earlier report is kept." if older > 0 else "This is the newest report kept.")
            return
        self.index = wanted
        self.run_worker(self._show(), exclusive=True, group="report")

    def action_back(self) -> None:
        self.dismiss(None)


class AccountChoice(ModalScreen[str | None]):
    """Which account's report to open, when the board shows several."""

    CSS_PATH = "dialogs.tcss"
    BINDINGS = [Binding("escape", "cancel", "Back", tooltip="Close without opening a report")]

    def __init__(self, accounts: list[tuple[str, str]], first: str | None) -> None:
        super().__init__()
        self.accounts, self.first = accounts, first

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static("Whose daily report?", classes="dialog-title", markup=False)
            yield OptionList(*[Option(Content(one_line(name, 60)), id=account_id)
                               for account_id, name in self.accounts], id="report-accounts")
            yield Static("Enter open · Esc back", classes="dialog-hint", markup=False)

    def on_mount(self) -> None:
        choices = self.query_one(OptionList)
        ids = [a for a, _ in self.accounts]
        choices.highlighted = ids.index(self.first) if self.first in ids else 0
        choices.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)


def open_report(app: App[Any], queues: dict[str, dict[str, Any]], highlighted: dict[str, Any] | None,
                client: ClientOf) -> None:
    """Open the report of the board's one account, or ask which when it shows several (the highlighted agent's
    first account offered first)."""
    accounts = sorted(((a, str(q.get("name") or a)) for a, q in queues.items()), key=lambda a: (a[1], a[0]))
    if not accounts:
        app.notify("No account on the board yet.", severity="warning")
        return
    names = dict(accounts)

    def chosen(account_id: str | None) -> None:
        if account_id is not None and account_id in names:
            app.push_screen(ReportScreen(account_id, names[account_id], client))

    if len(accounts) == 1:
        chosen(accounts[0][0])
        return
    first = next((a for a in sorted((highlighted or {}).get("accounts") or []) if a in names), None)
    app.push_screen(AccountChoice(accounts, first), chosen)
