"""Sign-in tokens: issued with an end, revoked by an operator, and checked against the database on every request
(so a revoked token or a demoted supervisor stops at the next request, whichever backend process serves it)."""

from __future__ import annotations

import hashlib
import secrets
import time
from typing import Any

from sqlalchemy import Engine, bindparam, select, text

from agentdesk.models import AgentRow
from agentdesk.server import sync as engine_sync
from agentdesk.server.schema import agent_token

DEFAULT_TOKEN_DAYS = 7.0
"""A token lasts a week by default: a desk works weekends too, so a week from sign-in means an agent signs in again
on the same weekday, never in the middle of a shift that a five-day end would cut on a Saturday."""

Identity = tuple[str, str]
"""(agent id, role) of a sign-in."""


def token_digest(token: str) -> str:
    """What the backend keeps of a sign-in token: its SHA-256, never the token itself."""
    return hashlib.sha256(token.encode()).hexdigest()


def issue(engine: Engine, agent_id: str, *, days: float = DEFAULT_TOKEN_DAYS) -> str:
    """A new sign-in token for `agent_id`, good for `days`; only its digest is stored, so it is shown once."""
    token = secrets.token_urlsafe(32)
    with engine.begin() as conn:
        if conn.execute(select(AgentRow.id).where(AgentRow.id == agent_id)).scalar() is None:  # type: ignore[arg-type]
            raise LookupError(f"There is no agent {agent_id[:64]} on this backend.")
        conn.execute(agent_token.insert().values(
            token_hash=token_digest(token), agent_id=agent_id, expires_at=time.time() + days * 86_400,
            created_at=str(conn.execute(text("SELECT CURRENT_TIMESTAMP")).scalar())))
    return token


def revoke_token(engine: Engine, token: str) -> int:
    """Revoke one token (given whole, as it was shown at issue); how many were revoked (0: unknown or already)."""
    return _revoke(engine, agent_token.c.token_hash == token_digest(token.strip()))


def revoke_agent(engine: Engine, agent_id: str) -> int:
    """Revoke every token of `agent_id`; how many were revoked."""
    return _revoke(engine, agent_token.c.agent_id == agent_id)


def _revoke(engine: Engine, which: Any) -> int:
    with engine.begin() as conn:
        now = str(conn.execute(text("SELECT CURRENT_TIMESTAMP")).scalar())
        return int(conn.execute(agent_token.update().where(which, agent_token.c.revoked_at.is_(None))
                                .values(revoked_at=now)).rowcount)


_TOKEN = select(agent_token.c.agent_id, agent_token.c.expires_at, agent_token.c.revoked_at, AgentRow.role).select_from(
    agent_token.outerjoin(AgentRow.__table__, AgentRow.id == agent_token.c.agent_id)  # type: ignore[attr-defined, arg-type]
).where(agent_token.c.token_hash == bindparam("digest"))


def check(conn: Any, digest: str) -> Identity:
    """(agent id, role) of a sign-in as the database says now; refused in the agent's words when it is unknown,
    revoked, expired, or its agent is gone."""
    row = conn.execute(_TOKEN, {"digest": digest}).first()
    if row is None:
        raise engine_sync.SyncRefused(401, "signed_out", "This sign-in is not valid: run `agentdesk login`.")
    if row.revoked_at is not None:
        raise engine_sync.SyncRefused(401, "sign_in_revoked", "Your sign-in was revoked: run `agentdesk login`.")
    if row.expires_at is not None and row.expires_at <= time.time():
        raise engine_sync.SyncRefused(401, "sign_in_expired", "Your sign-in expired: run `agentdesk login`.")
    if row.role is None:
        raise engine_sync.SyncRefused(403, "no_agent", "This sign-in's agent no longer exists.")
    return str(row.agent_id), str(row.role)
