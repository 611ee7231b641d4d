"""Recordings the phone system keeps at its own web address: fetched by the backend for the agent who plays one
(only of the agent's accounts), in ranges, with the backend's own sign-in to the phone system; what cannot be had
is a sentence. The phone system is a real HTTP server on loopback, started here."""

from __future__ import annotations

import base64
import io
import threading
import wave
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from agentdesk.server.app import create_app
from agentdesk.server.phone_recordings import PhoneSystem
from agentdesk.sound.fetch import RecordingCache, RecordingUnavailable
from agentdesk.sound.wav import decode_wav
from tests.sync.conftest import Backend, _free_port, served


def _source_wav() -> bytes:
    """Two seconds of 16-bit PCM at 8 kHz, a different sample every time: what a phone system writes."""
    out = io.BytesIO()
    with wave.open(out, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(8000)
        wav.writeframes(b"".join(((i * 37) % 65536 - 32768).to_bytes(2, "little", signed=True) for i in range(16000)))
    return out.getvalue()


@dataclass
class PhoneSystemServer:
    url: str
    wav: bytes
    asked: list[dict[str, str]] = field(default_factory=list)


@pytest.fixture
def phone_system() -> Iterator[PhoneSystemServer]:
    """The phone system's web server: WAVs with range support behind HTTP Basic (user `rec`, password `s3cret`)."""
    wav = _source_wav()
    asked: list[dict[str, str]] = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            asked.append({"path": self.path, **{k.lower(): v for k, v in self.headers.items()}})
            if self.headers.get("Authorization") != "Basic " + base64.b64encode(b"rec:s3cret").decode():
                return self._send(401, b"sign in", "text/plain")
            if self.path == "/calls/page":
                return self._send(200, b"<html>Log in to the PBX</html>", "text/html")
            if self.path == "/calls/away":
                self.send_response(302)
                self.send_header("Location", "file:///etc/passwd")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return None
            if self.path == "/calls/plain.wav":  # a phone system that does not do ranges
                return self._send(200, wav, "audio/x-wav")
            if self.path != "/calls/a.wav":
                return self._send(404, b"no such file", "text/plain")
            ranged = self.headers.get("Range", "").removeprefix("bytes=")
            if not ranged:
                return self._send(200, wav, "audio/wav")
            first, _, last = ranged.partition("-")
            start = int(first) if first else len(wav) - int(last)
            end = min(int(last), len(wav) - 1) if first and last else len(wav) - 1
            return self._send(206, wav[start:end + 1], "audio/wav", f"bytes {start}-{end}/{len(wav)}")

        def _send(self, status: int, body: bytes, kind: str, content_range: str | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Accept-Ranges", "bytes")
            if content_range:
                self.send_header("Content-Range", content_range)
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield PhoneSystemServer(f"http://127.0.0.1:{server.server_address[1]}", wav, asked)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)


@pytest.fixture
def phone_backend(backend_engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Backend]:  # type: ignore[no-untyped-def]
    """The backend, signing in to the phone system as `rec` with the password its environment gives."""
    monkeypatch.setenv("AGENTDESK_RECORDINGS", str(tmp_path / "backend-recordings"))
    phone = PhoneSystem(user="rec", password="s3cret", timeout_s=5.0)
    with served(backend_engine, create_app(backend_engine, phone=phone)) as running:
        yield running


def _call_at(backend: Backend, accounts: list[str], inside: bool, uri: str) -> str:
    """A recorded call of (or outside) `accounts`, its recording now at `uri`."""
    where = "IN" if inside else "NOT IN"
    names = ",".join(f"'{a}'" for a in accounts)
    with backend.engine.begin() as conn:
        call = conn.execute(text(f"SELECT interaction_id FROM recording WHERE account_id {where} ({names})"
                                 " ORDER BY interaction_id LIMIT 1")).scalar_one()
        conn.execute(text("UPDATE recording SET uri = :uri WHERE interaction_id = :call"), {"uri": uri, "call": call})
    return str(call)


def _client(backend: Backend, agent: str) -> httpx.Client:
    return httpx.Client(base_url=backend.url, headers={"Authorization": f"Bearer {backend.token(agent)}"}, timeout=20)


@pytest.mark.parametrize("backend_engine", ["sqlite"], indirect=True)
def test_the_desk_plays_a_recording_kept_by_the_phone_system_fetched_in_ranges_through_the_backend(
        phone_backend: Backend, phone_system: PhoneSystemServer, tmp_path: Path) -> None:
    agent, accounts = phone_backend.agent_with_accounts()
    call = _call_at(phone_backend, accounts, inside=True, uri=f"{phone_system.url}/calls/a.wav")
    source = phone_system.wav
    with _client(phone_backend, agent) as client:
        head = client.get(f"/recordings/{call}", headers={"Range": "bytes=0-999"})
        assert head.status_code == 206 and head.content == source[:1000]
        assert head.headers["content-range"] == f"bytes 0-999/{len(source)}"
        assert phone_system.asked[-1]["range"] == "bytes=0-999"  # the agent's range went through
        tail = client.get(f"/recordings/{call}", headers={"Range": "bytes=-10"})
        assert tail.status_code == 206 and tail.content == source[-10:]
        # The desk's cache goes on from the part it has with a range, as after a cut download.
        cache = RecordingCache(tmp_path / "cache", limit_bytes=10_000_000, client=client)
        cache.path_of(call).with_suffix(".part").write_bytes(head.content)
        played = cache.get(call, f"{phone_system.url}/calls/a.wav").read_bytes()
    assert phone_system.asked[-1]["range"] == "bytes=1000-"
    assert played == source
    assert decode_wav(played).data == decode_wav(source).data
    # The backend's own sign-in went to the phone system, never the agent's token.
    assert all(asked["authorization"].startswith("Basic ") for asked in phone_system.asked)


@pytest.mark.parametrize("backend_engine", ["sqlite"], indirect=True)
def test_a_phone_system_without_ranges_is_cut_to_the_range_on_the_backend(
        phone_backend: Backend, phone_system: PhoneSystemServer) -> None:
    agent, accounts = phone_backend.agent_with_accounts()
    call = _call_at(phone_backend, accounts, inside=True, uri=f"{phone_system.url}/calls/plain.wav")
    source = phone_system.wav
    with _client(phone_backend, agent) as client:
        part = client.get(f"/recordings/{call}", headers={"Range": "bytes=500-"})
        whole = client.get(f"/recordings/{call}")
        past = client.get(f"/recordings/{call}", headers={"Range": f"bytes={len(source)}-"})
    assert part.status_code == 206 and part.content == source[500:]
    assert part.headers["content-range"] == f"bytes 500-{len(source) - 1}/{len(source)}"
    assert whole.status_code == 200 and whole.content == source
    assert past.status_code == 416


@pytest.mark.parametrize("backend_engine", ["sqlite"], indirect=True)
def test_another_accounts_phone_system_recording_is_not_found_and_never_asked_of_the_phone_system(
        phone_backend: Backend, phone_system: PhoneSystemServer) -> None:
    agent, accounts = phone_backend.agent_with_accounts()
    other = _call_at(phone_backend, accounts, inside=False, uri=f"{phone_system.url}/calls/a.wav")
    with _client(phone_backend, agent) as client:
        theirs = client.get(f"/recordings/{other}")
        missing = client.get("/recordings/no-such-call")
    assert theirs.status_code == missing.status_code == 404 and theirs.json() == missing.json()
    assert phone_system.asked == []


@pytest.mark.parametrize("backend_engine", ["sqlite"], indirect=True)
def test_what_the_phone_system_cannot_send_is_a_sentence_not_a_server_error(
        phone_backend: Backend, phone_system: PhoneSystemServer, tmp_path: Path) -> None:
    agent, accounts = phone_backend.agent_with_accounts()
    with _client(phone_backend, agent) as client:
        def answer(uri: str) -> httpx.Response:
            return client.get(f"/recordings/{_call_at(phone_backend, accounts, inside=True, uri=uri)}")

        gone = answer(f"{phone_system.url}/calls/deleted.wav")
        assert gone.status_code == 404 and "phone system no longer has this recording" in gone.json()["detail"]
        page = answer(f"{phone_system.url}/calls/page")
        assert page.status_code == 502 and "not a WAV recording" in page.json()["detail"]
        away = answer(f"{phone_system.url}/calls/away")
        assert away.status_code == 502 and "not http or https" in away.json()["detail"]
        down = answer(f"http://127.0.0.1:{_free_port()}/calls/a.wav")
        assert down.status_code == 502 and "cannot be reached" in down.json()["detail"]
        # The desk shows the backend's sentence.
        cache = RecordingCache(tmp_path / "cache", limit_bytes=10_000_000, client=client)
        call = _call_at(phone_backend, accounts, inside=True, uri=f"http://127.0.0.1:{_free_port()}/calls/a.wav")
        with pytest.raises(RecordingUnavailable, match="phone system .* cannot be reached"):
            cache.get(call)


@pytest.mark.parametrize("backend_engine", ["sqlite"], indirect=True)
def test_a_phone_system_that_refuses_the_backend_says_where_its_sign_in_is_set(
        backend_engine, phone_system: PhoneSystemServer, tmp_path: Path,  # type: ignore[no-untyped-def]
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AGENTDESK_RECORDINGS", str(tmp_path / "backend-recordings"))
    with served(backend_engine, create_app(backend_engine)) as backend:  # no sign-in set for the phone system
        agent, accounts = backend.agent_with_accounts()
        call = _call_at(backend, accounts, inside=True, uri=f"{phone_system.url}/calls/a.wav")
        with _client(backend, agent) as client:
            refused = client.get(f"/recordings/{call}")
    assert refused.status_code == 502 and "AGENTDESK_PHONE_PASSWORD" in refused.json()["detail"]
    assert "authorization" not in phone_system.asked[-1]
