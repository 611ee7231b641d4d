"""The `agentdesk` command: the workstation by default, and its helpers as subcommands."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from agentdesk.clock import SystemClock
from agentdesk.config import ConfigError, Settings, load_settings
from agentdesk.store import Store, StoreError


def _settings(config: Path | None, store_path: Path | None) -> Settings:
    try:
        settings = load_settings(config)
    except ConfigError as error:
        raise click.ClickException(str(error)) from None
    if store_path is not None:
        settings = settings.model_copy(
            update={"store": settings.store.model_copy(update={"path": store_path.expanduser()})}
        )
    return settings


def _open_store(settings: Settings) -> Store:
    try:
        return Store.open(settings.store.path, SystemClock(), region=settings.phone.default_region)
    except StoreError as error:
        raise click.ClickException(str(error)) from None


def _fill_with_demo(store: Store, settings: Settings, customers: int, seed: int, long_history: int) -> None:
    from agentdesk.demo import generate

    started = time.perf_counter()
    click.echo(f"Preparing demo data ({customers:,} customers) in {store.path} …", err=True)
    summary = generate(
        store, customers=customers, seed=seed, long_history=long_history, reset=True,
        progress=lambda line: click.echo(f"  {line}", err=True),
    )
    click.echo(f"Demo data ready in {time.perf_counter() - started:.1f} s: {summary}", err=True)


@click.group(invoke_without_command=True)
@click.option("--config", "config", type=click.Path(path_type=Path, dir_okay=False), help="Settings file (TOML).")
@click.option("--store", "store_path", type=click.Path(path_type=Path, dir_okay=False), help="Local store file.")
@click.option("--demo-calls", is_flag=True, help="Let demo calls arrive on their own.")
@click.option("--startup-probe", type=click.Path(path_type=Path, dir_okay=False), hidden=True,
              help="Benchmarks: write the time of the first frame to this file and quit.")
@click.pass_context
def main(
    ctx: click.Context, config: Path | None, store_path: Path | None, demo_calls: bool, startup_probe: Path | None
) -> None:
    """AgentDesk: run the agent workstation (the default), or one of the commands below."""
    ctx.obj = (config, store_path)
    if ctx.invoked_subcommand is not None:
        return
    settings = _settings(config, store_path)
    store = _open_store(settings)
    try:
        if store.is_empty():
            _fill_with_demo(store, settings, settings.demo.customers, settings.demo.seed, 2_000)
        from agentdesk.app import make_app

        app = make_app(settings, store, demo_calls=demo_calls or None)
        app.first_frame_probe = startup_probe
        app.run()
    except StoreError as error:
        raise click.ClickException(str(error)) from None
    finally:
        store.close()
    if app.return_code:
        sys.exit(app.return_code)


@main.command()
@click.option("--customers", type=click.IntRange(1, 1_000_000), default=None, help="How many customers.")
@click.option("--seed", type=int, default=None, help="The same seed gives the same data.")
@click.option("--long-history", type=click.IntRange(0, 1_000_000), default=2_000,
              help="Interactions of the well-known customer +1 800-218-1525.")
@click.pass_context
def demo(ctx: click.Context, customers: int | None, seed: int | None, long_history: int) -> None:
    """Replace the local store's data with demo data (deterministic for a seed)."""
    config, store_path = ctx.obj
    settings = _settings(config, store_path)
    store = _open_store(settings)
    try:
        _fill_with_demo(
            store, settings, customers or settings.demo.customers,
            settings.demo.seed if seed is None else seed, long_history,
        )
    except StoreError as error:
        raise click.ClickException(str(error)) from None
    finally:
        store.close()
