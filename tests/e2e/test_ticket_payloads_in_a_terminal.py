"""The payload corpus as a ticket (subject, customer name, messages) in the inbox and the ticket screen of the
real workstation in a pty: no escape sequence from customer text reaches the terminal."""

from __future__ import annotations

import shutil
from pathlib import Path

from agentdesk.clock import FixedClock, iso
from agentdesk.domain.text import PAYLOADS
from agentdesk.store import Store
from tests.e2e.terminal import Terminal, agentdesk_command
from tests.e2e.test_payloads_in_a_terminal import FORBIDDEN

CUSTOMER = "55555555-5555-4555-8555-555555555555"
TICKET = "66666666-6666-4666-8666-666666666666"


def hostile_ticket(template: Path, tmp_path: Path) -> tuple[Path, str]:
    path = tmp_path / "hostile.db"
    shutil.copyfile(template, path)
    store = Store.open(path, FixedClock())
    account = store.accounts()[0]
    now = iso(FixedClock().now())
    store.mutate("customer.create@1", {
        "customer_id": CUSTOMER, "account_id": account.id, "name": "Payload " + PAYLOADS[1][:150],
        "phone": None, "email": None, "language": "en", "created_at": now})
    case = store.next_case_number()
    store.mutate("ticket.open@1", {
        "ticket_id": TICKET, "account_id": account.id, "customer_id": CUSTOMER, "case_number": case,
        "subject": "Refund " + PAYLOADS[0], "kind": "question", "channel": "email", "opened_at": now,
        "first_message_id": "77777777-7777-4777-8777-000000000000", "first_message": "\n".join(PAYLOADS[:-1])})
    for n, payload in enumerate(PAYLOADS):
        store.mutate("ticket.add_message@1", {
            "message_id": f"77777777-7777-4777-8777-{n + 1:012d}", "ticket_id": TICKET, "kind": "customer",
            "author": "Payload " + payload[:100], "body": payload, "created_at": now})
    store.close()
    return path, case


def test_no_payload_bytes_reach_the_terminal_from_a_ticket(demo_template: Path, tmp_path: Path) -> None:
    store, case = hostile_ticket(demo_template, tmp_path)
    terminal = Terminal(agentdesk_command(store))
    try:
        assert terminal.wait_for(b"Available"), terminal.output[-2000:]
        terminal.type("t", pause=1.0)
        terminal.type("a", pause=1.0)  # the first account, the hostile customer's
        terminal.type("/", pause=0.5)
        terminal.type(case, pause=0.5)
        terminal.type("\r", pause=1.0)
        assert terminal.wait_for(b"Payload")
        terminal.type("\r", pause=1.5)
        assert terminal.wait_for(b"CUSTOMER")
        for _ in range(6):  # older pages and back: every message shown
            terminal.type(b"\x1b[15~", pause=0.5)  # F5
        for _ in range(6):
            terminal.type(b"\x1b[17~", pause=0.5)  # F6
    finally:
        code = terminal.close()
    output = terminal.output
    for forbidden in FORBIDDEN:
        assert forbidden not in output, forbidden
    assert code == 0
