"""`agentdesk server …`: run the central backend, set one up, issue sign-in tokens, keep the mail passwords.

Heavy imports (FastAPI, SQLAlchemy, uvicorn) happen inside the commands, so the workstation's start-up does
not pay for them.
"""

from __future__ import annotations

import gc
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import click
from platformdirs import user_data_dir

if TYPE_CHECKING:
    from sqlalchemy import Engine

DEFAULT_DATABASE = str(Path(user_data_dir("agentdesk", appauthor=False)) / "backend.db")
DATABASE = click.option(
    "--database", envvar="AGENTDESK_DATABASE_URL", default=DEFAULT_DATABASE, show_default=True,
    help="An SQLite file path, or postgresql://user@host:port/db (env AGENTDESK_DATABASE_URL).",
)


def _engine(database: str):  # type: ignore[no-untyped-def]
    from agentdesk.server.db import make_engine

    if "://" not in database:
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    return make_engine(database)


def _problems(database: str, *, full: bool = False):  # type: ignore[no-untyped-def]
    """(engine or None, what is wrong): the database checked without creating or changing anything."""
    from sqlalchemy import inspect
    from sqlalchemy.exc import SQLAlchemyError

    from agentdesk.server.admin import schema_is_current
    from agentdesk.server.damage import check_sqlite_file, sqlite_path
    from agentdesk.server.db import make_engine

    path = sqlite_path(database)
    if path is not None:
        problems = check_sqlite_file(path, full=full)
        if problems:
            return None, problems
    engine = make_engine(database)
    try:
        if not inspect(engine).has_table("sync_state"):
            return engine, [f"The backend at {database} is not set up yet: run `agentdesk server init`."]
        if not schema_is_current(engine):
            return engine, [f"The backend at {database} was set up by an older release: run `agentdesk server init`"
                            " to upgrade it (safe to repeat)."]
    except SQLAlchemyError as error:
        cause = str(getattr(error, "orig", None) or error).splitlines()[0][:200]
        if path is not None:
            from agentdesk.server.damage import RESTORE

            return engine, [f"The backend database at {path} is damaged ({cause}). {RESTORE}"]
        return engine, [f"The backend's database at {database} cannot be used ({cause}): check that it runs and the"
                        " address, user and password in the URL; if its data is damaged, restore it from the last"
                        " backup and run `agentdesk server restored`."]
    return engine, []


def _require_backend(database: str):  # type: ignore[no-untyped-def]
    """The engine of a sound, set-up backend database; else a sentence on what is wrong and what to do (never a
    traceback, and a missing SQLite file is not created: only `agentdesk server init` makes one)."""
    engine, problems = _problems(database)
    if problems:
        if engine is not None:
            engine.dispose()
        raise click.ClickException(problems[0])
    return engine


@click.group(invoke_without_command=True)
@DATABASE
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(1, 65535), default=8765, show_default=True, help="Port to listen on.")
@click.option("--smtp-port", type=click.IntRange(1, 65535), default=None,
              help="Also take mail for the accounts' support addresses over SMTP on this port (same address).")
@click.pass_context
def server(ctx: click.Context, database: str, host: str, port: int, smtp_port: int | None) -> None:
    """Run the central backend (FastAPI on uvicorn). Set it up first with `agentdesk server init`."""
    if ctx.invoked_subcommand is not None:
        return
    import uvicorn

    from agentdesk.server.app import create_app
    from agentdesk.server.phone_recordings import PhoneSystem

    loaded = _loaded_settings()
    engine = _require_backend(database)
    click.echo(f"AgentDesk backend on http://{host}:{port} (database {database}); API at /docs", err=True)
    app = create_app(engine, jobs=True, routing=loaded.routing, allocation=loaded.allocation,
                     phone=PhoneSystem.from_settings(loaded.server, os.environ))
    desk = _mail_desk(engine, host, port, smtp_port, loaded)
    # What is loaded by now (the libraries, the app) lives as long as the process: kept out of the collector's
    # full passes, which otherwise stalled every request for 50-100 ms a few times a minute under load.
    gc.collect()
    gc.freeze()
    try:
        # The live streams (monitors' floor, terminals' hints) never end by themselves: a stop waits 3 s, then cuts them.
        uvicorn.run(app, host=host, port=port, log_level="warning", timeout_graceful_shutdown=3)
    finally:
        desk.stop()


