"""`agentdesk staffing` and `agentdesk report`: the supervisor's figures from the command line."""

from __future__ import annotations

import json
import math
from datetime import UTC, date, datetime
from pathlib import Path

import click

from agentdesk.domain.sla import ServiceLevel


class BadInput(click.ClickException):
    """A bad argument, said in one sentence (exit 2, as click's usage errors, without the usage text)."""

    exit_code = 2


DATABASE = click.option("--database", default=None, metavar="URL",
                        help="Read the backend's database: an SQLite path or postgresql://user@host/db.")
STORE = click.option("--store", "store_file", type=click.Path(path_type=Path, dir_okay=False), default=None,
                     help="Read this local store (default: the terminal's own store).")


def _target(text: str | None) -> ServiceLevel | None:
    if text is None:
        return None
    try:
        return ServiceLevel.parse(text)
    except ValueError as error:
        raise BadInput(str(error)) from None


def _day(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise BadInput(f"--date must be a date like 2026-11-24, not {text[:40]!r}.") from None
    if not 1900 <= day.year <= 9000:
        raise BadInput(f"--date must be a date between the years 1900 and 9000, not {text[:40]!r}.")
    return day


def open_source(ctx: click.Context, database: str | None, store_file: Path | None):  # type: ignore[no-untyped-def]
    """The database a command reads: --database, else --store, else the terminal's configured store."""
    from agentdesk.reporting.sources import DatabaseSource, SourceError, StoreSource

    if database and store_file:
        raise BadInput("Give either --database or --store, not both.")
    try:
        if database:
            return DatabaseSource(database)
        if store_file is None:
            store_file = _settings_of(ctx).store.path
        return StoreSource(store_file.expanduser())
    except SourceError as error:
        raise click.ClickException(str(error)) from None


def _settings_of(ctx: click.Context):  # type: ignore[no-untyped-def]
    """The settings `agentdesk --config/--store` chose (the group keeps them in `ctx.obj`)."""
    from agentdesk.config import ConfigError, load_settings

    config, store_path = ctx.obj or (None, None)
    try:
        settings = load_settings(config)
    except ConfigError as error:
        raise click.ClickException(str(error)) from None
    if store_path is not None:
        settings = settings.model_copy(update={"store": settings.store.model_copy(update={"path": store_path})})
    return settings


def _rules(ctx: click.Context):  # type: ignore[no-untyped-def]
    from agentdesk.domain.daily_figures import FigureRules
    from agentdesk.domain.sla import RingPolicy

    settings = _settings_of(ctx)
    ring = RingPolicy(settings.phone.ring_cycle_seconds, settings.phone.answer_before_ring)
    return FigureRules(short_abandon_seconds=settings.report.short_abandon_seconds, ring=ring)


def _number(value: float) -> float | None:
    """JSON has no infinity: a figure that does not exist (no agents enough) is null."""
    return None if math.isinf(value) or math.isnan(value) else value


@click.command()
@click.option("--calls-per-hour", type=float, default=None, help="Calls offered in an hour.")
@click.option("--aht", type=float, default=None, metavar="SECONDS", help="Average handle time (talk + hold + wrap-up).")
@click.option("--target", default=None, metavar="PERCENT/SECONDS",
              help="Service level to meet, e.g. 80/20 (default 80/20, or the account's own with --account).")
@click.option("--agents", type=int, default=None, help="Show the figures for this many agents.")
@click.option("--shrinkage", type=float, default=0.0, show_default=True,
              help="Share of scheduled time off the phones (breaks, training, absence), 0 to below 1.")
@click.option("--account", default=None, help="An account's id or part of its name (with --from-history).")
@click.option("--from-history", is_flag=True, help="Agents needed per hour, from the last four same weekdays.")
@click.option("--date", "day_text", default=None, metavar="YYYY-MM-DD",
              help="The day to staff, in the account's time zone (default: today there).")
@DATABASE
@STORE
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@click.pass_context
def staffing(ctx: click.Context, calls_per_hour: float | None, aht: float | None, target: str | None,
             agents: int | None, shrinkage: float, account: str | None, from_history: bool, day_text: str | None,
             database: str | None, store_file: Path | None, as_json: bool) -> None:
    """Agents needed to answer a queue of calls within its service level (Erlang C)."""
    from agentdesk.domain.staffing import StaffingError, Workload, agents_needed, evaluate, scheduled_agents

    goal = _target(target)
    try:
        scheduled_agents(0, shrinkage)  # checks the share before any work
        if from_history or account:
            if not (from_history and account):
                raise BadInput("Staffing from history needs both --account A and --from-history.")
            if calls_per_hour is not None or aht is not None or agents is not None:
                raise BadInput("--calls-per-hour, --aht and --agents do not go with --from-history, which reads "
                               "them from the account's past calls.")
            _staffing_from_history(ctx, account, goal, shrinkage, _day(day_text), database, store_file, as_json)
            return
        if calls_per_hour is None or aht is None:
            raise BadInput("Give --calls-per-hour and --aht (or --account A --from-history).")
        if agents is not None and agents < 0:
            raise BadInput(f"--agents must be 0 or more, not {agents}.")
        goal = goal or ServiceLevel()
        workload = Workload(calls_per_hour, aht)
        needed = agents_needed(workload, goal)
        figures = evaluate(workload, agents, goal) if agents is not None else needed
        scheduled = scheduled_agents(needed.agents, shrinkage)
    except StaffingError as error:
        raise BadInput(str(error)) from None
    if as_json:
        click.echo(json.dumps({
            "calls_per_hour": calls_per_hour, "aht_seconds": aht, "target": str(goal),
            "traffic_erlangs": workload.traffic, "agents_needed": needed.agents, "shrinkage": shrinkage,
            "agents_scheduled": scheduled,
            "figures": {k: _number(v) for k, v in figures.as_dict().items()},
        }, indent=2))
        return
    click.echo(f"{calls_per_hour:g} calls an hour x {aht:g} s handle time = {workload.traffic:.2f} Erlangs; "
               f"target {goal.percent} % answered within {goal.seconds} s.")
    line = f"Agents needed: {needed.agents}"
    if shrinkage:
        line += f"; to schedule with {shrinkage:.0%} shrinkage: {scheduled}"
    click.echo(line + ".")
    click.echo(f"With {figures.agents} agents:")
    for label, value in _figure_lines(figures, goal):
        click.echo(f"  {label:<24}{value}")


def _figure_lines(figures, goal: ServiceLevel) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    if math.isinf(figures.asa_seconds):
        return [("Probability of waiting", "1.0000 (too few agents: the queue never empties)"),
                ("Service level", "0.00 %"), ("ASA", "no end"),
                ("Occupancy", f"{100 * figures.occupancy:.1f} % (more work than the agents can take)")]
    return [
        ("Probability of waiting", f"{figures.wait_probability:.4f}"),
        ("Service level", f"{100 * figures.service_level:.2f} % within {goal.seconds} s"),
        ("ASA", f"{figures.asa_seconds:.2f} s"),
        ("Occupancy", f"{100 * figures.occupancy:.1f} %"),
    ]


def _staffing_from_history(ctx: click.Context, match: str, goal: ServiceLevel | None, shrinkage: float,
                           day: date | None, database: str | None, store_file: Path | None, as_json: bool) -> None:
    from agentdesk.reporting.day_reader import NoSuchAccount, accounts
    from agentdesk.reporting.staffing_forecast import forecast

    source = open_source(ctx, database, store_file)
    try:
        try:
            found = accounts(source, match)
        except NoSuchAccount as error:
            raise BadInput(str(error)) from None
        if len(found) > 1:
            names = ", ".join(a.name for a in found[:8])
            raise BadInput(f"{len(found)} accounts match {match[:40]!r} ({names}); give more of the name or its id.")
        account = found[0]
        result = forecast(source, account, day or account.local_today(datetime.now(UTC)), target=goal,
                          shrinkage=shrinkage, rules=_rules(ctx))
    finally:
        source.close()
    if as_json:
        click.echo(json.dumps({
            "account": account.name, "account_id": account.id, "date": result.day.isoformat(),
            "time_zone": account.time_zone, "target": str(result.target), "shrinkage": shrinkage,
            "history": [d.isoformat() for d in result.history_days], "days_with_calls": result.days_with_calls,
            "hours": [h.as_dict() for h in result.hours],
        }, indent=2))
        return
    click.echo(f"{account.name}: agents needed on {result.day:%A %Y-%m-%d} ({account.time_zone}), "
               f"target {result.target}, from {result.days_with_calls} of the last four {result.day:%A}s with calls.")
    click.echo(f"{'Hour':<7}{'Calls/h':>8}{'AHT s':>8}{'Needed':>8}{'Schedule':>10}{'Level':>9}")
    for hour in result.hours:
        if hour.needed is None:
            continue
        click.echo(f"{hour.hour:02d}:00  {hour.calls_per_hour:>7.2f}{hour.aht_seconds or 0:>8.0f}"
                   f"{hour.needed.agents:>8}{hour.scheduled:>10}{100 * hour.needed.service_level:>8.1f}%")
    if not any(h.needed for h in result.hours):
        click.echo("No calls on those days: nothing to staff from history.")


@click.command()
@click.option("--account", default=None, help="An account's id or part of its name (default: every account).")
@click.option("--date", "day_text", default=None, metavar="YYYY-MM-DD",
              help="The day, in the account's time zone (default: yesterday there).")
@click.option("--format", "form", type=click.Choice(["text", "csv", "html"]), default="text", show_default=True,
              help="Text for the terminal, CSV for a spreadsheet, HTML for a browser or an e-mail.")
@click.option("--out", "out", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Write one file per account into this folder instead of printing.")
@DATABASE
@STORE
@click.pass_context
def report(ctx: click.Context, account: str | None, day_text: str | None, form: str, out: Path | None,
           database: str | None, store_file: Path | None) -> None:
    """One account's day: calls, service levels, handling, cost of service, tickets, e-mails and ratings."""
    from datetime import timedelta

    from agentdesk.reporting.daily_report import FORMATS, figures_of, render
    from agentdesk.reporting.day_reader import NoSuchAccount, accounts

    day = _day(day_text)
    rules = _rules(ctx)
    source = open_source(ctx, database, store_file)
    written = []
    try:
        try:
            chosen = accounts(source, account)
        except NoSuchAccount as error:
            raise BadInput(str(error)) from None
        if not chosen:
            raise click.ClickException(f"{source.label} holds no accounts yet.")
        for n, each in enumerate(chosen):
            on = day or each.local_today(datetime.now(UTC)) - timedelta(days=1)
            page = render(figures_of(source, each, on, rules), form, rules)
            if out is None:
                click.echo(("\n" if n else "") + page, nl=False)
                continue
            name = "".join(c if c.isalnum() or c in "-_" else "-" for c in each.id)[:60]
            path = out / f"report-{name}-{on.isoformat()}.{FORMATS[form]}"
            try:
                out.mkdir(parents=True, exist_ok=True)
                path.write_text(page, encoding="utf-8")
            except OSError as error:
                raise click.ClickException(f"Cannot write to {out}: {error.strerror or error}.") from None
            written.append(path)
    finally:
        source.close()
    for path in written:
        click.echo(f"Wrote {path}", err=True)
