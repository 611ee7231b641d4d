"""The day's figures of one account: calls, service levels, handling, cost, tickets, e-mails and ratings.

Pure: the facts of the day come in (read from a store or the backend elsewhere), the figures come out. The
daily report and the supervisor's live counters both call `day_figures`, so a figure is defined once.

Definitions (the contract's words):
- A call counts on the day its first ring falls in, midnight to midnight in the account's time zone.
- Offered: inbound calls, less the short abandons (callers who hung up within `short_abandon_seconds`, a
  wrong number more than a lost customer). Abandoned: ended without an answer after that threshold.
- Service level, two ways: answered within T / answered, and answered within T / (answered + abandoned).
- Handle time: talk + hold + after-call work; talk is the answer-to-end time less the holds.
- Billable: calls bill talk + hold + after-call work; e-mail, chat and the other written channels bill the
  handling time recorded on the interaction. Cost is rounded to the cent once per interaction.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from agentdesk.domain.pricing import cost_cents
from agentdesk.domain.sla import RingPolicy, ServiceLevel
from agentdesk.domain.tickets import TicketSla

RATING_SOURCES = ("quality", "customer")
"""Who rates: the independent quality-control team, or the customer (surveys)."""


@dataclass(frozen=True, slots=True)
class HoldFact:
    """One hold of a call: its length and whether the cap ended it."""

    seconds: float
    hit_cap: bool = False


@dataclass(frozen=True, slots=True)
class CallFact:
    """One phone call as stored: its times (UTC), holds, after-call work and price."""

    call_id: str
    direction: str  # in, out
    rang_at: datetime
    answered_at: datetime | None = None
    ended_at: datetime | None = None
    holds: tuple[HoldFact, ...] = ()
    wrap_up_seconds: float | None = None
    price_per_minute_cents: int | None = None  # None: the account's price


@dataclass(frozen=True, slots=True)
class MessageFact:
    """A written interaction (e-mail, chat, SMS, web form, fax) and the handling time recorded on it."""

    interaction_id: str
    channel: str
    at: datetime
    handled_seconds: float
    price_per_minute_cents: int | None = None


@dataclass(frozen=True, slots=True)
class TicketFact:
    """A ticket's clocks, enough for resolutions, first responses and the 12 h escalation."""

    ticket_id: str
    case_number: str
    channel: str
    status: str
    created_at: datetime
    resolved_at: datetime | None = None
    first_response_at: datetime | None = None
    awaiting_since: datetime | None = None


@dataclass(frozen=True, slots=True)
class RatingFact:
    """A 1-5 score given to one interaction, by quality control or by the customer."""

    source: str  # quality, customer
    score: int
    rated: str  # what was rated, for people: "appointment 10:00 with Dana Reyes"
    at: datetime
    comment: str = ""


@dataclass(frozen=True, slots=True)
class DayFacts:
    """Everything one account's day holds; facts outside the day are ignored by `day_figures`."""

    account_id: str
    account_name: str
    time_zone: str
    day: date
    price_per_minute_cents: int
    target: ServiceLevel = ServiceLevel()
    calls: Sequence[CallFact] = ()
    messages: Sequence[MessageFact] = ()
    tickets: Sequence[TicketFact] = ()
    ratings: Sequence[RatingFact] = ()
    rating_sources_kept: tuple[str, ...] = ("customer",)
    """The sources the data can hold at all; a source missing here reads "not recorded yet", not "no ratings"."""


@dataclass(frozen=True, slots=True)
class FigureRules:
    """The thresholds the figures depend on (settings)."""

    short_abandon_seconds: float = 5.0
    ring: RingPolicy = RingPolicy()
    tickets: TicketSla = TicketSla()


@dataclass(frozen=True, slots=True)
class HourFigures:
    """One local hour's calls (by the hour their first ring fell in)."""

    hour: int
    offered: int = 0
    answered: int = 0
    abandoned: int = 0
    within_target: int = 0
    handle_seconds: float = 0.0
    handled: int = 0
    """Answered calls that have ended (a call still in progress has no handle time yet)."""

    @property
    def service_level(self) -> float | None:
        """Answered within T / (answered + abandoned), in %; None with no such calls."""
        return _percent(self.within_target, self.answered + self.abandoned)

    @property
    def aht_seconds(self) -> float | None:
        """The hour's average handle time; None when no answered call has ended."""
        return self.handle_seconds / self.handled if self.handled else None


