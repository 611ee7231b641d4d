"""The mail passwords come from the environment or the OS keyring, never from the settings or the database: the relay
(a real aiosmtpd sink that takes mail only after AUTH, over plain SMTP on loopback) signs the desk in with the
password from the environment; with the passwords kept by `agentdesk server mail-password` in a real keyring
(gnome-keyring's Secret Service in a private D-Bus session) a real backend fetches from a real Dovecot and sends the
acknowledgement through the relay."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from agentdesk.server.mail.intake import take_in
from agentdesk.server.mail.relay import Relay, send_due
from agentdesk.server.mail.schema import ensure_mail_schema
from tests.sync.dovecot import PASSWORD, deliver, running_dovecot
from tests.sync.mail_sink import Sink, free_port, start_sink

EXE = str(Path(sys.executable).with_name("agentdesk"))
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")  # loopback only
SQLITE_ONLY = pytest.mark.parametrize("backend_engine", ["sqlite"], indirect=True)
DESK, RELAY_SECRET = "desk@shop.example", "relay-secret-41"
CLEAN = ("AGENTDESK_TOKEN", "AGENTDESK_MAIL_USERNAME", "AGENTDESK_MAIL_PASSWORD")


@pytest.fixture
def signing_sink() -> Iterator[tuple[Sink, int]]:
    sink, controller, port = start_sink((DESK, RELAY_SECRET))
    yield sink, port
    controller.stop()


def _one(engine: Engine, sql: str, **params: object) -> object:
    with engine.connect() as conn:
        return conn.execute(text(sql), params).scalar()


def _question(engine: Engine) -> str:
    ensure_mail_schema(engine, "2000-01-01T00:00:00.000000Z")
    address = str(_one(engine, "SELECT address FROM mail_mailbox ORDER BY account_id LIMIT 1"))
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "kim@example.org", address, "Where is my order?"
    message["Message-ID"] = "<c1@example.org>"
    message.set_content("Please look.")
    take_in(engine, message.as_bytes(), [address], envelope_from=None)
    return address


def test_the_relay_signs_in_with_the_password_from_the_environment(backend_engine: Engine,
                                                                  signing_sink: tuple[Sink, int]) -> None:
    sink, port = signing_sink
    _question(backend_engine)
    url, now = f"smtp://127.0.0.1:{port}", datetime.now(UTC)
    reason = "SELECT reason FROM mail_outgoing WHERE kind = 'acknowledgement'"
    # No sign-in, then a wrong password: the mail waits (the desk's settings are wrong, not the customer's address).
    assert send_due(backend_engine, Relay.from_setting(url, environ={}), now=now,
                    first_retry_s=60) == {"sent": 0, "deferred": 1, "bounced": 0}
    assert "530" in str(_one(backend_engine, reason))
    wrong = Relay.from_setting(url, environ={"AGENTDESK_MAIL_USERNAME": DESK, "AGENTDESK_MAIL_PASSWORD": "guess"})
    assert send_due(backend_engine, wrong, now=now + timedelta(seconds=61),
                    first_retry_s=60) == {"sent": 0, "deferred": 1, "bounced": 0}
    assert "refused the desk's sign-in (535" in str(_one(backend_engine, reason))
    right = Relay.from_setting(url, username=DESK, environ={"AGENTDESK_MAIL_PASSWORD": RELAY_SECRET})
    assert send_due(backend_engine, right, now=now + timedelta(seconds=200), first_retry_s=60)["sent"] == 1
    [ack] = sink.wait_for(1)
    assert ack["To"] == "kim@example.org" and sink.signed_in == [DESK]
    assert RELAY_SECRET not in repr(right)


def _in_keyring_session(script: str, env: dict[str, str], tmp_path: Path) -> subprocess.Popen[str]:
    """Start `script` (sh) inside a D-Bus session with an unlocked gnome-keyring of its own."""
    wrapper = tmp_path / "session.sh"
    wrapper.write_text(
        "set -e\n"
        f"export XDG_DATA_HOME={tmp_path / 'data'}\n"
        "eval \"$(printf 'agentdesk-test' | gnome-keyring-daemon --unlock --components=secrets 2>/dev/null)\"\n"
        + script
    )
    return subprocess.Popen(["dbus-run-session", "--", "sh", str(wrapper)], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)


@SQLITE_ONLY
def test_with_the_passwords_in_the_keyring_the_backend_fetches_and_sends(
        backend_engine: Engine, signing_sink: tuple[Sink, int], tmp_path: Path) -> None:
    sink, relay_port = signing_sink
    database = str(backend_engine.url.database)
    ensure_mail_schema(backend_engine, "2000-01-01T00:00:00.000000Z")
    (tmp_path / "none.toml").write_text("")
    env = {k: v for k, v in os.environ.items() if k not in CLEAN}
    env.update(AGENTDESK_CONFIG=str(tmp_path / "none.toml"), AGENTDESK_MAIL__RELAY=f"smtp://127.0.0.1:{relay_port}",
               AGENTDESK_MAIL__RELAY_USER=DESK, AGENTDESK_MAIL__SEND_SECONDS="0.2",
               AGENTDESK_MAIL__SCHEDULES="false")  # only the acknowledgement, whatever the hour
    with running_dovecot() as imap_port:
        with backend_engine.begin() as conn:
            account = conn.execute(text("SELECT min(account_id) FROM mail_mailbox")).scalar()
            conn.execute(text("UPDATE mail_mailbox SET imap_url = :u, imap_user = 'kim', imap_password_env = NULL"
                              " WHERE account_id = :a"), {"u": f"imap://127.0.0.1:{imap_port}", "a": account})
        deliver(imap_port, "Question kept in the mailbox", "<kr1@customer.example>")
        session = _in_keyring_session(
            f"printf '%s\\n' '{RELAY_SECRET}' | {EXE} server mail-password --relay\n"
            f"printf '%s\\n' '{PASSWORD}' | {EXE} server mail-password --database {database} --account {account}\n"
            f"exec {EXE} server --database {database} --port {free_port()}\n",
            env, tmp_path)
        try:
            [ack] = sink.wait_for(1, timeout=120)
        finally:
            os.killpg(session.pid, signal.SIGTERM)
            _out, err = session.communicate(timeout=60)
    assert ack["To"] == "kim@customer.example" and ack["Subject"].endswith("] Question kept in the mailbox")
    assert sink.signed_in == [DESK]
    assert "is kept in the keyring" in err and "Traceback" not in err
    for path in [tmp_path / "none.toml", *Path(database).parent.glob(Path(database).name + "*")]:
        content = path.read_bytes()
        assert RELAY_SECRET.encode() not in content and PASSWORD.encode() not in content


def test_with_no_keyring_mail_password_says_to_use_the_environment(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in CLEAN}
    env.update(HOME=str(tmp_path), PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
    done = subprocess.run([EXE, "server", "mail-password", "--relay"], input="secret\n", env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode != 0
    assert "no usable keyring" in done.stderr and "AGENTDESK_MAIL_PASSWORD" in done.stderr
    assert "Traceback" not in done.stderr
