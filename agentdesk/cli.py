"""The `agentdesk` command: the workstation by default, and its helpers as subcommands."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from agentdesk.cli_settings import settings_for as _settings
from agentdesk.cli_settings import signed_in_token as _signed_in_token
from agentdesk.clock import SystemClock
from agentdesk.config import Settings
from agentdesk.store import Store, StoreError


def _open_store(settings: Settings) -> Store:
    try:
        return Store.open(settings.store.path, SystemClock(), region=settings.phone.default_region)
    except StoreError as error:
        raise click.ClickException(_with_own_options(str(error))) from None


def _with_own_options(message: str) -> str:
    """`message` with `agentdesk recover` spelled with the --config and --store this command was given, so the
    agent can copy the command as it stands."""
    ctx = click.get_current_context(silent=True)
    config, store_path = ctx.find_root().obj if ctx is not None and ctx.find_root().obj else (None, None)
    given = "".join(f" {flag} {value}" for flag, value in (("--config", config), ("--store", store_path)) if value)
    return message.replace("agentdesk recover ", f"agentdesk{given} recover ", 1) if given else message


def _fill_with_demo(store: Store, settings: Settings, customers: int, seed: int, long_history: int) -> None:
    from agentdesk.demo import generate

    started = time.perf_counter()
    click.echo(f"Preparing demo data ({customers:,} customers) in {store.path} …", err=True)
    summary = generate(
        store, customers=customers, seed=seed, long_history=long_history, reset=True,
        progress=lambda line: click.echo(f"  {line}", err=True),
    )
    click.echo(f"Demo data ready in {time.perf_counter() - started:.1f} s: {summary}", err=True)


def _log_beside(store_path: Path) -> Path | None:
    """The desk's log file beside its store (`agentdesk.db` -> `agentdesk.log`, kept to 4 x 1 MB): what the
    screen says in the agent's words is written here with its technical detail (change names, ids, the database's
    own message), for whoever supports the desk. None when the folder cannot take it (the desk runs on)."""
    import logging
    from logging.handlers import RotatingFileHandler

    path = store_path.expanduser().with_suffix(".log")
    try:
        handler = RotatingFileHandler(path, maxBytes=1_000_000, backupCount=3, encoding="utf-8")
    except OSError as error:
        click.echo(f"No log file at {path} ({error.strerror}); the desk runs without one.", err=True)
        return None
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logger = logging.getLogger("agentdesk")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    return path


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
    _run(config, store_path, demo_calls=demo_calls, startup_probe=startup_probe)


@main.command()
@click.pass_context
def review(ctx: click.Context) -> None:
    """Quality review: rate the oldest unrated calls, e-mails and replies of your accounts, 1 to 5 (quality
    control, supervisors and admins)."""
    config, store_path = ctx.obj
    _run(config, store_path, start="review")


def _run(config: Path | None, store_path: Path | None, *, demo_calls: bool = False,
         startup_probe: Path | None = None, start: str = "desk") -> None:
    """The workstation on `start`: the agent's desk, or the quality review."""
    app = None
    settings = _settings(config, store_path)
    store = _open_store(settings)
    try:
        loop = call_source = None
        if settings.backend.url:
            loop, agent_id = _connect(settings, store)
            if not demo_calls:
                from sync.calls import BackendCallSource

                call_source = BackendCallSource(str(settings.backend.url), loop.engine.token)
            settings = settings.model_copy(
                update={"agent": settings.agent.model_copy(update={"id": agent_id})})
        elif store.is_empty():
            _fill_with_demo(store, settings, settings.demo.customers, settings.demo.seed, 2_000)
        from agentdesk.sound import open_output
        from screens.app import make_app

        # Before the screen starts: PortAudio's start-up chatter is kept off the terminal by moving fd 2.
        sound = None if start == "review" else open_output(
            settings.sound.device, volume=settings.sound.volume, muted=settings.sound.mute, screen_on_stderr=True)
        app = make_app(settings, store, demo_calls=demo_calls or None, sync_loop=loop, call_source=call_source,
                       sound=sound, start=start)
        app.first_frame_probe = startup_probe
        _log_beside(settings.store.path)
        app.run()
    except StoreError as error:
        raise click.ClickException(str(error)) from None
    finally:
        store.close()
    if app is not None and app.return_code:
        sys.exit(app.return_code)


