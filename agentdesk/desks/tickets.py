"""The tickets desk: a case opened from a call, messages and drafts, and the life of a ticket (resolve with
consent, change state, assign, save the sale).

The domain rules (`domain.tickets`) are checked here before anything is submitted, so the agent reads the reason
at once (`MoveRefused`); the mutators check them again when the change is committed, and the backend when pushed.
"""

from __future__ import annotations

from concurrent.futures import Future
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from agentdesk.clock import iso
from agentdesk.desks.base import Desk, new_id
from agentdesk.desks.calls import ActiveCall
from agentdesk.domain import ticket_outcomes as outcomes
from agentdesk.domain import tickets as rules
from agentdesk.domain.templates import CASE_CONFIRMATION_TEMPLATE, TemplateFields, TemplateProblem, render
from agentdesk.domain.text import sanitize
from agentdesk.mutations.tickets import MAX_HANDLED_SECONDS
from agentdesk.records import Customer, TicketCard


class CaseRefused(Exception):
    """A case cannot be opened for this caller; the message is a sentence for the agent with the next step."""


@dataclass(frozen=True, slots=True)
class CaseOpened:
    """A case being opened from a call: its number (read to the caller) and the commit to wait for."""

    case_number: str
    saved: Future[int]


class TicketDesk(Desk):
    """Opens, answers and moves tickets, each step a mutation."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._opened: dict[str, float] = {}
        """Tickets open on screen: when the agent opened each (monotonic), for a reply's handling time."""

    # -- from a call -------------------------------------------------------------------------------------

    def next_case_number(self) -> str:
        """The number the next case will have. It is read to the caller only once the case is saved."""
        return self.store.next_case_number()

    @staticmethod
    def check_can_open(call: ActiveCall, customer: Customer) -> None:
        """Raise `CaseRefused` when a case for `customer` cannot be opened on `call` (ask before asking for a
        subject): a case belongs to the account whose line rang, so the caller must be that account's customer."""
        if customer.account_id != call.account.id:
            raise CaseRefused(
                f"{sanitize(customer.name)} is a customer of another account, not of {call.account.name}, whose line "
                f"rang: no case was opened. Find the caller in {call.account.name} (/) or add them there (n)."
            )

    def note_refused_case(self, call: ActiveCall, customer: Customer, reason: str) -> Future[object]:
        """Keep a case that could not be opened for the needs-attention list (`!`), so the agent can follow it up."""
        store = self.store
        args = {"account_id": call.account.id, "customer_id": customer.id, "interaction_id": call.interaction_id}
        return self.writer.call(lambda: store.note_refusal("ticket.open@1", args, reason))

    def open_case(self, call: ActiveCall, customer: Customer, case_number: str, subject: str, said: str) -> CaseOpened:
        """A case for the caller, assigned to this agent, with a confirmation queued to the customer; `said` (when
        given) is its first message. `CaseRefused` when the caller is another account's customer (nothing is
        saved then). The number is told to the caller only once `saved` holds the commit."""
        self.check_can_open(call, customer)
        account, agent = call.account, self.agent
        fields = TemplateFields(sanitize(customer.name), case_number, sanitize(subject), agent.name, account.name)
        try:
            confirmation = render(CASE_CONFIRMATION_TEMPLATE, fields)
        except TemplateProblem:  # the subject is a value, never template code: this cannot fail on it
            confirmation = f"Your case number is {case_number}."
        args: dict[str, object] = {
            "ticket_id": new_id(), "account_id": account.id, "customer_id": customer.id,
            "case_number": case_number, "subject": subject, "kind": "question", "channel": "phone",
            "status": "open", "opened_at": self.now_iso(), "assignee_id": agent.id,
            "agent_id": agent.id, "author": agent.name,
        }
        if customer.emails:  # with no address the confirmation could never be delivered: none is queued
            args |= {"confirmation_id": new_id(), "confirmation": confirmation}
        if said:
            args |= {"first_message_id": new_id(), "first_message": said}
        return CaseOpened(case_number, self.submit("ticket.open@1", args))

    # -- the conversation --------------------------------------------------------------------------------

    def opened(self, ticket_id: str) -> None:
        """The agent has the ticket open: a reply's handling time (what it is billed) counts from now."""
        self._opened[ticket_id] = self.clock.monotonic()

    def add_message(self, ticket_id: str, kind: str, body: str) -> Future[int]:
        """A reply to the customer (`kind` "reply", queued for delivery) or an internal note ("note"). A reply is
        billed the time since the ticket was opened (or since the last reply on it), as a written interaction."""
        args: dict[str, object] = {
            "message_id": new_id(), "ticket_id": ticket_id, "kind": kind, "author": self.agent.name,
            "agent_id": self.agent.id, "body": body, "created_at": self.now_iso(),
        }
        started = self._opened.get(ticket_id)
        if kind == "reply" and started is not None:
            now = self.clock.monotonic()
            handled = min(MAX_HANDLED_SECONDS, max(0, round(now - started)))
            args |= {"interaction_id": new_id(), "handled_seconds": handled}
            self._opened[ticket_id] = now
        return self.submit("ticket.add_message@2", args)

    def save_draft(self, ticket_id: str, mode: str, text: str) -> Future[object]:
        """Keep what is in the composer (local only; on the writer thread, in order with the messages sent)."""
        store, at = self.store, self.now_iso()
        return self.writer.call(lambda: store.save_draft(ticket_id, mode, text, at))

    # -- the life of a ticket ----------------------------------------------------------------------------

    def consent_time(self, typed: str, time_zone: str) -> datetime | None:
        """`now`, or HH:MM today in the account's time zone; None when it cannot be read."""
        now = self.clock.now()
        if typed.lower() in ("", "now"):
            return now
        zone = ZoneInfo(time_zone)
        try:
            hours, minutes = (int(part) for part in typed.split(":", 1))
            local = datetime.combine(now.astimezone(zone).date(), time(hours, minutes), zone)
        except ValueError:
            return None
        return local.astimezone(now.tzinfo)

    @staticmethod
    def check_can_resolve(card: TicketCard) -> None:
        """Raise `MoveRefused` when the ticket cannot be resolved whatever the consent (ask before asking for it)."""
        if outcomes.needs_outcome(card.kind, card.save_outcome):
            raise rules.MoveRefused("A refund or cancellation request is resolved with its outcome: Ctrl+B offers "
                                    "help, then records saved, refunded, cancelled or refused.")
        rules.check_move(card.status, "resolved", consent=rules.Consent(rules.ConsentHow.CALL, card.created_at))

    def resolve(self, card: TicketCard, how: str, given_at: datetime) -> Future[int]:
        """Record the customer's permission (`how`, when) and mark the ticket resolved; `MoveRefused` when the rules
        say no (nothing is saved then)."""
        now = self.clock.now()
        rules.check_move(card.status, "resolved", consent=rules.Consent(rules.ConsentHow(how), given_at),
                         opened_at=card.created_at, now=now)
        self.submit("ticket.record_consent@1", {
            "ticket_id": card.id, "how": how, "given_at": iso(given_at), "agent_id": self.agent.id,
            "recorded_at": iso(now)})
        return self.submit("ticket.set_status@1", {
            "ticket_id": card.id, "status": "resolved", "changed_at": iso(now), "agent_id": self.agent.id})

    def set_status(self, ticket_id: str, status: str) -> Future[int]:
        """Move the ticket to `status` (open, pending, escalated, closed)."""
        return self.submit("ticket.set_status@1", {
            "ticket_id": ticket_id, "status": status, "changed_at": self.now_iso(), "agent_id": self.agent.id})

    def request_review(self, ticket_id: str) -> Future[int]:
        """Send a resolved ticket for review."""
        return self.submit("ticket.request_review@1", {
            "ticket_id": ticket_id, "requested_at": self.now_iso(), "agent_id": self.agent.id})

    def assign(self, ticket_id: str, assignee_id: str | None) -> Future[int]:
        """Give the ticket to `assignee_id`, or back to the queue (None)."""
        return self.submit("ticket.assign@1", {
            "ticket_id": ticket_id, "assignee_id": assignee_id, "assigned_at": self.now_iso(),
            "agent_id": self.agent.id})

    def offer_help(self, ticket_id: str, text: str) -> Future[int]:
        """Save the sale, step 1: the offer of help, queued to the customer."""
        return self.submit("ticket.offer_help@1", {
            "ticket_id": ticket_id, "message_id": new_id(), "author": self.agent.name, "body": text,
            "offered_at": self.now_iso(), "agent_id": self.agent.id})

    @staticmethod
    def check_outcome(card: TicketCard, outcome: str) -> None:
        """Raise `MoveRefused` when `outcome` cannot be recorded on `card` now (the mutation checks it again)."""
        order = card.order
        window = rules.refund_window(order.placed_at, card.created_at, card.time_zone) if order else None
        outcomes.check_outcome(
            card.kind, outcome, offer=outcomes.OfferState(card.help_offered_at is not None, card.offer_reached),
            window=window, recurring=order.recurring if order else None)

    def record_outcome(
        self, card: TicketCard, outcome: str, *, body: str | None = None, agreed: tuple[str, datetime] | None = None,
        correcting: str | None = None,
    ) -> Future[int]:
        """Save the sale, step 2: saved (with the customer's `agreed` how and when), or refunded, cancelled or
        refused with `body`, the message that tells the customer. `correcting`: the reason an outcome recorded by
        mistake is replaced. `MoveRefused` when the rules say no (nothing is saved then)."""
        if correcting is not None:
            outcomes.check_correction(card.save_outcome, outcome, correcting)
        elif card.save_outcome:
            raise rules.MoveRefused(f"The outcome is already recorded ({outcomes.OUTCOME_WORDS[card.save_outcome]}); "
                                    "correct it instead.")
        self.check_outcome(card, outcome)
        now = self.clock.now()
        args: dict[str, object] = {
            "ticket_id": card.id, "outcome": outcome, "decided_at": iso(now), "agent_id": self.agent.id,
            "author": self.agent.name, "note_id": new_id()}
        if outcome == "saved":
            if agreed is None:
                raise rules.MoveRefused("A saved sale needs the customer's agreement: how and when they withdrew.")
            rules.check_move("open", "resolved", consent=rules.Consent(rules.ConsentHow(agreed[0]), agreed[1]),
                             opened_at=card.created_at, now=now)
            args |= {"agreed_how": agreed[0], "agreed_at": iso(agreed[1])}
        elif not body or not body.strip():
            raise rules.MoveRefused("The customer must be told: write the message that goes with this outcome.")
        else:
            args |= {"message_id": new_id(), "body": body}
        if correcting is not None:
            return self.submit("ticket.correct_outcome@1", args | {"reason": correcting})
        return self.submit("ticket.save_the_sale@2", args)

    def send_reply(self, card: TicketCard, body: str) -> Future[int]:
        """A reply to the customer. One that states a refund or cancellation records it through the save-the-sale
        rules; one that states something not done (a refund not recorded, a resolution not made) is refused
        (`MoveRefused`) and nothing is sent."""
        needed = outcomes.statement_needs(body, kind=card.kind, outcome=card.save_outcome, status=card.status)
        if needed is None:
            return self.add_message(card.id, "reply", body)
        return self.record_outcome(card, needed, body=body)

