"""The monitor's work view (`w`): the escalated and overdue tickets and escalated follow-ups of the supervisor's
accounts, with Enter or `g` to give the highlighted one to an agent picked from the account's people (with their
state on the floor), and `k` to take it over. Each is checked by the backend; the notice says in plain words
what happened or why not, and the list is fetched again after every action."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from agentdesk.monitoring import FloorModel
from sync.floor_work import FloorWork
from widgets.agent_board import AgentBoard
from widgets.screen_text import one_line
from widgets.work_list import WorkList

MAY_TAKE = {None: ("agent", "senior", "supervisor"), "senior": ("senior", "supervisor"), "supervisor": ("supervisor",)}
"""Who the backend lets a row go to, by the level it was escalated to (None: a ticket); the picker offers only
those."""
STATE_ORDER = ("available", "wrap-up", "on call", "on hold", "ringing", "away", "offline")
WORDS = {"ticket": "ticket", "task": "follow-up"}


def candidates(row: dict[str, Any], staff: list[dict[str, Any]], model: FloorModel) -> list[tuple[str, str, str]]:
    """(agent id, name, the line to show) of the people the row may go to: the row's account's, of the right role, with
    their state on the floor (a supervisor is not on the floor), available first."""
    allowed = MAY_TAKE.get(row.get("level"), MAY_TAKE[None])
    found = []
    for person in staff:
        if person["account_id"] != row["account_id"] or person["role"] not in allowed:
            continue
        if person["agent_id"] == row.get("assignee_id"):
            continue
        on_floor = model.agents.get(person["agent_id"])
        state = str(on_floor["state"]) if on_floor else ("—" if person["role"] == "supervisor" else "offline")
        order = STATE_ORDER.index(state) if state in STATE_ORDER else len(STATE_ORDER)
        name = one_line(person["name"], 28)
        found.append((order, name, person["agent_id"], f"{name} · {person['role']} · {state}"))
    return [(agent_id, name, line) for _, name, agent_id, line in sorted(found)]


class AgentPick(ModalScreen[str | None]):
    """Pick who gets the row: Enter picks, Escape goes back."""

    CSS_PATH = "dialogs.tcss"
    BINDINGS = [Binding("escape", "cancel", "Back", tooltip="Close without acting")]

    def __init__(self, title: str, people: list[tuple[str, str, str]]) -> None:
        super().__init__()
        self.title_text, self.people = title, people

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.title_text, classes="dialog-title", markup=False)
            yield OptionList(*[Option(Content(line), id=agent_id) for agent_id, _, line in self.people], id="people")
            yield Static("Enter give it to them · Esc back", classes="dialog-hint", markup=False)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)


class WorkView(Screen[None]):
    """The work view's part of the monitor screen (`MonitorScreen` is one)."""

    model: FloorModel
    actions: Any
    show_work = False
    staff: list[dict[str, Any]] = []  # noqa: RUF012  (replaced, never changed in place)

    def _work(self) -> FloorWork | None:
        return FloorWork(self.actions.client) if self.actions is not None else None

    def action_toggle_work(self) -> None:
        self.show_work = not self.show_work
        work, board = self.query_one(WorkList), self.query_one(AgentBoard)
        work.display, board.display = self.show_work, not self.show_work
        (work if self.show_work else board).focus()
        if self.show_work:
            self.reload_work()

    def reload_work(self) -> None:
        self.run_worker(self._load_work(), exclusive=True, group="work")

    async def _load_work(self) -> None:
        work, shown = self._work(), self.query_one(WorkList)
        if work is None:
            shown.show([], "Not connected to a backend.")
            return
        data, refused = await work.load()
        if data is None:
            shown.show([], refused or "")
            self.notify(refused or "", severity="error")
            return
        self.staff = list(data["staff"])
        shown.show(list(data["rows"]))

    def _chosen_row(self) -> dict[str, Any] | None:
        row = self.query_one(WorkList).highlighted if self.show_work else None
        if row is None:
            self.notify("Press w for the work view and pick a ticket or follow-up first.",
                        severity="warning")
        return row

    def action_reassign_work(self) -> None:
        row = self._chosen_row()
        if row is None:
            return
        people = candidates(row, self.staff, self.model)
        word = WORDS[row["kind"]]
        if not people:
            self.notify(f"Nobody else in this account can take this {word}; press k to take it over.",
                        severity="warning")
            return

        def chosen(agent_id: str | None) -> None:
            if agent_id:
                name = next(name for pid, name, _ in people if pid == agent_id)
                self._move(row, agent_id, f"The {word} for {one_line(row.get('customer'), 40) or 'the customer'} "
                                          f"is now {name}'s.")

        title = f"Give this {word} to… ({one_line(row.get('customer'), 30) or 'no customer'})"
        self.app.push_screen(AgentPick(title, people), chosen)

    def action_take_work(self) -> None:
        row = self._chosen_row()
        if row is not None:
            word = WORDS[row["kind"]]
            self._move(row, None, f"You have taken over the {word} for "
                                  f"{one_line(row.get('customer'), 40) or 'the customer'}.")

    def _move(self, row: dict[str, Any], agent_id: str | None, done: str) -> None:
        async def moving() -> None:
            work = self._work()
            if work is None:
                self.notify("Not connected to a backend.", severity="warning")
                return
            if agent_id is None:
                _, refused = await work.take(row["kind"], row["id"])
            else:
                _, refused = await work.reassign(row["kind"], row["id"], agent_id)
            self.notify(refused or done, severity="error" if refused else "information")
            await self._load_work()

        self.run_worker(moving(), group="work-move")
