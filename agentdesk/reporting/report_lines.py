"""The daily report's lines in the order the client reads them, shared by the text, CSV and HTML forms."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from agentdesk.domain.daily_figures import DayFigures, RatingFact
from agentdesk.domain.pricing import format_money

NOTHING = "—"
"""An average over nothing: shown as a dash, never as 0."""

SOURCE_NAMES = {"quality": "quality control", "customer": "customers"}


@dataclass(frozen=True, slots=True)
class Line:
    """One figure: a key for machines, a label and a text for people, and the raw value (None for "—")."""

    key: str
    label: str
    text: str
    value: float | int | None


def duration(seconds: float | None) -> str:
    """`13.0 s`, `3 min 15 s`, `14 h 00 min`; a dash for nothing."""
    if seconds is None:
        return NOTHING
    if seconds < 60:
        return f"{seconds:.1f} s"
    whole = round(seconds)
    if whole < 3600:
        return f"{whole // 60} min {whole % 60:02d} s"
    return f"{whole // 3600} h {whole % 3600 // 60:02d} min"


def percent(value: float | None) -> str:
    """`75.0 %`, or a dash."""
    return NOTHING if value is None else f"{value:.1f} %"


def report_lines(figures: DayFigures, currency: str = "USD") -> list[Line]:
    """Every figure of the report, in the report's order."""
    f = figures
    target = f"{f.target.seconds} s"
    lines = [
        Line("tickets_resolved", "Tickets resolved", str(f.tickets_resolved), f.tickets_resolved),
    ]
    for rating in f.rating_averages:
        who = SOURCE_NAMES.get(rating.source, rating.source)
        if not rating.kept:
            text = "not recorded yet"
        elif rating.average is None:
            text = "no ratings yet"
        else:
            text = f"{rating.average:.2f} of 5 ({rating.count} rated)"
        lines.append(Line(f"rating_{rating.source}", f"Average rating by {who}", text, rating.average))
    lines += [
        Line("average_resolution_seconds", "Average time to resolution", duration(f.average_resolution_seconds),
             f.average_resolution_seconds),
        Line("cost_cents", "Cost of service", f"{format_money(f.cost_cents, currency)} for "
             f"{f.billable_seconds / 60:,.1f} billable minutes", f.cost_cents),
        Line("billable_seconds", "Billable seconds", f"{f.billable_seconds:,.0f}", f.billable_seconds),
        Line("calls_offered", "Calls offered", f"{f.calls_offered}" + (
            f" (short abandons left out: {f.short_abandons})" if f.short_abandons else ""), f.calls_offered),
        Line("calls_answered", "Calls answered", str(f.calls_answered), f.calls_answered),
        Line("calls_abandoned", "Calls abandoned", str(f.calls_abandoned), f.calls_abandoned),
        Line("short_abandons", "Short abandons (left out)", str(f.short_abandons), f.short_abandons),
        Line("service_level_of_answered", f"Service level ({f.target}): within {target} / answered",
             percent(f.service_level_of_answered), f.service_level_of_answered),
        Line("service_level_of_offered", f"Service level ({f.target}): within {target} / answered + abandoned",
             percent(f.service_level_of_offered), f.service_level_of_offered),
        Line("answered_within_target", f"Answered within {target}", str(f.answered_within_target),
             f.answered_within_target),
        Line("answered_before_ring", "Answered before the 3rd ring", str(f.answered_before_ring), f.answered_before_ring),
        Line("answered_before_ring_percent", "Answered before the 3rd ring, share of answered",
             percent(f.answered_before_ring_percent), f.answered_before_ring_percent),
        Line("asa_seconds", "Average speed of answer (ASA)", duration(f.asa_seconds), f.asa_seconds),
        Line("aht_seconds", "Average handle time (AHT)", duration(f.aht_seconds), f.aht_seconds),
        Line("average_talk_seconds", "Average talk time", duration(f.average_talk_seconds), f.average_talk_seconds),
        Line("average_after_call_seconds", "Average after-call work", duration(f.average_after_call_seconds),
             f.average_after_call_seconds),
        Line("average_time_to_abandon_seconds", "Average time to abandon", duration(f.average_time_to_abandon_seconds),
             f.average_time_to_abandon_seconds),
        Line("abandonment_rate", "Abandonment rate", percent(f.abandonment_rate), f.abandonment_rate),
        Line("holds", "Holds", str(f.holds), f.holds),
        Line("hold_cap_hits", "Hold-cap hits", str(f.hold_cap_hits), f.hold_cap_hits),
        Line("emails_answered_within_goal", "E-mails answered within 6 h",
             f"{f.emails_answered_within_goal} of {f.emails_answered} first answered today",
             f.emails_answered_within_goal),
        Line("emails_answered", "E-mails first answered", str(f.emails_answered), f.emails_answered),
        Line("tickets_escalated", "Tickets escalated by the 12 h rule", str(f.tickets_escalated), f.tickets_escalated),
    ]
    if f.calls_waiting:
        lines.append(Line("calls_waiting", "Calls never answered nor ended", str(f.calls_waiting), f.calls_waiting))
    return lines


def rating_when(rating: RatingFact, time_zone: str) -> str:
    """The rated interaction's local time, `HH:MM`."""
    return rating.at.astimezone(ZoneInfo(time_zone)).strftime("%H:%M")
