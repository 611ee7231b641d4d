"""Appointments: professionals' skills, hours and time off, appointment types, bookings and the slots they hold.

Revision ID: 0002
Revises: 0001

A backend made by 0001 before appointments existed gets the new tables and their change-tracking triggers (the
schema code creates only what is missing) and the task's appointment column; a backend made after it already
has them, and this step changes nothing.
"""

from __future__ import annotations

from alembic import op
from sqlalchemy import Column, Text, inspect, text

from agentdesk.server.schema import create_schema

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    if "appointment_id" not in {column["name"] for column in inspect(bind).get_columns("task")}:
        op.add_column("task", Column("appointment_id", Text(), nullable=True))
        op.create_index("task_appointment", "task", ["appointment_id"])
    epoch = bind.execute(text("SELECT epoch FROM sync_state WHERE id = 1")).scalar_one()
    create_schema(bind, epoch)
