"""What every command of the `agentdesk` CLI starts from: its settings (with `--store` applied) and, for commands
that talk to a backend, this terminal's sign-in. Errors are click's, said in a sentence."""

from __future__ import annotations

from pathlib import Path

import click

from agentdesk.config import ConfigError, Settings, load_settings


def settings_for(config: Path | None, store_path: Path | None) -> Settings:
    """The settings from `config` (or the default file and the environment), with `store_path` when given."""
    try:
        settings = load_settings(config)
    except ConfigError as error:
        raise click.ClickException(str(error)) from None
    if store_path is not None:
        settings = settings.model_copy(
            update={"store": settings.store.model_copy(update={"path": store_path.expanduser()})}
        )
    return settings


def signed_in_token(url: str) -> str:
    """This terminal's sign-in for `url`: AGENTDESK_TOKEN, else the keyring's; a clear error when neither."""
    from agentdesk.secrets import NoKeyring, load_token

    try:
        token = load_token(url)
    except NoKeyring as error:
        raise click.ClickException(str(error)) from None
    if not token:
        raise click.ClickException(f"Not signed in to {url}: run `agentdesk login --server {url}`.")
    return token
