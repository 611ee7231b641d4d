"""The credentials of the chat and SMS gateways (and anything else that posts customers' written messages).

A gateway is not a person at a desk, so its credential is not an agent's sign-in: it is a token of its own, made by
an admin (`agentdesk server token --gateway NAME`), kept as a digest in the backend's own `gateway_token` table,
good for `POST /intake/messages` and for nothing else (sync and every other route do not know it). An agent's
sign-in, whatever its role, is refused at the intake route (403).
"""

from __future__ import annotations

import secrets
import time
from datetime import UTC, datetime

from sqlalchemy import Engine, select

from agentdesk.clock import iso
from agentdesk.server import sync as engine_sync
from agentdesk.server.mail.schema import ensure_mail_schema, gateway_token
from agentdesk.server.tokens import check, token_digest

GATEWAY_TOKEN_DAYS = 365.0
"""A gateway runs unattended: its credential lasts a year unless an admin says otherwise (or revokes it)."""


def issue_gateway(engine: Engine, name: str, *, days: float = GATEWAY_TOKEN_DAYS) -> str:
    """A new gateway token named `name`, good for `days`; only its digest is stored, so it is shown once."""
    name = name.strip()
    if not name or len(name) > 100 or not name.isprintable():
        raise ValueError("Name the gateway in at most 100 printable characters, e.g. `sms-provider`.")
    now = datetime.now(UTC)
    ensure_mail_schema(engine, iso(now))
    token = secrets.token_urlsafe(32)
    with engine.begin() as conn:
        conn.execute(gateway_token.insert().values(token_hash=token_digest(token), name=name, created_at=iso(now),
                                                   expires_at=time.time() + days * 86_400))
    return token


def revoke_gateway(engine: Engine, name: str) -> int:
    """Revoke every token of the gateway `name`; how many were revoked."""
    ensure_mail_schema(engine, iso(datetime.now(UTC)))
    with engine.begin() as conn:
        return int(conn.execute(gateway_token.update().where(
            gateway_token.c.name == name.strip(), gateway_token.c.revoked_at.is_(None)
        ).values(revoked_at=iso(datetime.now(UTC)))).rowcount)


def gateway_named(engine: Engine, digest: str) -> str:
    """The name of the gateway whose token has `digest`; refused 401 when it is unknown, revoked or expired, and
    403 when it is an agent's sign-in (a desk does not post customers' messages)."""
    ensure_mail_schema(engine, iso(datetime.now(UTC)))
    with engine.connect().execution_options(read_only=True) as conn:
        row = conn.execute(select(gateway_token.c.name, gateway_token.c.expires_at, gateway_token.c.revoked_at)
                           .where(gateway_token.c.token_hash == digest)).first()
        if row is None:
            check(conn, digest)  # an unknown token is refused here (401); an agent's sign-in gets past
            raise engine_sync.SyncRefused(403, "gateway_only",
                                          "Written messages come from a gateway's credential, not an agent's sign-in.")
    if row.revoked_at is not None:
        raise engine_sync.SyncRefused(401, "gateway_revoked", "This gateway's credential was revoked.")
    if row.expires_at is not None and row.expires_at <= time.time():
        raise engine_sync.SyncRefused(401, "gateway_expired", "This gateway's credential expired: ask for a new one.")
    return str(row.name)
