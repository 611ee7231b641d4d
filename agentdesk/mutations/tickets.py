"""Ticket mutators: open a case, add a message, move it through its life, consent, assign, save the sale.

Listed in `agentdesk.mutations.registry`. Like every mutation they run in the store's write transaction on the
terminal, and on the backend's connection when pushed, so the SQL is plain and portable, ids and times come in
the arguments, and the rules are `agentdesk.domain.tickets`'s.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from agentdesk.clock import iso, parse_iso
from agentdesk.domain import pricing
from agentdesk.domain import tickets as rules
from agentdesk.domain.ticket_outcomes import CLOCK_SKEW, check_decision_time, needs_outcome
from agentdesk.localstore.numbers import CASE_PREFIX, CROCKFORD
from agentdesk.mutations.arguments import MAX_NAME_CHARS, MAX_TEXT_CHARS, Args
from agentdesk.mutations.shared import must_exist

NOTHING_DUE = "9999-12-31T23:59:59.999999Z"
MAX_CUSTOMER_CHARS = 16_000_000
"""A customer's e-mail is evidence and kept whole up to this size (the ticket screen pages it)."""
_SLA = rules.TicketSla()


def _ticket(conn: sqlite3.Connection, a: Args, ticket_id: str, columns: str) -> tuple[Any, ...]:
    row = conn.execute(f"SELECT {columns} FROM ticket WHERE id = ?", (ticket_id,)).fetchone()
    if row is None:
        a.fail(f"there is no ticket {ticket_id[:40]} in the local store")
    return tuple(row)


def _refuse(a: Args, error: rules.MoveRefused) -> None:
    a.fail(str(error).rstrip("."))


def _due(awaiting_since: str | None) -> str:
    return iso(_SLA.due(parse_iso(awaiting_since))) if awaiting_since else NOTHING_DUE


def refund_window_at_arrival(placed_at: str, arrived_at: str, zone: str) -> rules.RefundWindow:
    """The order's refund window judged when the request arrived (the ticket's opening), not when it is answered:
    a request made on day 59 stays inside however long it waited."""
    return rules.refund_window(parse_iso(placed_at), parse_iso(arrived_at), zone)


def backend_now(conn: sqlite3.Connection) -> datetime | None:
    """The backend's own time when the mutation runs there (its word on time is final); None on a terminal."""
    return datetime.now(UTC) if getattr(conn, "authoritative", False) else None


def _case_number(a: Args) -> str:
    number = a.text("case_number", 40, blank=False)
    parts = number.split("-")
    if not number.startswith(CASE_PREFIX) or len(parts) != 3 or not all(
        part and all(ch in CROCKFORD for ch in part) for part in parts[1:]
    ):
        a.fail(f"{number[:40]!r} is not a case number like CS-7KQ2M-00Z")
    return number


def _insert_message(
    conn: sqlite3.Connection, *, message_id: str, account_id: str, ticket_id: str, kind: str, author: str,
    body: str, at: str, agent_id: str | None,
) -> None:
    conn.execute(
        "INSERT INTO ticket_message (id, account_id, ticket_id, kind, author, body, created_at, delivery, agent_id)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (message_id, account_id, ticket_id, kind, author, body, at, "queued" if kind == "reply" else None, agent_id),
    )


