"""A ticket: its header (clock, refund window, consent), the conversation paged, and the composer.

The composer writes a reply or an internal note (F2 switches, the mode line always says which); the draft is
saved as it is typed and comes back after a crash or a restart; Ctrl+S commits the message as a mutation and a
reply shows as queued until it is delivered. The life-of-a-ticket keys (resolve with consent, state, assign, save
the sale) ask the ticket desk to do the change; the choices they offer come from `ticket_choices.py`.
"""

from __future__ import annotations

from concurrent.futures import Future
from typing import Any
from zoneinfo import ZoneInfo

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer
from textual.worker import get_current_worker

from agentdesk.desks.messages import reason_for_agent
from agentdesk.domain import tickets as rules
from agentdesk.domain.faq import parse_answer
from agentdesk.domain.templates import TemplateFields, TemplateProblem, render
from agentdesk.records import Draft, ThreadCursor, ThreadPage, TicketCard
from screens.context import Workstation, workstation
from screens.faq_search import FaqSearch
from screens.ticket_choices import assign_options, status_options
from screens.ticket_dialogs import Choice, ConsentGiven, ConsentToResolve, MessageReader
from screens.ticket_sale import SaveTheSale
from widgets import HeaderView, MessageBox, ThreadView, TicketComposer, TicketHeader, TicketThread
from widgets.screen_text import sanitize

THREAD_PAGE = 30
DRAFT_DELAY = 0.5
"""Seconds of quiet typing before the draft is saved (a crash loses at most this much)."""


