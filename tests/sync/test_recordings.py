"""Recordings from the backend: only for the agent's accounts, in HTTP ranges, cached on the terminal."""

from __future__ import annotations

import os
import time
from pathlib import Path

import httpx
import pytest

from agentdesk.sound.fetch import RecordingCache, RecordingUnavailable
from agentdesk.sound.wav import decode_wav
from tests.sync.conftest import Backend


@pytest.fixture(autouse=True)
def _recordings_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AGENTDESK_RECORDINGS", str(tmp_path / "backend-recordings"))


def _recorded_calls(backend: Backend, accounts: list[str], inside: bool, count: int = 3) -> list[str]:
    names = ",".join(f"'{a}'" for a in accounts)
    where = "IN" if inside else "NOT IN"
    with backend.engine.connect() as conn:
        from sqlalchemy import text

        return list(conn.execute(text(f"SELECT interaction_id FROM recording WHERE account_id {where} ({names})"
                                      f" ORDER BY interaction_id LIMIT {count}")).scalars())


def _client(backend: Backend, token: str) -> httpx.Client:
    return httpx.Client(base_url=backend.url, headers={"Authorization": f"Bearer {token}"}, timeout=20)


def test_an_agent_gets_a_recording_of_their_account_whole_and_in_ranges(backend: Backend) -> None:
    agent, accounts = backend.agent_with_accounts()
    call = _recorded_calls(backend, accounts, inside=True)[0]
    with _client(backend, backend.token(agent)) as client:
        whole = client.get(f"/recordings/{call}")
        assert whole.status_code == 200 and whole.headers["accept-ranges"] == "bytes"
        recording = decode_wav(whole.content)  # the demo's generated recording, a few seconds of G.711
        assert recording.rate == 8000 and 3 <= recording.seconds <= 6
        size = len(whole.content)
        part = client.get(f"/recordings/{call}", headers={"Range": "bytes=100-199"})
        assert part.status_code == 206 and part.headers["content-range"] == f"bytes 100-199/{size}"
        assert part.content == whole.content[100:200]
        tail = client.get(f"/recordings/{call}", headers={"Range": "bytes=-10"})
        assert tail.status_code == 206 and tail.content == whole.content[-10:]
        rest = client.get(f"/recordings/{call}", headers={"Range": f"bytes={size - 5}-"})
        assert rest.content == whole.content[-5:]
        past = client.get(f"/recordings/{call}", headers={"Range": f"bytes={size}-"})
        assert past.status_code == 416 and past.headers["content-range"] == f"bytes */{size}"
        assert client.get(f"/recordings/{call}").content == whole.content  # the same every time


def test_another_accounts_recording_is_not_found_just_like_one_that_does_not_exist(backend: Backend) -> None:
    agent, accounts = backend.agent_with_accounts()
    other = _recorded_calls(backend, accounts, inside=False)[0]
    with _client(backend, backend.token(agent)) as client:
        theirs = client.get(f"/recordings/{other}")
        missing = client.get("/recordings/no-such-call")
    assert theirs.status_code == missing.status_code == 404
    assert theirs.json() == missing.json()
    assert httpx.get(f"{backend.url}/recordings/{other}").status_code == 401


def test_the_terminal_caches_recordings_up_to_its_limit_oldest_out_and_resumes_a_cut_download(
        backend: Backend, tmp_path: Path) -> None:
    agent, accounts = backend.agent_with_accounts()
    calls = _recorded_calls(backend, accounts, inside=True)
    asked: list[httpx.Request] = []
    with _client(backend, backend.token(agent)) as client:
        client.event_hooks["request"] = [asked.append]
        sizes = [len(client.get(f"/recordings/{call}").content) for call in calls]
        asked.clear()
        cache = RecordingCache(tmp_path / "cache", limit_bytes=sizes[0] + sizes[1] + 1, client=client)
        first = cache.get(calls[0])
        time.sleep(0.02)
        cache.get(calls[1])
        assert len(asked) == 2
        os.utime(first, (time.time() + 5, time.time() + 5))  # played again lately: the second is now the oldest
        cache.get(calls[0])
        assert len(asked) == 2  # from the cache
        cache.get(calls[2])
        kept = sorted(p.stem for p in (tmp_path / "cache").glob("*.wav"))
        assert kept == sorted([calls[0], calls[2]])
        # A download cut half-way goes on from where it stopped, with a range request.
        whole = client.get(f"/recordings/{calls[1]}").content
        cache.path_of(calls[1]).with_suffix(".part").write_bytes(whole[:1000])
        asked.clear()
        assert cache.get(calls[1]).read_bytes() == whole
        assert asked[0].headers["range"] == "bytes=1000-"
        with pytest.raises(RecordingUnavailable, match="no recording of this call for you"):
            cache.get(_recorded_calls(backend, accounts, inside=False)[0])


def test_a_desk_without_a_backend_plays_the_demos_recordings_by_making_them(tmp_path: Path) -> None:
    cache = RecordingCache(tmp_path / "cache", limit_bytes=10_000_000)
    made = cache.get("call-1", "demo://recordings/call-1.ogg").read_bytes()
    assert decode_wav(made).seconds >= 3
    assert RecordingCache(tmp_path / "other", 10_000_000).get("call-1", "demo://recordings/call-1.ogg").read_bytes() \
        == made
    with pytest.raises(RecordingUnavailable, match="set backend.url"):
        cache.get("call-2", "https://pbx.example/rec/2.wav")
