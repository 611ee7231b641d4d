"""The backend's first schema: the shared data model, the sync tables and their change-tracking triggers.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import uuid

from alembic import op

from agentdesk.server.schema import create_schema

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_schema(op.get_bind(), str(uuid.uuid4()))
