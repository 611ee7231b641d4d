"""Demo customers and everything they did: calls (with holds and recordings), messages, comments, orders and
tickets. This is the hot loop of a million-row demo, so it draws plain floats and builds tuples directly."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from agentdesk.demodata.case_words import TICKET_WORDS
from agentdesk.demodata.content import (
    CALL_OUTCOMES,
    HOSTILE_TEXTS,
    MESSAGE_SUBJECTS,
    ORDER_STATUSES,
    TICKET_KINDS,
    TICKET_STATUSES,
    TICKET_SUBJECTS,
)
from agentdesk.demodata.loader import RowBuffer
from agentdesk.demodata.world import DAY_US, DemoAccount, Dice, Pools, World, ascii_word
from agentdesk.localstore.numbers import case_number

# US area codes (checked with phonenumbers: every exchange 200-999 but 555 and N11 is a valid US number).
AREA_CODES = (
    201, 202, 203, 205, 206, 207, 208, 212, 213, 214, 215, 216, 217, 218, 219, 224, 225, 228, 229, 231, 234,
    239, 240, 248, 251, 252, 253, 254, 256, 260, 262, 267, 269, 270, 276, 281, 301, 302, 303, 304, 305, 307,
    308, 309, 310, 312, 313, 314, 315, 316, 317, 318, 319, 320, 321, 323, 325, 330, 334, 336, 337, 339, 347,
    351, 352, 360, 361, 386, 401, 402, 404, 405, 406, 407, 408, 409, 410, 412, 413, 414, 415, 417, 419, 423,
    424, 425, 430, 432, 434, 435, 440, 443, 469, 478, 479, 480, 484, 501, 502, 503, 504, 505, 507, 508, 509,
    510, 512, 513, 515, 516, 517, 518, 520, 530, 540, 541, 551, 559, 561, 562, 563, 567, 570, 571, 573, 574,
    575, 580, 585, 586, 601, 602, 603, 605, 606, 607, 608, 609, 610, 612, 614, 615, 616, 617, 618, 619, 620,
    623, 626, 630, 631, 636, 641, 646, 650, 651, 660, 661, 662, 678, 682, 701, 702, 703, 704, 706, 707, 708,
    712, 713, 714, 715, 716, 717, 718, 719, 720, 724, 727, 731, 732, 734, 740, 754, 757, 760, 763, 765, 770,
    772, 773, 774, 775, 781, 785, 786, 801, 802, 803, 804, 805, 806, 808, 810, 812, 813, 814, 815, 816, 817,
    818, 828, 830, 831, 832, 843, 845, 847, 848, 850, 856, 857, 858, 859, 860, 862, 863, 864, 865, 870, 901,
    903, 904, 906, 907, 908, 909, 910, 912, 913, 914, 915, 916, 917, 918, 919, 920, 925, 928, 931, 936, 937,
    940, 941, 947, 949, 951, 952, 954, 956, 970, 971, 972, 973, 978, 979, 980, 985, 989,
)
DOMAINS = ("example.com", "example.net", "example.org", "mail.example.com")
_MESSAGE_CHANNELS = (("email", 0.75), ("chat", 0.87), ("sms", 0.93), ("web_form", 0.98), ("fax", 1.01))
_HOUR_US = 3600 * 1_000_000
_SETTLED_AFTER_US = 12 * DAY_US
_PRIORITIES = ("low", "normal", "normal", "high")
_TICKET_CHANNELS = ("email", "phone", "chat", "web_form")


@dataclass
class Histories:
    """Makes customers one by one into a row buffer; counts what it made."""

    dice: Dice
    pools: Pools
    world: World
    phones_used: set[str] = field(default_factory=set)
    counts: dict[str, int] = field(default_factory=dict)
    order_number: int = 1_000_000
    terminals: list[str] = field(default_factory=list)  # client group ids of the terminals that opened cases
    cases_opened: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        # Demo tickets stand in for cases opened on six other terminals (see localstore.numbers).
        self.terminals = [self.dice.new_id() for _ in range(6)]
        self.cases_opened = [0] * len(self.terminals)

    def new_phone(self, british: bool = False) -> str:
        """A valid number no other demo customer has: US (never 555, which the tests keep for strangers), or
        for a British account a London one (020 7xxx xxxx), so its callers are told British numbers like 999."""
        r = self.dice.random
        while True:
            exchange = 200 + int(r() * 800)
            if exchange == 555 or exchange % 100 == 11:
                continue
            area = AREA_CODES[int(r() * len(AREA_CODES))]
            number = (f"+44207{exchange}{int(r() * 10000):04d}" if british
                      else f"+1{area}{exchange}{int(r() * 10000):04d}")
            if number not in self.phones_used:
                self.phones_used.add(number)
                return number

    def customer(
        self, rows: RowBuffer, index: int, account: DemoAccount, *, interactions: int,
        phone: str | None = None, name: str | None = None, hostile: int = 0, years: float | None = None,
    ) -> str:
        """One customer of `account` with `interactions` interactions and a proportional rest; its id."""
        dice, r, pools = self.dice, self.dice.random, self.pools
        customer_id = dice.new_id()
        language = "es" if r() < 0.12 else "fr" if r() < 0.03 else "en"
        first, last = (dice.pick(pools.first_es), dice.pick(pools.last_es)) if language == "es" else (
            dice.pick(pools.first), dice.pick(pools.last))
        name = name or f"{first} {last}"
        age_days = years * 365 if years is not None else 30 + r() * 1065
        created_us = self.world.base_us - int(age_days * DAY_US)
        created = dice.stamp(created_us)
        rows.add("customer", (customer_id, account.id, name, language, created, created))
        british = account.spec.phone_number.startswith("+44")
        phones = [phone or self.new_phone(british)]
        if r() < 0.3:
            phones.append(self.new_phone(british))
        for label, number in zip(("mobile", "home"), phones, strict=False):
            rows.add("customer_phone", (customer_id, account.id, number, label))
        if r() < 0.8:
            email = f"{ascii_word(first)}.{ascii_word(last)}{index}@{dice.pick(DOMAINS)}"
            rows.add("customer_email", (customer_id, account.id, email, "personal"))
            if r() < 0.1:
                work = f"{ascii_word(last)}{index}@work.example.com"
                rows.add("customer_email", (customer_id, account.id, work, "work"))
        span = max(1, self.world.base_us - _HOUR_US - created_us)
        self._interactions(rows, account, customer_id, phones[0], created_us, span, interactions, hostile)
        # Per ten interactions: about 0.3 comments, one order and 0.4 tickets.
        scale = interactions / 10
        self._comments(rows, account, customer_id, created_us, span, int(scale * 0.3 + r()), hostile)
        self._orders(rows, account, customer_id, created_us, span, int(scale * 0.8 + r() * 1.2))
        self._tickets(rows, account, customer_id, name, created_us, span, int(scale * 0.4 + r()))
        self.counts["customer"] = self.counts.get("customer", 0) + 1
        return customer_id

    def _interactions(self, rows: RowBuffer, account: DemoAccount, customer_id: str, phone: str,
                      created_us: int, span: int, count: int, hostile: int) -> None:
        r = self.dice.random
        calls = 0
        for n in range(count):
            at_us = created_us + int(r() * span)
            hostile_text = HOSTILE_TEXTS[n % len(HOSTILE_TEXTS)] if n < hostile else None
            pick = r()
            if pick < 0.55:
                calls += 1
                self._call(rows, account, customer_id, phone, at_us, hostile_text)
            else:
                channel = next(name for name, upto in _MESSAGE_CHANNELS if pick < upto)
                self._message(rows, account, customer_id, phone, at_us, channel, hostile_text)
        self.counts["interaction"] = self.counts.get("interaction", 0) + count
        self.counts["call"] = self.counts.get("call", 0) + calls

    def _call(self, rows: RowBuffer, account: DemoAccount, customer_id: str, phone: str, at_us: int,
              hostile_text: str | None) -> None:
        r, stamp, new_id = self.dice.random, self.dice.stamp, self.dice.new_id
        interaction_id, at = new_id(), stamp(at_us)
        price = account.spec.price_per_minute_cents
        ring_us = int((2 + r() * 14) * 1e6)
        if r() < 0.08:  # the caller hung up before anyone answered
            rows.add("interaction", (
                interaction_id, account.id, customer_id, None, "phone", "in", "ended", phone, None, None,
                at, None, stamp(at_us + ring_us), "missed", None, 0, price, 0, None, at,
            ))
            return
        agents, notes = account.agent_ids, self.pools.notes
        agent = agents[int(r() * len(agents))]
        talk = min(3600, 30 + int(-math.log(1.0 - r()) * 240))  # exponential, mean about 4 minutes
        answered_us = at_us + ring_us
        note = hostile_text or (notes[int(r() * len(notes))] if r() < 0.85 else "")
        outcome = CALL_OUTCOMES[int(r() * len(CALL_OUTCOMES))]
        # The cost as pricing.cost_cents computes it for whole seconds (half a cent rounds up).
        cost = (talk * price + 30) // 60
        rows.add("interaction", (
            interaction_id, account.id, customer_id, agent, "phone", "in" if r() < 0.85 else "out", "ended",
            phone, None, None, at, stamp(answered_us), stamp(answered_us + talk * 1_000_000), outcome, note,
            talk, price, cost, 10 + int(r() * 110), at,
        ))
        if r() < 0.15:
            for _ in range(1 + (r() < 0.2)):
                start_us = answered_us + int(r() * talk * 0.8e6)
                seconds = 10.0 if r() < 0.2 else round(2 + r() * 7.9, 3)  # a fifth reach the cap
                rows.add("hold_event", (
                    new_id(), account.id, interaction_id, stamp(start_us),
                    stamp(start_us + int(seconds * 1e6)), seconds, int(seconds >= 10.0),
                ))
                self.counts["hold"] = self.counts.get("hold", 0) + 1
        if r() < 0.3:
            uri = f"demo://recordings/{interaction_id}.ogg"
            rows.add("recording", (new_id(), account.id, interaction_id, talk, uri))
            self.counts["recording"] = self.counts.get("recording", 0) + 1

    def _message(self, rows: RowBuffer, account: DemoAccount, customer_id: str, phone: str, at_us: int,
                 channel: str, hostile_text: str | None) -> None:
        r, agents = self.dice.random, account.agent_ids
        at = self.dice.stamp(at_us)
        inbound = channel in ("web_form", "fax") or r() < 0.6
        # What the customer wrote in, or what the agent sent out, in the account's own words.
        paragraphs = TICKET_WORDS[account.spec.name]["customer" if inbound else "reply"]
        body = hostile_text or paragraphs[int(r() * len(paragraphs))]
        if channel == "email" and r() < 0.5:
            body += "\n\n" + paragraphs[int(r() * len(paragraphs))]
        subject = None
        if channel in ("email", "web_form"):
            subject = MESSAGE_SUBJECTS[int(r() * len(MESSAGE_SUBJECTS))]
        handled = 60 + int(r() * 540)  # messages are billed by handling time too
        price = account.spec.price_per_minute_cents
        rows.add("interaction", (
            self.dice.new_id(), account.id, customer_id, agents[int(r() * len(agents))], channel,
            "in" if inbound else "out", "ended", phone if channel == "sms" else None, subject, body, None,
            None, at, "answered" if inbound else "sent", None, handled, price, (handled * price + 30) // 60,
            None, at,
        ))

    def _comments(self, rows: RowBuffer, account: DemoAccount, customer_id: str, created_us: int, span: int,
                  count: int, hostile: int) -> None:
        dice, r = self.dice, self.dice.random
        for n in range(count + (1 if hostile else 0)):
            body = HOSTILE_TEXTS[0] if hostile and n == count else dice.pick(self.pools.notes)
            rows.add("comment", (dice.new_id(), account.id, customer_id, dice.pick(account.agent_ids), body,
                                 dice.stamp(created_us + int(r() * span))))
        self.counts["comment"] = self.counts.get("comment", 0) + count + (1 if hostile else 0)

    def _orders(self, rows: RowBuffer, account: DemoAccount, customer_id: str, created_us: int, span: int,
                count: int) -> None:
        dice, r, products = self.dice, self.dice.random, account.spec.products
        for _ in range(count):
            order_id = dice.new_id()
            self.order_number += 1
            total = 0
            for _ in range(1 + int(r() * 3)):
                product, unit = dice.pick(products)
                quantity = 1 + int(r() < 0.2)
                total += quantity * unit
                rows.add("order_line", (dice.new_id(), account.id, order_id, product, quantity, unit))
            rows.add("customer_order", (order_id, account.id, customer_id, f"ORD-{self.order_number}",
                                        dice.stamp(created_us + int(r() * span)), dice.pick(ORDER_STATUSES),
                                        total, int(r() < 0.1)))
        self.counts["order"] = self.counts.get("order", 0) + count

    def _tickets(self, rows: RowBuffer, account: DemoAccount, customer_id: str, customer_name: str,
                 created_us: int, span: int, count: int) -> None:
        dice, r, names = self.dice, self.dice.random, self.world.agent_names
        base_us = self.world.base_us
        said = TICKET_WORDS[account.spec.name]
        for _ in range(count):
            terminal = int(r() * len(self.terminals))
            self.cases_opened[terminal] += 1
            case = case_number(self.terminals[terminal], self.cases_opened[terminal])
            ticket_id = dice.new_id()
            opened_us = created_us + int(r() * span)
            kind = dice.pick(TICKET_KINDS)
            last_us = opened_us
            for n in range(1 + int(r() * 4)):
                last_us += int(r() * 2 * DAY_US)
                message_kind = "customer" if n == 0 else dice.pick(("reply", "note", "customer"))
                author = customer_name if message_kind == "customer" else names[dice.pick(account.agent_ids)]
                body, at = dice.pick(said[message_kind]), dice.stamp(min(last_us, base_us - 1))
                message = (dice.new_id(), account.id, ticket_id, message_kind, author, body, at)
                rows.add("ticket_message", message)
            priority, channel = dice.pick(_PRIORITIES), dice.pick(_TICKET_CHANNELS)
            subject, status = dice.pick(TICKET_SUBJECTS[kind]), dice.pick(TICKET_STATUSES)
            if opened_us < base_us - _SETTLED_AFTER_US and status not in ("resolved", "closed"):
                # A case left open for months would make every inbox row overdue: old cases were settled.
                status = "closed"
            rows.add("ticket", (
                ticket_id, account.id, customer_id, case, subject, status, priority, kind, channel,
                dice.stamp(opened_us), dice.stamp(min(last_us, base_us - 1)),
            ))
        self.counts["ticket"] = self.counts.get("ticket", 0) + count
