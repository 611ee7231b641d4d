"""Finding customers by phone (any spelling), e-mail, order number, case number or name; the customer card."""

from __future__ import annotations

import re
import sqlite3

from agentdesk.domain import phones
from agentdesk.errors import NotFound
from agentdesk.localstore.numbers import CASE_QUERY, ORDER_QUERY
from agentdesk.localstore.stamps import moment
from agentdesk.records import Customer, CustomerMatch

MAX_QUERY_CHARS = 200
"""Longer input is cut: nobody types more, and it bounds the work a pasted text can cause."""

MAX_WORDS = 8
_WORD = re.compile(r"\w+")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def clean_query(text: str) -> str:
    """`text` cut to MAX_QUERY_CHARS, without lone surrogates (which SQLite cannot take as UTF-8)."""
    return _SURROGATE.sub("\ufffd", text[:MAX_QUERY_CHARS])

_MATCH_COLUMNS = """
    c.id, c.account_id, a.name, c.name,
    (SELECT e164 FROM customer_phone WHERE customer_id = c.id ORDER BY rowid LIMIT 1),
    (SELECT email FROM customer_email WHERE customer_id = c.id ORDER BY rowid LIMIT 1)
"""


def prefix_query(text: str) -> str | None:
    """An FTS5 query in which every word of `text` is a quoted prefix (`ann smi` → `"ann"* "smi"*`).

    Only letters and digits get through, each word quoted, so FTS syntax in what people type (quotes, `*`,
    `AND`, `NEAR`, brackets) is searched for as words and never parsed. None when no word is left.
    """
    words = _WORD.findall(text)[:MAX_WORDS]
    return " ".join(f'"{word}"*' for word in words) or None


def find_customers(conn: sqlite3.Connection, query: str, limit: int, region: str) -> list[CustomerMatch]:
    """Customers matching `query`, classified as phone, e-mail, order number, case number or name words."""
    text = clean_query(query).strip()
    limit = max(1, min(limit, 200))
    if not text:
        return []
    if phones.looks_like_phone(text):
        e164 = phones.normalize(text, region)
        if e164 is None:
            return []
        return _exact(conn, "customer_phone", "e164", e164, limit, "phone")
    if "@" in text:
        return _exact(conn, "customer_email", "email", text.lower(), limit, "email")
    if ORDER_QUERY.match(text):
        return _exact(conn, "customer_order", "number", text.upper(), limit, "order")
    if CASE_QUERY.match(text):
        return _exact(conn, "ticket", "case_number", text.upper(), limit, "case")
    fts = prefix_query(text)
    if fts is None:
        return []
    rows = conn.execute(
        f"SELECT {_MATCH_COLUMNS} FROM customer_fts f JOIN customer c ON c.rowid = f.rowid"
        " JOIN account a ON a.id = c.account_id WHERE customer_fts MATCH ? ORDER BY f.rank, c.name LIMIT ?",
        (fts, limit),
    ).fetchall()
    return [CustomerMatch(*row, matched_on="name") for row in rows]


def _exact(
    conn: sqlite3.Connection, table: str, column: str, value: str, limit: int, on: str
) -> list[CustomerMatch]:
    """Customers with a row in `table` whose `column` is `value` (each lookup column has its index)."""
    rows = conn.execute(
        f"SELECT {_MATCH_COLUMNS} FROM customer c JOIN account a ON a.id = c.account_id"
        f" WHERE c.id IN (SELECT customer_id FROM {table} WHERE {column} = ?) ORDER BY c.name, c.id LIMIT ?",
        (value, limit),
    ).fetchall()
    # Show the number or address that matched, not just the customer's first one.
    shown = {"phone": 4, "email": 5}.get(on)
    matches = []
    for row in rows:
        values = list(row)
        if shown is not None:
            values[shown] = value
        matches.append(CustomerMatch(*values, matched_on=on))
    return matches


def customer_for_caller(
    conn: sqlite3.Connection, caller_raw: str, account_id: str | None, region: str
) -> Customer | None:
    """The customer whose phone is `caller_raw` (screen pop), preferring one of the called account."""
    if not caller_raw or len(caller_raw) > phones.MAX_INPUT_CHARS:
        return None
    # A number phonenumbers cannot vouch for may still be on file as delivered (an odd international one).
    e164 = phones.normalize(caller_raw, region) or clean_query(caller_raw)
    if not e164.startswith("+"):
        return None
    row = conn.execute(
        "SELECT p.customer_id FROM customer_phone p JOIN customer c ON c.id = p.customer_id WHERE p.e164 = ?"
        " ORDER BY p.account_id IS NOT ? , c.created_at, c.id LIMIT 1",
        (e164, account_id),
    ).fetchone()
    return customer(conn, row[0]) if row else None


def customer(conn: sqlite3.Connection, customer_id: str) -> Customer:
    """The customer card: phones, e-mails, how many interactions and open tickets."""
    row = conn.execute(
        "SELECT c.id, c.account_id, a.name, c.name, c.language, c.created_at FROM customer c"
        " JOIN account a ON a.id = c.account_id WHERE c.id = ?",
        (customer_id,),
    ).fetchone()
    if row is None:
        raise NotFound(f"There is no customer {customer_id[:40]} in the local store; it may not be synced.")
    key = (row[0],)
    phone_rows = conn.execute("SELECT e164 FROM customer_phone WHERE customer_id = ? ORDER BY rowid", key)
    email_rows = conn.execute("SELECT email FROM customer_email WHERE customer_id = ? ORDER BY rowid", key)
    interactions = conn.execute("SELECT count(*) FROM interaction WHERE customer_id = ?", key).fetchone()[0]
    open_tickets = conn.execute(
        "SELECT count(*) FROM ticket WHERE customer_id = ? AND status NOT IN ('resolved', 'closed')", key
    ).fetchone()[0]
    return Customer(
        id=row[0], account_id=row[1], account_name=row[2], name=row[3],
        phones=tuple(r[0] for r in phone_rows), emails=tuple(r[0] for r in email_rows),
        language=row[4], created_at=moment(row[5]), interaction_count=interactions, open_tickets=open_tickets,
    )
