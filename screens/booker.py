"""The appointment booker: during a call, book the caller with one of the account's professionals.

Pick the appointment type (↑↓ in the list of types), say what the caller prefers in one line ("mon wed
morning es"), and the next free slots that fit come up, numbered, in the caller's time and the account's. A
number picks one and shows what to read back; Enter books it. The caller's upcoming appointments are listed
too: `m` moves the highlighted one (pick a new slot, Enter), `x` cancels it (Enter to confirm).

Every booking is written as a mutation and is tentative until the backend confirms it.
"""

from __future__ import annotations

from concurrent.futures import Future
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import DataTable, Input, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from agentdesk.desks.messages import reason_for_agent
from agentdesk.domain import booking
from agentdesk.domain.booking import Preferences, parse_preferences
from agentdesk.localstore.appointments import AppointmentType, Booking, Proposal
from widgets.screen_text import one_line

if TYPE_CHECKING:
    from agentdesk.desks.bookings import BookingDesk


@dataclass(frozen=True, slots=True)
class BookerContext:
    """Who is booked, for which account, during which call, by whom."""

    customer_id: str
    customer_name: str
    customer_language: str
    account_id: str
    account_name: str
    account_zone: str
    interaction_id: str | None


def article(noun: str) -> str:
    """"a" or "an" before `noun` (by its first letter, which is right for the names of appointment types)."""
    return "an" if noun[:1].lower() in "aeiou" else "a"


