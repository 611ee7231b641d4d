"""A damaged or missing backend database: `agentdesk server check` finds it, start-up says what is wrong and what
to do (never a traceback, never an empty file made in place of a missing one), and damage found while serving
is answered 503 with the reason, logged once and reported by `/health`."""

from __future__ import annotations

import logging
import os
import random
import shutil
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from sqlalchemy import Engine
from starlette.testclient import TestClient

from agentdesk.server.admin import ensure_admin, init_backend, issue_token
from agentdesk.server.app import create_app
from agentdesk.server.db import make_engine

EXE = str(Path(sys.executable).with_name("agentdesk"))
PG_URL = "postgresql://postgres@127.0.0.1:5432/test"


def _run(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "AGENTDESK_DATABASE_URL"}
    return subprocess.run([EXE, "server", *args], capture_output=True, text=True, timeout=timeout, env=env)


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start(database: str) -> subprocess.CompletedProcess[str]:
    """`agentdesk server` on `database`; a damaged one must make it stop at once with a sentence."""
    return _run("--database", database, "--port", str(_port()), timeout=30)


@pytest.fixture(scope="module")
def sound_backend(tmp_path_factory: pytest.TempPathFactory, demo_template: Path) -> Path:
    """A set-up SQLite backend file with the demo data, its WAL folded into it."""
    from agentdesk.server.admin import load_store

    path = tmp_path_factory.mktemp("backend") / "backend.db"
    engine = make_engine(str(path))
    init_backend(engine)
    load_store(engine, demo_template)
    engine.dispose()
    return path


def _copy(sound: Path, tmp_path: Path) -> Path:
    path = tmp_path / "backend.db"
    shutil.copyfile(sound, path)
    return path


def _bad_header(path: Path) -> None:
    with path.open("r+b") as handle:
        handle.write(b"this is not a database file at all" + bytes(66))


def _truncated(path: Path) -> None:
    with path.open("r+b") as handle:
        handle.truncate(path.stat().st_size // 2)


def _damaged_mid_file(path: Path) -> None:
    size = path.stat().st_size
    rng = random.Random(18)
    with path.open("r+b") as handle:
        handle.seek(size // 4)
        handle.write(bytes(rng.randrange(256) for _ in range(size // 2)))


DAMAGE = {"bad header": _bad_header, "truncated": _truncated, "damage mid-file": _damaged_mid_file}


def test_a_sound_backend_passes_its_check(sound_backend: Path, tmp_path: Path) -> None:
    checked = _run("check", "--database", str(_copy(sound_backend, tmp_path)))
    assert checked.returncode == 0, checked.stderr
    assert "is sound" in checked.stderr


@pytest.mark.parametrize("damage", DAMAGE)
def test_a_damaged_backend_is_named_and_never_started(sound_backend: Path, tmp_path: Path, damage: str) -> None:
    path = _copy(sound_backend, tmp_path)
    DAMAGE[damage](path)
    for answer in (_run("check", "--database", str(path)), _start(str(path)),
                   _run("token", "x", "--database", str(path)), _run("restored", "--database", str(path))):
        assert answer.returncode == 1, answer.stderr
        assert "Traceback" not in answer.stderr
        assert "is damaged" in answer.stderr
        assert "restore the database from the last backup, then run `agentdesk server restored`" in answer.stderr


def test_a_missing_backend_is_named_and_not_made_empty(tmp_path: Path) -> None:
    path = tmp_path / "gone" / "backend.db"
    for answer in (_start(str(path)), _run("check", "--database", str(path)),
                   _run("token", "x", "--database", str(path)), _run("restored", "--database", str(path))):
        assert answer.returncode == 1, answer.stderr
        assert "Traceback" not in answer.stderr
        assert "There is no backend database" in answer.stderr and "agentdesk server init" in answer.stderr
        assert not path.exists()


def test_postgresql_is_checked_by_connection_and_schema() -> None:
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = make_engine(PG_URL)
    with admin.begin() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    url = f"{PG_URL}?options=-csearch_path%3D{schema}"
    try:
        empty = _run("check", "--database", url)
        assert empty.returncode == 1 and "not set up yet" in empty.stderr, empty.stderr
        engine = make_engine(url)
        init_backend(engine)
        engine.dispose()
        sound = _run("check", "--database", url)
        assert sound.returncode == 0 and "is sound" in sound.stderr, sound.stderr
        away = _start(f"postgresql://postgres@127.0.0.1:{_port()}/test")
        assert away.returncode == 1 and "Traceback" not in away.stderr
        assert "cannot be used" in away.stderr
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        admin.dispose()


def test_damage_found_while_serving_is_a_503_with_its_reason(sound_backend: Path, tmp_path: Path,
                                                            caplog: pytest.LogCaptureFixture) -> None:
    path = _copy(sound_backend, tmp_path)
    engine: Engine = make_engine(str(path))
    token = issue_token(engine, ensure_admin(engine))
    client = TestClient(create_app(engine), headers={"Authorization": f"Bearer {token}"})
    assert client.post("/sync/pull", json={"client_group_id": "g-damage"}).status_code == 200
    engine.dispose()
    _damaged_mid_file(path)
    engine.dispose()  # the pages are read from the file again, as by a backend process started now

    with caplog.at_level(logging.ERROR, logger="agentdesk.server"):
        answers = [client.post("/sync/pull", json={"client_group_id": f"g-{n}"}) for n in range(3)]
        answers.append(client.post("/sync/push", json={"client_group_id": "g-damage", "client_id": "c",
                                                       "mutations": [{"id": 1, "name": "faq.use@1", "args": {}}]}))
    for answer in answers:
        assert answer.status_code == 503, answer.text
        assert answer.json()["code"] == "damaged"
        assert "restore the database from the last backup" in answer.json()["detail"]
    health = client.get("/health")
    assert health.status_code == 503 and health.json()["status"] == "damaged"
    assert sum("damaged" in record.getMessage() for record in caplog.records) == 1
    engine.dispose()


def test_a_healthy_backend_says_ok(sound_backend: Path, tmp_path: Path) -> None:
    engine = make_engine(str(_copy(sound_backend, tmp_path)))
    answer = TestClient(create_app(engine)).get("/health")
    assert answer.status_code == 200 and answer.json() == {"status": "ok"}
    engine.dispose()