def _connect(settings: Settings, store: Store):  # type: ignore[no-untyped-def]
    """The background sync for a terminal with a backend, and the signed-in agent's id. A new store is filled
    from the backend first; a store with data starts at once and syncs when it can (offline is fine)."""
    import httpx

    from sync.engine import SyncEngine, SyncError, signed_out_words
    from sync.loop import SyncLoop

    url = str(settings.backend.url)
    token = _signed_in_token(url)
    client = httpx.Client(base_url=url, timeout=httpx.Timeout(20, connect=5),
                          headers={"Authorization": f"Bearer {token}"})
    engine = SyncEngine(store, client, SystemClock(), deadline_s=settings.backend.deadline_seconds)
    engine.token = token
    agent_id = settings.agent.id
    try:
        me = client.get("/auth/me")
        if me.status_code == 401:
            raise click.ClickException(signed_out_words(
                _json_or_none(me), "The backend does not accept this terminal's sign-in: run `agentdesk login`."))
        if me.status_code == 200:
            agent_id = str(me.json()["agent_id"])
    except httpx.HTTPError:
        pass  # offline: work from the store; the status line says so
    if store.is_empty():
        click.echo(f"Fetching your accounts from {url} …", err=True)
        try:
            engine.sync_once()
        except SyncError as error:
            raise click.ClickException(f"This new terminal needs the backend once to start: {error}") from None
    return SyncLoop(engine, interval_s=settings.backend.sync_seconds), agent_id


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


@main.command()
@click.option("--server", "server_url", envvar="AGENTDESK_SERVER_URL", required=True,
              help="The backend's address, e.g. http://127.0.0.1:8765 (env AGENTDESK_SERVER_URL).")
@click.option("--token", envvar="AGENTDESK_TOKEN", default=None,
              help="Sign-in token (env AGENTDESK_TOKEN; default: the one `agentdesk login` kept in the keyring).")
@click.option("--deadline", type=click.FloatRange(1, 3600), default=30, show_default=True,
              help="Seconds to keep retrying an unreachable or busy backend.")
@click.pass_context
def sync(ctx: click.Context, server_url: str, token: str | None, deadline: float) -> None:
    """Push this terminal's queued changes to the backend and pull what changed there (one round)."""
    import httpx

    from sync.engine import SyncEngine, SyncError

    token = token or _signed_in_token(server_url)

    config, store_path = ctx.obj
    settings = _settings(config, store_path)
    store = _open_store(settings)
    try:
        with httpx.Client(base_url=server_url, timeout=20, headers={"Authorization": f"Bearer {token}"}) as client:
            engine = SyncEngine(store, client, SystemClock(), deadline_s=deadline)
            try:
                result = engine.sync_once()
            except SyncError as error:
                raise click.ClickException(f"Not synced: {error}") from None
        waiting = store.outbox_count()
        click.echo(
            f"Synced: {result.acknowledged} changes acknowledged, {result.rejected} refused, {result.changes} rows "
            f"pulled; {waiting} waiting.", err=True,
        )
        for refused in store.rejections():
            click.echo(f"  needs attention: {refused.name} — {refused.reason}", err=True)
    finally:
        store.close()


@main.command()
@click.option("--server", "server_url", envvar="AGENTDESK_SERVER_URL", default=None,
              help="The backend's address (default: [backend] url from the settings).")
@click.option("--token", prompt="Sign-in token (from your administrator)", hide_input=True,
              help="The sign-in token; asked for when not given.")
@click.pass_context
def login(ctx: click.Context, server_url: str | None, token: str) -> None:
    """Sign this terminal in to the backend and keep the sign-in in the OS keyring."""
    import httpx

    from agentdesk.secrets import NoKeyring, save_token

    config, store_path = ctx.obj
    url = server_url or _settings(config, store_path).backend.url
    if not url:
        raise click.ClickException("No backend to sign in to: give --server, or set [backend] url in the settings.")
    token = token.strip()
    try:
        answer = httpx.get(f"{url.rstrip('/')}/auth/me", headers={"Authorization": f"Bearer {token}"}, timeout=15)
    except httpx.HTTPError as error:
        raise click.ClickException(f"The backend at {url} cannot be reached ({type(error).__name__}).") from None
    if answer.status_code == 401:
        raise click.ClickException("The backend does not accept this token; ask your administrator for a new one.")
    if answer.status_code != 200:
        raise click.ClickException(f"The backend answered {answer.status_code}; try again shortly.")
    me = answer.json()
    try:
        save_token(url, token)
    except NoKeyring as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Signed in to {url} as {str(me.get('name', ''))[:80]} ({me.get('role')}).", err=True)


