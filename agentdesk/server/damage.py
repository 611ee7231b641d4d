"""A damaged backend database: found before start (`agentdesk server check`, and the checks every command runs
first) or while serving (answered 503 with the reason, logged once, reported by `/health`).

What to do is always the same: stop the backend, put the database back from the last backup, run
`agentdesk server restored` (a new epoch, so every terminal copies its accounts again), start the backend.
"""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

from starlette.types import ASGIApp, Receive, Scope, Send

log = logging.getLogger("agentdesk.server")

RESTORE = ("Stop the backend, restore the database from the last backup, then run `agentdesk server restored`"
           " before starting it again.")
SQLITE_HEADER = b"SQLite format 3\x00"
QUICK_CHECK_UP_TO = 256 * 1024 * 1024
"""Start-up reads every page of a database up to this size (`quick_check`); a bigger one gets its header and
schema checked at start, and its pages by `agentdesk server check`."""
_SQLITE_DAMAGE = {11, 26}  # SQLITE_CORRUPT, SQLITE_NOTADB


def is_damage(error: BaseException | None) -> bool:
    """True when `error` (or what caused it) says the database's file or pages are damaged, not merely away."""
    seen = 0
    while error is not None and seen < 5:
        if isinstance(error, sqlite3.DatabaseError) and (
                getattr(error, "sqlite_errorcode", None) in _SQLITE_DAMAGE
                or "malformed" in str(error) or "not a database" in str(error)):
            return True
        if type(error).__module__.startswith("psycopg") and (getattr(error, "sqlstate", None) or "").startswith("XX0"):
            return True  # class XX: data or index corrupted
        error = getattr(error, "orig", None) or error.__cause__
        seen += 1
    return False


@dataclass
class Damage:
    """What one backend process has found damaged while serving (None: nothing)."""

    reason: str | None = None
    _logged: set[str] = field(default_factory=set)

    def found(self, error: BaseException) -> str:
        """Record damage seen in `error`; logged once per backend process, whatever the number of requests."""
        if self.reason is None:
            self.reason = f"The backend's database is damaged ({_short(error)}). {RESTORE}"
        if "damage" not in self._logged:
            self._logged.add("damage")
            log.error("%s", self.reason)
        return self.reason


def _short(error: BaseException) -> str:
    cause = getattr(error, "orig", None) or error
    return f"{type(cause).__name__}: {str(cause).splitlines()[0][:160] if str(cause) else 'no detail'}"


class DamageGuard:
    """Once damage was found, every request but `/health` is answered 503 with the reason at once: a damaged
    file may answer some reads wrongly, and nothing must be written into it before it is restored."""

    def __init__(self, app: ASGIApp, damage: Damage) -> None:
        self.app = app
        self.damage = damage

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.damage.reason is None or scope.get("path") == "/health":
            await self.app(scope, receive, send)
            return
        await send_damaged(send, self.damage.reason)


async def send_damaged(send: Send, reason: str) -> None:
    """A 503 that says the database is damaged (the terminal keeps its changes and tries again later)."""
    import json

    body = json.dumps({"code": "damaged", "detail": reason}).encode()
    await send({"type": "http.response.start", "status": 503, "headers": [
        (b"content-type", b"application/json"), (b"retry-after", b"60"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


def sqlite_path(url: str) -> Path | None:
    """The file of an SQLite URL or bare path; None for any other database."""
    if "://" not in url:
        return Path(url).expanduser()
    if url.startswith("sqlite:///"):
        return Path(unquote(url[len("sqlite:///"):].split("?", 1)[0])).expanduser()
    return None


def check_sqlite_file(path: Path, *, full: bool = False) -> list[str]:
    """What is wrong with the SQLite file at `path` (empty: sound), read without writing to it or creating it:
    its header, then every page (`integrity_check` with `full`, else `quick_check` on a file up to
    QUICK_CHECK_UP_TO, else its schema only)."""
    if not path.exists():
        return [f"There is no backend database at {path}. If this backend ran before, restore the file from the"
                " last backup, then run `agentdesk server restored`; a new backend is made by `agentdesk server init`."]
    try:
        with path.open("rb") as handle:
            header = handle.read(100)
    except OSError as error:
        return [f"The backend database at {path} cannot be read ({error.strerror}): check its permissions and disk."]
    if len(header) < 100 or not header.startswith(SQLITE_HEADER):
        return [f"The backend database at {path} is damaged: it does not start like an SQLite database"
                f" ({len(header)} bytes of header). {RESTORE}"]
    size = path.stat().st_size
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    # The page count in the header is trusted only when it was written by the same change as the file
    # (offset 92 equal to the change counter at offset 24), as SQLite itself does.
    pages = int.from_bytes(header[28:32], "big") if header[92:96] == header[24:28] else 0
    if page_size and pages and size < pages * page_size:
        return [f"The backend database at {path} is damaged: it is cut short ({size:,} bytes where its header"
                f" says {pages * page_size:,}). {RESTORE}"]
    pragma = "integrity_check" if full else "quick_check" if size <= QUICK_CHECK_UP_TO else None
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            found = [str(row[0]) for row in conn.execute(f"PRAGMA {pragma}(20)")] if pragma else ["ok"]
        finally:
            conn.close()
    except sqlite3.DatabaseError as error:
        return [f"The backend database at {path} is damaged ({error}). {RESTORE}"]
    if found != ["ok"]:
        shown = "; ".join(found[:3]) + (f" and {len(found) - 3} more" if len(found) > 3 else "")
        return [f"The backend database at {path} is damaged ({shown}). {RESTORE}"]
    return []
