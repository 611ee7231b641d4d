"""Order and case numbers: how they look, and how a terminal makes case numbers offline.

Order numbers come from the shops' systems: `ORD-` and digits (`ORD-1048576`).

Case numbers are told to the customer on the phone, so they are short, unambiguous when read aloud, and made
on the terminal, offline, without asking anyone: `CS-<terminal>-<counter>`, e.g. `CS-7KQ2M-00Z`.
`<terminal>` is five Crockford base-32 characters from the store's client group id (its first 25 bits);
`<counter>` counts the cases this store has opened, in Crockford base-32, at least three characters.
Crockford's alphabet leaves out I, L, O and U, so nothing is misheard as 1, 0 or V. Two terminals collide
only if their client group ids share 25 bits (about 1 in 33 million per pair); the server's unique index
catches that case and the mutation is rejected visibly rather than merged.
"""

from __future__ import annotations

import re
import uuid

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
ORDER_PREFIX = "ORD-"
CASE_PREFIX = "CS-"

ORDER_QUERY = re.compile(r"^\s*ord-", re.IGNORECASE)
"""A search that starts like an order number is looked up as one (exactly, any letter case)."""

CASE_QUERY = re.compile(r"^\s*cs-", re.IGNORECASE)
"""A search that starts like a case number is looked up as one (exactly, any letter case)."""


def base32(value: int, width: int = 1) -> str:
    """`value` (>= 0) in Crockford base 32, zero-padded to `width` characters."""
    if value < 0:
        raise ValueError("base32 takes a number >= 0")
    digits = ""
    while value:
        value, digit = divmod(value, 32)
        digits = CROCKFORD[digit] + digits
    return digits.rjust(width, "0")


def terminal_prefix(client_group_id: str) -> str:
    """The five characters that name a store in its case numbers."""
    return base32(uuid.UUID(client_group_id).int >> 103, 5)


def case_number(client_group_id: str, counter: int) -> str:
    """The `counter`-th case opened by the store `client_group_id` (counter from 1)."""
    return f"{CASE_PREFIX}{terminal_prefix(client_group_id)}-{base32(counter, 3)}"
