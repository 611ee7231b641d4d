"""Customer mutations: a new customer, a changed field (with a conflict note), a comment on the history."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from typing import Any

from agentdesk.domain import phones
from agentdesk.mutations.arguments import MAX_NAME_CHARS, Args
from agentdesk.mutations.shared import must_exist


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
    must_exist(conn, a, "account", "account_id", account_id)
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


def add_comment(conn: sqlite3.Connection, args: Mapping[str, Any]) -> None:
    """An agent's comment on a customer's history."""
    a = Args("comment.add@1", args, allowed={
        "comment_id", "account_id", "customer_id", "agent_id", "body", "created_at"})
    row = (a.id("comment_id"), a.id("account_id"), a.id("customer_id"), a.optional_id("agent_id"),
           a.text("body", blank=False), a.time("created_at"))
    must_exist(conn, a, "customer", "customer_id", row[2])
    conn.execute(
        "INSERT INTO comment (id, account_id, customer_id, agent_id, body, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        row,
    )
