"""FAQ answers and search hits."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class FaqLink:
    """A link inside an FAQ answer."""

    label: str
    target: str  # "faq:<id>", "script:<name>" or "article:<name>"


@dataclass(frozen=True, slots=True)
class FaqArticle:
    """An FAQ answer: one of an account's top ten, or any article of the FAQ base."""

    id: str
    account_id: str | None  # None for the global FAQ base
    rank: int | None  # 1..10 for the top ten
    title: str
    body: str  # may contain links written as [[faq:<id>|label]]
    category: str
    product: str


@dataclass(frozen=True, slots=True)
class FaqHit:
    """One result of an FAQ search."""

    id: str
    title: str
    category: str
    product: str
    snippet: str