class TicketScreen(Screen[None]):
    """Read the conversation, write a reply or a note, move the ticket through its life."""

    CSS_PATH = "ticket.tcss"
    BINDINGS = [
        Binding("escape", "back", "Inbox", id="ticket.back", tooltip="Back to the inbox (the draft is kept)"),
        Binding("f2", "toggle_mode", "Mode", show=False, id="ticket.toggle_mode",
                tooltip="Switch between a reply to the customer and an internal note"),
        Binding("ctrl+s", "send", "Send", show=False, id="ticket.send", tooltip="Send the reply, or save the note"),
        Binding("ctrl+t", "template", "Tmpl", id="ticket.template", tooltip="Insert a reply template"),
        Binding("ctrl+f", "faq", "FAQ", id="ticket.faq", tooltip="Insert an FAQ answer"),
        Binding("ctrl+r", "resolve", "Resolve", id="ticket.resolve",
                tooltip="Mark resolved, with the customer's permission"),
        Binding("ctrl+o", "status", "State", id="ticket.status", tooltip="Pending, escalated, reopen, close, review"),
        Binding("ctrl+g", "assign", "Assign", id="ticket.assign", tooltip="Assign or reassign the ticket"),
        Binding("ctrl+b", "save_the_sale", "Sale", id="ticket.save_the_sale",
                tooltip="Refund or cancellation: offer help, then record the outcome"),
        Binding("f5", "older", "Older", show=False, priority=True, id="ticket.older", tooltip="Older messages"),
        Binding("f6", "newer", "Newer", show=False, priority=True, id="ticket.newer", tooltip="Newer messages"),
    ]

    def __init__(self, ticket_id: str) -> None:
        super().__init__()
        self.ticket_id = ticket_id
        self.card: TicketCard | None = None
        self.cursors: list[ThreadCursor | None] = [None]  # page n starts before cursors[n - 1]; newest first
        self._draft_timer: Timer | None = None
        self._draft_pending: tuple[str, str] | None = None
        self.sale = SaveTheSale(self)

    @property
    def station(self) -> Workstation:
        return workstation(self)

    def compose(self) -> ComposeResult:
        yield TicketHeader(id="ticket-header")
        yield TicketThread(id="thread")
        yield TicketComposer(id="composer")
        # F2 and Ctrl+S are on the composer's mode line; compact, the other ticket keys fit 80 columns.
        yield Footer(compact=True, show_command_palette=False)  # every key fits at 80 columns; ? lists them all

    def on_mount(self) -> None:
        self.station.desks.tickets.opened(self.ticket_id)  # a reply is billed from here
        self.load_ticket(with_draft=True)
        self.query_one(TicketComposer).focus_text()
        self.set_interval(15.0, self.tick)

    def tick(self) -> None:
        if self.card is not None:
            self.query_one(TicketHeader).show(HeaderView(self.card, self.station.clock.now()))

    # -- reading -----------------------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="ticket", exit_on_error=False)
    def load_ticket(self, *, with_draft: bool = False, after_writes: bool = False) -> None:
        if after_writes:
            self.station.desks.tickets.writer.flush()
        store = self.station.store
        card = store.ticket(self.ticket_id)
        page = store.thread(self.ticket_id, limit=THREAD_PAGE)
        draft = store.draft(self.ticket_id) if with_draft else None
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self.show_ticket, card, page, draft)

    def show_connection(self, connection: str, pulled: int) -> None:
        """A sync round brought changes: the customer's answer, a delivery, another agent's move may be among
        them, so the ticket is read again (the composer keeps what is being typed; an older page stays put)."""
        if pulled and len(self.cursors) <= 2:
            self.load_ticket()

    def show_ticket(self, card: TicketCard, page: ThreadPage, draft: Draft | None) -> None:
        self.card = card
        self.cursors = [None, page.older]
        self.tick()
        self.query_one(TicketThread).show(ThreadView(page.messages, card.time_zone, has_older=page.older is not None))
        if draft is not None:
            self.query_one(TicketComposer).load(draft.body, draft.kind)
        self.refresh_bindings()

    @work(thread=True, exclusive=True, group="thread", exit_on_error=False)
    def load_thread(self, before: ThreadCursor | None, page_number: int) -> None:
        page = self.station.store.thread(self.ticket_id, before, limit=THREAD_PAGE)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self.show_thread, page, page_number)

    def show_thread(self, page: ThreadPage, page_number: int) -> None:
        del self.cursors[page_number:]
        self.cursors.append(page.older)
        zone = self.card.time_zone if self.card else "UTC"
        self.query_one(TicketThread).show(
            ThreadView(page.messages, zone, has_older=page.older is not None, has_newer=page_number > 1))

    def action_older(self) -> None:
        page_number = len(self.cursors) - 1
        if self.cursors[-1] is not None:
            self.load_thread(self.cursors[-1], page_number + 1)

    def action_newer(self) -> None:
        page_number = len(self.cursors) - 1
        if page_number > 1:
            self.load_thread(self.cursors[page_number - 2], page_number - 1)

    def on_message_box_read(self, event: MessageBox.Read) -> None:
        self.app.push_screen(MessageReader(self.station.store, event.message_id))

    # -- the draft ---------------------------------------------------------------------------------------

    def on_ticket_composer_changed(self, event: TicketComposer.Changed) -> None:
        self._draft_pending = (event.text, event.mode)
        if self._draft_timer is not None:
            self._draft_timer.stop()
        self._draft_timer = self.set_timer(DRAFT_DELAY, self.save_draft)

    def save_draft(self) -> Future[object] | None:
        """Keep what is in the composer (on the writer thread, in order with the messages sent)."""
        pending, self._draft_pending = self._draft_pending, None
        if pending is None:
            return None
        text, mode = pending
        future = self.station.desks.tickets.save_draft(self.ticket_id, mode, text)

        def failed(done: Future[object]) -> None:
            if done.exception() is not None:
                self.app.call_from_thread(
                    lambda: self.notify(f"The draft was not saved. {reason_for_agent(done.exception())}",
                                        severity="error", timeout=8))

        future.add_done_callback(failed)
        return future

    # -- writing -----------------------------------------------------------------------------------------

    def action_toggle_mode(self) -> None:
        self.query_one(TicketComposer).toggle()

    def action_send(self) -> None:
        composer = self.query_one(TicketComposer)
        text, mode = composer.text, composer.mode
        what = "reply" if mode == "reply" else "note"
        if not text.strip():
            self.notify(f"The {what} is empty: write something first.", severity="warning", timeout=4)
            return
        if self.card is None:
            return
        desk = self.station.desks.tickets
        try:  # a reply that states a refund, a cancellation or a resolution must be true (or make it so)
            future = desk.send_reply(self.card, text) if mode == "reply" else desk.add_message(self.ticket_id, mode, text)
        except rules.MoveRefused as error:
            self.refused(error)
            return
        if self._draft_timer is not None:
            self._draft_timer.stop()
        self._draft_pending = ("", mode)
        self.save_draft()
        composer.clear()
        said = "Reply queued for delivery to the customer." if mode == "reply" else "Internal note saved."
        self.after_saved(future, lambda: (self.notify(said, timeout=3), self.load_ticket()))

    def after_saved(self, future: Future[Any], then: Any) -> None:
        """Run `then` on the UI once `future`'s commit succeeded (the writer reports failures)."""

        def wait() -> None:
            if future.exception() is None:
                self.app.call_from_thread(then)

        self.run_worker(wait, thread=True, group="after-saved", exit_on_error=False)

    def fields(self) -> TemplateFields | None:
        card = self.card
        if card is None:
            return None
        order = card.order
        # The filled text lands in the composer (a TextArea) and in a letter: no terminal controls in either.
        return TemplateFields(
            customer_name=sanitize(card.customer_name), case_number=card.case_number, subject=sanitize(card.subject),
            agent_name=self.station.agent.name, account_name=sanitize(card.account_name),
            order_number=sanitize(order.number) if order else None,
            # The date the customer knows, in the account's time zone (as the header and the window count it).
            order_date=order.placed_at.astimezone(ZoneInfo(card.time_zone)).date().isoformat() if order else None,
        )

    def action_template(self) -> None:
        card = self.card
        if card is None:
            return
        templates = self.station.store.reply_templates(card.account_id)
        if not templates:
            self.notify("This account has no reply templates.", severity="warning")
            return
        bodies = {t.id: t.body for t in templates}

        def chosen(template_id: str | None) -> None:
            fields = self.fields()
            if template_id is None or fields is None:
                return
            try:
                text = render(bodies[template_id], fields)
            except TemplateProblem as problem:
                self.notify(str(problem), title="Template not inserted", severity="error", timeout=8)
                return
            self.query_one(TicketComposer).insert(text)

        options = [(t.id, t.name, True) for t in templates]
        fields = self.fields()
        previews = {t.id: _template_preview(t.body, fields) for t in templates}
        self.app.push_screen(Choice("Insert a reply template", options, previews=previews), chosen)

    def action_faq(self) -> None:
        card = self.card
        if card is None:
            return

        def chosen(faq_id: str | None) -> None:
            article = self.station.store.faq_article(faq_id) if faq_id else None
            if article is None:
                return
            parts = parse_answer(article.body)
            body = "".join(part if isinstance(part, str) else part.label for part in parts)
            self.query_one(TicketComposer).insert(sanitize(f"{article.title}\n{body}\n"))

        self.app.push_screen(FaqSearch(self.station.store, card.account_id), chosen)

    def action_back(self) -> None:
        if self._draft_timer is not None:
            self._draft_timer.stop()
        self.save_draft()
        self.dismiss(None)

    # -- the life of a ticket ----------------------------------------------------------------------------

    def refused(self, error: rules.MoveRefused) -> None:
        self.notify(str(error), title="Not possible", severity="warning", timeout=6)

    def saved_then(self, future: Future[int], said: str | None = None) -> None:
        """Once committed: say `said` (when given) and read the ticket again."""
        def then() -> None:
            if said:
                self.notify(said, timeout=3)
            self.load_ticket()

        self.after_saved(future, then)

    def action_resolve(self) -> None:
        card, desk = self.card, self.station.desks.tickets
        if card is None:
            return
        try:  # the move itself (consent aside) must be possible before asking for the permission
            desk.check_can_resolve(card)
        except rules.MoveRefused as error:
            self.refused(error)
            return

        def given(consent: ConsentGiven | None) -> None:
            if consent is None or self.card is None:
                return
            when = desk.consent_time(consent.when, self.card.time_zone)
            if when is None:
                self.notify("Write the time as HH:MM, or now.", severity="warning")
                return
            try:
                future = desk.resolve(self.card, consent.how, when)
            except rules.MoveRefused as error:
                self.refused(error)
                return
            self.saved_then(future, f"{card.case_number} resolved.")

        self.app.push_screen(ConsentToResolve(card.case_number, card.channel), given)

    def action_status(self) -> None:
        card, desk = self.card, self.station.desks.tickets
        if card is None:
            return
        try:
            options = status_options(card)
        except rules.MoveRefused as error:
            self.refused(error)
            return

        def chosen(value: str | None) -> None:
            if value is not None:
                future = desk.request_review(self.ticket_id) if value == "review" else desk.set_status(self.ticket_id, value)
                self.saved_then(future)

        state = rules.STATUS_WORDS[rules.parse_status(card.status)]
        self.app.push_screen(Choice(f"{card.case_number} is {state}: move it to", options), chosen)

    def action_assign(self) -> None:
        card, desk = self.card, self.station.desks.tickets
        if card is None:
            return

        def chosen(agent_id: str | None) -> None:
            if agent_id is not None:
                self.saved_then(desk.assign(self.ticket_id, None if agent_id == "-" else agent_id))

        options = assign_options(card, self.station.store.agents())
        self.app.push_screen(Choice(f"Assign {card.case_number} to", options), chosen)

    def action_save_the_sale(self) -> None:
        self.sale.next_step()


def _template_preview(body: str, fields: TemplateFields | None) -> str:
    """A template as it would be inserted on this ticket (or why it cannot be), for the picker's preview."""
    if fields is None:
        return ""
    try:
        text = render(body, fields)
    except TemplateProblem as problem:
        return f"Cannot be inserted here: {problem}"
    return sanitize(text if len(text) < 400 else text[:400] + "…")
