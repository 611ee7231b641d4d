"""The fixed part of the demo: randomness and time, accounts, agents, the FAQ base, templates, professionals.

Everything comes from one `random.Random(seed)` and a Faker seeded with the same seed, and every time is counted
from the demo's "today" (the store clock's date, so a fresh demo shows work due today, soon and overdue): the same
seed and the same day give the same store, byte for byte in content.
"""

from __future__ import annotations

import json
import random
import unicodedata
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import TypeVar

from agentdesk.demodata.content import (
    ACCOUNTS,
    GLOBAL_BODY,
    GLOBAL_FAQ,
    MORE_QUESTIONS,
    MORE_SENTENCES,
    REPLY_TEMPLATES,
    AccountSpec,
)
from agentdesk.demodata.loader import RowBuffer
from agentdesk.demodata.scripts import account_scripts

T = TypeVar("T")

BASE = datetime(2026, 11, 23, tzinfo=UTC)
"""The demo's "today" under the tests' fixed clock (the default of `demo_day`)."""
BASE_US = int(BASE.timestamp()) * 1_000_000
DAY_US = 86_400 * 1_000_000
_EPOCH = date(1970, 1, 1)


def demo_day(now: datetime) -> datetime:
    """Midnight UTC of the day `now` falls on: the demo's "today", which histories end before."""
    now = now.astimezone(UTC)
    return datetime(now.year, now.month, now.day, tzinfo=UTC)


class Dice:
    """The seeded randomness of one generation: ids, picks, and stored timestamps."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.random = self.rng.random
        self._days: dict[int, str] = {}

    def new_id(self) -> str:
        """A version-4 UUID drawn from the seeded generator."""
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def pick(self, items: tuple[T, ...] | list[T]) -> T:
        """One of `items`, uniformly."""
        return items[int(self.random() * len(items))]

    def stamp(self, epoch_us: int) -> str:
        """Microseconds since 1970 as `clock.iso()` text (the same characters, about ten times faster)."""
        day, in_day = divmod(epoch_us, DAY_US)
        prefix = self._days.get(day)
        if prefix is None:
            prefix = self._days[day] = (_EPOCH + timedelta(days=day)).strftime("%Y-%m-%dT")
        seconds, micros = divmod(in_day, 1_000_000)
        hours, rest = divmod(seconds, 3600)
        return f"{prefix}{hours:02d}:{rest // 60:02d}:{rest % 60:02d}.{micros:06d}Z"


@dataclass
class Pools:
    """Names and sentences drawn from Faker once; customers are composed from them (Faker per row is slow)."""

    first: list[str]
    last: list[str]
    first_es: list[str]
    last_es: list[str]
    notes: list[str]
    paragraphs: list[str]


def make_pools(seed: int, size: int = 1500) -> Pools:
    """The name and text pools for a seed."""
    from faker import Faker  # a quarter of a second to import: only when demo data is made, not at start-up

    en, es = Faker("en_US"), Faker("es_MX")
    en.seed_instance(seed)
    es.seed_instance(seed + 1)
    return Pools(
        first=[en.first_name() for _ in range(size)],
        last=[en.last_name() for _ in range(size)],
        first_es=[es.first_name() for _ in range(size // 4)],
        last_es=[es.last_name() for _ in range(size // 4)],
        notes=[en.sentence(nb_words=12) for _ in range(400)],
        paragraphs=[en.paragraph(nb_sentences=3) for _ in range(300)],
    )


def ascii_word(text: str) -> str:
    """`text` as lower-case ASCII letters (for e-mail addresses): José → jose."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in folded.lower() if ch.isalnum())


@dataclass
class DemoAccount:
    """An account as generated, with what its customers' histories draw on."""

    id: str
    spec: AccountSpec
    agent_ids: list[str] = field(default_factory=list)
    top_ten: list[tuple[str, str]] = field(default_factory=list)  # (faq id, title)


