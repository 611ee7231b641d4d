"""The daily reports the backend keeps: one per account and local day, produced after the account's midnight.

Revision ID: 0005_daily_reports
Revises: 0004_ratings

A backend made before this step gets the empty table (the job fills it from yesterday on); one made after it
already has it, and this step changes nothing.
"""

from __future__ import annotations

from alembic import op

from agentdesk.server.schema import daily_report

revision = "0005_daily_reports"
down_revision = "0004_ratings"
branch_labels = None
depends_on = None


def upgrade() -> None:
    daily_report.create(op.get_bind(), checkfirst=True)
