"""A real Dovecot (Debian's `dovecot-imapd`) for the mail tests: started with a private configuration on a loopback
port, a passwd-file user `kim` and a Maildir in a temporary folder; stopped and removed afterwards."""

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
from contextlib import contextmanager
from email.message import EmailMessage
from pathlib import Path

import pytest

from tests.sync.mail_sink import free_port

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
_CONFIGS: dict[int, Path] = {}  # each running Dovecot's configuration, by its port
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


@contextmanager
def running_dovecot(extra: str = "") -> Iterator[int]:
    """A running Dovecot with the user `kim` (`extra` added to its configuration); yields its IMAP port."""
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
    (folder / "dovecot.conf").write_text(_config(folder, port) + extra)
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
    _CONFIGS[port] = folder / "dovecot.conf"
    try:
        yield port
    finally:
        _CONFIGS.pop(port, None)
        process.send_signal(signal.SIGTERM)
        process.wait(20)
        shutil.rmtree(folder, ignore_errors=True)


def deliver(port: int, subject: str, message_id: str) -> None:
    message = EmailMessage()
    message["From"], message["To"] = "Kim Customer <kim@customer.example>", "kim@shop.example"
    message["Subject"], message["Message-ID"] = subject, message_id
    message.set_content(f"About {subject}.")
    client = imaplib.IMAP4("127.0.0.1", port)
    client.login("kim", PASSWORD)
    client.append("INBOX", None, None, message.as_bytes())
    client.logout()


def kick(port: int, user: str = "kim") -> None:
    """Drop every IMAP session of `user` on the Dovecot at `port` (as a restart of the mail server would)."""
    done = subprocess.run([shutil.which("doveadm") or "/usr/bin/doveadm", "-c", str(_CONFIGS[port]), "kick", user],
                          capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stdout + done.stderr
