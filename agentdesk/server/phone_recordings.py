"""Recordings the phone system keeps at its own web address (a recording's `uri` is an http or https URL): the
backend fetches them for the agent who plays one, after the same access check as for its own files.

The agent's `Range` goes through to the phone system and its answer comes back as 206 (or 200) with
`Content-Range`, as for files; a phone system that does not do ranges is cut to the range here. The backend signs
in to the phone system with its own credentials (`[server] phone_user`, AGENTDESK_PHONE_PASSWORD), never the
terminal's. Only http and https, redirects included (at most 3, and the credentials go only to the first host);
a bounded wait and a bounded size. What cannot be had is a sentence: 404 when the phone system has no such
recording, 502 when it cannot be reached, refuses the backend, or sends something that is not a WAV recording.

Nothing fetched is kept on the backend: each terminal keeps what it plays in its own cache (so the phone system is
asked once per terminal, not once per play), and the phone system stays the one place a recording lives, so its
retention and deletions hold at once, with no disk budget or clean-up on the backend.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import httpx
from fastapi import Response
from fastapi.responses import JSONResponse, StreamingResponse

from agentdesk.config import ServerSettings
from agentdesk.server.byte_ranges import byte_range

ENV_PASSWORD = "AGENTDESK_PHONE_PASSWORD"
REDIRECTS = 3
_RANGE = re.compile(r"^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$")
_TOTAL = re.compile(r"^\s*bytes\s+(\d+)-(\d+)/(\d+|\*)\s*$")
_AUDIO_TYPES = ("audio/", "application/octet-stream", "binary/octet-stream")


@dataclass(frozen=True)
class PhoneSystem:
    """How the backend fetches from the phone system: its sign-in (if any), the wait and the largest recording."""

    user: str | None = None
    password: str | None = None
    timeout_s: float = 10.0
    max_bytes: int = 200 * 1024 * 1024

    @classmethod
    def from_settings(cls, server: ServerSettings, environ: Mapping[str, str]) -> PhoneSystem:
        """The phone system of the backend's `[server]` settings, its password from the environment."""
        return cls(user=server.phone_user, password=environ.get(ENV_PASSWORD) or None,
                   timeout_s=server.phone_seconds, max_bytes=server.phone_recording_megabytes * 1024 * 1024)


def is_phone_url(uri: str) -> bool:
    """Whether recording `uri` is kept at the phone system's own web address."""
    return uri[:8].lower().startswith(("http://", "https://"))


def _refusal(status: int, code: str, detail: str) -> JSONResponse:
    return JSONResponse({"code": code, "detail": detail}, status_code=status)


def _asked_range(header: str | None) -> str | None:
    """The first range of the agent's `Range` header, as the phone system is asked it (None: the whole)."""
    if header is None:
        return None
    match = _RANGE.match(header.split(",")[0])
    if match is None or match.groups() == ("", ""):
        return None
    return f"bytes={match.group(1)}-{match.group(2)}"


def phone_recording(phone: PhoneSystem, url: str, range_header: str | None) -> Response:
    """The recording at the phone system's `url`, whole or the range asked for, or a refusal that says why."""
    wanted = _asked_range(range_header)
    client = httpx.Client(timeout=httpx.Timeout(phone.timeout_s), follow_redirects=False)
    try:
        answer = _open(client, phone, url, wanted)
    except _Refused as refused:
        client.close()
        return refused.answer
    except httpx.TransportError as error:
        client.close()
        host = httpx.URL(url).host
        return _refusal(502, "phone_system_unreachable", f"The phone system ({host}) cannot be reached now "
                                                         f"({type(error).__name__}); try again in a moment.")
    try:
        first, last, total = _span(answer)
        if total is not None and total > phone.max_bytes:
            raise _Refused(_refusal(502, "recording_too_large", (
                f"The recording at the phone system is {total / 1048576:.0f} MB, over the "
                f"{phone.max_bytes / 1048576:.0f} MB the backend passes on.")))
        skip, part = 0, answer.status_code == 206
        if answer.status_code == 200 and wanted is not None and total is not None:
            cut = byte_range(wanted, total)  # the phone system does not do ranges: cut the one asked for here
            if cut is False:
                raise _Refused(Response(status_code=416, headers={"Content-Range": f"bytes */{total}"}))
            if cut is not None:
                first, last = cut  # type: ignore[misc]
                skip, part = first, True
        chunks = answer.iter_bytes()
        head = _skip(chunks, skip)
        if first == 0 and not (head[:4] == b"RIFF" and head[8:12] == b"WAVE"):
            raise _Refused(_not_audio())
    except _Refused as refused:
        answer.close()
        client.close()
        return refused.answer
    except httpx.TransportError as error:
        answer.close()
        client.close()
        return _refusal(502, "phone_system_unreachable", f"The phone system stopped sending the recording "
                                                         f"({type(error).__name__}); try again in a moment.")
    length = last - first + 1 if last is not None else None
    headers = {"Accept-Ranges": "bytes", "Content-Type": "audio/wav"}
    if length is not None:
        headers["Content-Length"] = str(length)
    body = _relay(answer, client, head, chunks, length if length is not None else phone.max_bytes)
    if part and last is not None:
        headers["Content-Range"] = f"bytes {first}-{last}/{total if total is not None else '*'}"
        return StreamingResponse(body, status_code=206, headers=headers, media_type="audio/wav")
    return StreamingResponse(body, headers=headers, media_type="audio/wav")


