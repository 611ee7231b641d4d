"""The daily report as text for the terminal (with an hourly chart drawn by plotext in plain characters) and as
CSV."""

from __future__ import annotations

import csv
import io
import threading

from agentdesk.domain.daily_figures import DayFigures, HourFigures
from agentdesk.domain.text import one_line
from agentdesk.reporting.report_lines import NOTHING, SOURCE_NAMES, percent, rating_when, report_lines

CHART_WIDTH, CHART_HEIGHT = 72, 14
"""The chart's size in characters with its axes; the right axis's labels add up to 6 (the text fits 80 columns)."""
_PLOTTING = threading.Lock()
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
    """Calls offered per local hour as bars and that hour's service level (within T / answered + abandoned) as
    points on a 0-100 % scale, drawn by plotext in plain characters, then the same figures as a table; from the
    first to the last hour with calls."""
    busy = [h for h in figures.hours if h.offered]
    if not busy:
        return ["Calls and service level by hour: no calls this day."]
    shown = figures.hours[busy[0].hour:busy[-1].hour + 1]
    rows = [f"Calls offered (bars, left) and service level {figures.target} (o, right, %) by hour",
            *_plot(shown), "", f"{'hour':<6}{'calls':>6}  level"]
    for hour in shown:
        level = percent(hour.service_level) if hour.offered else NOTHING
        rows.append(f"{hour.hour:02d}:00 {hour.offered:>6}  {level}")
    return rows


def _plot(hours: list[HourFigures]) -> list[str]:
    """The chart as lines of at most CHART_WIDTH plain characters (plotext keeps one figure per process: the
    lock keeps two reports drawn at once from mixing)."""
    import plotext as plt

    xs = list(range(len(hours)))
    most = max(h.offered for h in hours)
    levels = [(x, h.service_level) for x, h in zip(xs, hours, strict=True) if h.offered and h.service_level is not None]
    step = max(1, -(-most // 4))
    top = step * -(-most // step)
    with _PLOTTING:
        plt.clear_figure()
        plt.plotsize(CHART_WIDTH, CHART_HEIGHT)
        plt.theme("clear")
        plt.bar(xs, [h.offered for h in hours], marker="█", width=0.6)
        if levels:
            plt.scatter([x for x, _ in levels], [v for _, v in levels], yside="right", marker="o")
        plt.ylim(0, top, yside="left")
        plt.yticks(list(range(0, top + 1, step)), yside="left")
        plt.ylim(0, 100, yside="right")
        plt.yticks([0, 25, 50, 75, 100], yside="right")
        every = max(1, -(-len(hours) // 12))
        plt.xticks(xs[::every], [f"{h.hour:02d}" for h in hours[::every]])
        drawn = plt.uncolorize(plt.build())
        plt.clear_figure()
    return [line.rstrip()[:CHART_WIDTH + 6] for line in drawn.splitlines()]


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
