"""One account's daily report, from the database to the finished page: what the command, the benchmark and a
later midnight job call."""

from __future__ import annotations

from datetime import date

from agentdesk.domain.daily_figures import DayFigures, FigureRules, day_figures
from agentdesk.reporting.day_reader import AccountInfo, read_day
from agentdesk.reporting.render_html import render_html
from agentdesk.reporting.render_text import render_csv, render_text
from agentdesk.reporting.sources import Source

FORMATS = {"text": "txt", "csv": "csv", "html": "html"}
"""The report's forms and their file extensions."""


def figures_of(source: Source, account: AccountInfo, day: date, rules: FigureRules) -> DayFigures:
    """The account's figures for its local `day`."""
    return day_figures(read_day(source, account, day, tickets=rules.tickets), rules)


def render(figures: DayFigures, form: str, rules: FigureRules) -> str:
    """The report in `form` (text, csv or html)."""
    if form == "csv":
        return render_csv(figures)
    if form == "html":
        return render_html(figures, rules.short_abandon_seconds)
    return render_text(figures, rules.short_abandon_seconds)


def daily_report(source: Source, account: AccountInfo, day: date, form: str = "text",
                 rules: FigureRules | None = None) -> str:
    """The account's report for `day` in `form`."""
    rules = rules or FigureRules()
    return render(figures_of(source, account, day, rules), form, rules)
