"""The local store's errors, kept importable from here; they live in `agentdesk.errors`."""

from agentdesk.errors import CorruptStore, NotFound, NotSaved, StoreError, UnknownMutation
from agentdesk.localstore.transaction import (
    SQLITE_BUSY,
    SQLITE_CANTOPEN,
    SQLITE_CONSTRAINT,
    SQLITE_CORRUPT,
    SQLITE_FULL,
    SQLITE_IOERR,
    SQLITE_LOCKED,
    SQLITE_NOMEM,
    SQLITE_NOTADB,
    SQLITE_PERM,
    SQLITE_READONLY,
    error_code,
    is_corruption,
    translate,
)

__all__ = [
    "SQLITE_BUSY", "SQLITE_CANTOPEN", "SQLITE_CONSTRAINT", "SQLITE_CORRUPT", "SQLITE_FULL", "SQLITE_IOERR",
    "SQLITE_LOCKED", "SQLITE_NOMEM", "SQLITE_NOTADB", "SQLITE_PERM", "SQLITE_READONLY", "CorruptStore", "NotFound",
    "NotSaved", "StoreError", "UnknownMutation", "error_code", "is_corruption", "translate",
]