def open_ticket(conn: sqlite3.Connection, args: Mapping[str, Any]) -> None:
    """A new case with its number (made on this terminal); from a call, with the confirmation to the customer
    queued as a reply in the same transaction."""
    a = Args("ticket.open@1", args, allowed={
        "ticket_id", "account_id", "customer_id", "case_number", "subject", "kind", "channel", "priority",
        "status", "opened_at", "assignee_id", "order_id", "agent_id", "author", "first_message_id",
        "first_message", "confirmation_id", "confirmation"})
    ticket_id, account_id, customer_id = a.id("ticket_id"), a.id("account_id"), a.id("customer_id")
    number, subject = _case_number(a), a.text("subject", MAX_NAME_CHARS, blank=False)
    kind, channel = a.choice("kind", rules.KINDS), a.choice("channel", rules.CHANNELS)
    priority = a.choice("priority", rules.PRIORITIES, optional=True) or "normal"
    status = a.choice("status", {"new", "open"}, optional=True) or "new"
    opened_at, assignee_id, order_id = a.time("opened_at"), a.optional_id("assignee_id"), a.optional_id("order_id")
    agent_id, author = a.optional_id("agent_id"), a.text("author", MAX_NAME_CHARS, optional=True)
    first_id, first = a.optional_id("first_message_id"), a.optional_text("first_message")
    confirmation_id, confirmation = a.optional_id("confirmation_id"), a.optional_text("confirmation")
    if (first_id is None) != (first is None) or (confirmation_id is None) != (confirmation is None):
        a.fail("a message needs both its id and its text")
    backend = backend_now(conn)
    if backend is not None and parse_iso(opened_at) > backend + CLOCK_SKEW:
        # The request's arrival decides the refund window: a terminal clock ahead must not move it.
        a.fail("the case is dated ahead of the backend's clock: this terminal's clock is ahead; set it right")
    customer = conn.execute("SELECT account_id FROM customer WHERE id = ?", (customer_id,)).fetchone()
    if customer is None:
        a.fail(f"there is no customer {customer_id[:40]} (customer_id) in the local store")
    if customer[0] != account_id:
        a.fail("the customer belongs to another account")
    must_exist(conn, a, "agent", "assignee_id", assignee_id)
    if order_id is not None:
        order = conn.execute("SELECT customer_id FROM customer_order WHERE id = ?", (order_id,)).fetchone()
        if order is None or order[0] != customer_id:
            a.fail("the order is not one of this customer's")
    # A case opened by e-mail or web form starts with the customer's message: the SLA clock runs from it.
    awaiting = opened_at if first is not None and channel != "phone" else None
    conn.execute(
        "INSERT INTO ticket (id, account_id, customer_id, case_number, subject, status, priority, kind, channel,"
        " created_at, updated_at, assignee_id, order_id, awaiting_since, response_due_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (ticket_id, account_id, customer_id, number, subject, status, priority, kind, channel, opened_at,
         opened_at, assignee_id, order_id, awaiting, _due(awaiting)),
    )
    if first_id is not None and first is not None:
        # From a call the first message is the agent's note of what was said; otherwise the customer's words.
        message_kind = "note" if channel == "phone" else "customer"
        _insert_message(conn, message_id=first_id, account_id=account_id, ticket_id=ticket_id, kind=message_kind,
                        author=author or "customer", body=first, at=opened_at, agent_id=agent_id)
    if confirmation_id is not None and confirmation is not None:
        # A microsecond later, so the thread reads note then confirmation, whatever the ids.
        confirmed_at = iso(parse_iso(opened_at) + timedelta(microseconds=1))
        _insert_message(conn, message_id=confirmation_id, account_id=account_id, ticket_id=ticket_id, kind="reply",
                        author=author or "", body=confirmation, at=confirmed_at, agent_id=agent_id)
        conn.execute("UPDATE ticket SET first_response_at = ? WHERE id = ?", (opened_at, ticket_id))


_MESSAGE_ARGS = frozenset({"message_id", "ticket_id", "kind", "author", "body", "created_at", "agent_id"})
MAX_HANDLED_SECONDS = 8 * 3600
"""A reply's handling time is capped at a working day: a ticket left open overnight is not a night's work."""
WRITTEN = ("email", "chat", "sms", "web_form", "fax")


def add_message(conn: sqlite3.Connection, args: Mapping[str, Any]) -> None:
    """A reply (queued for delivery to the customer), an internal note (never sent), or a customer's message."""
    _add_message(conn, Args("ticket.add_message@1", args, allowed=_MESSAGE_ARGS))


