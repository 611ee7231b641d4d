"""Stored timestamps back to datetimes."""

from __future__ import annotations

from datetime import UTC, datetime

from agentdesk.clock import parse_iso


def moment(text: str) -> datetime:
    """A stored `iso()` timestamp as an aware datetime; other ISO 8601 spellings (rows written by another
    system) are read too, as UTC when they carry no zone."""
    try:
        return parse_iso(text)
    except ValueError:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