@dataclass(frozen=True, slots=True)
class RatingAverage:
    """One source's average score and how many scores it averages."""

    source: str
    average: float | None
    count: int
    kept: bool
    """False when the product does not record this source yet."""


@dataclass(frozen=True, slots=True)
class DayFigures:
    """The day's figures; an average over nothing is None (shown as "—"), never 0."""

    account_id: str
    account_name: str
    day: date
    time_zone: str
    target: ServiceLevel
    calls_offered: int
    calls_answered: int
    calls_abandoned: int
    short_abandons: int
    calls_waiting: int
    answered_within_target: int
    service_level_of_answered: float | None
    service_level_of_offered: float | None
    answered_before_ring: int
    answered_before_ring_percent: float | None
    asa_seconds: float | None
    aht_seconds: float | None
    average_talk_seconds: float | None
    average_after_call_seconds: float | None
    average_time_to_abandon_seconds: float | None
    abandonment_rate: float | None
    holds: int
    hold_cap_hits: int
    billable_seconds: float
    cost_cents: int
    tickets_resolved: int
    average_resolution_seconds: float | None
    emails_answered: int
    emails_answered_within_goal: int
    tickets_escalated: int
    ratings: tuple[RatingFact, ...]
    rating_averages: tuple[RatingAverage, ...]
    hours: tuple[HourFigures, ...] = field(default=())


