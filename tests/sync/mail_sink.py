"""A real SMTP server (aiosmtpd) on loopback that keeps what it is sent: the relay in the mail tests, standing in
for the customer's mail provider. It can be told to refuse recipients, or to be busy, and to take mail only from a
client signed in with a given user and password (AUTH over plain SMTP on loopback: the desk's STARTTLS wants a
certificate a test cannot make trusted)."""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Sink:
    """What the sink was sent, and how it answers the next recipients."""

    received: list[tuple[str, list[str], bytes]] = field(default_factory=list)
    refuse: str | None = None  # e.g. "550 5.1.1 User unknown" or "451 4.3.0 Busy"
    lock: threading.Lock = field(default_factory=threading.Lock)
    signed_in: list[str] = field(default_factory=list)  # the users that signed in, in order
    credentials: tuple[str, str] | None = None  # the only (user, password) taken, when sign-in is required

    def authenticate(self, server: SMTP, session: Session, envelope: Envelope, mechanism: str,
                     auth_data: object) -> AuthResult:
        if not isinstance(auth_data, LoginPassword) or self.credentials is None:
            return AuthResult(success=False, handled=False)
        given = (auth_data.login.decode(), auth_data.password.decode())
        if given != self.credentials:
            return AuthResult(success=False, handled=False)
        with self.lock:
            self.signed_in.append(given[0])
        return AuthResult(success=True)

    async def handle_RCPT(self, server: SMTP, session: Session, envelope: Envelope, address: str,
                          options: list[str]) -> str:
        if self.refuse:
            return self.refuse
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        with self.lock:
            self.received.append((str(envelope.mail_from), list(envelope.rcpt_tos), bytes(envelope.original_content)))
        return "250 OK"

    def messages(self) -> list[Message]:
        with self.lock:
            return [message_from_bytes(raw) for _, _, raw in self.received]

    def wait_for(self, count: int, timeout: float = 15.0) -> list[Message]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.messages()
            if len(found) >= count:
                return found
            time.sleep(0.05)
        raise AssertionError(f"the sink got {len(self.messages())} messages, expected {count}")


def start_sink(credentials: tuple[str, str] | None = None) -> tuple[Sink, Controller, int]:
    """A running sink: (the sink, its controller to stop, its port); with `credentials` it takes mail only after
    AUTH with that user and password."""
    sink, port = Sink(credentials=credentials), free_port()
    auth = {"authenticator": sink.authenticate, "auth_required": True, "auth_require_tls": False} if credentials else {}
    controller = Controller(sink, hostname="127.0.0.1", port=port, **auth)
    controller.start()
    return sink, controller, port
