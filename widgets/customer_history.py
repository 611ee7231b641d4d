"""The customer history pane: the customer card and one timeline of everything the team had with them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import DataTable, Static
from textual.widgets.data_table import ColumnKey

from agentdesk.domain.phones import display as show_phone
from agentdesk.records import Customer, HistoryPage, TimelineEntry
from widgets.screen_text import one_line, sanitize

DETAIL_LIMIT = 4_000
"""Characters of an entry's detail shown at once; a longer e-mail is cut with a note (the store keeps it all)."""

KIND_LABELS = {
    "call": "call", "email": "e-mail", "chat": "chat", "web_form": "web", "sms": "SMS", "fax": "fax",
    "comment": "note", "ticket": "ticket", "order": "order", "appointment": "appt",
}


@dataclass(frozen=True, slots=True)
class HistoryView:
    """What the pane shows: the card (or an unknown caller) and one page of the timeline."""

    customer: Customer | None
    page: HistoryPage | None
    time_zone: str
    page_number: int = 1
    filter_label: str = "everything"
    unknown_caller: str | None = None  # the number of a caller nobody has on file


COLUMN_WIDTHS = {False: (16, 6, 14, 72), True: (12, 6, 8, 72)}
"""When, What, Who and Summary, wide and at 80 columns (the summary runs to the pane's edge and is cut there)."""

NARROW_BELOW = 64
"""Below this width (an 80-column terminal) the timeline's dates drop the year and names are short."""


def when_text(moment: datetime, zone: ZoneInfo, compact_in: int | None = None) -> str:
    """When an entry happened in the account's zone. Given `compact_in` (a year), it is "23 Nov 09:30" in that
    year and "23 Nov 2024" in any other (the year of the page's newest entry, so the text never depends on the
    wall clock)."""
    local = moment.astimezone(zone)
    if compact_in is None:
        return local.strftime("%Y-%m-%d %H:%M")
    return local.strftime("%d %b %H:%M" if local.year == compact_in else "%d %b %Y")


def zone_name(moment: datetime, zone: ZoneInfo) -> str:
    """The zone's abbreviation at `moment` (EST, CET ...), or its name when it has none."""
    abbreviation = moment.astimezone(zone).tzname() or ""
    return abbreviation if abbreviation and abbreviation[0] not in "+-" else zone.key


def duration_text(seconds: int | None) -> str:
    if not seconds:
        return ""
    return f"{seconds // 60}:{seconds % 60:02d}"


