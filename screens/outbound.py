"""Outbound work of the day: the reminder calls before appointments, the surveys after them and after calls, and
the follow-ups from escalations, due by the end of today (overdue ones first).

`d` marks the highlighted call made; on a survey, a number 1-5 records the customer's rating (of the appointment,
or of the call and the agent who took it) and asks for their comment (Enter saves, an empty comment is fine). The
surveys of the agent's own calls are not listed: another agent asks them.
"""

from __future__ import annotations

from concurrent.futures import Future
from datetime import timedelta
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Input, Static

from agentdesk.desks.messages import reason_for_agent
from agentdesk.domain import booking
from agentdesk.domain.phones import display
from agentdesk.errors import StoreError
from agentdesk.localstore.appointment_store import OutboundTask
from widgets.screen_text import one_line

if TYPE_CHECKING:
    from agentdesk.desks.outbound import OutboundDesk
    from agentdesk.records import Account

KIND_WORDS = {"reminder": "Reminder", "survey": "Survey", "follow_up": "Follow-up"}


class OutboundWork(ModalScreen[bool]):
    """The day's outbound calls. Dismisses with True when something was recorded."""

    CSS_PATH = "dialogs.tcss"
    CSS = """
    OutboundWork .dialog { max-width: 130; }
    OutboundWork #tasks { height: auto; max-height: 16; }
    OutboundWork #comment { display: none; }
    """
    BINDINGS = [
        Binding("escape", "close", "Back", id="dialog.cancel", tooltip="Close the list"),
        Binding("d", "done", "Done", id="outbound.done", tooltip="The highlighted call is made"),
        *[
            Binding(str(n), f"rate({n})", f"Rate {n}", show=False, id=f"outbound.rate{n}",
                    tooltip=f"The customer rates the appointment or the call {n} of 5")
            for n in range(1, 6)
        ],
    ]

    def __init__(self, desk: OutboundDesk, accounts: dict[str, Account]) -> None:
        super().__init__()
        self.desk = desk
        self.accounts = accounts
        self.tasks: list[OutboundTask] = []
        self.rating: tuple[OutboundTask, int] | None = None
        self.changed = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static("Outbound work: due by the end of today", classes="dialog-title", markup=False, id="title")
            yield DataTable(id="tasks", cursor_type="row", zebra_stripes=True)
            yield Input(placeholder="The customer's comment (Enter saves)", id="comment", max_length=2000)
            yield Static("d done · 1-5 survey rating · Esc back", classes="dialog-hint", markup=False)
            yield Static("", classes="dialog-error", id="error", markup=False)

    def on_mount(self) -> None:
        # The number to dial before the name: at 80 columns a number cut at the edge would dial someone else.
        self.query_one(DataTable).add_columns("Due", "Call", "Phone", "Customer", "About")
        self.load()

    @work(thread=True, exclusive=True, group="outbound", exit_on_error=False)
    def load(self) -> None:
        account_ids = list(self.accounts)
        zone = booking.zone(next(iter(self.accounts.values())).time_zone if self.accounts else None)
        now = self.desk.clock.now()
        today = now.astimezone(zone).date()
        until = booking.wall_to_utc(today + timedelta(days=1), 0, zone)
        tasks = self.desk.due(until, account_ids)
        self.app.call_from_thread(self.show, tasks)

    def show(self, tasks: list[OutboundTask]) -> None:
        self.tasks = tasks
        table = self.query_one(DataTable)
        table.clear()
        now = self.desk.clock.now()
        for task in tasks:
            account = self.accounts.get(task.account_id)
            zone = booking.zone(account.time_zone if account else None)
            due = booking.short_time(task.due_at, zone)[4:] + (" late" if task.due_at < now else "")
            about = task.appointment_what
            if task.appointment_at is not None:
                about += f", {booking.short_time(task.appointment_at, zone)}"
            elif task.call_id is not None and task.call_at is not None:
                # Surveys are asked the next business morning: the weekday and time name the call.
                about = f"call of {task.call_at.astimezone(zone):%a %H:%M} with {task.call_agent or 'an agent'}"
            table.add_row(
                due, KIND_WORDS.get(task.kind, task.kind), display(task.phone) if task.phone else "",
                one_line(task.customer_name, 16), one_line(about or task.note, 60), key=task.id,
            )
        count = len(tasks)
        self.query_one("#title", Static).update(
            f"Outbound work: {count} call{'s' if count != 1 else ''} due by the end of today" if count
            else "Outbound work: nothing due today"
        )
        table.focus()

    def highlighted(self) -> OutboundTask | None:
        table = self.query_one(DataTable)
        if not self.tasks or table.cursor_row is None:
            return None
        return self.tasks[min(table.cursor_row, len(self.tasks) - 1)]

    def action_done(self) -> None:
        task = self.highlighted()
        if task is None:
            return
        if task.kind == "survey":
            self.query_one("#error", Static).update("A survey is done when the customer's rating (1-5) is in.")
            return
        self.save(self.desk.mark_done(task.id))

    def action_rate(self, rating: int) -> None:
        task = self.highlighted()
        if task is None or task.kind != "survey" or (task.appointment_id is None and task.call_id is None):
            self.query_one("#error", Static).update("Ratings go on survey calls.")
            return
        self.rating = (task, rating)
        comment = self.query_one("#comment", Input)
        comment.display = True
        comment.value = ""
        comment.focus()
        self.query_one("#error", Static).update(f"Rating {rating}/5 for {one_line(task.customer_name, 30)}: the comment?")

    @on(Input.Submitted, "#comment")
    def comment_done(self, event: Input.Submitted) -> None:
        if self.rating is None:
            return
        task, rating = self.rating
        self.rating = None
        event.input.display = False
        if task.appointment_id is not None:
            self.save(self.desk.record_survey(task.appointment_id, rating, event.value))
            return
        try:
            self.save(self.desk.record_call_survey(task, rating, event.value))
        except StoreError as refused:
            self.query_one("#error", Static).update(one_line(str(refused), 200))

    def save(self, future: Future[int]) -> None:
        """Wait for the commit off the UI thread, then say whether it was saved."""

        def wait() -> None:
            error = future.exception()
            self.app.call_from_thread(self.saved, error)

        self.run_worker(wait, thread=True, group="outbound-save", exit_on_error=False)

    def saved(self, error: BaseException | None) -> None:
        if error is not None:
            self.query_one("#error", Static).update(one_line(reason_for_agent(error), 200))  # detail: log file
        else:
            self.changed = True
            self.query_one("#error", Static).update("Saved.")
        self.load()

    def action_close(self) -> None:
        if self.rating is not None:
            self.rating = None
            self.query_one("#comment", Input).display = False
            self.query_one(DataTable).focus()
            return
        self.dismiss(self.changed)
