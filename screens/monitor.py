"""Monitoring mode: the floor (agent board), the queues and service levels, the last alerts, live from the
backend's stream; "stale since HH:MM:SS" and dimmed while the stream is down (it reconnects on its own)."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Footer, Static

from agentdesk.monitoring import FILTERS, SORTS, FloorModel
from screens.monitor_prompt import FloorPrompt
from screens.monitor_work import WorkView
from screens.report import open_report
from sync.floor_feed import FloorActions, FloorFeed, FloorRefused
from widgets.agent_board import AgentBoard
from widgets.alert_list import AlertList
from widgets.queue_gauges import QueueGauges
from widgets.work_list import WorkList

REFRESH_S = 0.5
"""The board is redrawn at most this often (changes are applied as they come; the drawing is what costs)."""

CALL_CONTROLS = ("Listening to or joining a call needs a phone system, which AgentDesk is not connected to yet:"
                 " these controls will live here.")


class MonitorScreen(WorkView):
    """The supervisor's floor; `connect` makes the feed (None: a still floor, for tests and snapshots). `w`
    switches the board for the work view (`screens.monitor_work`)."""

    DEFAULT_CSS = """
    MonitorScreen #status { height: 1; background: $panel; }
    MonitorScreen #status.-stale { background: $warning-darken-2; }
    """
    BINDINGS = [
        Binding("s", "next_sort", "Sort"), Binding("f", "next_filter", "Filter"),
        Binding("t", "toggle_tickets", "Tickets"),
        Binding("r", "report", "Report"),
        Binding("w", "toggle_work", "Work"),
        Binding("a", "set_away", "Away"), Binding("v", "set_available", "Avail."),
        Binding("m", "message", "Msg"), Binding("l", "listen", "Listen", show=False),
        Binding("question_mark", "help", "Keys"),
        Binding("q", "app.quit", "Quit"),
    ]

    def __init__(self, model: FloorModel, connect: Callable[[FloorModel, MonitorScreen], FloorFeed] | None = None,
                 *, clock: Callable[[], float] = time.time,
                 actions: FloorActions | None = None) -> None:
        super().__init__()
        self.actions = actions
        self.model = model
        self.connect = connect
        self.clock = clock
        self.sort, self.show_only = "state", "all"
        self.show_tickets = False
        """The queue panel shows the tickets and e-mail instead of the calls (t switches)."""
        self.stale_since: float | None = None
        self.dirty = True
        self.feed: FloorFeed | None = None
        self.refusal: str | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="status")
        yield QueueGauges(id="queues")
        yield AgentBoard(self.model, id="board")
        yield WorkList(self.model.account_name, id="work")
        yield AlertList(id="alerts")
        yield Footer(compact=True, show_command_palette=False)  # every key fits 80 columns (Ctrl+P still opens the palette)

    def on_mount(self) -> None:
        self.query_one(WorkList).display = False
        self.query_one(AgentBoard).focus()
        self.redraw()
        self.set_interval(REFRESH_S, self.tick)
        if self.connect is not None:
            self.feed = self.connect(self.model, self)
            self.run_worker(self._follow(), exclusive=True, group="floor")

    async def _follow(self) -> None:
        assert self.feed is not None
        try:
            await self.feed.run()
        except FloorRefused as refusal:
            self.refusal = str(refusal)
            self.redraw()

    # -- the feed's callbacks (on the App's loop) -------------------------------------------------------

    def take(self, kind: str, data: dict[str, Any]) -> None:
        """A stream event: a snapshot or changes."""
        if kind == "snapshot":
            self.model.take_snapshot(data)
        elif kind == "changes":
            self.model.take_changes(data)
        self.stale_since = None
        self.dirty = True

    def dropped(self, since: float) -> None:
        """The stream is lost: the board goes stale until the feed is back."""
        self.stale_since = self.stale_since or since
        self.redraw()

    # -- drawing ---------------------------------------------------------------------------------------

    def tick(self) -> None:
        """Redraw when something moved, and every second anyway (times in state run on)."""
        self.redraw()

    def redraw(self) -> None:
        now = self.clock()
        stale = self.stale_since is not None
        self.model.scan_alerts(now)
        self.query_one(QueueGauges).show(self.model, now, stale=stale, tickets=self.show_tickets)
        self.query_one(AgentBoard).show(self.model.rows(self.sort, self.show_only, now), now, stale=stale)
        self.query_one(AlertList).show(self.model.alerts)
        status = self.query_one("#status", Static)
        status.set_class(stale or self.refusal is not None, "-stale")
        status.update(self._status_line(now))
        self.dirty = False

    def _status_line(self, now: float) -> str:
        if self.refusal:
            return self.refusal
        if self.stale_since is not None:
            state = f"stale since {time.strftime('%H:%M:%S', time.localtime(self.stale_since))}, reconnecting"
        elif self.model.version < 0:
            state = "connecting…"
        else:
            state = "live"
        agents = len(self.model.agents)
        return f"Floor: {agents} agents · {state} · sort {self.sort} · show {self.show_only}"

    # -- keys ------------------------------------------------------------------------------------------

    def action_next_sort(self) -> None:
        self.sort = SORTS[(SORTS.index(self.sort) + 1) % len(SORTS)]
        self.redraw()

    def action_next_filter(self) -> None:
        self.show_only = FILTERS[(FILTERS.index(self.show_only) + 1) % len(FILTERS)]
        self.redraw()

    def _highlighted(self) -> dict[str, Any] | None:
        board = self.query_one(AgentBoard)
        return board.rows[board.cursor] if board.rows and not self.show_work else None

    async def _do(self, asked: Callable[[FloorActions], Awaitable[str | None]], done: str) -> None:
        if self.actions is None:
            self.notify("Not connected to a backend.", severity="warning")
            return
        refused = await asked(self.actions)
        self.notify(refused or done, severity="error" if refused else "information")

    def action_set_available(self) -> None:
        row = self._highlighted()
        if row is not None:
            agent_id = row["agent_id"]
            self.run_worker(self._do(lambda actions: actions.set_available(agent_id), "Set available."))

    def action_set_away(self) -> None:
        row = self._highlighted()
        if row is None:
            return

        def chosen(reason: str | None) -> None:
            if reason:
                agent_id = row["agent_id"]
                self.run_worker(self._do(lambda actions: actions.set_away(agent_id, reason), "Set away."))

        self.app.push_screen(FloorPrompt("Why is this agent set away? (e.g. coaching)", 40), chosen)

    def action_message(self) -> None:
        row = self._highlighted()
        if row is None:
            return

        def chosen(text: str | None) -> None:
            if text:
                agent_id = row["agent_id"]
                self.run_worker(self._do(lambda actions: actions.message(agent_id, text),
                                         "Message left for the agent's desk."))

        self.app.push_screen(FloorPrompt("A short message for this agent's desk", 200), chosen)

    def action_toggle_tickets(self) -> None:
        self.show_tickets = not self.show_tickets
        self.dirty = True
        self.redraw()

    def action_report(self) -> None:
        """Yesterday's daily report of an account on the board (the newest the backend kept)."""
        open_report(self.app, self.model.queues, self._highlighted(),
                    self.actions.client if self.actions is not None else lambda: None)

    def action_listen(self) -> None:
        self.notify(CALL_CONTROLS, title="Listen / join", timeout=8)

    def action_help(self) -> None:
        self.app.action_show_help_panel()
