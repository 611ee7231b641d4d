"""Ratings of interactions and ticket replies, and the quality-control role.

Revision ID: 0004_ratings
Revises: 0003_token_expiry

The rating table (and its change tracking) is made by the schema code, which creates only what is missing. The
agent's role gains `qc`: PostgreSQL swaps the check constraint; on SQLite the table's CHECK text is rewritten.
"""

from __future__ import annotations

from alembic import op
from sqlalchemy import inspect, text

from agentdesk.server.schema import create_schema

revision = "0004_ratings"
down_revision = "0003_token_expiry"
branch_labels = None
depends_on = None

OLD_ROLES = "role IN ('agent', 'senior', 'supervisor', 'admin')"
ROLES = "role IN ('agent', 'senior', 'supervisor', 'qc', 'admin')"


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        for check in inspect(bind).get_check_constraints("agent"):
            if "role" in (check.get("sqltext") or "") and check.get("name"):
                bind.exec_driver_sql(f'ALTER TABLE agent DROP CONSTRAINT "{check["name"]}"')
        bind.exec_driver_sql(f"ALTER TABLE agent ADD CONSTRAINT agent_role CHECK ({ROLES})")
    else:
        # SQLite: loosening a CHECK changes nothing stored, so the table's SQL is rewritten in place (SQLite's own
        # procedure for it, with the schema version bumped so every connection reloads the schema).
        table_sql = bind.execute(text("SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = 'agent'")).scalar()
        if table_sql and "'qc'" not in table_sql and OLD_ROLES in table_sql:
            version = bind.exec_driver_sql("PRAGMA schema_version").scalar_one()
            bind.exec_driver_sql("PRAGMA writable_schema = ON")
            bind.execute(text("UPDATE sqlite_schema SET sql = :sql WHERE type = 'table' AND name = 'agent'"),
                         {"sql": table_sql.replace(OLD_ROLES, ROLES)})
            bind.exec_driver_sql(f"PRAGMA schema_version = {int(version) + 1}")
            bind.exec_driver_sql("PRAGMA writable_schema = OFF")
    from agentdesk.models import Interaction, TicketMessage

    for table, name in ((Interaction.__table__, "interaction_review"), (TicketMessage.__table__, "ticket_message_review")):
        if name not in {index["name"] for index in inspect(bind).get_indexes(table.name)}:
            next(i for i in table.indexes if i.name == name).create(bind)
    epoch = bind.execute(text("SELECT epoch FROM sync_state WHERE id = 1")).scalar_one()
    create_schema(bind, epoch)


