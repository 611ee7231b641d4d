"""Professionals may have an e-mail address, where the backend mails their day each morning.

Revision ID: 0008_professional_email
Revises: 0007_agent_skills

Professionals known before this step have none (NULL): nothing is mailed to them until an address is set.
"""

from __future__ import annotations

from alembic import op
from sqlalchemy import Column, Text, inspect

revision = "0008_professional_email"
down_revision = "0007_agent_skills"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if "email" not in {column["name"] for column in inspect(op.get_bind()).get_columns("professional")}:
        op.add_column("professional", Column("email", Text(), nullable=True))
