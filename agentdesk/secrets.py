"""The agent's sign-in token, kept in the OS keyring (Secret Service, macOS Keychain, Windows Credential Locker).

Where the machine has no usable keyring this says so plainly; the token then comes from the AGENTDESK_TOKEN
environment variable or is typed at each start. It is never written to a plain file.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from agentdesk.errors import NoKeyring as NoKeyring

SERVICE = "agentdesk"
ENV_TOKEN = "AGENTDESK_TOKEN"


def _keyring():  # type: ignore[no-untyped-def]
    import keyring
    from keyring.backends import fail

    backend = keyring.get_keyring()
    if isinstance(backend, fail.Keyring) or "fail" in type(backend).__module__ or "null" in type(backend).__module__:
        raise NoKeyring(
            "This machine has no usable keyring (no Secret Service, Keychain or Credential Locker), so the sign-in "
            f"cannot be kept. Set {ENV_TOKEN} in the environment, or type the token at each start."
        )
    return keyring


def save_token(backend_url: str, token: str) -> None:
    """Keep `token` for `backend_url` in the keyring; `NoKeyring` when there is none."""
    keyring = _keyring()
    try:
        keyring.set_password(SERVICE, backend_url, token)
    except Exception as error:  # keyring backends raise their own errors (locked, denied)
        raise NoKeyring(f"The keyring refused to keep the sign-in ({error}). Set {ENV_TOKEN} instead.") from error


def load_token(backend_url: str, environ: Mapping[str, str] | None = None) -> str | None:
    """The token for `backend_url`: AGENTDESK_TOKEN when set, else the keyring's; None when neither has one.
    Raises `NoKeyring` only when there is no environment token and no keyring either."""
    env = os.environ if environ is None else environ
    if env.get(ENV_TOKEN):
        return env[ENV_TOKEN].strip()
    keyring = _keyring()
    try:
        return keyring.get_password(SERVICE, backend_url)
    except Exception as error:
        raise NoKeyring(f"The keyring could not be read ({error}). Set {ENV_TOKEN} instead.") from error


def forget_token(backend_url: str) -> None:
    """Sign this terminal out of `backend_url` (nothing happens when it was not signed in)."""
    keyring = _keyring()
    try:
        keyring.delete_password(SERVICE, backend_url)
    except Exception:  # not signed in, or the keyring refuses: nothing is kept either way
        return
