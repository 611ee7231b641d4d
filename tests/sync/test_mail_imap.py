"""Mail fetched from an account's IMAP mailbox: a real Dovecot (Debian's `dovecot-imapd`) started by the test with a
private configuration on a loopback port, a passwd-file user and a Maildir in a temporary folder."""

from __future__ import annotations

import grp
import imaplib
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from agentdesk.server.mail.imap import fetch_all
from agentdesk.server.mail.schema import ensure_mail_schema
from tests.sync.mail_sink import free_port

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
PASSWORD = "kims-secret"


def _config(folder: Path, port: int) -> str:
    if os.geteuid() == 0:  # Dovecot never delivers as root: the mail belongs to its own user
        owner, extra = "dovecot", ""
    else:
        owner = pwd.getpwuid(os.getuid()).pw_name
        extra = f"default_login_user = {owner}\ndefault_internal_user = {owner}\n"
    group = grp.getgrgid(pwd.getpwnam(owner).pw_gid).gr_name
    return f"""{extra}base_dir = {folder}/run
state_dir = {folder}/state
log_path = {folder}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = 1
mail_location = maildir:{folder}/mail/%u
passdb {{
  driver = passwd-file
  args = {folder}/passwd
}}
userdb {{
  driver = static
  args = uid={owner} gid={group} home={folder}/mail/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service pop3-login {{
  inet_listener pop3 {{
    port = 0
  }}
}}
service submission-login {{
  inet_listener submission {{
    port = 0
  }}
}}
"""


@pytest.fixture
def dovecot() -> Iterator[int]:
    """A running Dovecot with the user `kim`; yields its IMAP port."""
    if not os.path.exists(DOVECOT):
        pytest.fail("Dovecot is not installed: apt-get install dovecot-imapd (.ci/run does)")
    folder = Path(tempfile.mkdtemp(prefix="agentdesk-dovecot-"))
    folder.chmod(0o755)
    for name in ("run", "state", "mail"):
        (folder / name).mkdir()
    if os.geteuid() == 0:
        shutil.chown(folder / "mail", "dovecot", "dovecot")
    (folder / "passwd").write_text(f"kim:{{PLAIN}}{PASSWORD}::::::\n")
    port = free_port()
    (folder / "dovecot.conf").write_text(_config(folder, port))
    process = subprocess.Popen([DOVECOT, "-F", "-c", str(folder / "dovecot.conf")], stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    deadline = time.monotonic() + 20
    while True:
        try:
            imaplib.IMAP4("127.0.0.1", port, timeout=2).logout()
            break
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                log = (folder / "dovecot.log").read_text() if (folder / "dovecot.log").exists() else ""
                raise AssertionError(f"Dovecot did not start: {log[-2000:]}") from None
            time.sleep(0.1)
    yield port
    process.send_signal(signal.SIGTERM)
    process.wait(20)
    shutil.rmtree(folder, ignore_errors=True)


def _deliver(port: int, subject: str, message_id: str) -> None:
    message = EmailMessage()
    message["From"], message["To"] = "Kim Customer <kim@customer.example>", "kim@shop.example"
    message["Subject"], message["Message-ID"] = subject, message_id
    message.set_content(f"About {subject}.")
    client = imaplib.IMAP4("127.0.0.1", port)
    client.login("kim", PASSWORD)
    client.append("INBOX", None, None, message.as_bytes())
    client.logout()


def _one(engine: Engine, sql: str) -> object:
    with engine.connect() as conn:
        return conn.execute(text(sql)).scalar()


def test_mail_waiting_in_an_account_mailbox_becomes_tickets_once(backend_engine: Engine, dovecot: int) -> None:
    ensure_mail_schema(backend_engine, "2000-01-01T00:00:00.000000Z")
    with backend_engine.begin() as conn:
        account = conn.execute(text("SELECT account_id FROM mail_mailbox ORDER BY account_id LIMIT 1")).scalar()
        conn.execute(text("UPDATE mail_mailbox SET imap_url = :u, imap_user = 'kim', imap_password_env = 'SHOP_IMAP'"
                          " WHERE account_id = :a"), {"u": f"imap://127.0.0.1:{dovecot}", "a": account})
    environ = {"SHOP_IMAP": PASSWORD}
    _deliver(dovecot, "First question", "<q1@customer.example>")
    _deliver(dovecot, "Second question", "<q2@customer.example>")
    assert fetch_all(backend_engine, environ=environ) == 2
    assert fetch_all(backend_engine, environ=environ) == 0  # taken once, even though the folder is unchanged
    _deliver(dovecot, "Third question", "<q3@customer.example>")
    assert fetch_all(backend_engine, environ=environ) == 1
    with backend_engine.connect() as conn:
        subjects = conn.execute(text("SELECT subject FROM ticket WHERE account_id = :a AND channel = 'email'"
                                     " AND subject LIKE '%question' ORDER BY subject"), {"a": account}).scalars().all()
    assert subjects == ["First question", "Second question", "Third question"]
    assert _one(backend_engine, "SELECT count(*) FROM mail_outgoing WHERE recipient = 'kim@customer.example'") == 3
    client = imaplib.IMAP4("127.0.0.1", dovecot)
    client.login("kim", PASSWORD)
    client.select("INBOX", readonly=True)
    assert client.search(None, "SEEN")[1] == [b""]  # the account's mailbox is left as it was
    client.logout()


def test_a_missing_password_or_a_wrong_one_takes_nothing_and_says_why(backend_engine: Engine, dovecot: int,
                                                                      caplog: pytest.LogCaptureFixture) -> None:
    ensure_mail_schema(backend_engine, "2000-01-01T00:00:00.000000Z")
    with backend_engine.begin() as conn:
        conn.execute(text("UPDATE mail_mailbox SET imap_url = :u, imap_user = 'kim', imap_password_env = 'SHOP_IMAP'"
                          " WHERE account_id = (SELECT min(account_id) FROM mail_mailbox)"),
                     {"u": f"imap://127.0.0.1:{dovecot}"})
    _deliver(dovecot, "Lost", "<l1@customer.example>")
    assert fetch_all(backend_engine, environ={}) == 0
    assert "put it in the environment variable SHOP_IMAP" in caplog.text
    assert fetch_all(backend_engine, environ={"SHOP_IMAP": "wrong"}) == 0
    assert _one(backend_engine, "SELECT count(*) FROM mail_received") == 0