class CustomerHistory(Vertical):
    """Customer card on top, the timeline below, and the highlighted entry in full at the bottom."""

    DEFAULT_CSS = """
    CustomerHistory {
        #card { height: auto; max-height: 4; padding: 0 1; background: $boost; }
        #history-bar { height: 1; padding: 0 1; color: $text-muted; }
        #timeline { height: 1fr; overflow-x: hidden; }
        #entry { height: auto; max-height: 8; padding: 0 1; border-top: solid $primary 50%; overflow-y: auto; }
    }
    """

    class EntryHighlighted(Message):
        """The agent moved to an entry of the timeline."""

        def __init__(self, entry: TimelineEntry) -> None:
            super().__init__()
            self.entry = entry

    class EntryChosen(Message):
        """The agent pressed Enter on an entry of the timeline (a ticket opens)."""

        def __init__(self, entry: TimelineEntry) -> None:
            super().__init__()
            self.entry = entry

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.view: HistoryView | None = None
        self._entries: dict[str, TimelineEntry] = {}
        self._when_column: ColumnKey | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="card", markup=False)
        yield Static(id="history-bar", markup=False)
        table: DataTable[Text] = DataTable(id="timeline", cursor_type="row", zebra_stripes=True)
        # The same four columns at every width, each of a fixed width: a table measures its columns only when
        # it is next idle, and a screen drawn before that showed them at their headings' width ("2026 call Ale").
        self._when_column, *_ = (table.add_column(label, width=width, key=label.lower())
                                 for label, width in zip(("When", "What", "Who", "Summary"), COLUMN_WIDTHS[False],
                                                         strict=True))
        yield table
        yield Static(id="entry", markup=False)

    def on_mount(self) -> None:
        self.show(None)

    @property
    def narrow(self) -> bool:
        """Laid out for an 80-column terminal: short dates and short names."""
        return 0 < self.size.width < NARROW_BELOW

    def show(self, view: HistoryView | None) -> None:
        """Show a customer and a page of history, or the hint when nobody is selected."""
        self.view = view
        card = self.query_one("#card", Static)
        bar = self.query_one("#history-bar", Static)
        table: DataTable[Text] = self.query_one("#timeline", DataTable)
        entry = self.query_one("#entry", Static)
        table.clear()
        self._entries = {}
        entry.update("")
        if view is None:
            card.update(Content.assemble(("No customer", "bold"), "  — press / to find one, or take a call"))
            bar.update("")
            return
        card.update(self._card(view))
        if view.page is None:
            bar.update("")
            return
        zone = ZoneInfo(view.time_zone)
        if view.page.entries and self._when_column is not None:
            # Times are the account's: the heading names the zone (the booker and toasts name the caller's).
            table.columns[self._when_column].label = Text(f"When {zone_name(view.page.entries[0].at, zone)}")
            table.refresh()
        older = "  ] older" if view.page.next_cursor else ""
        newer = "  [ newer" if view.page_number > 1 else ""
        title = "" if self.narrow else "History: "  # at 80 columns the keys in the bar matter more than its title
        bar.update(f"{title}{view.filter_label} · page {view.page_number}{older}{newer} · f filter")
        narrow = self.narrow
        for column, width in zip(table.columns.values(), COLUMN_WIDTHS[narrow], strict=True):
            column.width = width
        year = view.page.entries[0].at.astimezone(zone).year if narrow and view.page.entries else None
        for item in view.page.entries:
            self._entries[item.id] = item
            who = one_line(item.who, 14)
            summary = one_line(item.summary, 60)
            extra = duration_text(item.duration_seconds)
            if item.recording_seconds:
                extra += " ▶rec"
            if narrow:
                who = one_line(item.who, 8)  # a short name leaves the summary room to say what happened
            cells = [Text(when_text(item.at, zone, year)), Text(one_line(KIND_LABELS.get(item.kind, item.kind), 8)),
                     Text(who), Text(f"{summary}  {extra}".rstrip())]
            table.add_row(*cells, key=item.id)
        if not view.page.entries:
            entry.update("Nothing in this history yet.")
        else:
            self._show_entry(view.page.entries[0])

    def _card(self, view: HistoryView) -> Content:
        if view.customer is None:
            caller = one_line(view.unknown_caller or "", 24)
            return Content.assemble(
                ("Unknown caller ", "bold"), caller, "  — press n to add them as a new customer"
            )
        c = view.customer
        phones = ", ".join(one_line(show_phone(p), 24) for p in c.phones[:2])
        emails = ", ".join(one_line(e, 40) for e in c.emails[:2])
        return Content.assemble(
            (one_line(c.name, 40), "bold"),
            f"  · {one_line(c.account_name, 30)} · {one_line(c.language, 12)}\n",
            f"{phones}  {emails}\n",
            f"{c.interaction_count:,} interactions · {c.open_tickets} open tickets · customer since "
            f"{c.created_at:%Y-%m-%d}",
        )

    def _show_entry(self, item: TimelineEntry) -> None:
        zone = ZoneInfo(self.view.time_zone if self.view else "UTC")
        detail = item.detail
        cut = ""
        if len(detail) > DETAIL_LIMIT:
            cut = f"\n… {len(detail) - DETAIL_LIMIT:,} more characters not shown"
            detail = detail[:DETAIL_LIMIT]
        head = f"{when_text(item.at, zone)} {zone_name(item.at, zone)} · {one_line(KIND_LABELS.get(item.kind, item.kind), 12)}"
        if item.status:
            head += f" · {one_line(item.status, 30)}"
        if item.who:
            head += f" · {one_line(item.who, 30)}"
        if item.duration_seconds:
            head += f" · {duration_text(item.duration_seconds)}"
        if item.recording_seconds:
            head += f" · recording {duration_text(item.recording_seconds)}"
        self.query_one("#entry", Static).update(
            Content.assemble((head, "bold"), "\n", sanitize(item.summary), "\n", sanitize(detail), cut)
        )

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        key = event.row_key.value
        if key is not None and (item := self._entries.get(key)) is not None:
            self._show_entry(item)
            self.post_message(self.EntryHighlighted(item))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        key = event.row_key.value
        if key is not None and (item := self._entries.get(key)) is not None:
            self.post_message(self.EntryChosen(item))

    def highlighted(self) -> TimelineEntry | None:
        """The entry under the timeline's cursor (None when the timeline is empty)."""
        table: DataTable[Text] = self.query_one("#timeline", DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return self._entries.get(key) if key is not None else None

    def focus_timeline(self) -> None:
        self.query_one("#timeline", DataTable).focus()
