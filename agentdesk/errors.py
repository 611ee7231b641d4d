"""The core's errors: each message is a sentence for the person who meets it, with the next step.

Every error class the core raises lives here (the modules that raised them first re-export them). It imports
no database code, so any part of the core (and the widgets, through the domain) may use it. What SQLite reports
becomes one of these in `agentdesk.localstore.transaction.translate`. `NotSaved` is the one a screen must show
loudly: the change the agent just made is not on disk.
"""

from __future__ import annotations

from pathlib import Path

# -- the local store --------------------------------------------------------------------------------------


class StoreError(Exception):
    """The local store could not do something; the message is a sentence for the person at the terminal."""


class NotSaved(StoreError):
    """A change did not reach the disk (disk full, I/O error, store locked): the screen shows "not saved"."""


class UnknownMutation(StoreError):
    """A mutation name (or version) this AgentDesk does not know."""


class NotFound(StoreError):
    """An account, agent or customer asked for by id is not in the local store."""


class CorruptStore(StoreError):
    """The store file failed its integrity check at open and was moved aside (`moved_to`)."""

    def __init__(self, message: str, moved_to: Path | None = None) -> None:
        super().__init__(message)
        self.moved_to = moved_to


class MigrationError(Exception):
    """The migration files or the store's version do not fit together."""


# -- settings and secrets ---------------------------------------------------------------------------------


class ConfigError(Exception):
    """The settings cannot be used; the message says where (file and line, or variable) and what to change."""


class NoKeyring(Exception):
    """No usable keyring on this machine; the message says what to do instead."""


# -- the rules of calls, tickets, templates and the day's schedule ------------------------------------------


class CallError(Exception):
    """A step the call's state does not allow; the message is a sentence for the agent."""


class CallEventRefused(Exception):
    """An event the call's state does not allow; the message says why."""


class MoveRefused(ValueError):
    """A move the state machine does not allow; the message says why, in a sentence."""


class TemplateProblem(ValueError):
    """A template that cannot be filled; `field` names the missing or wrong field when there is one."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class NoMatch(ValueError):
    """`--professional` or `--account` matched nothing; the message says which."""
