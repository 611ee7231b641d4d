"""Health: whether the backend process answers, and whether it found its database damaged (no sign-in, no
database read: a damaged database is what a request found while it was served)."""

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

router = APIRouter()


@router.get("/health", responses={503: {"description": "The backend found its database damaged: `reason` says"
                                                      " what and what to do."}})
def health(request: Request) -> JSONResponse:
    reason = request.app.state.damage.reason
    if reason is not None:
        return JSONResponse({"status": "damaged", "reason": reason}, status_code=503)
    return JSONResponse({"status": "ok"})