def add_message_billed(conn: sqlite3.Connection, args: Mapping[str, Any]) -> None:
    """`ticket.add_message@1`, and a reply also records what answering cost: an outgoing interaction on the
    ticket's written channel (e-mail for a ticket opened on a call) billed the agent's handling time, from opening
    the ticket to sending (`handled_seconds`), at the account's price per minute."""
    a = Args("ticket.add_message@2", args, allowed=_MESSAGE_ARGS | {"interaction_id", "handled_seconds"})
    interaction_id = a.optional_id("interaction_id")
    handled = a.integer("handled_seconds", 0, MAX_HANDLED_SECONDS) if "handled_seconds" in args else None
    kind = _add_message(conn, a)
    if kind != "reply" or interaction_id is None or handled is None:
        return
    ticket_id, at = str(args["ticket_id"]), str(args["created_at"])
    account_id, customer_id, channel, case, subject, price = conn.execute(
        "SELECT t.account_id, t.customer_id, t.channel, t.case_number, t.subject, a.price_per_minute_cents"
        " FROM ticket t JOIN account a ON a.id = t.account_id WHERE t.id = ?", (ticket_id,)).fetchone()
    conn.execute(
        "INSERT INTO interaction (id, account_id, customer_id, agent_id, channel, direction, state, subject, at,"
        " ended_at, outcome, billable_seconds, price_per_minute_cents, cost_cents)"
        " VALUES (?, ?, ?, ?, ?, 'out', 'ended', ?, ?, ?, 'answered', ?, ?, ?)",
        (interaction_id, account_id, customer_id, args.get("agent_id"), channel if channel in WRITTEN else "email",
         f"{case} {subject}"[:MAX_NAME_CHARS], at, at, handled, price, pricing.cost_cents(handled, price or 0)),
    )


def _add_message(conn: sqlite3.Connection, a: Args) -> str:
    """The message of `add_message` (either version); its kind."""
    message_id, ticket_id = a.id("message_id"), a.id("ticket_id")
    kind = str(a.choice("kind", {"customer", "reply", "note"}))
    limit = MAX_CUSTOMER_CHARS if kind == "customer" else MAX_TEXT_CHARS
    author, body = a.text("author", MAX_NAME_CHARS, blank=False), a.text("body", limit, blank=False)
    at, agent_id = a.time("created_at"), a.optional_id("agent_id")
    account_id, status, awaiting, first_response = _ticket(
        conn, a, ticket_id, "account_id, status, awaiting_since, first_response_at")
    try:
        rules.check_message(status, kind)
    except rules.MoveRefused as error:
        _refuse(a, error)
    _insert_message(conn, message_id=message_id, account_id=account_id, ticket_id=ticket_id, kind=kind,
                    author=author, body=body, at=at, agent_id=agent_id)
    if kind == "reply":
        status, awaiting, first_response = rules.status_after_reply(status).value, None, first_response or at
    elif kind == "customer":
        if status == "resolved":
            # The customer wrote again: the permission and the resolution they were for are undone.
            conn.execute("UPDATE ticket SET resolved_at = NULL, consent_how = NULL, consent_at = NULL,"
                         " consent_by = NULL, review_requested = ? WHERE id = ?", (False, ticket_id))
            awaiting = None  # what was owed before the resolution was settled by it: the clock starts now
        status, awaiting = rules.status_after_customer_message(status).value, awaiting or at
    conn.execute(
        "UPDATE ticket SET status = ?, awaiting_since = ?, response_due_at = ?, first_response_at = ?,"
        " updated_at = ? WHERE id = ?",
        (status, awaiting, _due(awaiting), first_response, at, ticket_id),
    )
    return kind


def mark_delivered(conn: sqlite3.Connection, args: Mapping[str, Any]) -> None:
    """The mail relay delivered a reply (or gave up: `failed`)."""
    a = Args("ticket.mark_delivered@1", args, allowed={"message_id", "delivery"})
    message_id, delivery = a.id("message_id"), a.choice("delivery", {"delivered", "failed"})
    if conn.execute("UPDATE ticket_message SET delivery = ? WHERE id = ? AND kind = 'reply'",
                    (delivery, message_id)).rowcount != 1:
        a.fail(f"there is no reply {message_id[:40]}")


