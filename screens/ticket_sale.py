"""Save the sale on the ticket screen (Ctrl+B): offer help, then the outcome, then a correction if it was wrong.

Each step is a decision, never a default: the outcome list opens with nothing chosen, a saved sale asks how and
when the customer agreed to withdraw, and an outcome that tells the customer something shows that message before
it is sent. The rules are the ticket desk's (`agentdesk.desks.tickets`); a refused step says why.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from agentdesk.domain import ticket_outcomes as outcomes
from agentdesk.domain import tickets as rules
from agentdesk.domain.templates import OFFER_HELP_TEMPLATE, TemplateProblem, outcome_template, render
from screens.ticket_choices import outcome_options, save_the_sale_step
from screens.ticket_dialogs import Choice, ConsentGiven, ConsentToResolve, Reason
from widgets.screen_text import sanitize

if TYPE_CHECKING:
    from concurrent.futures import Future

    from textual.app import App

    from agentdesk.domain.templates import TemplateFields
    from agentdesk.records import TicketCard
    from screens.context import Workstation


class SaleScreen(Protocol):
    """What the steps need of the ticket screen (it satisfies this; no import of the screen, no cycle)."""

    card: TicketCard | None
    ticket_id: str

    @property
    def app(self) -> App[object]: ...

    @property
    def station(self) -> Workstation: ...

    def notify(self, message: str, **kwargs: Any) -> None: ...

    def refused(self, error: rules.MoveRefused) -> None: ...

    def saved_then(self, future: Future[int], said: str | None = None) -> None: ...

    def fields(self) -> TemplateFields | None: ...

PREVIEW_CHARS = 400


class SaveTheSale:
    """The save-the-sale steps for one ticket screen."""

    def __init__(self, screen: SaleScreen) -> None:
        self.screen = screen

    def next_step(self) -> None:
        """Ctrl+B: the step that comes next for this ticket."""
        card = self.screen.card
        if card is None:
            return
        try:
            step = save_the_sale_step(card)
        except rules.MoveRefused as error:
            self.screen.refused(error)
            return
        if step == "offer":
            self.offer_help()
        elif step == "outcome":
            self.choose_outcome(None)
        else:
            self.screen.app.push_screen(Reason(
                f"Outcome recorded: {outcomes.OUTCOME_WORDS[card.save_outcome or '']}. Why was it wrong?"),
                self.choose_outcome)

    def _text(self, template: str) -> str | None:
        fields = self.screen.fields()
        if fields is None:
            return None
        try:
            return render(template, fields)
        except TemplateProblem as problem:
            self.screen.notify(str(problem), severity="error")
            return None

    def offer_help(self) -> None:
        """Step 1: show the offer of help that goes to the customer; send it on confirmation."""
        text = self._text(OFFER_HELP_TEMPLATE)
        if text is None:
            return

        def chosen(value: str | None) -> None:
            if value == "send":
                self.screen.saved_then(self.screen.station.desks.tickets.offer_help(self.screen.ticket_id, text),
                                       "Offer of help queued to the customer.")

        self.screen.app.push_screen(Choice(
            "Save the sale, step 1: offer help first. This goes to the customer:",
            [("send", "Send the offer of help", True)], detail=_preview(text)), chosen)

    def choose_outcome(self, correcting: str | None) -> None:
        """Step 2 (or a correction, with its reason): how it ended; nothing is chosen until the agent moves."""
        card = self.screen.card
        if card is None or (correcting is None and card.save_outcome):
            return
        desk = self.screen.station.desks.tickets
        options = outcome_options(card, desk.check_outcome)
        title = "Save the sale, step 2: how did it end? (↑↓ then Enter)" if correcting is None else \
            "The outcome it should have been (↑↓ then Enter)"

        def chosen(value: str | None) -> None:
            if value == "saved":
                self.ask_agreement(correcting)
            elif value is not None:
                self.confirm_message(value, correcting)

        self.screen.app.push_screen(Choice(title, options, preselect=False), chosen)

    def ask_agreement(self, correcting: str | None) -> None:
        """A saved sale: how and when the customer agreed to withdraw (their agreement resolves the ticket)."""
        card = self.screen.card
        if card is None:
            return
        desk = self.screen.station.desks.tickets

        def given(consent: ConsentGiven | None) -> None:
            if consent is None or self.screen.card is None:
                return
            when = desk.consent_time(consent.when, self.screen.card.time_zone)
            if when is None:
                self.screen.notify("Write the time as HH:MM, or now.", severity="warning")
                return
            self._record("saved", correcting, agreed=(consent.how, when))

        self.screen.app.push_screen(ConsentToResolve(
            card.case_number, card.channel, f"Saved: how did the customer agree to withdraw {card.case_number}?"), given)

    def confirm_message(self, outcome: str, correcting: str | None) -> None:
        """Refunded, cancelled, refused: the message that tells the customer, sent with the outcome on Enter."""
        card = self.screen.card
        text = self._text(outcome_template(outcome, card.kind)) if card is not None else None
        if text is None:
            return

        def chosen(value: str | None) -> None:
            if value == "send":
                self._record(outcome, correcting, body=text)

        words = outcomes.OUTCOME_WORDS[outcome]
        self.screen.app.push_screen(Choice(
            f"Record {words} and send this to the customer:", [("send", f"Record {words} and send", True)],
            detail=_preview(text)), chosen)

    def _record(self, outcome: str, correcting: str | None, **details: object) -> None:
        card = self.screen.card
        if card is None:
            return
        try:
            future = self.screen.station.desks.tickets.record_outcome(
                card, outcome, correcting=correcting, **details)  # type: ignore[arg-type]
        except rules.MoveRefused as error:
            self.screen.refused(error)
            return
        self.screen.saved_then(future, f"Outcome recorded: {outcomes.OUTCOME_WORDS[outcome]}.")


def _preview(text: str) -> str:
    return sanitize(text if len(text) < PREVIEW_CHARS else text[:PREVIEW_CHARS] + "…")
