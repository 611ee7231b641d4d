"""The one reading of an HTTP `Range` header the backend's recordings use, for files it keeps and for the phone
system's own recordings."""

from __future__ import annotations

import re

_RANGE = re.compile(r"^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$")


def byte_range(header: str | None, size: int) -> tuple[int, int] | None | bool:
    """(first, last) byte of a `Range` header; None for the whole file; False when it cannot be satisfied."""
    if header is None:
        return None
    match = _RANGE.match(header.split(",")[0] if header.startswith("bytes") else header)
    if match is None:
        return None  # a range we do not read: the whole file, as HTTP allows
    first, last = match.groups()
    if first == "" and last == "":
        return None
    if first == "":
        count = int(last)
        if count == 0 or size == 0:
            return False
        return max(0, size - count), size - 1
    start = int(first)
    end = min(int(last), size - 1) if last else size - 1
    if start >= size or end < start:
        return False
    return start, end
