"""Which available agent a ringing call is offered to, by the account's routing policy.

`longest_idle`: the agent idle the longest (ties by id), as the backend always did.

`rating`: higher-rated agents get proportionally more calls. Each candidate's weight is
`RATING_BASE ** (average - 3)`: every point of rating above another agent's multiplies the share by five (a 5
draws 25 times the calls of a 3, a 4 five times), and an agent not rated yet counts as the account's middle
(the median average of its rated agents, 3 when none is). The pick is a weighted draw from an injected
`random.Random`, so a test replays it. The cap keeps it fair: a candidate idle for `cap_seconds` or longer is
offered the call first (the longest idle of those), so nobody available sits past the cap while calls come in.

Before the policy, `suited` narrows the candidates to those with the skill the caller asked for in the phone menu
and the caller's language. When that leaves nobody it lets go of the language first, then of the skill (keeping
the language), then of both: a call is never left unoffered while an agent of the account is free.

No I/O: the backend reads the candidates, their skills, languages and ratings and calls `suited`, then `pick`.
"""

from __future__ import annotations

import random
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

RATING_BASE = 5.0
"""How much one point of rating multiplies an agent's weight."""

MIDDLE_RATING = 3.0
"""The middle of the 1-5 scale: the weight 1, and the rating assumed when nobody at the account is rated yet."""


class RoutingPolicy(StrEnum):
    LONGEST_IDLE = "longest_idle"
    RATING = "rating"


@dataclass(frozen=True, slots=True)
class Candidate:
    """An available agent with no call ringing or going on: since when idle (Unix seconds) and the rating
    average (None: not rated yet)."""

    agent_id: str
    idle_since: float
    rating: float | None = None
    skills: frozenset[str] = frozenset()
    languages: frozenset[str] = frozenset()


def language_code(code: str) -> str:
    """A language code as matched: lower case, without its region (`es-MX` and `ES` are `es`)."""
    return code.strip().replace("_", "-").split("-")[0].lower()


def suited(candidates: Sequence[Candidate], *, skill: str | None, language: str | None) -> list[Candidate]:
    """The candidates with `skill` (None: any) who speak `language` (None: any), letting go of the language, then
    of the skill, then of both while that leaves nobody. Skills match without regard to case; `languages` hold
    codes as `language_code` gives them."""
    wanted = skill.strip().casefold() if skill else None
    spoken = language_code(language) if language else None

    def has_skill(c: Candidate) -> bool:
        return wanted is None or wanted in {s.casefold() for s in c.skills}

    def speaks(c: Candidate) -> bool:
        return spoken is None or spoken in c.languages

    for test in (lambda c: has_skill(c) and speaks(c), has_skill, speaks):
        found = [c for c in candidates if test(c)]
        if found:
            return found
    return list(candidates)


def rating_weight(rating: float) -> float:
    """The share of calls an agent of this average rating draws, relative to a 3's."""
    return float(RATING_BASE ** (rating - MIDDLE_RATING))


def middle_rating(ratings: Sequence[float | None]) -> float:
    """The rating an agent not rated yet counts with: the median of the known ones, else the scale's middle."""
    known = [r for r in ratings if r is not None]
    return float(statistics.median(known)) if known else MIDDLE_RATING


def pick(candidates: Sequence[Candidate], *, now: float, policy: RoutingPolicy, cap_seconds: float,
         rng: random.Random, middle: float | None = None) -> str | None:
    """The agent to offer the call to, or None when nobody is free. `middle` is the rating of the not yet rated
    (default: the median of the candidates' known ratings)."""
    if not candidates:
        return None
    by_idle = sorted(candidates, key=lambda c: (c.idle_since, c.agent_id))
    if policy is RoutingPolicy.LONGEST_IDLE:
        return by_idle[0].agent_id
    if now - by_idle[0].idle_since >= cap_seconds:
        return by_idle[0].agent_id  # the longest idle is past the cap: the cap goes before the ratings
    fallback = middle if middle is not None else middle_rating([c.rating for c in by_idle])
    weights = [rating_weight(c.rating if c.rating is not None else fallback) for c in by_idle]
    return rng.choices(by_idle, weights=weights, k=1)[0].agent_id