class _Refused(Exception):
    def __init__(self, answer: Response) -> None:
        self.answer = answer


def _not_audio() -> JSONResponse:
    return _refusal(502, "not_audio", "The phone system sent something that is not a WAV recording; "
                                      "ask its administrator to check the recording's address.")


def _open(client: httpx.Client, phone: PhoneSystem, url: str, wanted: str | None) -> httpx.Response:
    """The phone system's answer to GET `url` (redirects followed, http and https only), its status checked."""
    origin = httpx.URL(url)
    headers = {"Accept-Encoding": "identity", "Accept": "audio/wav, audio/*, application/octet-stream"}
    if wanted is not None:
        headers["Range"] = wanted
    for _ in range(REDIRECTS + 1):
        target = httpx.URL(url)
        if target.scheme not in ("http", "https"):
            raise _Refused(_refusal(502, "phone_system_redirect", "The phone system sent the recording's request "
                                                                  "on to an address that is not http or https."))
        same_host = (target.scheme, target.host, target.port) == (origin.scheme, origin.host, origin.port)
        auth = httpx.BasicAuth(phone.user, phone.password or "") if phone.user and same_host else None
        answer = client.send(client.build_request("GET", target, headers=headers), auth=auth, stream=True)
        if answer.is_redirect and "location" in answer.headers:
            url = str(target.join(answer.headers["location"]))
            answer.close()
            continue
        if answer.status_code in (200, 206):
            kind = answer.headers.get("content-type", "").lower()
            if kind and not kind.startswith(_AUDIO_TYPES):
                answer.close()
                raise _Refused(_not_audio())
            return answer
        answer.close()
        if answer.status_code == 416:
            raise _Refused(Response(status_code=416, headers={
                "Content-Range": answer.headers.get("content-range", "bytes */0")}))
        if answer.status_code in (404, 410):
            raise _Refused(_refusal(404, "not_at_phone_system", "The phone system no longer has this recording "
                                                                f"(HTTP {answer.status_code} there)."))
        if answer.status_code in (401, 403):
            raise _Refused(_refusal(502, "phone_system_refused", (
                f"The phone system refused the backend's sign-in (HTTP {answer.status_code}): set [server] "
                f"phone_user and {ENV_PASSWORD} on the backend.")))
        raise _Refused(_refusal(502, "phone_system_failed", "The phone system could not send the recording now "
                                                            f"(HTTP {answer.status_code}); try again in a moment."))
    raise _Refused(_refusal(502, "phone_system_redirect", "The phone system sent the recording's request on too "
                                                          "many times."))


def _span(answer: httpx.Response) -> tuple[int, int | None, int | None]:
    """(first, last, total) bytes of the phone system's answer; None where it does not say."""
    size = answer.headers.get("content-length")
    length = int(size) if size is not None and size.isdigit() else None
    if answer.status_code == 206:
        match = _TOTAL.match(answer.headers.get("content-range", ""))
        if match is None:
            raise _Refused(_refusal(502, "phone_system_failed", "The phone system sent part of the recording "
                                                                "without saying which part."))
        total = None if match.group(3) == "*" else int(match.group(3))
        return int(match.group(1)), int(match.group(2)), total
    return 0, (length - 1 if length is not None else None), length


def _skip(chunks: Iterator[bytes], count: int) -> bytes:
    """The first bytes after skipping `count` of `chunks` (at least 12 of them when there are that many)."""
    head = b""
    for chunk in chunks:
        if count >= len(chunk):
            count -= len(chunk)
            continue
        head += chunk[count:]
        count = 0
        if len(head) >= 12:
            break
    return head


def _relay(answer: httpx.Response, client: httpx.Client, head: bytes, chunks: Iterator[bytes],
           limit: int) -> Iterator[bytes]:
    """`head` then the rest of `chunks`, no more than `limit` bytes in all; the phone system's answer closed after."""
    try:
        left = limit
        for chunk in _chain(head, chunks):
            if len(chunk) >= left:
                yield chunk[:left]
                return
            left -= len(chunk)
            yield chunk
    except httpx.TransportError:
        return  # cut off half-way: the terminal keeps what came and asks for the rest with a range
    finally:
        answer.close()
        client.close()


def _chain(head: bytes, chunks: Iterator[bytes]) -> Iterator[Any]:
    if head:
        yield head
    yield from chunks
