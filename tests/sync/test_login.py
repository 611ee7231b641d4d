"""`agentdesk login` keeps the sign-in in a real OS keyring (gnome-keyring's Secret Service in a private D-Bus
session); with no keyring it says so plainly and keeps nothing on disk."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.sync.conftest import Backend

EXE = str(Path(sys.executable).with_name("agentdesk"))
SQLITE_ONLY = pytest.mark.parametrize("backend_engine", ["sqlite"], indirect=True)


def _in_keyring_session(script: str, env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """Run `script` (sh) inside a D-Bus session with an unlocked gnome-keyring of its own."""
    wrapper = tmp_path / "session.sh"
    wrapper.write_text(
        "set -e\n"
        f"export XDG_DATA_HOME={tmp_path / 'data'}\n"
        "eval \"$(printf 'agentdesk-test' | gnome-keyring-daemon --unlock --components=secrets 2>/dev/null)\"\n"
        + script
    )
    return subprocess.run(["dbus-run-session", "--", "sh", str(wrapper)], env=env, capture_output=True, text=True,
                          timeout=120)


@SQLITE_ONLY
def test_login_keeps_the_token_in_the_keyring_and_sync_uses_it(backend: Backend, tmp_path: Path) -> None:
    agent, _ = backend.agent_with_accounts()
    token = backend.token(agent)
    env = {k: v for k, v in os.environ.items() if k != "AGENTDESK_TOKEN"}
    store = tmp_path / "terminal.db"
    done = _in_keyring_session(
        f"printf '%s\\n' '{token}' | {EXE} login --server {backend.url}\n"
        f"{EXE} --store {store} sync --server {backend.url} --deadline 3\n",
        env, tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert "Signed in to" in done.stderr
    assert "rows pulled" in done.stderr
    assert token not in done.stdout + done.stderr


@SQLITE_ONLY
def test_a_wrong_token_is_refused_plainly(backend: Backend, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "AGENTDESK_TOKEN"}
    done = _in_keyring_session(
        f"printf 'not-a-real-token-at-all\\n' | {EXE} login --server {backend.url}\n", env, tmp_path)
    assert done.returncode != 0
    assert "does not accept this token" in done.stderr
    assert "Traceback" not in done.stderr


@SQLITE_ONLY
def test_with_no_keyring_login_says_so_and_writes_nothing(backend: Backend, tmp_path: Path) -> None:
    agent, _ = backend.agent_with_accounts()
    token = backend.token(agent)
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "AGENTDESK_TOKEN"}
    env.update(HOME=str(home), XDG_DATA_HOME=str(home / "data"), XDG_CONFIG_HOME=str(home / "config"),
               PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
    done = subprocess.run([EXE, "login", "--server", backend.url], input=token + "\n", env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode != 0
    assert "no usable keyring" in done.stderr and "AGENTDESK_TOKEN" in done.stderr
    assert "Traceback" not in done.stderr
    for path in home.rglob("*"):
        assert not path.is_file() or token not in path.read_text(errors="replace")
    # The environment variable is the way in on such a machine.
    synced = subprocess.run([EXE, "--store", str(tmp_path / "t.db"), "sync", "--server", backend.url],
                            env={**env, "AGENTDESK_TOKEN": token}, capture_output=True, text=True, timeout=60)
    assert synced.returncode == 0, synced.stderr
