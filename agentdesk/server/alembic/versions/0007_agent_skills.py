"""Calls are routed by skill and language: agents' skills and languages, and each account's phone menu.

Revision ID: 0007_agent_skills
Revises: 0006_task_assignee

Agents known before this step have no skills and speak English (`[]`, `["en"]`); accounts have an empty menu
(`{}`: a digit the caller presses asks for no skill), so calls go where they went before until these are set.
"""

from __future__ import annotations

from alembic import op
from sqlalchemy import Column, Text, inspect, text

revision = "0007_agent_skills"
down_revision = "0006_task_assignee"
branch_labels = None
depends_on = None

NEW_COLUMNS = (("agent", "skills", "[]"), ("agent", "languages", '["en"]'), ("account", "ivr_menu", "{}"))


def upgrade() -> None:
    bind = op.get_bind()
    for table, name, default in NEW_COLUMNS:
        if name not in {column["name"] for column in inspect(bind).get_columns(table)}:
            op.add_column(table, Column(name, Text(), nullable=False, server_default=text(f"'{default}'")))