class Booker(ModalScreen[str | None]):
    """Book, move or cancel the caller's appointments. Dismisses with what was done, or None."""

    CSS_PATH = "dialogs.tcss"
    VERTICAL_BREAKPOINTS = [(0, "-short"), (30, "-tall")]
    CSS = """
    Booker { align: center top; }
    Booker.-short #types { max-height: 3; }
    Booker #error { height: auto; }
    Booker .dialog { max-width: 120; height: 1fr; max-height: 100%; margin-top: 1; }
    Booker .dialog-title { margin-bottom: 0; }
    Booker #types { border: none; height: auto; max-height: 5; padding: 0; }
    Booker #prefs { border: none; height: 1; margin: 0; padding: 0 1; }
    Booker #slots { height: 1fr; }
    Booker #upcoming { height: auto; max-height: 5; }
    Booker #readback { height: auto; color: $text; background: $boost; padding: 0 1; }
    """
    BINDINGS = [
        Binding("escape", "close", "Back", id="dialog.cancel", tooltip="Close the booker (nothing is booked)"),
        Binding("enter", "confirm", "Book", id="booker.confirm", priority=True,
                tooltip="Book the slot picked (or confirm the move or cancellation)"),
        Binding("m", "move", "Move", id="booker.move", tooltip="Move the highlighted upcoming appointment"),
        Binding("x", "cancel_booking", "Cancel appt", id="booker.cancel",
                tooltip="Cancel the highlighted upcoming appointment"),
        *[
            Binding(str(n % 10), f"pick({n})", f"Slot {n}", show=False, id=f"booker.slot{n}",
                    tooltip=f"Pick proposal {n}")
            for n in range(1, 11)
        ],
    ]

    def __init__(self, desk: BookingDesk, context: BookerContext) -> None:
        super().__init__()
        self.desk = desk
        self.store = desk.store
        self.context = context
        self.account_zone = booking.zone(context.account_zone)
        self.caller_zone: ZoneInfo = self.account_zone
        self.types: list[AppointmentType] = []
        self.languages: set[str] = set()
        self.locations: set[str] = set()
        self.prefs = Preferences()
        self.proposals: list[Proposal] = []
        self.upcoming: list[Booking] = []
        self.picked: Proposal | None = None
        self.new_id = desk.new_appointment_id()  # made now so its reference is read back before it
        self.moving: Booking | None = None
        self.cancelling: Booking | None = None
        self.busy = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(one_line(f"Book for {self.context.customer_name} · {self.context.account_name}", 110),
                         classes="dialog-title", markup=False, id="title")
            yield OptionList(id="types")
            yield Input(placeholder="Caller prefers: e.g. mon wed morning es", id="prefs", max_length=200)
            yield Static("", id="zones", markup=False)
            yield DataTable(id="slots", cursor_type="row", zebra_stripes=True)
            yield Static("", id="readback", markup=False)
            yield DataTable(id="upcoming", cursor_type="row")
            yield Static("1-0 pick · Enter book · m move · x cancel appt · Esc back", classes="dialog-hint",
                         markup=False, id="hint")
            yield Static("", classes="dialog-error", id="error", markup=False)

    def on_mount(self) -> None:
        slots = self.query_one("#slots", DataTable)
        # The caller's time is always as wide as "Tue 24 Nov 09:30": a fixed width, so the column does not
        # start at its heading's width and widen a moment after the proposals arrive.
        slots.add_column("#")
        slots.add_column("Caller's time", width=len("Tue 24 Nov 09:30"))
        slots.add_columns("Account's time", "Professional", "Level")
        upcoming = self.query_one("#upcoming", DataTable)
        upcoming.add_columns("Upcoming", "When", "With", "Status")
        upcoming.display = False
        self.query_one("#readback").display = False
        self.load_setup()

    # -- loading -------------------------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="booker-setup", exit_on_error=False)
    def load_setup(self) -> None:
        store, context = self.store, self.context
        types = store.appointment_types(context.account_id)
        people = store.professionals(context.account_id)
        zone = store.caller_zone(context.customer_id, self.account_zone)
        upcoming = store.customer_appointments(context.customer_id, upcoming_after=self.desk.clock.now())
        self.app.call_from_thread(self.show_setup, types, people, zone, upcoming)

    def show_setup(self, types: list[AppointmentType], people: list, zone: ZoneInfo, upcoming: list[Booking]) -> None:
        self.types = types
        self.caller_zone = zone
        self.languages = {language for person in people for language in person.languages}
        self.locations = {person.location for person in people if person.location}
        options = self.query_one("#types", OptionList)
        options.clear_options()
        if not types:
            self.show_error("This account has no appointment types to book.")
            return
        options.add_options(
            [Option(Content(one_line(f"{t.name} · {t.minutes} min · {t.skill} {t.min_level}+", 100)), id=t.id) for t in types]
        )
        options.highlighted = 0
        self.show_upcoming(upcoming)
        # Focus starts where the agent acts first: the caller's appointments when they have some (m moves, x
        # cancels), else the preferences field, where the caller's wishes are typed as they say them.
        self.query_one("#upcoming" if upcoming else "#prefs").focus()
        self.refresh_slots()

    def show_upcoming(self, upcoming: list[Booking]) -> None:
        self.upcoming = upcoming
        table = self.query_one("#upcoming", DataTable)
        table.clear()
        for item in upcoming:
            table.add_row(
                item.reference, booking.short_time(item.starts_at, self.caller_zone),
                one_line(f"{item.type_name} with {item.professional_name}", 50), item.status, key=item.id,
            )
        table.display = bool(upcoming)

    @property
    def kind(self) -> AppointmentType | None:
        if self.moving is not None:
            return next((t for t in self.types if t.id == self.moving.type_id), None)
        index = self.query_one("#types", OptionList).highlighted
        return self.types[index] if self.types and index is not None and index < len(self.types) else None

    def refresh_slots(self) -> None:
        kind = self.kind
        if kind is None:
            return
        self.picked = None
        self.query_one("#readback").display = False
        earliest = self.desk.earliest_start()
        self.find_slots(kind, earliest, self.prefs, self.moving.id if self.moving else None)

    @work(thread=True, exclusive=True, group="booker-slots", exit_on_error=False)
    def find_slots(self, kind: AppointmentType, earliest: datetime, prefs: Preferences, moving: str | None) -> None:
        found = self.store.free_slots(kind, earliest=earliest, prefs=prefs, caller_zone=self.caller_zone,
                                      moving=moving)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self.show_slots, kind, found)

    def show_slots(self, kind: AppointmentType, proposals: list[Proposal]) -> None:
        self.proposals = proposals
        table = self.query_one("#slots", DataTable)
        table.clear()
        sample = proposals[0].starts_at if proposals else self.desk.clock.now()
        caller = booking.zone_label(self.caller_zone, sample)
        account = booking.zone_label(self.account_zone, sample)
        same = self.caller_zone.key == self.account_zone.key
        self.query_one("#zones", Static).update(
            f"{kind.name}, {kind.minutes} min"
            + (f" · moving {self.moving.reference}" if self.moving else "")
            + (f" · caller's time {caller}" if same else f" · caller's time {caller}, account's {account}")
        )
        for n, proposal in enumerate(proposals, 1):
            table.add_row(
                str(n % 10),
                booking.short_time(proposal.starts_at, self.caller_zone),
                "" if same else booking.short_time(proposal.starts_at, self.account_zone),
                one_line(proposal.professional_name, 30),
                str(proposal.level),
                key=str(n),
            )
        if not proposals:
            self.show_error("No free slot fits in the next three months; loosen the caller's preferences.")
        else:
            self.show_error("")

    # -- events --------------------------------------------------------------------------------------------

    @on(OptionList.OptionHighlighted, "#types")
    def type_changed(self) -> None:
        if self.moving is None:
            self.refresh_slots()

    @on(Input.Changed, "#prefs")
    def prefs_changed(self, event: Input.Changed) -> None:
        if len(event.value) == 1 and event.value.isdigit():
            # A digit into the empty field picks that slot, as it does from the table; after a word, digits are
            # part of the caller's wishes (a time such as "mon 10am").
            event.input.value = ""
            self.action_pick(int(event.value) or 10)
            return
        try:
            prefs = parse_preferences(event.value, self.languages, self.locations)
        except ValueError as problem:
            self.show_error(str(problem))
            return
        self.show_error("")
        if prefs != self.prefs:  # the same wishes (a space, a digit taken as a pick) keep the slot picked
            self.prefs = prefs
            self.refresh_slots()

    @on(Input.Submitted, "#prefs")
    def prefs_done(self) -> None:
        self.query_one("#slots", DataTable).focus()

    @on(DataTable.RowSelected, "#slots")
    def slot_selected(self, event: DataTable.RowSelected) -> None:
        self.action_pick(int(str(event.row_key.value)))

    def show_error(self, text: str) -> None:
        self.query_one("#error", Static).update(text)

    # -- actions -------------------------------------------------------------------------------------------

    def on_descendant_focus(self) -> None:
        """The hint says what the keys do where the focus is."""
        focused = self.focused
        if focused is not None and focused.id == "prefs":
            hint = "Type wishes: mon, morning, 10am · 1-0 pick · Enter slots · Esc back"
        elif focused is not None and focused.id == "upcoming":
            hint = "m move · x cancel appt · 1-0 pick a new slot · Tab preferences · Esc back"
        else:
            hint = "1-0 pick · Enter book · " + ("m move · x cancel appt · " if self.upcoming else "") + "Esc back"
        self.query_one("#hint", Static).update(hint)

    def action_pick(self, number: int) -> None:
        if not 1 <= number <= len(self.proposals):
            self.show_error(f"There is no proposal {number % 10}.")
            return
        self.cancelling = None
        self.picked = self.proposals[number - 1]
        slots = self.query_one("#slots", DataTable)
        slots.move_cursor(row=number - 1)
        slots.focus()  # Enter books it from here
        self.show_readback(self.readback(self.picked))

    def readback(self, proposal: Proposal) -> str:
        kind = self.kind
        assert kind is not None
        when = booking.spoken_time(proposal.starts_at, self.caller_zone)
        there = ""
        if self.caller_zone.key != self.account_zone.key:
            label = booking.zone_label(self.account_zone, proposal.starts_at)
            there = f" ({booking.spoken_time(proposal.starts_at, self.account_zone)} {label})"
        verb = "moved to" if self.moving else "booked for"
        reminder = self.desk.settings.reminder_hours_before
        before = f"{reminder:g} hours" if reminder != 24 else "the day"
        ref = self.moving.reference if self.moving else booking.reference(self.new_id)
        return (
            f"Read back: \"You are {verb} {article(kind.name)} {kind.name} with {proposal.professional_name} on {when}"
            f" your time{there}. It takes about {kind.minutes} minutes. Your reference is {ref}. We will call to"
            f" remind you {before} before.\"  Enter to {'move' if self.moving else 'book'} · another number to change"
        )

    def show_readback(self, text: str) -> None:
        readback = self.query_one("#readback", Static)
        readback.update(text)
        readback.display = True

    def selected_upcoming(self) -> Booking | None:
        if not self.upcoming:
            self.show_error("The caller has no upcoming appointment.")
            return None
        table = self.query_one("#upcoming", DataTable)
        row = table.cursor_row if table.cursor_row is not None else 0
        return self.upcoming[min(max(row, 0), len(self.upcoming) - 1)]

    def action_move(self) -> None:
        item = self.selected_upcoming()
        if item is None:
            return
        if not any(t.id == item.type_id for t in self.types):
            self.show_error("That appointment's type is no longer offered; cancel it and book again.")
            return
        self.moving, self.cancelling = item, None
        self.refresh_slots()

    def action_cancel_booking(self) -> None:
        item = self.selected_upcoming()
        if item is None:
            return
        self.cancelling, self.picked = item, None
        self.show_readback(
            f"Cancel {item.reference}, {item.type_name} with {item.professional_name} on"
            f" {booking.spoken_time(item.starts_at, self.caller_zone)}?  Enter to cancel it · Esc to keep it"
        )

    def action_confirm(self) -> None:
        if isinstance(self.focused, Input):
            self.query_one("#slots", DataTable).focus()
            return
        if self.busy:
            return
        if self.cancelling is not None:
            item = self.cancelling
            self.save(self.desk.cancel(item.id), f"Cancelled {item.reference}.")
            return
        kind, picked = self.kind, self.picked
        if picked is None or kind is None:
            table = self.query_one("#slots", DataTable)
            if self.proposals and table.cursor_row is not None and table.has_focus:
                self.action_pick(table.cursor_row + 1)
            else:
                self.show_error("Pick a slot first (its number).")
            return
        if self.moving is not None:
            item = self.moving
            self.save(self.desk.reschedule(kind, item.id, picked),
                      f"Moved {item.reference} to {self.caller_time(picked.starts_at)}.")
            return
        future = self.desk.book(kind, picked, customer_id=self.context.customer_id,
                                interaction_id=self.context.interaction_id, appointment_id=self.new_id)
        self.save(future, f"Booked {booking.reference(self.new_id)}: {kind.name} with {picked.professional_name},"
                          f" {self.caller_time(picked.starts_at)} (tentative until the backend confirms).")

    def caller_time(self, moment: datetime) -> str:
        """`moment` on the caller's clock, with the zone named (the history shows the account's)."""
        return f"{booking.short_time(moment, self.caller_zone)} {booking.zone_label(self.caller_zone, moment)}"

    def save(self, future: Future[int], done: str) -> None:
        """Wait for the commit off the UI thread, then close with `done` (or show why it was not saved)."""
        self.busy = True

        def wait() -> None:
            error = future.exception()
            self.app.call_from_thread(self.saved, done, error)

        self.run_worker(wait, thread=True, group="booker-save", exit_on_error=False)

    def saved(self, done: str, error: BaseException | None) -> None:
        self.busy = False
        if error is not None:
            self.show_error(one_line(reason_for_agent(error), 300))  # the detail is in the log file
            self.cancelling = self.picked = None
            self.query_one("#readback").display = False
            self.load_setup()
            return
        self.dismiss(done)

    def action_close(self) -> None:
        if self.moving is not None or self.cancelling is not None:
            self.moving = self.cancelling = None
            self.query_one("#readback").display = False
            self.refresh_slots()
            return
        self.dismiss(None)
