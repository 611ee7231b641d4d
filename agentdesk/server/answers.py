"""How the backend answers what it will not take: a request it cannot read (422, without echoing the hostile
input back), data no database can hold (a refusal, never a 503 that asks the terminal to send it again), and the
statuses every route documents in the OpenAPI document."""

from __future__ import annotations

import math
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

_REFUSAL = {"description": "Refused, with `code` (a stable word) and `detail` (a sentence for a person).",
            "content": {"application/json": {"example": {"code": "signed_out", "detail": "Sign in first."}}}}

SIGNED_IN_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {**_REFUSAL, "description": "The body is not JSON (or not UTF-8)."},
    401: {**_REFUSAL, "description": "No sign-in, or one that expired or was revoked: sign in again."},
    403: {**_REFUSAL, "description": "The sign-in may not do this."},
    413: {**_REFUSAL, "description": "The body is over the size limit (however it was sent)."},
    422: {**_REFUSAL, "description": "The body is not what this route takes (types are strict: no coercion)."},
    503: {**_REFUSAL, "description": "The backend's database is not answering (send again later, see"
                                     " `Retry-After`) or is damaged (`code: damaged`: an operator must restore it)."},
}
"""The statuses any signed-in route can answer besides its own success."""


def storable(value: str) -> str:
    """`value` with what no database text column holds (NUL, lone surrogates) replaced by U+FFFD."""
    if "\x00" not in value and value.isascii():
        return value
    cleaned = value.replace("\x00", "\ufffd")
    return cleaned.encode("utf-8", "surrogatepass").decode("utf-8", "replace") if _has_surrogate(cleaned) else cleaned


def _has_surrogate(value: str) -> bool:
    return any("\ud800" <= ch <= "\udfff" for ch in value)


def unstorable(value: Any, depth: int = 0) -> str | None:
    """Why a mutation's arguments cannot be stored by any database (a NUL, a lone surrogate, a number that is
    not finite), or None. Walked before the mutator runs, so the change is refused and recorded, not failed."""
    if depth > 64:
        return "its arguments are nested too deeply"
    if isinstance(value, str):
        if "\x00" in value:
            return "its text holds a NUL character"
        if _has_surrogate(value):
            return "its text holds a broken character (a lone surrogate)"
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return "it holds a number that is not finite"
    if isinstance(value, dict):
        for key, item in value.items():
            why = unstorable(key, depth + 1) or unstorable(item, depth + 1)
            if why:
                return why
    elif isinstance(value, list):
        for item in value:
            why = unstorable(item, depth + 1)
            if why:
                return why
    return None


def _plain(value: Any) -> Any:
    if isinstance(value, str):
        return storable(value)[:200]
    if isinstance(value, int):
        return value
    return storable(str(value))[:200]


def answer_unreadable_requests(app: FastAPI) -> None:
    """A body that does not validate answers 422 with where and why, never with the input itself (a NaN or a
    lone surrogate echoed back made the answer itself fail as a 500)."""

    @app.exception_handler(RequestValidationError)
    async def unreadable(_request: Request, error: RequestValidationError) -> JSONResponse:
        problems = [{"loc": [_plain(part) for part in problem.get("loc", ())][:10],
                     "msg": _plain(problem.get("msg", "")), "type": _plain(problem.get("type", ""))}
                    for problem in error.errors()[:20]]
        return JSONResponse({"code": "invalid", "detail": "The request's body is not what this route takes.",
                             "problems": problems}, status_code=422)
