"""Sign-in tokens expire and can be revoked.

Revision ID: 0003_token_expiry
Revises: 0002

Tokens issued before this step had no end: they get one a token lifetime (the default) after the upgrade, so an
upgrade never signs anybody out at once and no token lives forever.
"""

from __future__ import annotations

import time

from alembic import op
from sqlalchemy import Column, Float, String, inspect, text

from agentdesk.server.tokens import DEFAULT_TOKEN_DAYS

revision = "0003_token_expiry"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    columns = {column["name"] for column in inspect(bind).get_columns("agent_token")}
    if "expires_at" not in columns:
        op.add_column("agent_token", Column("expires_at", Float(), nullable=True))
    if "revoked_at" not in columns:
        op.add_column("agent_token", Column("revoked_at", String(40), nullable=True))
    if "agent_token_agent" not in {index["name"] for index in inspect(bind).get_indexes("agent_token")}:
        op.create_index("agent_token_agent", "agent_token", ["agent_id"])
    bind.execute(text("UPDATE agent_token SET expires_at = :until WHERE expires_at IS NULL"),
                 {"until": time.time() + DEFAULT_TOKEN_DAYS * 86_400})
