"""The cost of service: what the client business pays for the time agents spend on its customers.

Decision: handling is billed pro rata per second, not per started minute. A call's billable time is talk + hold
+ after-call work: from the answer to the end of the call, holds included (the agent is still busy with the
caller while they wait), then the wrap-up. E-mail and chat bill the agent's handling time, from opening the
message to sending the answer. The contract
quotes a price per minute ($1.18), so a call of 90 s costs 1.5 x $1.18 = $1.77. The amount is rounded half up
to the cent once per interaction, in Decimal so that float noise never moves a cent.
"""

from __future__ import annotations

import math
from datetime import datetime
from decimal import Decimal, localcontext

SECONDS_PER_MINUTE = 60
MAX_BILLABLE_SECONDS = 10**9
"""About 31 years: anything longer is a broken clock, not a call, and would overflow the arithmetic."""

_SYMBOLS: dict[str, str] = {"USD": "$", "CAD": "CA$", "EUR": "€", "GBP": "£"}


def handled_seconds(answered_at: datetime, ended_at: datetime, wrap_up_seconds: float) -> int:
    """A call's billable whole seconds: answer to end (talk and holds) plus the after-call work."""
    return max(0, round((ended_at - answered_at).total_seconds())) + max(0, round(wrap_up_seconds))


def cost_cents(billable_seconds: float, price_per_minute_cents: int) -> int:
    """What `billable_seconds` of handling cost at `price_per_minute_cents`, in whole cents (half up)."""
    if not math.isfinite(billable_seconds) or not 0 <= billable_seconds <= MAX_BILLABLE_SECONDS:
        raise ValueError(f"Billable time must be 0 to {MAX_BILLABLE_SECONDS:,} s, not {billable_seconds!r}.")
    if price_per_minute_cents < 0:
        raise ValueError(f"A price per minute cannot be negative ({price_per_minute_cents} cents).")
    # str() is the shortest decimal that reads back as the float: 0.1 stays 0.1, not 0.1000000000000000055.
    seconds = Decimal(str(billable_seconds))
    with localcontext() as context:
        context.prec = 80  # roomy enough that the product and the remainder below are exact
        whole, rest = divmod(seconds * price_per_minute_cents, SECONDS_PER_MINUTE)
    # Half a cent or more rounds up; comparing the remainder avoids a second, inexact rounding.
    return int(whole) + (1 if rest * 2 >= SECONDS_PER_MINUTE else 0)


def format_money(cents: int, currency: str = "USD") -> str:
    """An amount for people: `$1.18`, `$1,234.56`; currencies without a known symbol read `12.00 CHF`."""
    if cents < 0:
        raise ValueError(f"An amount of money to show cannot be negative ({cents} cents).")
    amount = f"{cents // 100:,}.{cents % 100:02d}"
    symbol = _SYMBOLS.get(currency.upper())
    return f"{symbol}{amount}" if symbol else f"{amount} {currency.upper()}"
