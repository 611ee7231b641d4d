"""Reading one account's day from the tables into `DayFacts` (the figures themselves are `domain.daily_figures`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from agentdesk.clock import iso
from agentdesk.domain.daily_figures import (
    CallFact,
    DayFacts,
    HoldFact,
    MessageFact,
    RatingFact,
    TicketFact,
    day_window,
)
from agentdesk.domain.sla import ServiceLevel
from agentdesk.domain.tickets import TicketSla
from agentdesk.reporting.sources import Source


class NoSuchAccount(LookupError):
    """No account, or more than one, matches what was asked; the message says which to choose."""


@dataclass(frozen=True, slots=True)
class AccountInfo:
    """An account's row: what the figures need to know about it."""

    id: str
    name: str
    time_zone: str
    price_per_minute_cents: int
    target: ServiceLevel

    def local_today(self, now: datetime) -> date:
        """The date it is now in the account's time zone."""
        return now.astimezone(ZoneInfo(self.time_zone)).date()


def accounts(source: Source, match: str | None = None) -> list[AccountInfo]:
    """The accounts whose id is `match` or whose name contains it (all of them without `match`), by name."""
    found = [_account(row) for row in source.rows(
        "SELECT id, name, time_zone, price_per_minute_cents, sla_policy FROM account ORDER BY name, id", {})]
    if match is None:
        return found
    exact = [a for a in found if a.id == match]
    if exact:
        return exact
    wanted = match.strip().casefold()
    named = [a for a in found if wanted and wanted in a.name.casefold()]
    if not named:
        known = ", ".join(a.name for a in found[:8]) or "none yet"
        raise NoSuchAccount(f"No account is called {match[:40]!r}; the accounts are: {known}.")
    return named


def _account(row: tuple[Any, ...]) -> AccountInfo:
    id_, name, zone, price, policy = row
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = "UTC"  # a broken zone must not stop the report; the header shows the zone used
    try:
        target = ServiceLevel.parse(policy or "80/20")
    except ValueError:
        target = ServiceLevel()
    return AccountInfo(str(id_), str(name), str(zone), int(price), target)


def read_day(source: Source, account: AccountInfo, day: date, *, calls_only: bool = False,
             tickets: TicketSla | None = None) -> DayFacts:
    """The facts of `account`'s local `day`; `calls_only` skips messages, tickets and ratings (staffing)."""
    start, end = day_window(day, account.time_zone)
    window = {"account": account.id, "start": iso(start), "end": iso(end)}
    calls = _calls(source, window)
    if calls_only:
        return DayFacts(account.id, account.name, account.time_zone, day, account.price_per_minute_cents,
                        account.target, calls=calls)
    escalate = timedelta(hours=(tickets or TicketSla()).escalate_hours)
    ticket_window = {**window, "esc_start": iso(start - escalate), "esc_end": iso(end - escalate)}
    return DayFacts(
        account.id, account.name, account.time_zone, day, account.price_per_minute_cents, account.target,
        calls=calls, messages=_messages(source, window), tickets=_tickets(source, ticket_window),
        ratings=sorted(_ratings(source, window) + _customer_ratings(source, window), key=lambda r: r.at),
        rating_sources_kept=("quality", "customer"),
    )


def _calls(source: Source, window: dict[str, str]) -> list[CallFact]:
    # A call's `at` is its first ring (models.Interaction); ringing_at is the same moment when it is set.
    rows = source.rows(
        "SELECT id, direction, COALESCE(ringing_at, at), answered_at, ended_at, wrap_up_seconds,"
        " price_per_minute_cents FROM interaction WHERE account_id = :account AND channel = 'phone'"
        " AND at >= :start AND at < :end", window)
    holds: dict[str, list[HoldFact]] = {}
    for call_id, seconds, started, ended, hit_cap in source.rows(
        "SELECT h.interaction_id, h.seconds, h.started_at, h.ended_at, h.hit_cap FROM hold_event h"
        " JOIN interaction i ON i.id = h.interaction_id WHERE i.account_id = :account AND i.channel = 'phone'"
        " AND i.at >= :start AND i.at < :end ORDER BY h.started_at", window):
        if seconds is None and started and ended:
            seconds = (_when(ended) - _when(started)).total_seconds()
        holds.setdefault(call_id, []).append(HoldFact(float(seconds or 0.0), bool(hit_cap)))
    return [
        CallFact(id_, direction, _when(rang), _maybe(answered), _maybe(ended), tuple(holds.get(id_, ())),
                 None if wrap is None else float(wrap), price)
        for id_, direction, rang, answered, ended, wrap, price in rows
    ]


