"""Client mutators: every change the workstation makes, by name and version.

A mutator is `fn(conn, args) -> None`. It runs inside the store's write transaction (`Store.mutate` begins,
numbers, queues and commits), checks its arguments before it writes anything, and raises `StoreError` to
refuse. It must be deterministic given the store and `args` (ids and times come in `args`), because sync
replays it after a pull. A changed meaning gets a new version (`call.end@2`); old versions stay registered
as long as outboxes may hold them.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from agentdesk.domain import phones
from agentdesk.localstore.errors import UnknownMutation
from sync.arguments import MAX_NAME_CHARS, Args

Mutator = Callable[[sqlite3.Connection, Mapping[str, Any]], None]


@dataclass(frozen=True, slots=True)
class Registered:
    """A mutator with its name and version; `uses_region` when raw phone numbers need a default region."""

    name: str
    version: int
    apply: Mutator
    uses_region: bool = False


_REGISTRY: dict[tuple[str, int], Registered] = {}


def mutator(name: str, version: int, *, uses_region: bool = False) -> Callable[[Mutator], Mutator]:
    """Register `fn` as mutation `name@version`."""

    def register(fn: Mutator) -> Mutator:
        if (name, version) in _REGISTRY:
            raise ValueError(f"{name}@{version} is registered twice")
        _REGISTRY[(name, version)] = Registered(name, version, fn, uses_region)
        return fn

    return register


def unregister(name: str, version: int) -> None:
    """Forget `name@version` (tests register throw-away mutators)."""
    _REGISTRY.pop((name, version), None)


def resolve(full_name: str) -> Registered:
    """The mutator for `"<name>@<version>"`; `UnknownMutation` when there is none."""
    name, _, version = str(full_name).rpartition("@")
    found = _REGISTRY.get((name, int(version))) if name and version.isdigit() else None
    if found is None:
        raise UnknownMutation(
            f"This AgentDesk does not know the change {str(full_name)[:80]!r}; nothing was saved. "
            "Update AgentDesk if this keeps happening."
        )
    return found


def registered() -> list[str]:
    """Every registered `name@version`, sorted."""
    return sorted(f"{name}@{version}" for name, version in _REGISTRY)


def _must_exist(conn: sqlite3.Connection, a: Args, table: str, key: str, value: str | None) -> None:
    if value is not None and conn.execute(f"SELECT 1 FROM {table} WHERE id = ?", (value,)).fetchone() is None:
        a.fail(f"there is no {table.replace('_', ' ')} {value[:40]} ({key}) in the local store")


def _update_one(
    conn: sqlite3.Connection, a: Args, sql: str, params: tuple[object, ...], missing: str
) -> None:
    if conn.execute(sql, params).rowcount != 1:
        a.fail(missing)


# -- customers and comments -------------------------------------------------------------------------------


@mutator("customer.create", 1, uses_region=True)
def create_customer(conn: sqlite3.Connection, args: Mapping[str, Any]) -> None:
    """A new customer with an optional phone (any spelling; stored E.164) and e-mail (stored lower-case)."""
    a = Args("customer.create@1", args, allowed={
        "customer_id", "account_id", "name", "phone", "email", "language", "created_at", "region"})
    customer_id, account_id = a.id("customer_id"), a.id("account_id")
    name = a.text("name", MAX_NAME_CHARS, blank=False)
    raw_phone = a.optional_text("phone", phones.MAX_INPUT_CHARS)
    email = a.optional_text("email", 254)
    language = a.text("language", 35, optional=True) or "en"
    created_at = a.time("created_at")
    region = a.text("region", 2, optional=True) or "US"
    e164 = phones.normalize(raw_phone, region) if raw_phone else None
    if raw_phone and e164 is None:
        a.fail(f"{raw_phone[:40]!r} is not a valid phone number")
    if email is not None:
        email = email.strip().lower()
        if "@" not in email or any(ch.isspace() for ch in email):
            a.fail(f"{email[:60]!r} is not an e-mail address")
    _must_exist(conn, a, "account", "account_id", account_id)
    conn.execute(
        "INSERT INTO customer (id, account_id, name, language, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (customer_id, account_id, name, language, created_at, created_at),
    )
    if e164:
        conn.execute("INSERT INTO customer_phone (customer_id, account_id, e164) VALUES (?, ?, ?)",
                     (customer_id, account_id, e164))
    if email:
        conn.execute("INSERT INTO customer_email (customer_id, account_id, email) VALUES (?, ?, ?)",
                     (customer_id, account_id, email))


CUSTOMER_FIELDS = {"name": MAX_NAME_CHARS, "language": 35}


@mutator("customer.update", 1)
def update_customer(conn: sqlite3.Connection, args: Mapping[str, Any]) -> None:
    """One field of a customer changes from `base` (what the agent saw) to `value`. When the store holds
    something else than `base` (another agent changed it meanwhile), the change still wins, in arrival order,
    and a conflict note keeps the overwritten value for review."""
    a = Args("customer.update@1", args, allowed={
        "customer_id", "field", "base", "value", "agent_id", "changed_at", "note_id"})
    customer_id, field = a.id("customer_id"), a.choice("field", set(CUSTOMER_FIELDS))
    value = a.text("value", CUSTOMER_FIELDS[field], blank=False)
    base = a.optional_text("base", CUSTOMER_FIELDS[field])
    agent_id, changed_at, note_id = a.optional_id("agent_id"), a.time("changed_at"), a.id("note_id")
    row = conn.execute(f"SELECT account_id, {field} FROM customer WHERE id = ?", (customer_id,)).fetchone()
    if row is None:
        a.fail(f"there is no customer {customer_id[:40]} in the local store")
    account_id, current = row
    if current != base:
        conn.execute(
            "INSERT INTO conflict_note (id, account_id, customer_id, field, base_value, overwritten_value, new_value,"
            " changed_by, changed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (note_id, account_id, customer_id, field, base, current, value, agent_id, changed_at),
        )
    conn.execute(f"UPDATE customer SET {field} = ?, updated_at = ? WHERE id = ?", (value, changed_at, customer_id))


@mutator("comment.add", 1)
def add_comment(conn: sqlite3.Connection, args: Mapping[str, Any]) -> None:
    """An agent's comment on a customer's history."""
    a = Args("comment.add@1", args, allowed={
        "comment_id", "account_id", "customer_id", "agent_id", "body", "created_at"})
    row = (a.id("comment_id"), a.id("account_id"), a.id("customer_id"), a.optional_id("agent_id"),
           a.text("body", blank=False), a.time("created_at"))
    _must_exist(conn, a, "customer", "customer_id", row[2])
    conn.execute(
        "INSERT INTO comment (id, account_id, customer_id, agent_id, body, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        row,
    )


# -- the life of a call ----------------------------------------------------------------------------------


@mutator("call.ring", 1)
def ring(conn: sqlite3.Connection, args: Mapping[str, Any]) -> None:
    """A call rings on this terminal: the interaction is saved at once, with the caller ID as delivered."""
    a = Args("call.ring@1", args, allowed={
        "interaction_id", "account_id", "customer_id", "caller_number", "ringing_at", "agent_id"})
    interaction_id, account_id = a.id("interaction_id"), a.id("account_id")
    customer_id, agent_id = a.optional_id("customer_id"), a.optional_id("agent_id")
    caller, ringing_at = a.text("caller_number", 64, optional=True), a.time("ringing_at")
    _must_exist(conn, a, "account", "account_id", account_id)
    _must_exist(conn, a, "customer", "customer_id", customer_id)
    conn.execute(
        "INSERT INTO interaction (id, account_id, customer_id, agent_id, channel, direction, state,"
        " caller_number, ringing_at, at) VALUES (?, ?, ?, ?, 'phone', 'in', 'ringing', ?, ?, ?)",
        (interaction_id, account_id, customer_id, agent_id, caller, ringing_at, ringing_at),
    )


@mutator("call.link_customer", 1)
def link_customer(conn: sqlite3.Connection, args: Mapping[str, Any]) -> None:
    """The caller turned out to be (or was just added as) this customer."""
    a = Args("call.link_customer@1", args, allowed={"interaction_id", "customer_id"})
    interaction_id, customer_id = a.id("interaction_id"), a.id("customer_id")
    _must_exist(conn, a, "customer", "customer_id", customer_id)
    _update_one(conn, a, "UPDATE interaction SET customer_id = ? WHERE id = ?", (customer_id, interaction_id),
                f"there is no call {interaction_id[:40]} in the local store")


@mutator("call.answer", 1)
def answer(conn: sqlite3.Connection, args: Mapping[str, Any]) -> None:
    """The agent answers a ringing call."""
    a = Args("call.answer@1", args, allowed={"interaction_id", "answered_at", "agent_id"})
    interaction_id, answered_at, agent_id = a.id("interaction_id"), a.time("answered_at"), a.id("agent_id")
    _update_one(
        conn, a,
        "UPDATE interaction SET state = 'answered', answered_at = ?, agent_id = ?"
        " WHERE id = ? AND state = 'ringing'",
        (answered_at, agent_id, interaction_id),
        f"there is no ringing call {interaction_id[:40]} to answer",
    )


@mutator("call.hold", 1)
def hold(conn: sqlite3.Connection, args: Mapping[str, Any]) -> None:
    """The caller is put on hold (the cap's countdown starts on the screen)."""
    a = Args("call.hold@1", args, allowed={"hold_id", "interaction_id", "account_id", "started_at"})
    row = (a.id("hold_id"), a.id("account_id"), a.id("interaction_id"), a.time("started_at"))
    _must_exist(conn, a, "interaction", "interaction_id", row[2])
    conn.execute(
        "INSERT INTO hold_event (id, account_id, interaction_id, started_at) VALUES (?, ?, ?, ?)", row
    )


@mutator("call.resume", 1)
def resume(conn: sqlite3.Connection, args: Mapping[str, Any]) -> None:
    """The caller is taken off hold, by the agent or by the cap (`hit_cap`)."""
    a = Args("call.resume@1", args, allowed={"hold_id", "ended_at", "seconds", "hit_cap"})
    hold_id, ended_at = a.id("hold_id"), a.time("ended_at")
    seconds, hit_cap = a.number("seconds", 0.0, 86_400.0), a.flag("hit_cap")
    _update_one(
        conn, a,
        "UPDATE hold_event SET ended_at = ?, seconds = ?, hit_cap = ? WHERE id = ? AND ended_at IS NULL",
        (ended_at, seconds, hit_cap, hold_id),
        f"there is no open hold {hold_id[:40]}",
    )


@mutator("call.end", 1)
def end(conn: sqlite3.Connection, args: Mapping[str, Any]) -> None:
    """The call ends, with its billing; a call never answered is missed."""
    a = Args("call.end@1", args, allowed={
        "interaction_id", "ended_at", "billable_seconds", "price_per_minute_cents", "cost_cents", "outcome"})
    interaction_id, ended_at = a.id("interaction_id"), a.time("ended_at")
    billable = a.integer("billable_seconds", 0, 10**7)
    price, cost = a.integer("price_per_minute_cents", 0, 10**6), a.integer("cost_cents", 0, 10**12)
    outcome = a.optional_text("outcome", MAX_NAME_CHARS)
    _update_one(
        conn, a,
        "UPDATE interaction SET state = 'ended', ended_at = ?, billable_seconds = ?,"
        " price_per_minute_cents = ?, cost_cents = ?,"
        " outcome = coalesce(?, CASE WHEN answered_at IS NULL THEN 'missed' END, outcome)"
        " WHERE id = ? AND state != 'ended'",
        (ended_at, billable, price, cost, outcome, interaction_id),
        f"there is no call {interaction_id[:40]} still going on",
    )


@mutator("call.wrap_up", 1)
def wrap_up(conn: sqlite3.Connection, args: Mapping[str, Any]) -> None:
    """After-call work: the outcome and the notes (evidence, stored as typed)."""
    a = Args("call.wrap_up@1", args, allowed={"interaction_id", "outcome", "notes", "wrap_up_seconds"})
    interaction_id = a.id("interaction_id")
    outcome, notes = a.text("outcome", MAX_NAME_CHARS, blank=False), a.text("notes", optional=True)
    seconds = a.integer("wrap_up_seconds", 0, 10**7)
    _update_one(
        conn, a,
        "UPDATE interaction SET outcome = ?, notes = ?, wrap_up_seconds = ? WHERE id = ? AND state = 'ended'",
        (outcome, notes, seconds, interaction_id),
        f"there is no ended call {interaction_id[:40]} to wrap up",
    )


# -- FAQ and escalation ----------------------------------------------------------------------------------


@mutator("faq.use", 1)
def use_faq(conn: sqlite3.Connection, args: Mapping[str, Any]) -> None:
    """An FAQ answer was opened (during a call, when `interaction_id` is set)."""
    a = Args("faq.use@1", args, allowed={
        "use_id", "account_id", "faq_id", "interaction_id", "agent_id", "used_at"})
    use_id, account_id, faq_id = a.id("use_id"), a.optional_id("account_id"), a.id("faq_id")
    interaction_id, agent_id, used_at = a.optional_id("interaction_id"), a.id("agent_id"), a.time("used_at")
    article = conn.execute("SELECT account_id FROM faq_article WHERE id = ?", (faq_id,)).fetchone()
    if article is None:
        a.fail(f"there is no FAQ article {faq_id[:40]} in the local store")
    conn.execute(
        "INSERT INTO faq_use (id, account_id, faq_id, interaction_id, agent_id, used_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        # Outside a call the use belongs to the article's account (NULL for a global article).
        (use_id, account_id or article[0], faq_id, interaction_id, agent_id, used_at),
    )


@mutator("call.escalate", 1)
def escalate(conn: sqlite3.Connection, args: Mapping[str, Any]) -> None:
    """No FAQ answered: a follow-up task for a senior agent or the supervisor, due by `due_at`."""
    a = Args("call.escalate@1", args, allowed={
        "task_id", "account_id", "customer_id", "interaction_id", "level", "note", "due_at", "created_at",
        "agent_id"})
    row = (
        a.id("task_id"), a.id("account_id"), a.optional_id("customer_id"), a.optional_id("interaction_id"),
        a.choice("level", {"senior", "supervisor"}), a.time("due_at"), a.text("note", optional=True),
        a.time("created_at"), a.optional_id("agent_id"),
    )
    conn.execute(
        "INSERT INTO task (id, account_id, customer_id, interaction_id, kind, level, due_at, note, status,"
        " created_at, created_by) VALUES (?, ?, ?, ?, 'follow_up', ?, ?, ?, 'open', ?, ?)",
        row,
    )


# The ticket and appointment mutators register themselves in the same registry (they import from this module).
import sync.mutators_appointments  # noqa: E402, F401
import sync.mutators_tickets  # noqa: E402, F401
