"""A payload corpus shown by the real workstation in a pty: no escape sequence from customer text reaches
the terminal."""

from __future__ import annotations

import shutil
from pathlib import Path

from agentdesk.clock import FixedClock, iso
from agentdesk.domain.text import PAYLOADS
from agentdesk.store import Store
from tests.e2e.terminal import Terminal, agentdesk_command

CUSTOMER = "33333333-3333-4333-8333-333333333333"
PHONE = "+12125550177"
# Bytes that would let customer text act on the agent's terminal: clipboard, title, hyperlinks.
FORBIDDEN = (b"\x1b]52;", b"\x1b]0;", b"\x1b]8;;http://evil", b"\x9d", b"\x1b]2;")


def hostile_store(template: Path, tmp_path: Path) -> Path:
    path = tmp_path / "hostile.db"
    shutil.copyfile(template, path)
    store = Store.open(path, FixedClock())
    account = store.accounts()[0]
    now = iso(FixedClock().now())
    store.mutate(
        "customer.create@1",
        {"customer_id": CUSTOMER, "account_id": account.id, "name": "Payload " + PAYLOADS[0][:150],
         "phone": PHONE, "email": None, "language": "en", "created_at": now},
    )
    agent = store.agents()[0]
    for n, payload in enumerate(PAYLOADS):
        store.mutate(
            "comment.add@1",
            {"comment_id": f"44444444-4444-4444-8444-{n:012d}", "account_id": account.id,
             "customer_id": CUSTOMER, "agent_id": agent.id, "body": payload[:20_000], "created_at": now},
        )
    store.close()
    return path


def test_no_payload_bytes_reach_the_terminal(demo_template: Path, tmp_path: Path) -> None:
    store = hostile_store(demo_template, tmp_path)
    terminal = Terminal(agentdesk_command(store))
    try:
        assert terminal.wait_for(b"Available"), terminal.output[-2000:]
        terminal.type("/")
        terminal.type(PHONE[2:], pause=1.0)
        terminal.type("\r", pause=1.5)
        for _ in range(len(PAYLOADS)):  # walk the timeline so every payload is shown in full
            terminal.type(b"\x1b[B", pause=0.25)
        assert terminal.wait_for(b"Payload")
    finally:
        code = terminal.close()
    output = terminal.output
    for forbidden in FORBIDDEN:
        assert forbidden not in output, forbidden
    assert code == 0