def _mail_desk(engine, host: str, port: int, smtp_port: int | None, loaded):  # type: ignore[no-untyped-def]
    """The backend's mail: the SMTP listener (with --smtp-port) and the sender to the `[mail]` relay (the
    survey's links on `[server] public_url`, else on the address it listens on)."""
    from agentdesk.server.mail.listener import MailDesk

    if loaded.server.public_url:
        public_url = loaded.server.public_url
    else:  # listening on every interface: the machine's own name is the best guess at how it is reached
        import socket

        public_url = f"http://{socket.getfqdn() if host in ('0.0.0.0', '::', '') else host}:{port}"
    desk = MailDesk(engine, loaded.mail, smtp_host=host, smtp_port=smtp_port, public_url=public_url,
                    allocation=loaded.allocation)
    try:
        desk.start()
    except OSError as error:
        raise click.ClickException(f"The mail listener cannot open port {smtp_port} on {host} ({error.strerror});"
                                   " choose another --smtp-port.") from None
    if smtp_port is not None:
        from agentdesk.server.mail.intake import support_addresses

        addresses = support_addresses(engine)
        shown = ", ".join(addresses[:10]) + (f" and {len(addresses) - 10:,} more" if len(addresses) > 10 else "")
        click.echo(f"Mail on smtp://{host}:{smtp_port} for {shown or 'no account yet'}", err=True)
    return desk


@server.command()
@DATABASE
@click.option("--demo", is_flag=True, help="Fill a new backend with the workstation's demo data.")
@click.option("--customers", type=click.IntRange(1, 1_000_000), default=200, show_default=True,
              help="Demo customers (with --demo).")
@click.option("--seed", type=int, default=2026, show_default=True, help="Demo seed (with --demo).")
def init(database: str, demo: bool, customers: int, seed: int) -> None:
    """Create the backend's schema (safe to repeat) and an admin, and print the admin's sign-in token."""
    from sqlalchemy import text

    from agentdesk.server.admin import ensure_admin, init_backend, issue_token, load_store

    engine = _engine(database)
    init_backend(engine)
    with engine.connect() as conn:
        loaded = conn.execute(text("SELECT count(*) FROM account")).scalar() or 0
    if demo and loaded:
        click.echo("The backend already holds data; demo data goes only into a new backend.", err=True)
    elif demo:
        from agentdesk.clock import SystemClock
        from agentdesk.demo import generate
        from agentdesk.store import Store

        with tempfile.TemporaryDirectory() as tmp:
            store = Store.open(Path(tmp) / "demo.db", SystemClock())
            try:
                generate(store, customers=customers, seed=seed, long_history=2_000)
            finally:
                store.close()
            counts = load_store(engine, Path(tmp) / "demo.db")
        click.echo(f"Demo data loaded: {sum(counts.values()):,} rows.", err=True)
    admin = ensure_admin(engine)
    click.echo(f"Admin {admin}; sign-in token (shown once):", err=True)
    click.echo(issue_token(engine, admin))


@server.command()
@DATABASE
@click.argument("target", required=False)
@click.option("--revoke", is_flag=True, help="Revoke the token TARGET (or every token of --agent) at once.")
@click.option("--agent", "agent_id", default=None, help="With --revoke: revoke every token of this agent.")
@click.option("--gateway", default=None, metavar="NAME",
              help="A chat/SMS gateway's credential instead (good for POST /intake/messages only, a year unless"
                   " --days); with --revoke: revoke every token of this gateway.")
@click.option("--days", type=click.FloatRange(min=0.001, max=366), default=None,
              help="How long the new token lasts (default: token_days of the [server] settings, 7).")
def token(database: str, target: str | None, revoke: bool, agent_id: str | None, gateway: str | None,
          days: float | None) -> None:
    """Print a new sign-in token for the agent TARGET (shown once; the backend keeps only its digest), or with
    --revoke end a token (TARGET) or every token of an agent (--agent ID) from the next request on. With
    --gateway NAME: a gateway's credential for posting chat, SMS and web-form messages (or, with --revoke, its end)."""
    from agentdesk.server import tokens

    engine = _require_backend(database)
    if gateway is not None:
        _gateway_token(engine, gateway, revoke, days)
        return
    if revoke:
        if (target is None) == (agent_id is None):
            raise click.UsageError("Say which sign-in to revoke: `--revoke TOKEN` or `--revoke --agent ID`.")
        count = tokens.revoke_agent(engine, agent_id) if agent_id else tokens.revoke_token(engine, target or "")
        if count == 0:
            raise click.ClickException("No sign-in was revoked: the token is unknown or already revoked, or the"
                                       " agent has no token in use. Check it, or list agents with the admin.")
        click.echo(f"Revoked {count} sign-in{'s' if count != 1 else ''}: refused from the next request on.", err=True)
        return
    if target is None or agent_id is not None:
        raise click.UsageError("Give the agent's id: `agentdesk server token AGENT_ID`.")
    try:
        click.echo(tokens.issue(engine, target, days=days if days is not None else _token_days()))
    except LookupError as error:
        raise click.ClickException(str(error)) from None