@main.command()
@click.option("--server", "server_url", envvar="AGENTDESK_SERVER_URL", required=True, help="The backend's address.")
@click.option("--token", envvar="AGENTDESK_TOKEN", default=None,
              help="An admin's sign-in token: call events come from the phone system's sign-in.")
@click.option("--agents", type=click.IntRange(1, 5_000), default=None,
              help="Instead of a phone system, drive a floor of this many agents' desks (needs --database).")
@click.option("--database", default=None, help="With --agents: the backend's database, where the agents are added.")
@click.option("--rate", type=click.FloatRange(0.1, 100_000), default=6.0, show_default=True,
              help="Calls per minute (random arrivals).")
@click.option("--duration", type=click.FloatRange(1, None), default=None, help="Seconds to run (default: forever).")
@click.option("--speed", type=click.FloatRange(1, 1000), default=1.0, show_default=True,
              help="Compress talk and hold times by this factor (load tests).")
@click.option("--seed", type=int, default=None, help="The same seed gives the same stream.")
def simulate(server_url: str, token: str | None, agents: int | None, database: str | None, rate: float,
             duration: float | None, speed: float, seed: int | None) -> None:
    """Send a realistic stream of calls (rings, answers, holds, hang-ups) to a backend, as a phone system would;
    with --agents, a whole floor of desks instead (sign-ins, calls with holds, wrap-ups, breaks, abandons)."""
    if agents is not None:
        from agentdesk.monitor_cli import run_floor

        if not database:
            raise click.ClickException("--agents needs --database: the simulated agents are added to the backend.")
        run_floor(server_url, database, agents, duration, speed, 7 if seed is None else seed)
        return
    if not token:
        raise click.ClickException("Give --token (or AGENTDESK_TOKEN): an admin's sign-in, as the phone system.")
    import asyncio

    import httpx

    from agentdesk.simulate import Simulator

    headers = {"Authorization": f"Bearer {token}"}
    try:
        with httpx.Client(base_url=server_url, headers=headers, timeout=15) as client:
            me = client.get("/auth/me")
            if me.status_code != 200:
                raise click.ClickException(f"The backend refused this token ({me.status_code}).")
            pulled = client.post("/sync/pull", json={"client_group_id": "simulator"}).json()
    except httpx.HTTPError as error:
        raise click.ClickException(f"The backend at {server_url} cannot be reached ({type(error).__name__}).") from None
    accounts = [c["row"]["phone_number"] for c in pulled["changes"] if c["table"] == "account" and "row" in c]
    callers = [c["row"]["e164"] for c in pulled["changes"] if c["table"] == "customer_phone" and "row" in c][:500]
    if not accounts:
        raise click.ClickException("The backend has no accounts to call; set it up with `agentdesk server init --demo`.")

    async def run() -> Simulator:
        async with httpx.AsyncClient(base_url=server_url, headers=headers, timeout=15) as client:
            simulator = Simulator(client, accounts, callers, rate_per_min=rate, seed=seed, speed=speed,
                                  report=lambda line: click.echo(line, err=True))
            await simulator.run(duration)
            return simulator

    click.echo(f"Calling {len(accounts)} accounts at {rate:g} calls a minute; ctrl+c stops.", err=True)
    try:
        done = asyncio.run(run())
    except KeyboardInterrupt:
        return
    click.echo(f"Sent {done.sent} events; {done.refused} refused or undelivered.", err=True)


@main.command()
@click.argument("damaged", type=click.Path(path_type=Path, dir_okay=False))
@click.pass_context
def recover(ctx: click.Context, damaged: Path) -> None:
    """Replay the unsynced changes of a damaged store (the file AgentDesk kept aside) into this terminal's store,
    and sync them when a backend is set."""
    from agentdesk.localstore.journal import journal_path
    from agentdesk.recovery import replay, salvage

    if not damaged.exists() and not journal_path(damaged).exists():
        raise click.ClickException(f"There is no {damaged} (nor its journal {journal_path(damaged).name}): give the "
                                   "file named when AgentDesk set the damaged store aside.")
    config, store_path = ctx.obj
    settings = _settings(config, store_path)
    if damaged.resolve() == settings.store.path.resolve():
        raise click.ClickException("That is this terminal's own store; recover the file that was kept aside.")
    found = salvage(damaged)
    store = _open_store(settings)
    try:
        engine = None
        if settings.backend.url:
            engine = _engine_for(settings, store)
            if store.is_empty():
                click.echo(f"Fetching your accounts from {settings.backend.url} …", err=True)
                _sync_or_explain(engine, "The fresh store needs the backend once to start")
        elif store.is_empty():
            _fill_with_demo(store, settings, settings.demo.customers, settings.demo.seed, 2_000)
        done = replay(store, found, progress=lambda line: click.echo(f"  {line}", err=True))
        read_from = " and ".join(found.sources) or "nothing readable"
        click.echo(f"Recovered {done.recovered} pending changes of {damaged.name} into {store.path} "
                   f"({found.unreadable} unreadable, {len(done.refused)} not replayed; read from {read_from}).",
                   err=True)
        if engine is not None:
            result = _sync_or_explain(engine, "Recovered, but not synced yet (AgentDesk syncs them when it starts)")
            click.echo(f"Synced: {result.acknowledged} changes acknowledged, {result.rejected} refused; "
                       f"{store.outbox_count()} waiting.", err=True)
    except StoreError as error:
        raise click.ClickException(str(error)) from None
    finally:
        store.close()


