"""A follow-up task can be given to one agent: the task's assignee column.

Revision ID: 0006_task_assignee
Revises: 0005_daily_reports

NULL (every task made before this step) means whoever of the task's level takes it, as before.
"""

from __future__ import annotations

from alembic import op
from sqlalchemy import Column, Text, inspect

revision = "0006_task_assignee"
down_revision = "0005_daily_reports"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if "assignee_id" not in {column["name"] for column in inspect(op.get_bind()).get_columns("task")}:
        op.add_column("task", Column("assignee_id", Text(), nullable=True))
