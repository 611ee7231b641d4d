"""Demo professionals' e-mail addresses, where the backend mails each one their day every morning.

Every demo professional gets one at their account's demo domain (`<first>.<last>@<account-slug>.example`, or
`<initial><last>@…`), unique within the account. Drawn from a generator of its own after every other demo row
(like the routing data), so the rest of the demo stays as it was.
"""

from __future__ import annotations

import random
import re
import sqlite3
import unicodedata

from agentdesk.demodata.world import World


def _plain(words: str) -> str:
    """Lower-case ASCII letters and digits, the rest turned into dashes: `Zoë O'Neil` → `zoe-o-neil`."""
    ascii_only = unicodedata.normalize("NFKD", words).encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_only).strip("-")


def add_professional_emails(conn: sqlite3.Connection, world: World, seed: int) -> dict[str, int]:
    """Give every demo professional an address; nothing is counted as new."""
    rng = random.Random(seed * 7_927 + 61)
    for account in world.accounts:
        domain = f"{_plain(account.spec.name)[:60] or 'account'}.example"
        taken: set[str] = set()
        for professional_id, name in conn.execute(
                "SELECT id, name FROM professional WHERE account_id = ? ORDER BY rowid", (account.id,)).fetchall():
            parts = _plain(name).split("-") or ["pro"]
            first, last = parts[0] or "pro", parts[-1] or "pro"
            local = f"{first}.{last}" if rng.random() < 0.7 else f"{first[0]}{last}"
            address, n = f"{local}@{domain}", 1
            while address in taken:
                n += 1
                address = f"{local}{n}@{domain}"
            taken.add(address)
            conn.execute("UPDATE professional SET email = ? WHERE id = ?", (address, professional_id))
    return {}
