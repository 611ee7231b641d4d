"""The agent's sign-in token, and the backend's mail passwords (the relay's, each account's IMAP mailbox's), kept in
the OS keyring (Secret Service, macOS Keychain, Windows Credential Locker).

Where the machine has no usable keyring this says so plainly; the token then comes from the AGENTDESK_TOKEN
environment variable or is typed at each start, and a mail password from the environment. None of them is ever
written to a plain file or the database.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from agentdesk.errors import NoKeyring as NoKeyring

SERVICE = "agentdesk"
ENV_TOKEN = "AGENTDESK_TOKEN"
MAIL_SERVICE = "agentdesk-mail"
RELAY_KEY = "relay"
"""The relay's password in the keyring (under `MAIL_SERVICE`); an account's IMAP password is `imap:<account id>`."""
_TOKEN_HINT = f"so the sign-in cannot be kept. Set {ENV_TOKEN} in the environment, or type the token at each start."


def imap_key(account_id: str) -> str:
    """The keyring's name for the password of an account's IMAP mailbox."""
    return f"imap:{account_id}"


def _keyring(hint: str = _TOKEN_HINT):  # type: ignore[no-untyped-def]
    import keyring
    from keyring.backends import fail

    backend = keyring.get_keyring()
    if isinstance(backend, fail.Keyring) or "fail" in type(backend).__module__ or "null" in type(backend).__module__:
        raise NoKeyring(
            f"This machine has no usable keyring (no Secret Service, Keychain or Credential Locker), {hint}")
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


_MAIL_HINT = "so the mail password cannot be kept there: give it in the environment instead."


def save_mail_password(key: str, password: str) -> None:
    """Keep a mail password (`RELAY_KEY` or `imap_key(account)`) in the keyring; `NoKeyring` when there is none."""
    keyring = _keyring(_MAIL_HINT)
    try:
        keyring.set_password(MAIL_SERVICE, key, password)
    except Exception as error:  # locked, denied
        raise NoKeyring(f"The keyring refused to keep the mail password ({error}); give it in the environment"
                        " instead.") from error


def load_mail_password(key: str) -> str | None:
    """The mail password kept as `key`; None when there is none, or no keyring to ask (the caller then says
    which environment variable would do)."""
    try:
        keyring = _keyring(_MAIL_HINT)
        return keyring.get_password(MAIL_SERVICE, key) or None
    except Exception:  # no keyring, or it cannot be read: the environment is the other way in
        return None


def forget_mail_password(key: str) -> bool:
    """Remove the mail password kept as `key`; False when there was none."""
    keyring = _keyring(_MAIL_HINT)
    try:
        keyring.delete_password(MAIL_SERVICE, key)
    except Exception:
        return False
    return True
