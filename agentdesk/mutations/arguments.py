"""Checking a mutation's arguments before anything is written.

Arguments come from this terminal's screens today and from the outbox on replay; a missing key or a wrong type
must become a sentence ("call.end: billable_seconds must be a whole number"), never a half-applied change.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Mapping

from agentdesk.clock import parse_iso
from agentdesk.errors import StoreError

MAX_ID_CHARS = 64
MAX_NAME_CHARS = 200
MAX_TEXT_CHARS = 100_000
"""Notes, bodies and comments: text is evidence and is stored raw, but bounded."""

_SURROGATE = re.compile(r"[\ud800-\udfff]")


class Args:
    """Typed, checked access to one mutation's arguments; every getter raises `StoreError` with the reason."""

    def __init__(
        self, mutation: str, raw: Mapping[str, object], *, allowed: Collection[str] | None = None
    ) -> None:
        self.mutation = mutation
        self.raw = raw
        if allowed is not None:
            unexpected = sorted(set(raw) - set(allowed))
            if unexpected:
                self.fail(f"does not take {', '.join(unexpected)}")

    def fail(self, reason: str) -> None:
        """Refuse the mutation."""
        raise StoreError(f"{self.mutation}: {reason}.")

    def _get(self, key: str, optional: bool) -> object:
        if key not in self.raw:
            if optional:
                return None
            self.fail(f"{key} is missing")
        value = self.raw[key]
        if value is None and not optional:
            self.fail(f"{key} is missing")
        return value

    def text(
        self, key: str, max_chars: int = MAX_TEXT_CHARS, *, optional: bool = False, blank: bool = True
    ) -> str:
        """A string of at most `max_chars`; "" for an optional one that is absent. Lone surrogates (which
        cannot be stored as UTF-8) become U+FFFD; everything else is kept as written."""
        value = self._get(key, optional)
        if value is None:
            return ""
        if not isinstance(value, str):
            self.fail(f"{key} must be text")
        assert isinstance(value, str)
        if len(value) > max_chars:
            self.fail(f"{key} is {len(value):,} characters long; at most {max_chars:,} can be saved")
        if not blank and not value.strip():
            self.fail(f"{key} is empty")
        return _SURROGATE.sub("\ufffd", value)

    def optional_text(self, key: str, max_chars: int = MAX_TEXT_CHARS) -> str | None:
        """Like `text`, but None (not "") when absent, None or blank."""
        value = self.text(key, max_chars, optional=True)
        return value if value.strip() else None

    def id(self, key: str) -> str:
        """An id made by the caller (a UUID as text, or any short word without spaces)."""
        value = self.text(key, MAX_ID_CHARS, blank=False)
        if any(ch.isspace() for ch in value):
            self.fail(f"{key} must not contain spaces")
        return value

    def optional_id(self, key: str) -> str | None:
        """An id, or None."""
        return None if self._get(key, True) is None else self.id(key)

    def time(self, key: str) -> str:
        """A stored timestamp (`clock.iso()` text), checked so that text order stays time order."""
        value = self.text(key, 40, blank=False)
        try:
            parse_iso(value)
        except ValueError:
            self.fail(f"{key} must be a UTC time like 2026-11-23T14:30:00.000000Z, not {value[:40]!r}")
        return value

    def integer(self, key: str, low: int = 0, high: int = 10**12) -> int:
        """A whole number between `low` and `high` (booleans are not numbers here)."""
        value = self._get(key, False)
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(f"{key} must be a whole number")
        assert isinstance(value, int)
        if not low <= value <= high:
            self.fail(f"{key} must be between {low:,} and {high:,}, not {value:,}")
        return value

    def number(self, key: str, low: float = 0.0, high: float = 1e9) -> float:
        """A finite number between `low` and `high`."""
        value = self._get(key, False)
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            self.fail(f"{key} must be a number")
        assert isinstance(value, int | float)
        if not low <= value <= high:
            self.fail(f"{key} must be between {low} and {high}, not {value}")
        return float(value)

    def flag(self, key: str) -> bool:
        """True or False."""
        value = self._get(key, False)
        if not isinstance(value, bool):
            self.fail(f"{key} must be true or false")
        return bool(value)

    def choice(self, key: str, options: Collection[str], *, optional: bool = False) -> str | None:
        """One of `options` (None when optional and absent)."""
        value = self._get(key, optional)
        if value is None:
            return None
        if value not in options:
            self.fail(f"{key} must be one of {', '.join(sorted(options))}, not {str(value)[:40]!r}")
        return str(value)
