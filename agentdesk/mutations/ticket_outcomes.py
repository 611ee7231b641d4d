"""Save the sale, step two, as the contract says: the outcome ends the request (and resolves the ticket where
the customer has their answer), and an outcome recorded by mistake is corrected with both kept in the history.

`ticket.save_the_sale@2` replaces `@1` (kept replayable in `agentdesk.mutations.tickets`): it takes the message
to the customer, judges the refund window at the request's arrival and, on the backend, the decision's time
against the backend's own clock (`domain.ticket_outcomes.CLOCK_SKEW`). Every outcome and correction also writes
an internal note, so the ticket's history says what was decided, by whom, when, and what it replaced.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from agentdesk.clock import iso, parse_iso
from agentdesk.domain import ticket_outcomes as outcomes
from agentdesk.domain import tickets as rules
from agentdesk.mutations.arguments import MAX_NAME_CHARS, Args
from agentdesk.mutations.tickets import (
    NOTHING_DUE,
    _insert_message,
    _refuse,
    _ticket,
    backend_now,
    refund_window_at_arrival,
)

_FIELDS = {"ticket_id", "outcome", "decided_at", "agent_id", "author", "message_id", "body", "note_id",
           "agreed_how", "agreed_at"}


def _offer_state(conn: sqlite3.Connection, ticket_id: str, offered_at: str | None, channel: str) -> outcomes.OfferState:
    if offered_at is None:
        return outcomes.OfferState(False, False)
    if channel == "phone":
        return outcomes.OfferState(True, True)  # said to the caller: it reached them as it was said
    reached = conn.execute(
        "SELECT 1 FROM ticket_message WHERE ticket_id = ? AND created_at >= ? AND"
        " ((kind = 'reply' AND delivery = 'delivered') OR kind = 'customer') LIMIT 1",
        (ticket_id, offered_at)).fetchone()
    return outcomes.OfferState(True, reached is not None)


def _decide(conn: sqlite3.Connection, a: Args, *, correcting: str | None) -> None:
    ticket_id, wanted = a.id("ticket_id"), a.text("outcome", 20, blank=False)
    decided_at, agent_id = a.time("decided_at"), a.id("agent_id")
    author, note_id = a.text("author", MAX_NAME_CHARS, blank=False), a.id("note_id")
    message_id, body = a.optional_id("message_id"), a.optional_text("body")
    agreed_how = a.choice("agreed_how", {"call", "writing"}, optional=True)
    agreed_at = a.time("agreed_at") if a.raw.get("agreed_at") is not None else None
    account_id, status, kind, channel, created_at, offered, already, order_id, zone = _ticket(
        conn, a, ticket_id, "account_id, status, kind, channel, created_at, help_offered_at, save_outcome, order_id,"
        " (SELECT time_zone FROM account WHERE id = ticket.account_id)")
    if status == "closed":
        a.fail("the ticket is closed")
    if already and correcting is None:
        a.fail(f"the outcome is already recorded ({outcomes.OUTCOME_WORDS.get(already, already)}); correct it instead")
    order = conn.execute("SELECT placed_at, recurring FROM customer_order WHERE id = ?", (order_id,)).fetchone() \
        if order_id else None
    window = refund_window_at_arrival(order[0], created_at, zone) if order else None
    try:
        outcomes.check_decision_time(parse_iso(decided_at), parse_iso(created_at), backend_now(conn))
        result = outcomes.check_outcome(kind, wanted, offer=_offer_state(conn, ticket_id, offered, channel),
                                        window=window, recurring=bool(order[1]) if order else None)
    except rules.MoveRefused as error:
        _refuse(a, error)
        return
    if result is outcomes.Outcome.SAVED:
        if agreed_how is None or agreed_at is None:
            a.fail("a saved sale needs the customer's agreement: how (on a call, in writing) and when")
        try:
            rules.check_move("open", "resolved", consent=rules.Consent(rules.ConsentHow(agreed_how),
                             parse_iso(str(agreed_at))), opened_at=parse_iso(created_at), now=parse_iso(decided_at))
        except rules.MoveRefused as error:
            _refuse(a, error)
    elif body is None or message_id is None:
        a.fail("the customer must be told: the outcome needs the message to send (message_id and body)")
    history = f"Outcome: {outcomes.OUTCOME_WORDS[result.value]}, recorded by {author}."
    if correcting is not None and already:
        history = (f"Outcome corrected: {outcomes.OUTCOME_WORDS[already]} was recorded by mistake; now "
                   f"{outcomes.OUTCOME_WORDS[result.value]}, by {author}. Why: {correcting}")
    # A microsecond after the message to the customer, so the thread reads the reply, then what was decided.
    noted_at = iso(parse_iso(decided_at) + timedelta(microseconds=1))
    _insert_message(conn, message_id=note_id, account_id=account_id, ticket_id=ticket_id, kind="note",
                    author=author, body=history, at=noted_at, agent_id=agent_id)
    conn.execute("UPDATE ticket SET save_outcome = ?, save_outcome_at = ?, save_outcome_by = ?, updated_at = ?"
                 " WHERE id = ?", (result.value, decided_at, agent_id, decided_at, ticket_id))
    if message_id is not None and body is not None:
        _insert_message(conn, message_id=message_id, account_id=account_id, ticket_id=ticket_id, kind="reply",
                        author=author, body=body, at=decided_at, agent_id=agent_id)
        conn.execute("UPDATE ticket SET awaiting_since = NULL, response_due_at = ?,"
                     " first_response_at = coalesce(first_response_at, ?) WHERE id = ?",
                     (NOTHING_DUE, decided_at, ticket_id))
    if result in (outcomes.Outcome.REFUNDED, outcomes.Outcome.CANCELLED) and order_id:
        conn.execute("UPDATE customer_order SET status = ? WHERE id = ?", (result.value, order_id))
    if result is outcomes.Outcome.REFUSED:
        # Told why; the customer may still take the help offered: the ticket waits for them.
        conn.execute("UPDATE ticket SET status = 'pending', resolved_at = NULL, consent_how = NULL,"
                     " consent_at = NULL, consent_by = NULL WHERE id = ?", (ticket_id,))
        return
    # Saved: the customer agreed and withdrew. Refunded or cancelled: they asked for it and have it.
    how, given = (agreed_how, agreed_at) if result is outcomes.Outcome.SAVED else (
        "call" if channel == "phone" else "writing", created_at)
    conn.execute("UPDATE ticket SET status = 'resolved', resolved_at = ?, consent_how = ?, consent_at = ?,"
                 " consent_by = ?, awaiting_since = NULL, response_due_at = ? WHERE id = ?",
                 (decided_at, how, given, agent_id, NOTHING_DUE, ticket_id))


def record_outcome(conn: sqlite3.Connection, args: Mapping[str, Any]) -> None:
    """The outcome of a refund or cancellation request: saved (with the customer's agreement), refunded,
    cancelled (each with the message telling the customer) or refused by policy (with the message saying why)."""
    _decide(conn, Args("ticket.save_the_sale@2", args, allowed=_FIELDS), correcting=None)


def correct_outcome(conn: sqlite3.Connection, args: Mapping[str, Any]) -> None:
    """Replace an outcome recorded by mistake (saved or refused) through the same rules; the history keeps both."""
    a = Args("ticket.correct_outcome@1", args, allowed=_FIELDS | {"reason"})
    reason = a.text("reason", 500)
    (current,) = _ticket(conn, a, a.id("ticket_id"), "save_outcome")
    try:
        outcomes.check_correction(current, a.text("outcome", 20, blank=False), reason)
    except rules.MoveRefused as error:
        _refuse(a, error)
    _decide(conn, a, correcting=reason)
