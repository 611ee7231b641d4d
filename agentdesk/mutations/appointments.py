"""Appointment mutators: book, reschedule, cancel, the survey's answer, and finishing an outbound task.

Listed in `agentdesk.mutations.registry`. A booking made on a terminal is `tentative`; the same mutation run by
the backend (whose connection says `authoritative`) writes `confirmed`, and the backend's rows replace the
terminal's on the next pull. Either way the booking's quarter hours go into `appointment_slot`, whose primary key
refuses a second booking of a professional's time: `why_not` only explains a refusal in words before the
database would refuse it anyway.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from typing import Any

from agentdesk.clock import iso, parse_iso
from agentdesk.domain import booking
from agentdesk.localstore import appointments as book
from agentdesk.mutations.arguments import Args
from agentdesk.mutations.shared import must_exist
from agentdesk.records.appointments import AppointmentType

MAX_NOTE_CHARS = 2000


def _status(conn: Any) -> str:
    return "confirmed" if getattr(conn, "authoritative", False) else "tentative"


def _kind(conn: Any, a: Args, type_id: str, account_id: str) -> AppointmentType:
    kind = book.appointment_type(conn, type_id)
    if kind is None or kind.account_id != account_id:
        a.fail(f"there is no appointment type {type_id[:40]} for this account")
    assert kind is not None
    return kind


def _refuse_unless_free(
    conn: Any, a: Args, kind: AppointmentType, professional_id: str, start_text: str, now_text: str,
    moving: str | None = None,
) -> None:
    start = parse_iso(start_text)
    reason = book.why_not(conn, kind, professional_id, start, now=parse_iso(now_text), moving=moving)
    if reason is None:
        return
    if "already booked" in reason:
        others = book.free_slots(conn, kind, earliest=start, count=3, moving=moving)
        if others:
            tz = book.account_zone(conn, kind.account_id)
            reason += "; free then: " + ", ".join(
                f"{booking.short_time(p.starts_at, tz)} with {p.professional_name}" for p in others
            )
    a.fail(reason)


def _hold(conn: Any, kind: AppointmentType, appointment_id: str, professional_id: str, start: str) -> None:
    for unit in booking.held_units(parse_iso(start), kind.minutes, kind.buffer_minutes):
        conn.execute(
            "INSERT INTO appointment_slot (professional_id, unit_start, account_id, appointment_id)"
            " VALUES (?, ?, ?, ?)",
            (professional_id, unit, kind.account_id, appointment_id),
        )


def _end(kind: AppointmentType, start: str) -> str:
    from datetime import timedelta

    return iso(parse_iso(start) + timedelta(minutes=kind.minutes))


def _live(conn: Any, a: Args, appointment_id: str) -> tuple[Any, ...]:
    row = conn.execute(
        "SELECT account_id, type_id, professional_id, status, customer_id FROM appointment WHERE id = ?",
        (appointment_id,),
    ).fetchone()
    if row is None:
        a.fail(f"there is no appointment {appointment_id[:40]} in the local store")
    assert row is not None
    if row[3] == "cancelled":
        a.fail("the appointment is already cancelled")
    return tuple(row)


def book_appointment(conn: sqlite3.Connection, args: Mapping[str, Any]) -> None:
    """Book `customer_id` with `professional_id` for a `type_id` at `starts_at`, with its reminder task (due
    `reminder_due_at`) and survey task (due `survey_due_at`)."""
    a = Args("appointment.book@1", args, allowed={
        "appointment_id", "account_id", "customer_id", "professional_id", "type_id", "starts_at", "booked_at",
        "interaction_id", "agent_id", "note", "reminder_task_id", "reminder_due_at", "survey_task_id",
        "survey_due_at"})
    appointment_id, account_id = a.id("appointment_id"), a.id("account_id")
    customer_id, professional_id = a.id("customer_id"), a.id("professional_id")
    type_id, starts_at, booked_at = a.id("type_id"), a.time("starts_at"), a.time("booked_at")
    interaction_id, agent_id = a.optional_id("interaction_id"), a.optional_id("agent_id")
    note = a.text("note", MAX_NOTE_CHARS, optional=True)
    reminder = (a.id("reminder_task_id"), a.time("reminder_due_at"))
    survey = (a.id("survey_task_id"), a.time("survey_due_at"))
    kind = _kind(conn, a, type_id, account_id)
    owner = conn.execute("SELECT account_id FROM customer WHERE id = ?", (customer_id,)).fetchone()
    if owner is None or owner[0] != account_id:
        a.fail(f"there is no customer {customer_id[:40]} of this account")
    must_exist(conn, a, "interaction", "interaction_id", interaction_id)
    _refuse_unless_free(conn, a, kind, professional_id, starts_at, booked_at)
    conn.execute(
        "INSERT INTO appointment (id, account_id, customer_id, professional_id, type_id, starts_at, ends_at,"
        " status, interaction_id, booked_by, booked_at, updated_at, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
        " ?, ?)",
        (appointment_id, account_id, customer_id, professional_id, type_id, starts_at, _end(kind, starts_at),
         _status(conn), interaction_id, agent_id, booked_at, booked_at, note),
    )
    _hold(conn, kind, appointment_id, professional_id, starts_at)
    for (task_id, due_at), task_kind in ((reminder, "reminder"), (survey, "survey")):
        conn.execute(
            "INSERT INTO task (id, account_id, customer_id, interaction_id, kind, due_at, note, status, created_at,"
            " created_by, appointment_id) VALUES (?, ?, ?, ?, ?, ?, '', 'open', ?, ?, ?)",
            (task_id, account_id, customer_id, interaction_id, task_kind, due_at, booked_at, agent_id,
             appointment_id),
        )


def reschedule(conn: sqlite3.Connection, args: Mapping[str, Any]) -> None:
    """Move a live booking to `starts_at` with `professional_id` (the same or another); its reminder and survey
    move with it."""
    a = Args("appointment.reschedule@1", args, allowed={
        "appointment_id", "professional_id", "starts_at", "at", "agent_id", "reminder_due_at", "survey_due_at"})
    appointment_id, professional_id = a.id("appointment_id"), a.id("professional_id")
    starts_at, at = a.time("starts_at"), a.time("at")
    a.optional_id("agent_id")
    reminder_due, survey_due = a.time("reminder_due_at"), a.time("survey_due_at")
    account_id, type_id, *_ = _live(conn, a, appointment_id)
    kind = _kind(conn, a, type_id, account_id)
    _refuse_unless_free(conn, a, kind, professional_id, starts_at, at, moving=appointment_id)
    conn.execute("DELETE FROM appointment_slot WHERE appointment_id = ?", (appointment_id,))
    conn.execute(
        "UPDATE appointment SET professional_id = ?, starts_at = ?, ends_at = ?, status = ?, updated_at = ?"
        " WHERE id = ?",
        (professional_id, starts_at, _end(kind, starts_at), _status(conn), at, appointment_id),
    )
    _hold(conn, kind, appointment_id, professional_id, starts_at)
    for task_kind, due in (("reminder", reminder_due), ("survey", survey_due)):
        conn.execute(
            "UPDATE task SET due_at = ? WHERE appointment_id = ? AND kind = ? AND status = 'open'",
            (due, appointment_id, task_kind),
        )


def cancel(conn: sqlite3.Connection, args: Mapping[str, Any]) -> None:
    """Cancel a live booking: its time is free again and its open reminder and survey are withdrawn."""
    a = Args("appointment.cancel@1", args, allowed={"appointment_id", "at", "agent_id", "reason"})
    appointment_id, at = a.id("appointment_id"), a.time("at")
    a.optional_id("agent_id")
    reason = a.text("reason", MAX_NOTE_CHARS, optional=True)
    _live(conn, a, appointment_id)
    conn.execute("DELETE FROM appointment_slot WHERE appointment_id = ?", (appointment_id,))
    conn.execute(
        "UPDATE appointment SET status = 'cancelled', cancelled_at = ?, updated_at = ?,"
        " note = CASE WHEN ? = '' THEN note ELSE ? END WHERE id = ?",
        (at, at, reason, f"Cancelled: {reason}", appointment_id),
    )
    conn.execute("DELETE FROM task WHERE appointment_id = ? AND status = 'open'", (appointment_id,))


def survey(conn: sqlite3.Connection, args: Mapping[str, Any]) -> None:
    """The customer's answer to the survey after an appointment: a rating of 1 to 5 and a comment."""
    a = Args("appointment.survey@1", args, allowed={"appointment_id", "rating", "comment", "at", "agent_id"})
    appointment_id, at = a.id("appointment_id"), a.time("at")
    rating = a.integer("rating", 1, 5)
    comment = a.text("comment", MAX_NOTE_CHARS, optional=True)
    a.optional_id("agent_id")
    row = conn.execute("SELECT status, starts_at FROM appointment WHERE id = ?", (appointment_id,)).fetchone()
    if row is None:
        a.fail(f"there is no appointment {appointment_id[:40]} in the local store")
    if row[0] == "cancelled":
        a.fail("a cancelled appointment has no survey")
    if at < row[1]:
        a.fail("the appointment has not happened yet")
    conn.execute(
        "UPDATE appointment SET rating = ?, rating_comment = ?, updated_at = ? WHERE id = ?",
        (rating, comment, at, appointment_id),
    )
    conn.execute(
        "UPDATE task SET status = 'done' WHERE appointment_id = ? AND kind = 'survey' AND status = 'open'",
        (appointment_id,),
    )


def task_done(conn: sqlite3.Connection, args: Mapping[str, Any]) -> None:
    """An outbound task is done (the reminder call made, the follow-up call returned), with an optional note."""
    a = Args("task.done@1", args, allowed={"task_id", "at", "agent_id", "note"})
    task_id = a.id("task_id")
    a.time("at")
    a.optional_id("agent_id")
    note = a.text("note", MAX_NOTE_CHARS, optional=True)
    row = conn.execute("SELECT status FROM task WHERE id = ?", (task_id,)).fetchone()
    if row is None:
        a.fail(f"there is no task {task_id[:40]} in the local store")
    if row[0] == "done":
        a.fail("the task is already done")
    conn.execute(
        "UPDATE task SET status = 'done', note = CASE WHEN ? = '' THEN note ELSE ? END WHERE id = ?",
        (note, note, task_id),
    )