def _gateway_token(engine: Engine, name: str, revoke: bool, days: float | None) -> None:
    from agentdesk.server.gateways import GATEWAY_TOKEN_DAYS, issue_gateway, revoke_gateway

    if revoke:
        count = revoke_gateway(engine, name)
        if count == 0:
            raise click.ClickException(f"The gateway {name[:100]!r} has no credential in use.")
        click.echo(f"Revoked {count} gateway credential{'s' if count != 1 else ''}: refused from now on.", err=True)
        return
    try:
        click.echo(issue_gateway(engine, name, days=days if days is not None else GATEWAY_TOKEN_DAYS))
    except ValueError as error:
        raise click.ClickException(str(error)) from None


def _token_days() -> float:
    return _loaded_settings().server.token_days


def _loaded_settings():  # type: ignore[no-untyped-def]
    """The settings of `agentdesk [--config FILE] server …`: the file given to `agentdesk` itself, else
    $AGENTDESK_CONFIG or the user's settings file; a broken file is a sentence, not a traceback."""
    from agentdesk.config import ConfigError, load_settings

    context = click.get_current_context(silent=True)
    root = context.find_root().obj if context is not None else None
    config = root[0] if isinstance(root, tuple) and root else None
    try:
        return load_settings(config)
    except ConfigError as error:
        raise click.ClickException(str(error)) from None


@server.command("mail-password")
@DATABASE
@click.option("--account", "account", default=None, metavar="ACCOUNT",
              help="The account (its id or support address) whose IMAP mailbox password to keep.")
@click.option("--relay", is_flag=True, help="The SMTP relay's password instead (for [mail] relay_user).")
@click.option("--forget", is_flag=True, help="Remove the kept password instead of asking for one.")
def mail_password(database: str, account: str | None, relay: bool, forget: bool) -> None:
    """Keep a mail password in the OS keyring, asked for without echo: an account's IMAP mailbox (--account) or
    the relay's (--relay). The backend reads it from there when the environment does not give it; it is never
    written to the settings file or the database."""
    from agentdesk.secrets import RELAY_KEY, NoKeyring, forget_mail_password, imap_key, save_mail_password

    if relay == (account is not None):
        raise click.UsageError("Say whose password it is: `--account ACCOUNT` or `--relay`.")
    if relay:
        key, what = RELAY_KEY, "the mail relay"
    else:
        account_id, address = _mailbox_of(database, account or "")
        key, what = imap_key(account_id), f"the IMAP mailbox of {address}"
    try:
        if forget:
            gone = forget_mail_password(key)
            click.echo(f"The password of {what} is {'no longer kept' if gone else 'not kept'} in the keyring.", err=True)
            return
        password = click.prompt(f"Password of {what}", hide_input=True, err=True)
        if not password:
            raise click.ClickException("No password given; nothing was kept.")
        save_mail_password(key, password)
    except NoKeyring as error:
        env = "AGENTDESK_MAIL_PASSWORD" if relay else "the variable named in the mailbox's imap_password_env"
        raise click.ClickException(f"{error} (for {what}: {env}).") from None
    click.echo(f"The password of {what} is kept in the keyring.", err=True)


def _mailbox_of(database: str, account: str) -> tuple[str, str]:
    """(account id, support address) of the account given by its id or support address."""
    from datetime import UTC, datetime

    from sqlalchemy import text

    from agentdesk.clock import iso
    from agentdesk.server.mail.schema import ensure_mail_schema

    engine = _require_backend(database)
    try:
        ensure_mail_schema(engine, iso(datetime.now(UTC)))
        with engine.connect() as conn:
            row = conn.execute(text("SELECT account_id, address FROM mail_mailbox WHERE account_id = :a"
                                    " OR address = :b"), {"a": account, "b": account.strip().lower()}).first()
    finally:
        engine.dispose()
    if row is None:
        raise click.ClickException(f"No account {account[:100]!r} on this backend: give its id or support address.")
    return str(row[0]), str(row[1])


@server.command()
@DATABASE
def restored(database: str) -> None:
    """After putting the backend's database back from a backup, before starting the backend: start a new epoch,
    so every terminal copies its accounts again at its next sync (keeping its unsynced changes) instead of
    trusting what it pulled from the time the backup does not hold."""
    from agentdesk.server.admin import start_new_epoch

    engine = _require_backend(database)
    try:
        epoch = start_new_epoch(engine)
    except LookupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"New epoch {epoch}: every terminal copies its accounts again at its next sync.", err=True)


@server.command()
@DATABASE
def check(database: str) -> None:
    """Check the backend's database without changing it: every page of an SQLite file (`integrity_check`), a
    PostgreSQL connection, and the schema's version. Exits 1 and says what to do when something is wrong."""
    engine, problems = _problems(database, full=True)
    if engine is not None:
        engine.dispose()
    if problems:
        for problem in problems:
            click.echo(problem, err=True)
        raise SystemExit(1)
    click.echo(f"The backend database at {database} is sound and its schema is current.", err=True)
