"""The ticket's header: case number, customer, state, its SLA clock, the refund window, consent, outcome."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from textual.widgets import Static

from agentdesk.domain.ticket_outcomes import OUTCOME_WORDS
from agentdesk.domain.tickets import REFUND_DAYS, STATUS_WORDS, SlaPhase, read_sla, refund_window, sla_label
from agentdesk.records import TicketCard
from widgets.screen_text import one_line


@dataclass(frozen=True, slots=True)
class HeaderView:
    """The card and the time it is read at."""

    card: TicketCard
    now: datetime


def header_lines(view: HeaderView) -> tuple[list[str], SlaPhase]:
    """The header as lines of text, and the SLA phase (for the colour)."""
    card, now = view.card, view.now
    zone = ZoneInfo(card.time_zone)
    sla = read_sla(card.awaiting_since, now)
    lines = [
        f"{card.case_number} · {one_line(card.subject, 60)}",
        f"{one_line(card.customer_name, 30)} · {one_line(card.account_name, 24)} · "
        f"{STATUS_WORDS.get(card.status, card.status)} · {card.kind.replace('_', ' ')} by {card.channel.replace('_', ' ')} · "
        f"{card.priority} · {'with ' + one_line(card.assignee_name, 20) if card.assignee_name else 'unassigned'}",
    ]
    if sla.seconds_left is not None:
        label = sla_label(sla, card.status)
        clock = "response due in"
        if sla.phase is SlaPhase.RED:  # "overdue by 4h29m", not "overdue -4h29m"
            clock, label = "response overdue by", label.removeprefix("-")
        elif sla.phase is SlaPhase.ESCALATE:
            # Only the backend escalates: offline, or before it has, the desk says what is due, not what is done.
            clock = "escalated: no response within 12 h" if card.status == "escalated" else \
                "due for escalation: no response within 12 h"
        lines.append(f"SLA: {clock} {label}")
    else:
        lines.append("SLA: answered, nothing owed to the customer")
    if card.order is not None:
        order = card.order
        if card.kind == "refund":
            # Judged when the request arrived, as the rules judge it: a request made in time stays in time.
            window = refund_window(order.placed_at, card.created_at, card.time_zone)
            if window.open:
                lines.append(f"{one_line(order.number, 40)}: ordered {window.order_date.isoformat()}, refund possible until "
                             f"{window.last_day.isoformat()}; the request arrived in time.")
            else:  # the policy, short enough for two lines at 80 columns
                asked = (card.created_at.astimezone(zone).date() - window.order_date).days
                lines.append(f"{one_line(order.number, 40)}: ordered {window.order_date.isoformat()}, asked on day "
                             f"{asked}; refunds only up to {REFUND_DAYS} days after the order: offer help instead.")
        elif card.kind == "cancellation":
            what = "recurring: can be cancelled at any time" if order.recurring else "a one-off purchase"
            lines.append(f"{one_line(order.number, 40)}: ordered {order.placed_at.astimezone(zone).date().isoformat()}, "
                         f"{what}.")
        else:
            lines.append(f"{one_line(order.number, 40)}: ordered {order.placed_at.astimezone(zone).date().isoformat()}.")
    agreed = None
    if card.consent_how and card.consent_at:
        how = "on a call" if card.consent_how == "call" else "in writing"
        given = card.consent_at.astimezone(zone).strftime("%d %b %H:%M")
        agreed = f"{how}, {given}{' · sent for review' if card.review_requested else ''}"
    # At 80 columns the header has 7 lines: the outcome and the agreement share one, so neither is cut off.
    if card.kind in ("refund", "cancellation"):
        if card.save_outcome:
            words = OUTCOME_WORDS.get(card.save_outcome, card.save_outcome)
            lines.append(f"Save the sale: {words}; agreed {agreed}." if agreed else f"Save the sale: {words}.")
            agreed = None
        elif card.help_offered_at and not card.offer_reached:
            lines.append("Save the sale: help offered; the outcome waits until it reaches the customer.")
        elif card.help_offered_at:
            lines.append("Save the sale: help offered; Ctrl+B records the outcome.")
        else:
            lines.append("Save the sale: offer help first (Ctrl+B).")
    if agreed:
        lines.append(f"Customer agreed to resolve {agreed}.")
    return lines, sla.phase


class TicketHeader(Static):
    """Shows a `HeaderView`; the SLA line's urgency is a class (-amber, -red)."""

    DEFAULT_CSS = """
    TicketHeader {
        height: auto;
        padding: 0 1;
        background: $boost;
        &.-amber { border-left: thick $warning; }
        &.-red { border-left: thick $error; }
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", markup=False, id=id)
        self.view: HeaderView | None = None

    def show(self, view: HeaderView) -> None:
        self.view = view
        lines, phase = header_lines(view)
        self.update("\n".join(lines))
        self.set_class(phase is SlaPhase.AMBER, "-amber")
        self.set_class(phase in (SlaPhase.RED, SlaPhase.ESCALATE), "-red")
