"""Recordings on this terminal: fetched from the backend on demand (HTTP ranges, the agent's sign-in) and kept
in a local cache up to a size limit, the least recently played going first. Never part of a first copy.

A download cut off half-way is kept (`.part`) and goes on from where it stopped. A desk without a backend plays
the demo's recordings by making them itself.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from agentdesk.sound.demo import demo_recording, is_demo

if TYPE_CHECKING:  # httpx is loaded by the first download, not by the desk's start
    import httpx


class RecordingUnavailable(Exception):
    """The recording cannot be had now; the message says why and what to do."""


class RecordingCache:
    """Recordings' files in `folder`, at most `limit_bytes` of them; `client` talks to the backend (None: none)."""

    def __init__(self, folder: Path, limit_bytes: int, client: httpx.Client | None = None) -> None:
        self.folder = folder
        self.limit_bytes = limit_bytes
        self.client = client
        folder.mkdir(parents=True, exist_ok=True)

    def path_of(self, interaction_id: str) -> Path:
        """Where the recording of `interaction_id` is kept once fetched."""
        safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in interaction_id)
        return self.folder / f"{safe}.wav"

    def get(self, interaction_id: str, uri: str | None = None) -> Path:
        """The file of call `interaction_id`'s recording, fetched now if it is not here yet."""
        path = self.path_of(interaction_id)
        if path.exists():
            os.utime(path)  # played now: the last to go
            return path
        if self.client is not None:
            self._download(interaction_id, path)
        elif uri is not None and is_demo(uri):
            path.write_bytes(demo_recording(interaction_id))
        else:
            raise RecordingUnavailable("This recording is kept on the backend and this desk has none: "
                                       "set backend.url and sign in with `agentdesk login` to hear it.")
        self._make_room(keep=path)
        return path

    def _download(self, interaction_id: str, path: Path) -> None:
        import httpx

        assert self.client is not None
        partial = path.with_suffix(".part")
        have = partial.stat().st_size if partial.exists() else 0
        headers = {"Range": f"bytes={have}-"} if have else {}
        try:
            with self.client.stream("GET", f"/recordings/{interaction_id}", headers=headers) as answer:
                if answer.status_code == 416 and have:
                    partial.replace(path)  # the part was already whole
                    return
                if answer.status_code in (401, 403):
                    raise RecordingUnavailable("The backend does not accept this desk's sign-in: run `agentdesk login`.")
                if answer.status_code == 404:
                    raise RecordingUnavailable(_said(answer) or "There is no recording of this call for you on "
                                                                "the backend.")
                if answer.status_code == 502:  # the phone system keeping the recording: the backend says why
                    raise RecordingUnavailable(_said(answer) or "The phone system keeping this recording could not "
                                                                "send it; try again in a moment.")
                if answer.status_code not in (200, 206):
                    raise RecordingUnavailable(f"The backend could not send the recording now (HTTP "
                                               f"{answer.status_code}); try again in a moment.")
                mode = "ab" if answer.status_code == 206 else "wb"  # a 200 is the whole file: start afresh
                with partial.open(mode) as file:
                    for chunk in answer.iter_bytes():
                        file.write(chunk)
        except httpx.TransportError as error:
            raise RecordingUnavailable(f"The backend cannot be reached ({type(error).__name__}); the recording "
                                       "goes on downloading from where it stopped when you try again.") from None
        partial.replace(path)

    def _make_room(self, keep: Path) -> None:
        files = sorted((p for p in self.folder.glob("*.wav") if p != keep), key=lambda p: p.stat().st_mtime)
        total = keep.stat().st_size + sum(p.stat().st_size for p in files)
        for oldest in files:
            if total <= self.limit_bytes:
                break
            total -= oldest.stat().st_size
            oldest.unlink(missing_ok=True)


def _said(answer: httpx.Response) -> str | None:
    """The backend's sentence (`detail`) in a refusal, if it gave one."""
    try:
        answer.read()
        detail = answer.json().get("detail")
    except Exception:  # not JSON, or cut off: the caller's own sentence instead
        return None
    return detail[:300] if isinstance(detail, str) and detail else None