def day_window(day: date, time_zone: str) -> tuple[datetime, datetime]:
    """The day from local midnight to the next local midnight, as UTC times (23 or 25 h around DST)."""
    zone = ZoneInfo(time_zone)
    start = datetime.combine(day, time(0), tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
    return start.astimezone(UTC), end.astimezone(UTC)


def day_figures(facts: DayFacts, rules: FigureRules = FigureRules()) -> DayFigures:
    """The figures of `facts.day`, counting only the facts that fall in that local day."""
    start, end = day_window(facts.day, facts.time_zone)
    zone = ZoneInfo(facts.time_zone)

    def today(moment: datetime | None) -> bool:
        return moment is not None and start <= moment < end

    calls = [c for c in facts.calls if today(c.rang_at)]
    queue = _Queue(facts.target, rules, zone)
    for call in calls:
        if call.direction == "in":
            queue.add(call)
    billable = 0.0
    cents = 0
    for call in calls:
        seconds = _handle_seconds(call)
        if seconds is not None:
            billable += seconds
            cents += cost_cents(seconds, _price(call.price_per_minute_cents, facts))
    for message in facts.messages:
        if today(message.at) and message.handled_seconds > 0:
            billable += message.handled_seconds
            cents += cost_cents(message.handled_seconds, _price(message.price_per_minute_cents, facts))

    resolved = [t for t in facts.tickets if today(t.resolved_at)]
    goal = timedelta(hours=rules.tickets.response_hours)
    emails = [t for t in facts.tickets if t.channel == "email" and today(t.first_response_at)]
    escalate_after = timedelta(hours=rules.tickets.escalate_hours)
    escalated = [t for t in facts.tickets if t.status == "escalated" and t.awaiting_since is not None
                 and today(t.awaiting_since + escalate_after)]
    ratings = tuple(sorted((r for r in facts.ratings if today(r.at)), key=lambda r: (r.at, r.source)))

    return DayFigures(
        account_id=facts.account_id, account_name=facts.account_name, day=facts.day, time_zone=facts.time_zone,
        target=facts.target,
        calls_offered=queue.offered, calls_answered=len(queue.waits), calls_abandoned=len(queue.abandon_waits),
        short_abandons=queue.short_abandons, calls_waiting=queue.waiting,
        answered_within_target=queue.within,
        service_level_of_answered=_percent(queue.within, len(queue.waits)),
        service_level_of_offered=_percent(queue.within, len(queue.waits) + len(queue.abandon_waits)),
        answered_before_ring=queue.before_ring,
        answered_before_ring_percent=_percent(queue.before_ring, len(queue.waits)),
        asa_seconds=_mean(queue.waits), aht_seconds=_mean(queue.handles), average_talk_seconds=_mean(queue.talks),
        average_after_call_seconds=_mean(queue.after_calls),
        average_time_to_abandon_seconds=_mean(queue.abandon_waits),
        abandonment_rate=_percent(len(queue.abandon_waits), queue.offered),
        holds=sum(len(c.holds) for c in calls), hold_cap_hits=sum(h.hit_cap for c in calls for h in c.holds),
        billable_seconds=billable, cost_cents=cents,
        tickets_resolved=len(resolved),
        average_resolution_seconds=_mean([(t.resolved_at - t.created_at).total_seconds()
                                          for t in resolved if t.resolved_at is not None]),
        emails_answered=len(emails),
        emails_answered_within_goal=sum(1 for t in emails if t.first_response_at is not None
                                        and t.first_response_at - t.created_at <= goal),
        tickets_escalated=len(escalated),
        ratings=ratings, rating_averages=_rating_averages(ratings, facts.rating_sources_kept),
        hours=tuple(queue.hours[h] for h in sorted(queue.hours)),
    )


class _Queue:
    """The inbound calls' running tallies, hour by hour."""

    def __init__(self, target: ServiceLevel, rules: FigureRules, zone: ZoneInfo) -> None:
        self.target, self.rules, self.zone = target, rules, zone
        self.offered = self.short_abandons = self.waiting = self.within = self.before_ring = 0
        self.waits: list[float] = []
        self.abandon_waits: list[float] = []
        self.handles: list[float] = []
        self.talks: list[float] = []
        self.after_calls: list[float] = []
        self.hours: dict[int, HourFigures] = {h: HourFigures(h) for h in range(24)}

    def add(self, call: CallFact) -> None:
        hour = call.rang_at.astimezone(self.zone).hour
        tally = self.hours[hour]
        if call.answered_at is not None:
            wait = max(0.0, (call.answered_at - call.rang_at).total_seconds())
            within = wait <= self.target.seconds
            handle = _handle_seconds(call)
            self.offered += 1
            self.waits.append(wait)
            self.within += within
            self.before_ring += self.rules.ring.ring_number(wait) < self.rules.ring.answer_before_ring
            if handle is not None:  # a call still in progress joins the handle times when it ends
                self.handles.append(handle)
                self.talks.append(_talk_seconds(call))
                self.after_calls.append(call.wrap_up_seconds or 0.0)
            tally = HourFigures(hour, tally.offered + 1, tally.answered + 1, tally.abandoned,
                                tally.within_target + within, tally.handle_seconds + (handle or 0.0),
                                tally.handled + (handle is not None))
        elif call.ended_at is not None:
            wait = max(0.0, (call.ended_at - call.rang_at).total_seconds())
            if wait < self.rules.short_abandon_seconds:
                self.short_abandons += 1
                return
            self.offered += 1
            self.abandon_waits.append(wait)
            tally = HourFigures(hour, tally.offered + 1, tally.answered, tally.abandoned + 1,
                                tally.within_target, tally.handle_seconds, tally.handled)
        else:
            self.offered += 1
            self.waiting += 1
            tally = HourFigures(hour, tally.offered + 1, tally.answered, tally.abandoned,
                                tally.within_target, tally.handle_seconds, tally.handled)
        self.hours[hour] = tally


def _talk_seconds(call: CallFact) -> float:
    """Answer to end, less the holds (the caller on hold is not talking)."""
    if call.answered_at is None or call.ended_at is None:
        return 0.0
    connected = max(0.0, (call.ended_at - call.answered_at).total_seconds())
    return max(0.0, connected - sum(h.seconds for h in call.holds))


def _handle_seconds(call: CallFact) -> float | None:
    """Talk + hold + after-call work of an answered, ended call; None for a call nobody handled."""
    if call.answered_at is None or call.ended_at is None:
        return None
    connected = max(0.0, (call.ended_at - call.answered_at).total_seconds())
    return connected + (call.wrap_up_seconds or 0.0)


def _price(own: int | None, facts: DayFacts) -> int:
    return facts.price_per_minute_cents if own is None else own


def _rating_averages(ratings: Iterable[RatingFact], kept: tuple[str, ...]) -> tuple[RatingAverage, ...]:
    scores: dict[str, list[int]] = defaultdict(list)
    for rating in ratings:
        scores[rating.source].append(rating.score)
    return tuple(RatingAverage(source, _mean(scores[source]), len(scores[source]), source in kept)
                 for source in RATING_SOURCES)


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _percent(part: int, whole: int) -> float | None:
    return 100.0 * part / whole if whole else None