def record_consent(conn: sqlite3.Connection, args: Mapping[str, Any]) -> None:
    """The customer gave permission to resolve: how (on a call, in writing) and when."""
    a = Args("ticket.record_consent@1", args, allowed={"ticket_id", "how", "given_at", "agent_id", "recorded_at"})
    ticket_id, how = a.id("ticket_id"), str(a.choice("how", {"call", "writing"}))
    given_at, agent_id, recorded_at = a.time("given_at"), a.id("agent_id"), a.time("recorded_at")
    status, created_at, channel, customer_id = _ticket(conn, a, ticket_id, "status, created_at, channel, customer_id")
    if status in ("resolved", "closed"):
        a.fail(f"the ticket is already {status}")
    try:
        rules.check_move(status, "resolved", consent=rules.Consent(rules.ConsentHow(how), parse_iso(given_at)),
                         opened_at=parse_iso(created_at), now=parse_iso(recorded_at))
    except rules.MoveRefused as error:
        _refuse(a, error)
    if how == "call" and channel != "phone" and conn.execute(
            "SELECT 1 FROM interaction WHERE customer_id = ? AND channel = 'phone' AND answered_at IS NOT NULL"
            " AND answered_at >= ? AND answered_at <= ? LIMIT 1", (customer_id, created_at, given_at)).fetchone() is None:
        a.fail("no call with this customer since the ticket opened: a consent on a call needs that call; "
               "record a written consent instead")
    conn.execute("UPDATE ticket SET consent_how = ?, consent_at = ?, consent_by = ?, updated_at = ? WHERE id = ?",
                 (how, given_at, agent_id, recorded_at, ticket_id))


def set_status(conn: sqlite3.Connection, args: Mapping[str, Any]) -> None:
    """Move the ticket through its life; resolving needs the consent recorded first."""
    a = Args("ticket.set_status@1", args, allowed={"ticket_id", "status", "changed_at", "agent_id"})
    ticket_id, target = a.id("ticket_id"), a.text("status", 20, blank=False)
    changed_at, _agent = a.time("changed_at"), a.optional_id("agent_id")
    status, created_at, how, given, kind, outcome = _ticket(
        conn, a, ticket_id, "status, created_at, consent_how, consent_at, kind, save_outcome")
    consent = rules.Consent(rules.ConsentHow(how), parse_iso(given)) if how and given else None
    if target == "resolved" and needs_outcome(kind, outcome):
        a.fail("a refund or cancellation request is resolved only with its outcome: record saved, refunded, "
               "cancelled or refused first")
    try:
        moved = rules.check_move(status, target, consent=consent, opened_at=parse_iso(created_at),
                                 now=parse_iso(changed_at))
    except rules.MoveRefused as error:
        _refuse(a, error)
        return
    if moved is rules.Status.RESOLVED:
        # Resolved with the customer's permission: nothing is owed to them any more (their next message reopens).
        conn.execute("UPDATE ticket SET status = 'resolved', resolved_at = ?, awaiting_since = NULL,"
                     " response_due_at = ?, updated_at = ? WHERE id = ?", (changed_at, NOTHING_DUE, changed_at, ticket_id))
    elif status == "resolved" and moved is rules.Status.OPEN:
        # Reopened: the permission was for the resolution that is undone, and so is the review.
        conn.execute(
            "UPDATE ticket SET status = 'open', resolved_at = NULL, consent_how = NULL, consent_at = NULL,"
            " consent_by = NULL, review_requested = ?, updated_at = ? WHERE id = ?", (False, changed_at, ticket_id))
    else:
        conn.execute("UPDATE ticket SET status = ?, updated_at = ? WHERE id = ?", (moved.value, changed_at, ticket_id))


def request_review(conn: sqlite3.Connection, args: Mapping[str, Any]) -> None:
    """Send a resolved ticket for review (quality control)."""
    a = Args("ticket.request_review@1", args, allowed={"ticket_id", "requested_at", "agent_id"})
    ticket_id, at, _agent = a.id("ticket_id"), a.time("requested_at"), a.optional_id("agent_id")
    status, requested = _ticket(conn, a, ticket_id, "status, review_requested")
    try:
        rules.check_review(status, bool(requested))
    except rules.MoveRefused as error:
        _refuse(a, error)
    # A bound bool: a boolean column on the backend's PostgreSQL, 0/1 in SQLite.
    conn.execute("UPDATE ticket SET review_requested = ?, updated_at = ? WHERE id = ?", (True, at, ticket_id))


