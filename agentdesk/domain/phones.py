"""Phone numbers as the product stores them (E.164) and shows them (international format).

Caller IDs and search queries arrive in every spelling; normalising them once means that
`+1 (800) 218-1525`, `1-800-218-1525` and `800-218-1525` find the same customer.
"""

from __future__ import annotations

import re

import phonenumbers

MAX_INPUT_CHARS = 64
"""Longer input is not a phone number; the cap also keeps a hostile caller ID from costing parse time."""

MIN_DIGITS = 7
"""The shortest local number worth treating a search query as a phone number."""

_PHONE_CHARS = re.compile(r"[0-9 +\-().]+")


def _parse(raw: str, region: str) -> phonenumbers.PhoneNumber | None:
    if not raw or len(raw) > MAX_INPUT_CHARS:
        return None
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return None
    return number if phonenumbers.is_valid_number(number) else None


def normalize(raw: str, region: str = "US") -> str | None:
    """The number in E.164 (`+18002181525`), or None when `raw` is not a valid number."""
    if len(raw) > MAX_INPUT_CHARS:
        return None
    number = _parse(raw.strip(), region)
    if number is None:
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def looks_like_phone(text: str) -> bool:
    """True when `text` is made of digits and phone punctuation only, with at least 7 digits."""
    stripped = text.strip()
    if not stripped or len(stripped) > MAX_INPUT_CHARS or not _PHONE_CHARS.fullmatch(stripped):
        return False
    return sum(ch.isdigit() for ch in stripped) >= MIN_DIGITS


def display(e164: str) -> str:
    """The number in international format for the screen (`+1 800-218-1525`); else `e164` unchanged."""
    number = _parse(e164, "ZZ") if e164.startswith("+") else None
    if number is None:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
