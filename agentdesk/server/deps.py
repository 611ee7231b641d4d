"""What every router of the backend shares: the engine, who is signed in, the error mapping, the body-size limit.

State lives on `app.state` (set by `create_app`), read by the dependency functions below, so a router module
holds routes only and two apps in one process (tests) never share a sign-in cache.
"""

import json
import sqlite3
import time
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Header, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from sqlalchemy import Engine, bindparam, select
from sqlalchemy.exc import DBAPIError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from agentdesk.models import AgentAccount
from agentdesk.server import sync as engine_sync
from agentdesk.server.damage import is_damage
from agentdesk.server.db import is_bad_data
from agentdesk.server.tokens import Identity, check, token_digest

__all__ = ["Identity", "token_digest"]

MAX_BODY_BYTES = 4 * 1024 * 1024
AUTH_CACHE_S = 10.0
"""A sign-in, once checked, lets push and pull read their body this long before the token is checked again; the
work itself checks the token, its end and the agent's role in its own transaction on every request."""


_accounts_of = select(AgentAccount.account_id).where(AgentAccount.agent_id == bindparam("agent"))  # type: ignore[arg-type]


class SignIns:
    """The sign-ins one backend has checked lately (token digest → agent and role), and the accounts of a caller."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.known: dict[str, tuple[float, str, str]] = {}  # token digest → (good until, agent id, role)

    def cached(self, digest: str) -> Identity | None:
        """The sign-in from memory when it was checked less than AUTH_CACHE_S ago."""
        cached = self.known.get(digest)
        return (cached[1], cached[2]) if cached is not None and cached[0] > time.monotonic() else None

    def identify(self, digest: str) -> Identity:
        """(agent id, role) of a sign-in, checked against the database at most every AUTH_CACHE_S."""
        found = self.cached(digest)
        if found is not None:
            return found
        with self.engine.connect().execution_options(read_only=True) as conn:
            agent_id, role = check(conn, digest)
        if len(self.known) > 10_000:
            self.known.clear()
        self.known[digest] = (time.monotonic() + AUTH_CACHE_S, agent_id, role)
        return agent_id, role

    def caller_of(self, identity: Identity, digest: str | None = None) -> engine_sync.Caller:
        """The caller with the accounts the agent works for now, read on every request (an account taken away
        stops at once); with `digest`, the sign-in itself is checked again (revoked, expired, demoted)."""
        if digest is None and identity[1] in ("admin", "supervisor"):
            return engine_sync.Caller(agent_id=identity[0], role=identity[1], accounts=None)
        with self.engine.connect().execution_options(read_only=True) as conn:
            return caller_in(identity, digest)(conn)


def caller_in(identity: Identity, digest: str | None = None) -> engine_sync.CallerOf:
    """`SignIns.caller_of`, read in the request's own transaction; with `digest` the token is checked there too,
    so a token revoked or a role changed by another backend process counts from the next request."""

    def read(conn: Any) -> engine_sync.Caller:
        agent_id, role = check(conn, digest) if digest is not None else identity
        if role in ("admin", "supervisor"):
            return engine_sync.Caller(agent_id=agent_id, role=role, accounts=None)
        accounts = frozenset(conn.execute(_accounts_of, {"agent": agent_id}).scalars())
        return engine_sync.Caller(agent_id=agent_id, role=role, accounts=accounts)

    return read


def _digest(authorization: str | None) -> str:
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not 16 <= len(token) <= 200:
        raise engine_sync.SyncRefused(401, "signed_out", "Sign in first: `agentdesk login`.")
    return token_digest(token)


# The dependencies that only read app.state are `async def`: FastAPI runs a plain `def` dependency on the
# thread pool, and an extra hand-off per request is what push and pull were written to avoid.

async def the_engine(request: Request) -> Engine:
    """The backend's database."""
    return request.app.state.engine


async def the_sign_ins(request: Request) -> SignIns:
    """The backend's cache of checked sign-ins."""
    return request.app.state.sign_ins


