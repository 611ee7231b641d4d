"""The arguments of the appointment mutations, as the bookings desk (and the tests) build them.

Ids and times are made here, once, so the mutation replays the same way after a sync; the reminder and survey
due times follow the `[appointments]` settings.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from agentdesk.clock import iso
from agentdesk.config import AppointmentSettings
from agentdesk.localstore.appointments import AppointmentType


def _due(kind: AppointmentType, start: datetime, settings: AppointmentSettings) -> dict[str, str]:
    end = start + timedelta(minutes=kind.minutes)
    return {
        "reminder_due_at": iso(start - timedelta(hours=settings.reminder_hours_before)),
        "survey_due_at": iso(end + timedelta(hours=settings.survey_hours_after)),
    }


def book_args(
    kind: AppointmentType, *, customer_id: str, professional_id: str, start: datetime, now: datetime,
    settings: AppointmentSettings, agent_id: str | None = None, interaction_id: str | None = None, note: str = "",
    appointment_id: str | None = None,
) -> dict[str, object]:
    """`appointment.book@1` for one proposal."""
    args: dict[str, object] = {
        "appointment_id": appointment_id or str(uuid.uuid4()), "account_id": kind.account_id,
        "customer_id": customer_id, "professional_id": professional_id, "type_id": kind.id,
        "starts_at": iso(start), "booked_at": iso(now), "interaction_id": interaction_id, "agent_id": agent_id,
        "note": note, "reminder_task_id": str(uuid.uuid4()), "survey_task_id": str(uuid.uuid4()),
    }
    args.update(_due(kind, start, settings))
    return args


def reschedule_args(
    kind: AppointmentType, appointment_id: str, *, professional_id: str, start: datetime, now: datetime,
    settings: AppointmentSettings, agent_id: str | None = None,
) -> dict[str, object]:
    """`appointment.reschedule@1` to a new time (and perhaps professional)."""
    args: dict[str, object] = {
        "appointment_id": appointment_id, "professional_id": professional_id, "starts_at": iso(start),
        "at": iso(now), "agent_id": agent_id,
    }
    args.update(_due(kind, start, settings))
    return args


def cancel_args(appointment_id: str, *, now: datetime, agent_id: str | None = None, reason: str = "") -> dict[str, object]:
    """`appointment.cancel@1`."""
    return {"appointment_id": appointment_id, "at": iso(now), "agent_id": agent_id, "reason": reason}
