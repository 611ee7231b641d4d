"""Mail benchmark, called from `bench/run.py`: `mail_ingest_per_s`, messages per second taken in over SMTP by the
backend's listener and stored as ticket messages (goal >= 50), 1,000 messages of mixed sizes (200 with --quick):
mostly short notes, some long letters, some with a photo attached; a third of them follow-ups on earlier cases.

Run alone: `python bench/mail_bench.py [--quick]`."""

from __future__ import annotations

import argparse
import json
import random
import smtplib
import socket
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from email.message import EmailMessage
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SENDERS = 4
"""Connections sending at once, as the mail servers of several providers would."""


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _messages(count: int, addresses: list[str], rng: random.Random) -> list[tuple[str, bytes]]:
    made: list[tuple[str, bytes]] = []
    for n in range(count):
        to = addresses[n % len(addresses)]
        message = EmailMessage()
        message["From"] = f"Customer {n % 300} <customer{n % 300}@example.org>"
        message["To"] = to
        message["Message-ID"] = f"<bench-{n}@example.org>"
        earlier = n - 3 * len(addresses)
        if n % 3 == 2 and earlier >= 0:
            message["Subject"], message["In-Reply-To"] = "Re: my order", f"<bench-{earlier}@example.org>"
        else:
            message["Subject"] = f"My order {n}"
        kind = rng.random()
        words = ("Where is my parcel? " * 5 + "\n") * (1 if kind < 0.7 else 400)
        message.set_content(words)
        if kind > 0.9:
            message.add_attachment(rng.randbytes(200_000), maintype="image", subtype="jpeg", filename="photo.jpg")
        made.append((to, message.as_bytes(policy=message.policy.clone(linesep="\r\n"))))  # as mail travels
    return made


def mail_figures(quick: bool) -> dict[str, float]:
    """`mail_ingest_per_s` on a new SQLite backend with a small demo data set."""
    from sqlalchemy import text

    from agentdesk.clock import SystemClock
    from agentdesk.config import MailSettings
    from agentdesk.demo import generate
    from agentdesk.server.admin import init_backend, load_store
    from agentdesk.server.db import make_engine
    from agentdesk.server.mail.listener import MailDesk
    from agentdesk.store import Store

    count = 200 if quick else 1_000
    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(Path(tmp) / "demo.db", SystemClock())
        generate(store, customers=50, seed=2026, long_history=10)
        store.close()
        engine = make_engine(str(Path(tmp) / "backend.db"))
        init_backend(engine)
        load_store(engine, Path(tmp) / "demo.db")
        port = _port()
        desk = MailDesk(engine, MailSettings(send_seconds=3600, imap_seconds=3600), smtp_port=port)
        desk.start()
        try:
            with engine.connect() as conn:
                addresses = list(conn.execute(text("SELECT address FROM mail_mailbox ORDER BY address")).scalars())
            batches = [_messages(count, addresses, random.Random(7))[k::SENDERS] for k in range(SENDERS)]

            def send(batch: list[tuple[str, bytes]]) -> None:
                with smtplib.SMTP("127.0.0.1", port, timeout=120) as smtp:
                    for to, raw in batch:
                        smtp.sendmail("customer@example.org", [to], raw)

            started = time.perf_counter()
            with ThreadPoolExecutor(SENDERS) as pool:
                list(pool.map(send, batches))
            elapsed = time.perf_counter() - started
            with engine.connect() as conn:
                stored = conn.execute(text("SELECT count(*) FROM mail_received WHERE ticket_id IS NOT NULL")).scalar()
        finally:
            desk.stop()
            engine.dispose()
    if stored != count:
        raise RuntimeError(f"only {stored} of {count} messages became ticket messages")
    return {"mail_ingest_per_s": count / elapsed}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    print(json.dumps({k: round(v, 2) for k, v in mail_figures(parser.parse_args().quick).items()}))
