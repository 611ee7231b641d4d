"""Setting up a backend: its schema, an admin, sign-in tokens, and (optionally) the workstation's demo data."""

from __future__ import annotations

import sqlite3
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, Engine, select, text

from agentdesk.models import AgentRow
from agentdesk.server import tokens
from agentdesk.server.schema import domain_tables
from agentdesk.server.tokens import DEFAULT_TOKEN_DAYS

if TYPE_CHECKING:
    from alembic.config import Config

COPY_CHUNK = 2_000


def _alembic_config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(Path(__file__).with_name("alembic")))
    return config


def init_backend(engine: Engine) -> None:
    """Bring the backend's schema to the latest revision with Alembic (safe to run again)."""
    from alembic import command

    config = _alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")


def schema_is_current(engine: Engine) -> bool:
    """True when the backend's schema is at this release's latest revision (else `init_backend` upgrades it)."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    heads = set(ScriptDirectory.from_config(_alembic_config()).get_heads())
    with engine.connect() as conn:
        return set(MigrationContext.configure(conn).get_current_heads()) == heads


def start_new_epoch(engine: Engine) -> str:
    """A new epoch for a backend put back from a backup (the new epoch's id). Terminals pulled versions from the
    lost time that this backend will hand out again with other contents; under a new epoch each terminal copies
    its accounts whole at its next sync and replays its unsynced changes on top."""
    epoch = str(uuid.uuid4())
    with engine.begin() as conn:
        if conn.execute(text("UPDATE sync_state SET epoch = :e WHERE id = 1"), {"e": epoch}).rowcount != 1:
            raise LookupError("This database is not an AgentDesk backend: run `agentdesk server init` first.")
    return epoch


def ensure_admin(engine: Engine, name: str = "Administrator") -> str:
    """The id of an admin agent, made if there is none."""
    with engine.begin() as conn:
        found = conn.execute(select(AgentRow.id).where(AgentRow.role == "admin")).scalar()  # type: ignore[arg-type]
        if found is not None:
            return str(found)
        conn.execute(text("UPDATE sync_state SET version = version + 1 WHERE id = 1"))
        admin_id = str(uuid.uuid4())
        conn.execute(AgentRow.__table__.insert().values(id=admin_id, name=name, role="admin"))  # type: ignore[attr-defined]
        return admin_id


def issue_token(engine: Engine, agent_id: str, *, days: float = DEFAULT_TOKEN_DAYS) -> str:
    """A new sign-in token for `agent_id`, good for `days`; only its digest is stored, so it is shown once."""
    return tokens.issue(engine, agent_id, days=days)


def load_store(engine: Engine, store_path: Path) -> dict[str, int]:
    """Copy every domain row of a workstation store file (e.g. freshly made demo data) into a new backend, a new
    version per chunk so that pulls can page through it. Returns rows copied per table."""
    from agentdesk.clock import SystemClock
    from agentdesk.store import Store

    Store.open(store_path, SystemClock()).close()  # brings an older store file to the current schema
    source = sqlite3.connect(f"{store_path.resolve().as_uri()}?mode=ro", uri=True)
    counts: dict[str, int] = {}
    try:
        with engine.begin() as conn:
            for table in domain_tables():
                names = [c.name for c in table.columns]
                flags = {c.name for c in table.columns if isinstance(c.type, Boolean)}
                cursor = source.execute(f"SELECT {', '.join(names)} FROM {table.name}")
                counts[table.name] = 0
                while rows := cursor.fetchmany(COPY_CHUNK):
                    batch = [
                        {n: (bool(v) if n in flags and v is not None else v) for n, v in zip(names, row, strict=True)}
                        for row in rows
                    ]
                    conn.execute(text("UPDATE sync_state SET version = version + 1 WHERE id = 1"))
                    conn.execute(table.insert(), batch)
                    counts[table.name] += len(batch)
    finally:
        source.close()
    return counts
