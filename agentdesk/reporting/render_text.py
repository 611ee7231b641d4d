"""The daily report as text for the terminal (with an hourly chart in plain text bars) and as CSV."""

from __future__ import annotations

import csv
import io

from agentdesk.domain.daily_figures import DayFigures
from agentdesk.domain.text import one_line
from agentdesk.reporting.report_lines import NOTHING, SOURCE_NAMES, percent, rating_when, report_lines

BAR_WIDTH = 40
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def title(figures: DayFigures) -> str:
    """`Daily report: Acme, Tuesday 2026-11-24 (America/New_York)`."""
    return f"Daily report: {figures.account_name}, {figures.day:%A %Y-%m-%d} ({figures.time_zone})"


def render_text(figures: DayFigures, short_abandon_seconds: float) -> str:
    """The report for a terminal: every figure, the hourly chart, and every rated interaction."""
    lines = report_lines(figures)
    width = max(len(line.label) for line in lines) + 2
    out = [one_line(title(figures), 120), f"Midnight to midnight in the account's time zone; callers who hung up "
           f"within {short_abandon_seconds:g} s are left out of offered and abandoned.", ""]
    out += [f"{line.label + ' ':.<{width}} {one_line(line.text, 80)}" for line in lines]
    out += ["", *hourly_chart(figures), "", "Rated interactions"]
    if not figures.ratings:
        out.append("  no ratings yet")
    for rating in figures.ratings:
        comment = f" — {one_line(rating.comment, 60)}" if rating.comment else ""
        out.append(f"  {rating_when(rating, figures.time_zone)}  {rating.score}/5  by "
                   f"{SOURCE_NAMES.get(rating.source, rating.source)}: {one_line(rating.rated, 60)}{comment}")
    return "\n".join(out) + "\n"


def hourly_chart(figures: DayFigures) -> list[str]:
    """Calls offered per local hour as bars, with that hour's service level (within T / answered + abandoned),
    from the first to the last hour with calls."""
    busy = [h for h in figures.hours if h.offered]
    if not busy:
        return ["Calls and service level by hour: no calls this day."]
    most = max(h.offered for h in busy)
    first, last = busy[0].hour, busy[-1].hour
    rows = [f"Calls and service level ({figures.target}) by hour",
            f"{'hour':<6}{'calls':>6}  {'':<{BAR_WIDTH}}  level"]
    for hour in figures.hours[first:last + 1]:
        bar = "█" * max(1 if hour.offered else 0, round(BAR_WIDTH * hour.offered / most))
        level = percent(hour.service_level) if hour.offered else NOTHING
        rows.append(f"{hour.hour:02d}:00 {hour.offered:>6}  {bar:<{BAR_WIDTH}}  {level}")
    return rows


def render_csv(figures: DayFigures) -> str:
    """The report as CSV: `section,name,value,detail`, with raw numbers (seconds, cents, percentages)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["section", "name", "value", "detail"])
    writer.writerow(["report", "account", _cell(figures.account_name), _cell(figures.account_id)])
    writer.writerow(["report", "date", figures.day.isoformat(), figures.time_zone])
    writer.writerow(["report", "target", str(figures.target), ""])
    for line in report_lines(figures):
        writer.writerow(["figure", line.key, "" if line.value is None else _number(line.value), _cell(line.text)])
    for hour in figures.hours:
        section = f"hour {hour.hour:02d}"
        for name, value in (("offered", hour.offered), ("answered", hour.answered), ("abandoned", hour.abandoned),
                            ("within_target", hour.within_target), ("service_level", hour.service_level)):
            writer.writerow([section, name, "" if value is None else _number(value), ""])
    for rating in figures.ratings:
        detail = f"{rating.at.isoformat()} {rating.rated}" + (f" — {rating.comment}" if rating.comment else "")
        writer.writerow(["rating", rating.source, rating.score, _cell(detail)])
    return buffer.getvalue()


def _number(value: float | int) -> str:
    return str(value) if isinstance(value, int) else repr(round(float(value), 6))


def _cell(text: str) -> str:
    """Text a spreadsheet will show as text: a cell starting like a formula is quoted with an apostrophe."""
    return "'" + text if text.startswith(_FORMULA_START) else text