def caller(sign_ins: Annotated[SignIns, Depends(the_sign_ins)],
           authorization: Annotated[str | None, Header()] = None) -> engine_sync.Caller:
    """Who is asking, read from the database on every request: the sign-in (revoked, expired, role) and the
    accounts the agent works for now."""
    digest = _digest(authorization)
    return sign_ins.caller_of(sign_ins.identify(digest), digest)


async def token_of(authorization: Annotated[str | None, Header()] = None) -> str:
    """The digest of the request's token, for work that checks the sign-in again in its own transaction."""
    return _digest(authorization)


async def signed_in(sign_ins: Annotated[SignIns, Depends(the_sign_ins)],
                    authorization: Annotated[str | None, Header()] = None) -> Identity:
    """The sign-in alone, checked before the body is read; from memory when it was seen lately, so push and
    pull make a single trip to the thread pool."""
    digest = _digest(authorization)
    return sign_ins.cached(digest) or await run_in_threadpool(sign_ins.identify, digest)


EngineDep = Annotated[Engine, Depends(the_engine)]
SignInsDep = Annotated[SignIns, Depends(the_sign_ins)]
CallerDep = Annotated[engine_sync.Caller, Depends(caller)]
SignedIn = Annotated[Identity, Depends(signed_in)]
TokenDigest = Annotated[str, Depends(token_of)]


def map_errors(app: FastAPI) -> None:
    """Answer the backend's refusals with their own status and code, and a database that is away with 503
    and `Retry-After` (nothing was half-applied: every write is one transaction)."""

    @app.exception_handler(engine_sync.SyncRefused)
    async def refused(_request: Request, error: engine_sync.SyncRefused) -> JSONResponse:
        return JSONResponse({"code": error.code, "detail": str(error), **error.extra}, status_code=error.status)

    def damaged(error: BaseException) -> JSONResponse:
        reason = app.state.damage.found(error)
        return JSONResponse({"code": "damaged", "detail": reason}, status_code=503, headers={"Retry-After": "60"})

    @app.exception_handler(engine_sync.Unavailable)
    async def unavailable(_request: Request, error: engine_sync.Unavailable) -> JSONResponse:
        if is_damage(error):
            return damaged(error)
        return JSONResponse({"code": "unavailable", "detail": str(error)}, status_code=503,
                            headers={"Retry-After": "2"})

    @app.exception_handler(DBAPIError)
    @app.exception_handler(sqlite3.DatabaseError)  # the mutators' own statements reach the driver directly
    async def database_down(_request: Request, error: Exception) -> JSONResponse:
        if is_damage(error):
            return damaged(error)
        if is_bad_data(getattr(error, "orig", None) or error):
            # Data no database can hold is refused for good: a 503 would have the terminal send it forever.
            return JSONResponse({"code": "unstorable", "detail": "The backend cannot store this request's data."},
                                status_code=422)
        return JSONResponse({"code": "unavailable", "detail": "The backend's database is not answering."},
                            status_code=503, headers={"Retry-After": "2"})


class BodyLimit:
    """Refuse bodies over `MAX_BODY_BYTES` with 413, by the declared length or while the body streams in
    (plain ASGI, so every request does not pay for a middleware framework)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > MAX_BODY_BYTES):
            await _too_large(send)
            return
        seen = 0
        answered = refused = False

        async def counted() -> Message:
            nonlocal seen, answered, refused
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > MAX_BODY_BYTES:
                    # Answered here and now: the framework turns any failure while it reads a body into 400,
                    # and a body sent chunked (no Content-Length) is only found too large while it is read.
                    if not answered:
                        answered = refused = True
                        await _too_large(send)
                    raise _TooLarge
            return message

        async def sending(message: Message) -> None:
            nonlocal answered
            if refused:
                return  # the 413 has gone out; what the app says after it is dropped
            answered = True
            await send(message)

        try:
            await self.app(scope, counted, sending)
        except _TooLarge:
            if not answered:
                await _too_large(send)


class _TooLarge(Exception):
    pass


async def _too_large(send: Send) -> None:
    body = json.dumps({"code": "too_large", "detail": f"At most {MAX_BODY_BYTES} bytes per request."}).encode()
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