@dataclass
class World:
    """Accounts and agents of a demo store."""

    accounts: list[DemoAccount]
    agent_names: dict[str, str]
    faq_articles: int
    base: datetime = BASE
    """The demo's "today" at midnight UTC: histories end before it, today's tickets and tasks fall after it."""
    now: datetime = BASE + timedelta(hours=14, minutes=30)
    """When the demo is made: nothing a customer sent lies after it."""

    @property
    def base_us(self) -> int:
        """`base` in microseconds since 1970."""
        return int(self.base.timestamp()) * 1_000_000

    @property
    def now_us(self) -> int:
        """`now` in microseconds since 1970."""
        return int(self.now.timestamp() * 1_000_000)


def build_world(dice: Dice, pools: Pools, rows: RowBuffer, now: datetime) -> World:
    """Accounts, agents and their assignments, the FAQ base, reply templates and professionals; times are counted
    from the day of `now`."""
    accounts = [DemoAccount(dice.new_id(), spec) for spec in ACCOUNTS]
    for account in accounts:
        spec = account.spec
        rows.add("account", (account.id, spec.name, spec.time_zone, spec.price_per_minute_cents,
                             spec.greeting, spec.phone_number, "80/20"))
    agent_names: dict[str, str] = {}
    roles = ["supervisor", "senior", "senior", "senior"] + ["agent"] * 8
    for n, role in enumerate(roles):
        agent_id = dice.new_id()
        agent_names[agent_id] = f"{dice.pick(pools.first)} {dice.pick(pools.last)}"
        rows.add("agent", (agent_id, agent_names[agent_id], role))
        # Front-line agents work for two accounts, seniors for three, the supervisor for all.
        reach = {"supervisor": 4, "senior": 3, "agent": 2}[role]
        for k in range(reach):
            account = accounts[(n + k) % len(accounts)]
            account.agent_ids.append(agent_id)
            rows.add("agent_account", (agent_id, account.id))
    articles = sum(_faq_for(dice, account, rows) for account in accounts)
    for title, category in GLOBAL_FAQ:
        body = f"{GLOBAL_BODY}\n\n{dice.pick(MORE_SENTENCES)} {dice.pick(MORE_SENTENCES)}"
        rows.add("faq_article", (dice.new_id(), None, None, title, body, category, ""))
        articles += 1
    for account in accounts:
        for name, body in REPLY_TEMPLATES:
            rows.add("reply_template", (dice.new_id(), account.id, name, body))
        for script in account_scripts(account.id, account.spec.name, account.spec.greeting):
            rows.add("faq_article", script)
            articles += 1
        for _ in range(6):
            skills = dice.rng.sample(account.spec.skills, 2)
            languages = ["en"] + (["es"] if dice.random() < 0.3 else [])
            name = f"{dice.pick(pools.first)} {dice.pick(pools.last)}"
            rows.add("professional", (dice.new_id(), account.id, name, json.dumps(skills),
                                      json.dumps(languages), account.spec.location))
    return World(accounts, agent_names, articles, demo_day(now), now)


def _faq_for(dice: Dice, account: DemoAccount, rows: RowBuffer) -> int:
    """The account's top ten (cross-linked) and 40 more articles; how many."""
    spec = account.spec
    ids = [dice.new_id() for _ in spec.top_ten]
    account.top_ten = [(faq_id, top[0]) for faq_id, top in zip(ids, spec.top_ten, strict=True)]
    links = {
        f"{{rank:{n}}}": f"[[faq:{faq_id}|{title}]]" for n, (faq_id, title) in enumerate(account.top_ten, 1)
    }
    for rank, ((title, category, product, body), faq_id) in enumerate(zip(spec.top_ten, ids, strict=True), 1):
        for token, link in links.items():
            body = body.replace(token, link)
        rows.add("faq_article", (faq_id, account.id, rank, title, body, category, product))
    products = [name for name, _ in spec.products]
    topics = [(question, product) for question in MORE_QUESTIONS for product in products]
    for question, product in dice.rng.sample(topics, min(40, len(topics))):
        body = " ".join(dice.pick(MORE_SENTENCES) for _ in range(3))
        if dice.random() < 0.5:
            faq_id, title = dice.pick(account.top_ten)
            body += f"\n\nSee also [[faq:{faq_id}|{title}]]."
        if dice.random() < 0.3:
            body += " [[script:escalation|Escalation script]]"
        rows.add("faq_article", (dice.new_id(), account.id, None, f"{question} {product}", body,
                                 dice.pick(spec.categories), product))
    return len(ids) + min(40, len(topics))
