"""Call mutations: the life of a call (ring, answer, hold, end, wrap-up and its survey), FAQ use, and escalation."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from typing import Any

from agentdesk.clock import parse_iso
from agentdesk.domain import pricing
from agentdesk.mutations.arguments import MAX_NAME_CHARS, Args
from agentdesk.mutations.shared import must_exist, update_one


def ring(conn: sqlite3.Connection, args: Mapping[str, Any]) -> None:
    """A call rings on this terminal: the interaction is saved at once, with the caller ID as delivered."""
    a = Args("call.ring@1", args, allowed={
        "interaction_id", "account_id", "customer_id", "caller_number", "ringing_at", "agent_id"})
    interaction_id, account_id = a.id("interaction_id"), a.id("account_id")
    customer_id, agent_id = a.optional_id("customer_id"), a.optional_id("agent_id")
    caller, ringing_at = a.text("caller_number", 64, optional=True), a.time("ringing_at")
    must_exist(conn, a, "account", "account_id", account_id)
    must_exist(conn, a, "customer", "customer_id", customer_id)
    conn.execute(
        "INSERT INTO interaction (id, account_id, customer_id, agent_id, channel, direction, state,"
        " caller_number, ringing_at, at) VALUES (?, ?, ?, ?, 'phone', 'in', 'ringing', ?, ?, ?)",
        (interaction_id, account_id, customer_id, agent_id, caller, ringing_at, ringing_at),
    )


def link_customer(conn: sqlite3.Connection, args: Mapping[str, Any]) -> None:
    """The caller turned out to be (or was just added as) this customer."""
    a = Args("call.link_customer@1", args, allowed={"interaction_id", "customer_id"})
    interaction_id, customer_id = a.id("interaction_id"), a.id("customer_id")
    must_exist(conn, a, "customer", "customer_id", customer_id)
    update_one(conn, a, "UPDATE interaction SET customer_id = ? WHERE id = ?", (customer_id, interaction_id),
                f"there is no call {interaction_id[:40]} in the local store")


def answer(conn: sqlite3.Connection, args: Mapping[str, Any]) -> None:
    """The agent answers a ringing call."""
    a = Args("call.answer@1", args, allowed={"interaction_id", "answered_at", "agent_id"})
    interaction_id, answered_at, agent_id = a.id("interaction_id"), a.time("answered_at"), a.id("agent_id")
    update_one(
        conn, a,
        "UPDATE interaction SET state = 'answered', answered_at = ?, agent_id = ?"
        " WHERE id = ? AND state = 'ringing'",
        (answered_at, agent_id, interaction_id),
        f"there is no ringing call {interaction_id[:40]} to answer",
    )


def hold(conn: sqlite3.Connection, args: Mapping[str, Any]) -> None:
    """The caller is put on hold (the cap's countdown starts on the screen)."""
    a = Args("call.hold@1", args, allowed={"hold_id", "interaction_id", "account_id", "started_at"})
    row = (a.id("hold_id"), a.id("account_id"), a.id("interaction_id"), a.time("started_at"))
    must_exist(conn, a, "interaction", "interaction_id", row[2])
    conn.execute(
        "INSERT INTO hold_event (id, account_id, interaction_id, started_at) VALUES (?, ?, ?, ?)", row
    )


def resume(conn: sqlite3.Connection, args: Mapping[str, Any]) -> None:
    """The caller is taken off hold, by the agent or by the cap (`hit_cap`)."""
    a = Args("call.resume@1", args, allowed={"hold_id", "ended_at", "seconds", "hit_cap"})
    hold_id, ended_at = a.id("hold_id"), a.time("ended_at")
    seconds, hit_cap = a.number("seconds", 0.0, 86_400.0), a.flag("hit_cap")
    update_one(
        conn, a,
        "UPDATE hold_event SET ended_at = ?, seconds = ?, hit_cap = ? WHERE id = ? AND ended_at IS NULL",
        (ended_at, seconds, hit_cap, hold_id),
        f"there is no open hold {hold_id[:40]}",
    )


def end(conn: sqlite3.Connection, args: Mapping[str, Any]) -> None:
    """The call ends, with its billing; a call never answered is missed."""
    a = Args("call.end@1", args, allowed={
        "interaction_id", "ended_at", "billable_seconds", "price_per_minute_cents", "cost_cents", "outcome"})
    interaction_id, ended_at = a.id("interaction_id"), a.time("ended_at")
    billable = a.integer("billable_seconds", 0, 10**7)
    price, cost = a.integer("price_per_minute_cents", 0, 10**6), a.integer("cost_cents", 0, 10**12)
    outcome = a.optional_text("outcome", MAX_NAME_CHARS)
    update_one(
        conn, a,
        "UPDATE interaction SET state = 'ended', ended_at = ?, billable_seconds = ?,"
        " price_per_minute_cents = ?, cost_cents = ?,"
        " outcome = coalesce(?, CASE WHEN answered_at IS NULL THEN 'missed' END, outcome)"
        " WHERE id = ? AND state != 'ended'",
        (ended_at, billable, price, cost, outcome, interaction_id),
        f"there is no call {interaction_id[:40]} still going on",
    )


def wrap_up(conn: sqlite3.Connection, args: Mapping[str, Any]) -> None:
    """After-call work: the outcome and the notes (evidence, stored as typed)."""
    a = Args("call.wrap_up@1", args, allowed={"interaction_id", "outcome", "notes", "wrap_up_seconds"})
    interaction_id = a.id("interaction_id")
    outcome, notes = a.text("outcome", MAX_NAME_CHARS, blank=False), a.text("notes", optional=True)
    seconds = a.integer("wrap_up_seconds", 0, 10**7)
    update_one(
        conn, a,
        "UPDATE interaction SET outcome = ?, notes = ?, wrap_up_seconds = ? WHERE id = ? AND state = 'ended'",
        (outcome, notes, seconds, interaction_id),
        f"there is no ended call {interaction_id[:40]} to wrap up",
    )


def wrap_up_billed(conn: sqlite3.Connection, args: Mapping[str, Any]) -> None:
    """After-call work, billed: the outcome and notes, and the call's billable time becomes talk + hold + the
    after-call work (answer to end, plus `wrap_up_seconds`), its cost that time at the call's price per minute.

    Worked out from the stored answer and end, so a wrap-up written again bills its own seconds once."""
    a = Args("call.wrap_up@2", args, allowed={"interaction_id", "outcome", "notes", "wrap_up_seconds"})
    interaction_id = a.id("interaction_id")
    outcome, notes = a.text("outcome", MAX_NAME_CHARS, blank=False), a.text("notes", optional=True)
    seconds = a.integer("wrap_up_seconds", 0, 10**7)
    _bill_wrap_up(conn, a, interaction_id, outcome, notes, seconds)


def _bill_wrap_up(conn: sqlite3.Connection, a: Args, interaction_id: str, outcome: str | None, notes: str | None,
                  seconds: int) -> None:
    row = conn.execute("SELECT answered_at, ended_at, price_per_minute_cents, billable_seconds FROM interaction"
                       " WHERE id = ? AND state = 'ended'", (interaction_id,)).fetchone()
    if row is None:
        a.fail(f"there is no ended call {interaction_id[:40]} to wrap up")
    answered, ended, price, billable = row
    if answered is not None and ended is not None:
        billable = pricing.handled_seconds(parse_iso(answered), parse_iso(ended), seconds)
    cost = pricing.cost_cents(billable, price or 0)
    conn.execute(
        "UPDATE interaction SET outcome = ?, notes = ?, wrap_up_seconds = ?, billable_seconds = ?, cost_cents = ?"
        " WHERE id = ?", (outcome, notes, seconds, billable, cost, interaction_id))


def wrap_up_surveyed(conn: sqlite3.Connection, args: Mapping[str, Any]) -> None:
    """After-call work, billed as `call.wrap_up@2`, and, when `survey_task_id` is given, the post-call survey: a
    survey call to the customer due `survey_due_at`, for the call (no appointment). Only an answered call with a
    customer is surveyed (otherwise there is nobody to ask, or nothing to rate); a wrap-up written again keeps the
    one survey."""
    a = Args("call.wrap_up@3", args, allowed={
        "interaction_id", "outcome", "notes", "wrap_up_seconds", "wrapped_at", "agent_id", "survey_task_id",
        "survey_due_at"})
    interaction_id = a.id("interaction_id")
    outcome, notes = a.text("outcome", MAX_NAME_CHARS, blank=False), a.text("notes", optional=True)
    seconds, wrapped_at = a.integer("wrap_up_seconds", 0, 10**7), a.time("wrapped_at")
    agent_id, task_id = a.optional_id("agent_id"), a.optional_id("survey_task_id")
    due_at = a.time("survey_due_at") if task_id is not None else None
    _bill_wrap_up(conn, a, interaction_id, outcome, notes, seconds)
    if task_id is None:
        return
    call = conn.execute("SELECT account_id, customer_id FROM interaction WHERE id = ? AND answered_at IS NOT NULL"
                        " AND customer_id IS NOT NULL", (interaction_id,)).fetchone()
    if call is None:
        return
    conn.execute(
        "INSERT INTO task (id, account_id, customer_id, interaction_id, kind, due_at, note, status, created_at,"
        " created_by) VALUES (?, ?, ?, ?, 'survey', ?, '', 'open', ?, ?) ON CONFLICT (id) DO NOTHING",
        (task_id, call[0], call[1], interaction_id, due_at, wrapped_at, agent_id),
    )


# -- FAQ and escalation ----------------------------------------------------------------------------------


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


def assign_task(conn: sqlite3.Connection, args: Mapping[str, Any]) -> None:
    """Give an open follow-up to one agent (a supervisor moving it, or taking the escalated question over), or
    back to whoever of its level takes it (no assignee)."""
    a = Args("task.assign@1", args, allowed={"task_id", "assignee_id", "assigned_at", "agent_id"})
    task_id, assignee = a.id("task_id"), a.optional_id("assignee_id")
    a.time("assigned_at")
    a.optional_id("agent_id")
    row = conn.execute("SELECT status FROM task WHERE id = ?", (task_id,)).fetchone()
    if row is None:
        a.fail(f"there is no task {task_id[:40]} in the local store")
    if row[0] == "done":
        a.fail("the task is already done")
    must_exist(conn, a, "agent", "assignee_id", assignee)
    conn.execute("UPDATE task SET assignee_id = ? WHERE id = ?", (assignee, task_id))