def _messages(source: Source, window: dict[str, str]) -> list[MessageFact]:
    rows = source.rows(
        "SELECT id, channel, at, billable_seconds, price_per_minute_cents FROM interaction"
        " WHERE account_id = :account AND channel <> 'phone' AND at >= :start AND at < :end", window)
    return [MessageFact(id_, channel, _when(at), float(seconds or 0), price) for id_, channel, at, seconds, price in rows]


def _tickets(source: Source, window: dict[str, str]) -> list[TicketFact]:
    rows = source.rows(
        "SELECT id, case_number, channel, status, created_at, resolved_at, first_response_at, awaiting_since"
        " FROM ticket WHERE account_id = :account AND ((resolved_at >= :start AND resolved_at < :end)"
        " OR (first_response_at >= :start AND first_response_at < :end)"
        " OR (status = 'escalated' AND awaiting_since >= :esc_start AND awaiting_since < :esc_end))", window)
    return [
        TicketFact(id_, number, channel, status, _when(created), _maybe(resolved), _maybe(first), _maybe(awaiting))
        for id_, number, channel, status, created, resolved, first, awaiting in rows
    ]


_RATED_WORDS = {"phone": "call", "email": "e-mail", "chat": "chat", "sms": "SMS", "web_form": "web form", "fax": "fax"}


def _ratings(source: Source, window: dict[str, str]) -> list[RatingFact]:
    """The ratings given on the day (quality control's and customers'), each counted on the day it was given,
    naming what was rated and the agent who handled it."""
    rows = source.rows(
        "SELECT r.source, r.score, r.comment, r.at, i.channel, t.case_number, coalesce(g.name, '')"
        " FROM rating r LEFT JOIN interaction i ON i.id = r.interaction_id"
        " LEFT JOIN ticket_message m ON m.id = r.message_id LEFT JOIN ticket t ON t.id = m.ticket_id"
        " LEFT JOIN agent g ON g.id = r.agent_id"
        " WHERE r.account_id = :account AND r.at >= :start AND r.at < :end ORDER BY r.at, r.id", window)
    found = []
    for who, score, comment, at, channel, case, agent in rows:
        what = f"reply on {case}" if case else _RATED_WORDS.get(channel or "", channel or "interaction")
        found.append(RatingFact("quality" if who == "qc" else "customer", int(score),
                                f"{what} by {agent}" if agent else what, _when(at), comment or ""))
    return found


def _customer_ratings(source: Source, window: dict[str, str]) -> list[RatingFact]:
    """The customers' answers to the survey after an appointment (they rate the visit, not an agent's work).

    A rating carries no time of its own, so it counts on the day of the appointment it rates.
    """
    rows = source.rows(
        "SELECT a.starts_at, a.rating, a.rating_comment, p.name, t.name FROM appointment a"
        " JOIN professional p ON p.id = a.professional_id JOIN appointment_type t ON t.id = a.type_id"
        " WHERE a.account_id = :account AND a.rating IS NOT NULL AND a.starts_at >= :start AND a.starts_at < :end"
        " ORDER BY a.starts_at", window)
    return [RatingFact("customer", int(score), f"appointment: {kind} with {professional}", _when(starts),
                       comment or "")
            for starts, score, comment, professional, kind in rows]


def _when(text: str | datetime) -> datetime:
    """A stored time (ISO text, UTC) as an aware datetime; PostgreSQL may hand back a datetime already."""
    if isinstance(text, datetime):
        return text if text.tzinfo else text.replace(tzinfo=UTC)
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _maybe(text: str | datetime | None) -> datetime | None:
    return None if text is None or text == "" else _when(text)
