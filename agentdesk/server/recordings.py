"""`GET /recordings/{interaction_id}`: a call's recording for an agent of its account, in HTTP ranges.

Recordings are files under the backend's recordings folder: `AGENTDESK_RECORDINGS` if set, else `recordings/`
beside an SQLite database, else the user data folder's `agentdesk/recordings`. A recording's `uri` names its file
relative to that folder (`file:calls/x.wav` or `calls/x.wav`); the demo's `demo://recordings/…` are generated
there on first request. A `uri` that is an http or https URL is the phone system's own address: the backend
fetches it from there for the agent (`agentdesk.server.phone_recordings`). Anyone without the account (or asking
for a call with no recording) gets the same 404, so the answer never tells that a recording exists.
"""

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Response
from fastapi.responses import JSONResponse, StreamingResponse
from platformdirs import user_data_dir
from sqlalchemy import Engine, select

from agentdesk.models import Recording
from agentdesk.server.byte_ranges import byte_range
from agentdesk.server.phone_recordings import PhoneSystem, is_phone_url, phone_recording
from agentdesk.server.sync import Caller
from agentdesk.sound.demo import demo_recording, is_demo

ENV_FOLDER = "AGENTDESK_RECORDINGS"
CHUNK = 64 * 1024


def recordings_folder(engine: Engine) -> Path:
    """Where this backend keeps its recordings' files."""
    if os.environ.get(ENV_FOLDER):
        return Path(os.environ[ENV_FOLDER]).expanduser()
    if engine.dialect.name == "sqlite" and engine.url.database not in (None, "", ":memory:"):
        return Path(str(engine.url.database)).expanduser().resolve().parent / "recordings"
    return Path(user_data_dir("agentdesk", appauthor=False)) / "recordings"


def _not_found() -> JSONResponse:
    return JSONResponse({"code": "not_found", "detail": "There is no recording of this call for you."},
                        status_code=404)


def file_of(folder: Path, interaction_id: str, uri: str) -> Path | None:
    """The file holding recording `uri` (made now when it is a demo's), or None when it is not on this backend."""
    if is_demo(uri):
        path = folder / "demo" / f"{interaction_id}.wav"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_suffix(f".{os.getpid()}.part")
            partial.write_bytes(demo_recording(interaction_id))
            partial.replace(path)  # two requests at once both write whole files; either one wins whole
        return path
    relative = uri.removeprefix("file:")
    if "://" in relative or relative.startswith("/"):
        return None  # an address this backend does not know (a phone system's is fetched by the route)
    path = (folder / relative).resolve()
    if not path.is_relative_to(folder.resolve()) or not path.is_file():
        return None
    return path


def _stream(path: Path, start: int, end: int) -> Iterator[bytes]:
    with path.open("rb") as file:
        file.seek(start)
        left = end - start + 1
        while left > 0:
            chunk = file.read(min(CHUNK, left))
            if not chunk:
                return
            left -= len(chunk)
            yield chunk


def recordings_router(engine: Engine, caller: Callable[..., Caller], phone: PhoneSystem | None = None) -> APIRouter:
    """The recordings' routes; `caller` is the app's dependency that says who asks (and for which accounts);
    `phone` how recordings kept at the phone system's own address are fetched (default: no sign-in)."""
    phone = phone if phone is not None else PhoneSystem()
    router = APIRouter(tags=["recordings"])

    @router.get("/recordings/{interaction_id}", response_model=None,
                responses={206: {"description": "Part of the recording"}, 404: {}, 416: {},
                           502: {"description": "The phone system keeping the recording could not send it"}})
    def recording(interaction_id: str, who: Annotated[Caller, Depends(caller)],
                  range_: Annotated[str | None, Header(alias="Range")] = None) -> Any:
        """The recording of call `interaction_id` (WAV), whole or the byte range asked for."""
        with engine.connect().execution_options(read_only=True) as conn:
            row = conn.execute(select(Recording.account_id, Recording.uri)
                               .where(Recording.interaction_id == interaction_id).limit(1)).first()
        if row is None or not who.may_act_on(row.account_id):
            return _not_found()
        if is_phone_url(row.uri):
            return phone_recording(phone, row.uri, range_)
        path = file_of(recordings_folder(engine), interaction_id, row.uri)
        if path is None:
            return _not_found()
        size = path.stat().st_size
        wanted = byte_range(range_, size)
        common = {"Accept-Ranges": "bytes", "Content-Type": "audio/wav"}
        if wanted is False:
            return Response(status_code=416, headers={**common, "Content-Range": f"bytes */{size}"})
        if wanted is None:
            return StreamingResponse(_stream(path, 0, size - 1), headers={**common, "Content-Length": str(size)},
                                     media_type="audio/wav")
        start, end = wanted  # type: ignore[misc]
        return StreamingResponse(_stream(path, start, end), status_code=206, media_type="audio/wav", headers={
            **common, "Content-Length": str(end - start + 1), "Content-Range": f"bytes {start}-{end}/{size}"})

    return router