def assign(conn: sqlite3.Connection, args: Mapping[str, Any]) -> None:
    """Give the ticket to an agent (also one who is away: it waits in their queue), or to nobody."""
    a = Args("ticket.assign@1", args, allowed={"ticket_id", "assignee_id", "assigned_at", "agent_id"})
    ticket_id, assignee, at = a.id("ticket_id"), a.optional_id("assignee_id"), a.time("assigned_at")
    _agent = a.optional_id("agent_id")
    (status,) = _ticket(conn, a, ticket_id, "status")
    if status == "closed":
        a.fail("the ticket is closed")
    must_exist(conn, a, "agent", "assignee_id", assignee)
    conn.execute("UPDATE ticket SET assignee_id = ?, updated_at = ? WHERE id = ?", (assignee, at, ticket_id))


def offer_help(conn: sqlite3.Connection, args: Mapping[str, Any]) -> None:
    """Save the sale, step one: the agent offers help (a reply to the customer, queued) before any refund or
    cancellation."""
    a = Args("ticket.offer_help@1", args, allowed={
        "ticket_id", "message_id", "author", "body", "offered_at", "agent_id"})
    ticket_id, message_id, at = a.id("ticket_id"), a.id("message_id"), a.time("offered_at")
    author, body, agent_id = a.text("author", MAX_NAME_CHARS, blank=False), a.text("body", blank=False), a.id("agent_id")
    account_id, status, kind, outcome, first = _ticket(
        conn, a, ticket_id, "account_id, status, kind, save_outcome, first_response_at")
    if kind not in rules.SAVE_KINDS:
        a.fail("only refund and cancellation tickets have a save-the-sale offer")
    if outcome:
        a.fail(f"the outcome is already recorded ({outcome})")
    try:
        rules.check_message(status, "reply")
    except rules.MoveRefused as error:
        _refuse(a, error)
    _insert_message(conn, message_id=message_id, account_id=account_id, ticket_id=ticket_id, kind="reply",
                    author=author, body=body, at=at, agent_id=agent_id)
    conn.execute(
        "UPDATE ticket SET help_offered_at = coalesce(help_offered_at, ?), status = ?, awaiting_since = NULL,"
        " response_due_at = ?, first_response_at = ?, updated_at = ? WHERE id = ?",
        (at, rules.status_after_reply(status).value, NOTHING_DUE, first or at, at, ticket_id),
    )


def save_the_sale(conn: sqlite3.Connection, args: Mapping[str, Any]) -> None:
    """Save the sale, step two: the outcome (saved: request withdrawn; refunded; cancelled), for the report.
    A refund needs the order inside its 60-day window in the account's time zone."""
    a = Args("ticket.save_the_sale@1", args, allowed={"ticket_id", "outcome", "decided_at", "agent_id"})
    ticket_id, outcome = a.id("ticket_id"), a.text("outcome", 20, blank=False)
    decided_at, agent_id = a.time("decided_at"), a.id("agent_id")
    kind, offered, already, order_id, zone, created_at = _ticket(
        conn, a, ticket_id, "kind, help_offered_at, save_outcome, order_id,"
        " (SELECT time_zone FROM account WHERE id = ticket.account_id), created_at")
    order = conn.execute("SELECT placed_at, recurring FROM customer_order WHERE id = ?", (order_id,)).fetchone() \
        if order_id else None
    # Judged at the request's arrival (issue 23): the terminal's clock at the decision no longer matters.
    window = refund_window_at_arrival(order[0], created_at, zone) if order else None
    try:
        check_decision_time(parse_iso(decided_at), parse_iso(created_at), backend_now(conn))
        result = rules.check_save_outcome(kind, outcome, help_offered=offered is not None, already=already,
                                          window=window, recurring=bool(order[1]) if order else None)
    except rules.MoveRefused as error:
        _refuse(a, error)
        return
    conn.execute("UPDATE ticket SET save_outcome = ?, save_outcome_at = ?, save_outcome_by = ?, updated_at = ?"
                 " WHERE id = ?", (result.value, decided_at, agent_id, decided_at, ticket_id))
    if order_id and result is not rules.SaveOutcome.SAVED:
        conn.execute("UPDATE customer_order SET status = ? WHERE id = ?", (result.value, order_id))
