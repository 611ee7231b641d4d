"""One account's day with known calls, holds, messages, tickets and ratings, and its figures worked out by hand.

The day is Tuesday 2026-11-24 in New York (UTC-5). Times below are local unless they say otherwise.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from agentdesk import models
from agentdesk.clock import iso

DAY = datetime(2026, 11, 24).date()
ZONE = ZoneInfo("America/New_York")
ACCOUNT = "acct-known"
PRICE = 118
BUSY_HOUR = 14
BUSY_CALLS = 75  # answered in 5 s, 180 s handled, on each of the three Tuesdays after DAY

Execute = Callable[[str, dict[str, Any]], None]


def local(day_offset: int, hour: int, minute: int = 0, second: float = 0) -> datetime:
    """A local time of DAY + `day_offset` days, as UTC."""
    base = datetime(DAY.year, DAY.month, DAY.day, hour, minute, tzinfo=ZONE) + timedelta(days=day_offset)
    return (base + timedelta(seconds=second)).astimezone(UTC)


def _insert(execute: Execute, row: Any) -> None:
    values = row.model_dump()
    table = type(row).__tablename__
    columns = ", ".join(values)
    execute(f"INSERT INTO {table} ({columns}) VALUES ({', '.join(':' + c for c in values)})", values)


def _call(execute: Execute, id_: str, rang: datetime, *, wait: float | None, connected: float | None = None,
          wrap: int | None = None, direction: str = "in", holds: tuple[tuple[float, bool], ...] = ()) -> None:
    answered = rang + timedelta(seconds=wait) if wait is not None and connected is not None else None
    ended = (answered + timedelta(seconds=connected)) if answered and connected is not None else (
        rang + timedelta(seconds=wait) if wait is not None else None)
    _insert(execute, models.Interaction(
        id=id_, account_id=ACCOUNT, channel="phone", direction=direction, state="ended" if ended else "ringing",
        ringing_at=iso(rang), answered_at=iso(answered) if answered else None, ended_at=iso(ended) if ended else None,
        outcome=None if answered else "missed", wrap_up_seconds=wrap, price_per_minute_cents=PRICE, at=iso(rang),
        billable_seconds=int(connected or 0)))
    for n, (seconds, cap) in enumerate(holds):
        assert answered is not None
        start = answered + timedelta(seconds=20 * (n + 1))
        _insert(execute, models.HoldEvent(id=f"{id_}-h{n}", account_id=ACCOUNT, interaction_id=id_,
                                          started_at=iso(start), ended_at=iso(start + timedelta(seconds=seconds)),
                                          seconds=seconds, hit_cap=cap))


def seed(execute: Execute) -> None:
    """Write the known day (and its neighbours' edges, and three busy later Tuesdays) through `execute`."""
    stamp = iso(local(-30, 9))
    _insert(execute, models.AccountRow(id=ACCOUNT, name="Known Outfitters", time_zone="America/New_York",
                                    price_per_minute_cents=PRICE, phone_number="+18005550100", sla_policy="80/20"))
    _insert(execute, models.CustomerRow(id="cust-1", account_id=ACCOUNT, name="Pat <b>Lee</b>", created_at=stamp,
                                     updated_at=stamp))
    # The queue's calls.
    _call(execute, "c1", local(0, 9), wait=10, connected=300, wrap=60, holds=((8.0, False),))
    _call(execute, "c2", local(0, 9, 30), wait=25, connected=120, wrap=30, holds=((10.0, True), (4.0, False)))
    _call(execute, "c3", local(0, 10, 15), wait=40)  # abandoned after 40 s
    _call(execute, "c4", local(0, 10, 20), wait=3)  # a short abandon: left out
    _call(execute, "c5", local(0, 11), wait=15, connected=200)
    _call(execute, "c7", local(0, 0), wait=2, connected=60, wrap=10)  # the day's first moment counts
    _call(execute, "c6", local(0, 12), wait=5, connected=100, wrap=20, direction="out")  # billed, not queued
    # Just outside the day.
    _call(execute, "before", local(-1, 23, 59, 59), wait=5, connected=100, wrap=5)
    _call(execute, "after", local(1, 0), wait=30)
    for n, (channel, seconds) in enumerate((("email", 240), ("chat", 90))):
        at = iso(local(0, 13 + n))
        _insert(execute, models.Interaction(id=f"m{n}", account_id=ACCOUNT, channel=channel, direction="out",
                                            state="ended", at=at, billable_seconds=seconds, price_per_minute_cents=PRICE))
    tickets = [
        ("t1", "email", "resolved", local(-1, 20), local(0, 10), local(0, 1), None),
        ("t2", "email", "open", local(0, 8), None, local(0, 15), None),
        ("t3", "chat", "escalated", local(-1, 21), None, None, local(-1, 22)),
        ("t4", "email", "escalated", local(0, 13), None, None, local(0, 14)),  # escalates tomorrow at 02:00
    ]
    for id_, channel, status, created, resolved, first, awaiting in tickets:
        _insert(execute, models.Ticket(
            id=id_, account_id=ACCOUNT, customer_id="cust-1", case_number=f"CASE-{id_}", subject="A question",
            status=status, channel=channel, created_at=iso(created), updated_at=iso(created),
            resolved_at=iso(resolved) if resolved else None, first_response_at=iso(first) if first else None,
            awaiting_since=iso(awaiting) if awaiting else None))
    _insert(execute, models.Professional(id="pro-1", account_id=ACCOUNT, name="Dana & Reyes"))
    _insert(execute, models.AppointmentType(id="type-1", account_id=ACCOUNT, name="Fitting", minutes=30, skill="fit"))
    for id_, starts, score, comment in (("a1", local(0, 11), 4, "Helpful <script>"), ("a2", local(0, 15), 5, None),
                                        ("a0", local(-1, 15), 1, "Yesterday")):
        _insert(execute, models.Appointment(
            id=id_, account_id=ACCOUNT, customer_id="cust-1", professional_id="pro-1", type_id="type-1",
            starts_at=iso(starts), ends_at=iso(starts + timedelta(minutes=30)), status="confirmed",
            booked_at=stamp, updated_at=stamp, rating=score, rating_comment=comment))
    # Ratings given that day (quality control twice, a customer once) and one given the day before (not counted).
    for id_, call, source, score, at in (("r1", "c1", "qc", 3, local(0, 16)), ("r2", "c2", "qc", 5, local(0, 17)),
                                         ("r3", "c5", "customer", 3, local(0, 18)),
                                         ("r0", "c7", "qc", 1, local(-1, 18))):
        _insert(execute, models.Rating(id=id_, account_id=ACCOUNT, interaction_id=call, source=source, score=score,
                                       comment="Long hold" if id_ == "r1" else "", at=iso(at)))
    for week in (1, 2, 3):
        for n in range(BUSY_CALLS):
            _call(execute, f"busy{week}-{n}", local(7 * week, BUSY_HOUR, n * 45 // 60, n * 45 % 60), wait=5,
                  connected=170, wrap=10)


EXPECTED: dict[str, Any] = {
    "calls_offered": 5, "calls_answered": 4, "calls_abandoned": 1, "short_abandons": 1, "calls_waiting": 0,
    "answered_within_target": 3, "service_level_of_answered": 75.0, "service_level_of_offered": 60.0,
    "answered_before_ring": 2, "answered_before_ring_percent": 50.0, "asa_seconds": 13.0, "aht_seconds": 195.0,
    "average_talk_seconds": 164.5, "average_after_call_seconds": 25.0, "average_time_to_abandon_seconds": 40.0,
    "abandonment_rate": 20.0, "holds": 3, "hold_cap_hits": 1, "billable_seconds": 1230.0, "cost_cents": 2419,
    "tickets_resolved": 1, "average_resolution_seconds": 14 * 3600.0, "emails_answered": 2,
    "emails_answered_within_goal": 1, "tickets_escalated": 1,
}
"""Worked by hand: handle = connected + wrap-up (c1 360, c2 150, c5 200, c7 70; outbound c6 120), talk = connected
less holds (292, 106, 200, 60), cost per interaction at $1.18 a minute: 708 + 295 + 393 + 138 + 236 (c6)
+ 472 (e-mail 240 s) + 177 (chat 90 s) = 2,419 cents."""

EXPECTED_HOURS = {0: (1, 1, 0, 1), 9: (2, 2, 0, 1), 10: (1, 0, 1, 0), 11: (1, 1, 0, 1)}
"""hour: (offered, answered, abandoned, within 20 s)."""
