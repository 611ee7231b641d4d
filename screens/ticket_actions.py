"""The ticket screen's life-of-a-ticket keys: resolve with consent, change state, assign, save the sale.

The domain rules are checked here first, so the agent reads the reason at once; the mutators check them again
when the change is committed (and the backend when it is pushed).
"""

from __future__ import annotations

import uuid
from datetime import datetime, time
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from agentdesk.clock import iso
from agentdesk.domain import tickets as rules
from agentdesk.domain.templates import OFFER_HELP_TEMPLATE, TemplateProblem, render
from agentdesk.domain.text import sanitize
from screens.ticket_dialogs import Choice, ConsentGiven, ConsentToResolve

if TYPE_CHECKING:
    from screens.ticket import TicketScreen

    _Base = TicketScreen
else:
    _Base = object

_STATE_CHOICES = (
    ("open", "Open: working on it"),
    ("pending", "Pending customer: waiting for their answer"),
    ("escalated", "Escalated: needs a senior agent"),
    ("closed", "Closed: nothing more to do"),
)


class TicketActions(_Base):
    """Mixed into the ticket screen."""

    def _refused(self, error: rules.MoveRefused) -> None:
        self.notify(str(error), title="Not possible", severity="warning", timeout=6, markup=False)

    def consent_time(self, typed: str) -> datetime | None:
        """`now`, or HH:MM today in the account's time zone; None when it cannot be read."""
        now = self.agentdesk.clock.now()
        if typed.lower() in ("", "now"):
            return now
        zone = ZoneInfo(self.card.time_zone if self.card else "UTC")
        try:
            hours, minutes = (int(part) for part in typed.split(":", 1))
            local = datetime.combine(now.astimezone(zone).date(), time(hours, minutes), zone)
        except ValueError:
            return None
        return local.astimezone(now.tzinfo)

    def action_resolve(self) -> None:
        card = self.card
        if card is None:
            return
        try:  # the move itself (consent aside) must be possible before asking for the permission
            rules.check_move(card.status, "resolved", consent=rules.Consent(rules.ConsentHow.CALL, card.created_at))
        except rules.MoveRefused as error:
            self._refused(error)
            return

        def given(consent: ConsentGiven | None) -> None:
            if consent is None or self.card is None:
                return
            when = self.consent_time(consent.when)
            if when is None:
                self.notify("Write the time as HH:MM, or now.", severity="warning")
                return
            now = self.agentdesk.clock.now()
            try:
                rules.check_move(self.card.status, "resolved", consent=rules.Consent(rules.ConsentHow(consent.how), when),
                                 opened_at=self.card.created_at, now=now)
            except rules.MoveRefused as error:
                self._refused(error)
                return
            desk = self.agentdesk
            desk.writer.submit("ticket.record_consent@1", {
                "ticket_id": self.ticket_id, "how": consent.how, "given_at": iso(when), "agent_id": desk.agent.id,
                "recorded_at": iso(now)})
            future = desk.writer.submit("ticket.set_status@1", {
                "ticket_id": self.ticket_id, "status": "resolved", "changed_at": iso(now), "agent_id": desk.agent.id})
            self.after_saved(future, lambda: (self.notify(f"{card.case_number} resolved.", timeout=3, markup=False),
                                              self.load_ticket()))

        self.app.push_screen(ConsentToResolve(card.case_number), given)

    def action_status(self) -> None:
        card = self.card
        if card is None:
            return
        here = rules.parse_status(card.status)
        allowed = rules.MOVES[here]
        options = [(value, label, rules.Status(value) in allowed) for value, label in _STATE_CHOICES]
        if here is rules.Status.RESOLVED:
            options.append(("review", "Send for review", not card.review_requested))
        if not any(enabled for _, _, enabled in options):
            self._refused(rules.MoveRefused("A closed ticket cannot change; open a new case if the customer "
                                            "writes again."))
            return

        def chosen(value: str | None) -> None:
            if value is None:
                return
            desk, now = self.agentdesk, iso(self.agentdesk.clock.now())
            if value == "review":
                future = desk.writer.submit("ticket.request_review@1", {
                    "ticket_id": self.ticket_id, "requested_at": now, "agent_id": desk.agent.id})
            else:
                future = desk.writer.submit("ticket.set_status@1", {
                    "ticket_id": self.ticket_id, "status": value, "changed_at": now, "agent_id": desk.agent.id})
            self.after_saved(future, self.load_ticket)

        state = rules.STATUS_WORDS[here]
        self.app.push_screen(Choice(f"{card.case_number} is {state}: move it to", options), chosen)

    def action_assign(self) -> None:
        card = self.card
        if card is None:
            return
        agents = self.agentdesk.store.agents()
        options = [(a.id, f"{a.name} ({a.role})" + (" · has it now" if a.id == card.assignee_id else ""),
                    a.id != card.assignee_id) for a in agents]
        options.append(("-", "Nobody (back to the queue)", card.assignee_id is not None))

        def chosen(agent_id: str | None) -> None:
            if agent_id is None:
                return
            desk = self.agentdesk
            future = desk.writer.submit("ticket.assign@1", {
                "ticket_id": self.ticket_id, "assignee_id": None if agent_id == "-" else agent_id,
                "assigned_at": iso(desk.clock.now()), "agent_id": desk.agent.id})
            self.after_saved(future, self.load_ticket)

        self.app.push_screen(Choice(f"Assign {card.case_number} to", options), chosen)

    def action_save_the_sale(self) -> None:
        card = self.card
        if card is None:
            return
        if card.kind not in rules.SAVE_KINDS:
            self._refused(rules.MoveRefused("Save the sale is for refund and cancellation tickets."))
            return
        if card.save_outcome:
            self._refused(rules.MoveRefused(f"The outcome is already recorded ({card.save_outcome})."))
            return
        if card.help_offered_at is None:
            self.offer_help()
        else:
            self.record_outcome()

    def offer_help(self) -> None:
        card, fields = self.card, self.fields()
        if card is None or fields is None:
            return
        try:
            text = render(OFFER_HELP_TEMPLATE, fields)
        except TemplateProblem as problem:
            self.notify(str(problem), severity="error", markup=False)
            return

        def chosen(value: str | None) -> None:
            if value != "send":
                return
            desk = self.agentdesk
            future = desk.writer.submit("ticket.offer_help@1", {
                "ticket_id": self.ticket_id, "message_id": str(uuid.uuid4()), "author": desk.agent.name,
                "body": text, "offered_at": iso(desk.clock.now()), "agent_id": desk.agent.id})
            self.after_saved(future, lambda: (self.notify("Offer of help queued to the customer.", timeout=3),
                                              self.load_ticket()))

        preview = sanitize(text if len(text) < 400 else text[:400] + "…")
        self.app.push_screen(Choice(
            "Save the sale, step 1: offer help first. This goes to the customer:",
            [("send", "Send the offer of help", True)], detail=preview), chosen)

    def record_outcome(self) -> None:
        card = self.card
        if card is None:
            return
        now = self.agentdesk.clock.now()
        window = rules.refund_window(card.order.placed_at, now, card.time_zone) if card.order else None
        recurring = card.order.recurring if card.order else None
        options = []
        for value, label in (("saved", "Saved: the customer withdrew the request"),
                             ("refunded", "Refunded"), ("cancelled", "Cancelled")):
            try:
                rules.check_save_outcome(card.kind, value, help_offered=True, already=None, window=window,
                                         recurring=recurring)
                options.append((value, label, True))
            except rules.MoveRefused as error:
                if value != ("cancelled" if card.kind == "refund" else "refunded"):
                    options.append((value, f"{label}: {error}", False))

        def chosen(value: str | None) -> None:
            if value is None:
                return
            desk = self.agentdesk
            future = desk.writer.submit("ticket.save_the_sale@1", {
                "ticket_id": self.ticket_id, "outcome": value, "decided_at": iso(desk.clock.now()),
                "agent_id": desk.agent.id})
            self.after_saved(future, lambda: (self.notify(f"Outcome recorded: {value}.", timeout=3, markup=False),
                                              self.load_ticket()))

        self.app.push_screen(Choice("Save the sale, step 2: how did it end?", options), chosen)
