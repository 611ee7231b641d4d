"""`agentdesk monitor` (a supervisor's floor, or `--demo` with nothing set up) and `agentdesk simulate --agents N`
(a simulated floor of N agents against a backend)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from agentdesk.config import Settings
    from agentdesk.monitoring import AlertRules


def alert_rules(settings: Settings) -> AlertRules:
    """The monitor's thresholds from the settings: [monitor], with the hold warning and cap from [hold]."""
    from agentdesk.monitoring import AlertRules

    given = settings.monitor
    return AlertRules(
        hold_warning_s=settings.hold.warn_seconds, hold_cap_s=settings.hold.cap_seconds,
        ring_warning_s=given.ring_warning_seconds, waiting_warning=given.waiting_warning,
        waiting_critical=given.waiting_critical, longest_wait_warning_s=given.longest_wait_warning_seconds,
        longest_wait_critical_s=given.longest_wait_critical_seconds,
        service_level_margin=given.service_level_margin, unsynced_offline_critical=given.unsynced_offline_critical)


@click.command()
@click.option("--server", "server_url", envvar="AGENTDESK_SERVER_URL", default=None,
              help="The backend's address (default: the settings' [backend] url).")
@click.option("--demo", is_flag=True, help="Start a backend and a simulated floor of 50 agents, and watch it.")
@click.option("--agents", type=click.IntRange(1, 2_000), default=50, show_default=True,
              help="Simulated agents (with --demo).")
@click.pass_context
def monitor(ctx: click.Context, server_url: str | None, demo: bool, agents: int) -> None:
    """Monitoring mode for a supervisor or an admin: the floor, the queues and service levels, the alerts."""
    from agentdesk.cli_settings import settings_for, signed_in_token
    from screens.monitor_app import MonitorApp

    config, store_path = ctx.obj or (None, None)
    settings = settings_for(config, store_path)
    rules = alert_rules(settings)
    if demo:
        from agentdesk.server.demo_floor import start_demo_floor

        click.echo(f"Starting a demo backend and a floor of {agents} agents …", err=True)
        floor = start_demo_floor(agents)
        try:
            MonitorApp(floor.url, floor.token, rules=rules).run()
        finally:
            floor.close()
        return
    url = server_url or (str(settings.backend.url or "") or None)
    if not url:
        raise click.ClickException("No backend is set: give --server URL (or [backend] url in the settings),"
                                   " or try `agentdesk monitor --demo`.")
    token = signed_in_token(url)
    import httpx

    try:
        me = httpx.get(f"{url}/auth/me", headers={"Authorization": f"Bearer {token}"}, timeout=10)
    except httpx.HTTPError as error:
        raise click.ClickException(f"The backend at {url} cannot be reached ({type(error).__name__}).") from None
    if me.status_code != 200:
        raise click.ClickException("The backend does not accept this sign-in: run `agentdesk login`.")
    if me.json().get("role") not in ("supervisor", "admin"):
        raise click.ClickException("Monitoring mode is for supervisors and admins; this sign-in is an agent's."
                                   " Sign in as a supervisor with `agentdesk login`.")
    MonitorApp(url, token, rules=rules).run()


def run_floor(server_url: str, database: str, agents: int, duration: float | None, speed: float, seed: int) -> None:
    """`agentdesk simulate --agents N`: drive a simulated floor of agents against a backend."""
    import asyncio

    import httpx

    from agentdesk.floor_simulate import FloorSimulator
    from agentdesk.server.db import make_engine
    from agentdesk.server.floor_staff import staff_floor

    try:
        staffed = staff_floor(make_engine(database), agents, seed=seed)
    except LookupError as error:
        raise click.ClickException(str(error)) from None

    async def run() -> None:
        async with httpx.AsyncClient(base_url=server_url, timeout=20) as client:
            tally = await FloorSimulator(client, staffed, seed=seed, speed=speed,
                                         report=lambda line: click.echo(line, err=True)).run(duration)
        click.echo(f"{tally.calls} calls ({tally.abandoned} abandoned), {tally.holds} holds ({tally.cap_hits} at the"
                   f" cap), {tally.breaks} breaks; {tally.refused} refused.", err=True)

    click.echo(f"{agents} agents on the floor of {server_url}; ctrl+c stops.", err=True)
    try:
        asyncio.run(run())
    except KeyboardInterrupt:
        return