def _engine_for(settings: Settings, store: Store):  # type: ignore[no-untyped-def]
    import httpx

    from sync.engine import SyncEngine

    url = str(settings.backend.url)
    client = httpx.Client(base_url=url, timeout=httpx.Timeout(20, connect=5),
                          headers={"Authorization": f"Bearer {_signed_in_token(url)}"})
    return SyncEngine(store, client, SystemClock(), deadline_s=settings.backend.deadline_seconds)


def _sync_or_explain(engine, failed: str):  # type: ignore[no-untyped-def]
    from sync.engine import SyncError

    try:
        return engine.sync_once()
    except SyncError as error:
        raise click.ClickException(f"{failed}: {error}") from None


class _Refused(click.ClickException):
    """A bad argument, said on one line (exit 2, as click's usage errors, without the usage text)."""

    exit_code = 2


@main.command()
@click.option("--date", "day", default=None, metavar="YYYY-MM-DD",
              help="The local date in each account's time zone (default: today in UTC).")
@click.option("--professional", default=None, help="A professional's id or part of their name (default: all).")
@click.option("--account", default=None, help="An account's id or part of its name (default: all).")
@click.option("--out", "out", type=click.Path(path_type=Path, file_okay=False), default=Path("schedules"),
              show_default=True, help="The folder the .ics files and morning e-mails are written to.")
@click.pass_context
def schedule(ctx: click.Context, day: str | None, professional: str | None, account: str | None, out: Path) -> None:
    """Print each professional's day; write their .ics file and the text of their morning e-mail."""
    from datetime import date

    from agentdesk import schedule as days_of
    from agentdesk.domain.text import one_line

    now = SystemClock().now()
    try:
        on = date.fromisoformat(day.strip()) if day is not None else now.date()
        if not 1900 <= on.year <= 9000:
            raise ValueError(on)
    except ValueError:
        raise _Refused(f"--date must be a date like 2026-11-24, not {one_line(day or '', 40)!r}.") from None
    config, store_path = ctx.obj
    settings = _settings(config, store_path)
    store = _open_store(settings)
    try:
        with store.lock:
            found = days_of.days(store.conn, on, professional=professional, account=account)
        if not found:
            raise click.ClickException(f"The local store at {store.path} has no professionals yet: run "
                                       "`agentdesk demo` or `agentdesk sync` first.")
        for n, each in enumerate(found):
            calendar, email = days_of.write(each, out, now)
            click.echo(("\n" if n else "") + days_of.text(each))
            click.echo(f"  Files: {calendar}, {email.name}")
    except days_of.NoMatch as error:
        raise _Refused(str(error)) from None
    except StoreError as error:
        raise click.ClickException(str(error)) from None
    except OSError as error:
        raise click.ClickException(f"Cannot write to {out}: {error.strerror or error}.") from None
    finally:
        store.close()
    click.echo(f"\nWrote {len(found)} calendar file(s) and morning e-mail(s) to {out.resolve()}", err=True)


from agentdesk.server.cli import server as _server  # noqa: E402  (a light module: its imports are lazy)
from agentdesk.sound.cli import sound as _sound  # noqa: E402  (PyAudio itself is imported only to play)

main.add_command(_server)

from agentdesk.monitor_cli import monitor as _monitor  # noqa: E402
from agentdesk.reporting.commands import report as _report  # noqa: E402  (light: heavy imports are lazy)
from agentdesk.reporting.commands import staffing as _staffing  # noqa: E402

main.add_command(_staffing)
main.add_command(_report)
main.add_command(_sound)
main.add_command(_monitor)


def _json_or_none(response):  # type: ignore[no-untyped-def]
    """A response's JSON, or None when it has none."""
    try:
        return response.json()
    except ValueError:
        return None
