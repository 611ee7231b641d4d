"""Mail taken in on the backend (SQLite and PostgreSQL): new cases, follow-ups, the raw message kept, and the
rows reaching a terminal's pull like any pushed change."""

from __future__ import annotations

from email.message import EmailMessage

import pytest
from sqlalchemy import Engine, text

from agentdesk.mutations import registry as mutators
from agentdesk.server import sync as backend_sync
from agentdesk.server.mail.intake import accounts_for, take_in
from agentdesk.server.mail.schema import ensure_mail_schema


def _mail(subject: str, body: str, *, sender: str = "Grace Hopper <grace@example.org>", to: str,
          message_id: str = "<m1@example.org>", **headers: str) -> bytes:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"], message["Message-ID"] = sender, to, subject, message_id
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(body)
    return message.as_bytes()


def _first_account(engine: Engine) -> tuple[str, str]:
    ensure_mail_schema(engine, "2000-01-01T00:00:00.000000Z")
    with engine.connect() as conn:
        row = conn.execute(text("SELECT account_id, address FROM mail_mailbox ORDER BY account_id LIMIT 1")).one()
    return str(row[0]), str(row[1])


def _rows(engine: Engine, sql: str, **params: object) -> list[tuple[object, ...]]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql), params)]


def test_every_demo_account_has_its_own_support_address(backend_engine: Engine) -> None:
    _first_account(backend_engine)
    addresses = _rows(backend_engine, "SELECT address FROM mail_mailbox")
    accounts = _rows(backend_engine, "SELECT id FROM account")
    assert len(addresses) == len(accounts) == len(set(addresses))
    assert all(str(a[0]).startswith("support@") and str(a[0]).endswith(".example") for a in addresses)
    assert accounts_for(backend_engine, ["nobody@else.example"]) == {}


def test_a_new_mail_opens_a_case_that_a_terminal_pulls(backend_engine: Engine) -> None:
    account, address = _first_account(backend_engine)
    before = _rows(backend_engine, "SELECT version FROM sync_state")[0][0]
    raw = _mail("Broken kettle", "It leaks since Monday.", to=address.upper())
    [taken] = take_in(backend_engine, raw, [address.upper()], envelope_from="grace@example.org")
    assert taken.outcome == "new_case" and taken.acknowledged and taken.case_number.startswith("CS-")
    [(subject, channel, status, awaiting)] = _rows(
        backend_engine, "SELECT subject, channel, status, awaiting_since FROM ticket WHERE id = :t", t=taken.ticket_id)
    assert (subject, channel, status) == ("Broken kettle", "email", "new") and awaiting  # the 6 h clock runs
    [(kind, author, body)] = _rows(backend_engine, "SELECT kind, author, body FROM ticket_message WHERE ticket_id = :t",
                                   t=taken.ticket_id)
    assert (kind, author, body) == ("customer", "Grace Hopper <grace@example.org>", "It leaks since Monday.")
    assert _rows(backend_engine, "SELECT c.name, c.account_id FROM customer c JOIN customer_email e"
                 " ON e.customer_id = c.id WHERE e.email = 'grace@example.org'") == [("Grace Hopper", account)]
    [(kept,)] = _rows(backend_engine, "SELECT raw FROM mail_received WHERE id = :r", r=taken.received_id)
    assert bytes(kept) == raw
    [(recipient, ack_subject, state, in_reply_to)] = _rows(
        backend_engine, "SELECT recipient, subject, state, in_reply_to FROM mail_outgoing WHERE ticket_id = :t",
        t=taken.ticket_id)
    assert (recipient, state, in_reply_to) == ("grace@example.org", "queued", "<m1@example.org>")
    assert ack_subject == f"[{taken.case_number}] Broken kettle"
    caller = backend_sync.Caller("someone", "agent", frozenset({account}))
    pulled = backend_sync.pull(backend_engine, caller, "mail-test-group", before, _epoch(backend_engine))
    assert pulled is not None
    tables = {(c["table"], c["row"]["id"]) for c in pulled.changes if "row" in c and "id" in c["row"]}
    assert ("ticket", taken.ticket_id) in tables


def _epoch(engine: Engine) -> str:
    return str(_rows(engine, "SELECT epoch FROM sync_state")[0][0])


def test_replies_continue_the_case_by_number_then_by_thread_and_are_not_acknowledged(backend_engine: Engine) -> None:
    _account, address = _first_account(backend_engine)
    [first] = take_in(backend_engine, _mail("Invoice wrong", "Charged twice.", to=address), [address])
    by_number = _mail(f"Re: [{first.case_number.lower()}] Invoice wrong", "Any news?", to=address,
                      message_id="<m2@example.org>")
    [second] = take_in(backend_engine, by_number, [address])
    ack_id = _rows(backend_engine, "SELECT message_id FROM mail_outgoing WHERE ticket_id = :t", t=first.ticket_id)[0][0]
    by_thread = _mail("Re: Invoice wrong", "Still waiting.", to=address, message_id="<m3@example.org>",
                      In_Reply_To=str(ack_id), References=f"<m1@example.org> {ack_id}")
    [third] = take_in(backend_engine, by_thread, [address])
    assert (second.outcome, third.outcome) == ("follow_up", "follow_up")
    assert second.ticket_id == third.ticket_id == first.ticket_id and not second.acknowledged
    bodies = _rows(backend_engine, "SELECT body FROM ticket_message WHERE ticket_id = :t AND kind = 'customer'"
                   " ORDER BY created_at, body", t=first.ticket_id)
    assert sorted(b[0] for b in bodies) == ["Any news?", "Charged twice.", "Still waiting."]
    assert _rows(backend_engine, "SELECT count(*) FROM mail_outgoing")[0][0] == 1


def test_machine_mail_opens_a_case_without_an_acknowledgement(backend_engine: Engine) -> None:
    _account, address = _first_account(backend_engine)
    raw = _mail("Out of office", "I am away.", to=address, Auto_Submitted="auto-replied")
    [taken] = take_in(backend_engine, raw, [address])
    assert taken.outcome == "new_case" and not taken.acknowledged
    assert _rows(backend_engine, "SELECT count(*) FROM mail_outgoing")[0][0] == 0


def test_an_unreadable_message_becomes_a_case_that_says_so_and_keeps_the_bytes(backend_engine: Engine) -> None:
    _account, address = _first_account(backend_engine)
    raw = b"\x00\x01 garbage \xff\xfe"
    [taken] = take_in(backend_engine, raw, [address])
    assert taken.outcome == "unreadable" and not taken.acknowledged
    [(subject,)] = _rows(backend_engine, "SELECT subject FROM ticket WHERE id = :t", t=taken.ticket_id)
    assert subject == "A message that could not be read"
    [(body,)] = _rows(backend_engine, "SELECT body FROM ticket_message WHERE ticket_id = :t", t=taken.ticket_id)
    assert body.startswith("The message has no headers; it may be damaged. The message as received is kept")
    assert bytes(_rows(backend_engine, "SELECT raw FROM mail_received")[0][0]) == raw


def test_attachments_are_kept_with_the_ticket_up_to_the_cap(backend_engine: Engine) -> None:
    _account, address = _first_account(backend_engine)
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "ann@example.org", address, "Photos"
    message.set_content("See attached.")
    message.add_attachment(b"\x89PNG small", maintype="image", subtype="png", filename="small.png")
    message.add_attachment(b"x" * 4096, maintype="application", subtype="octet-stream", filename="big.bin")
    [taken] = take_in(backend_engine, message.as_bytes(), [address], attachment_cap=1024)
    kept = _rows(backend_engine, "SELECT name, size, content FROM mail_attachment WHERE ticket_id = :t ORDER BY name",
                 t=taken.ticket_id)
    assert [(n, s, bytes(c) if c is not None else None) for n, s, c in kept] == [
        ("big.bin", 4096, None), ("small.png", 10, b"\x89PNG small")]
    [(body,)] = _rows(backend_engine, "SELECT body FROM ticket_message WHERE ticket_id = :t", t=taken.ticket_id)
    assert "small.png (image/png, 10 bytes)" in body and "big.bin (application/octet-stream, 4,096 bytes, too large" in body


def test_a_known_customer_is_found_by_address_and_a_closed_case_is_not_reopened(backend_engine: Engine) -> None:
    account, address = _first_account(backend_engine)
    [first] = take_in(backend_engine, _mail("Order", "Where?", to=address), [address])
    with backend_engine.begin() as conn:
        conn.execute(text("UPDATE ticket SET status = 'closed' WHERE id = :t"), {"t": first.ticket_id})
    [again] = take_in(backend_engine, _mail(f"[{first.case_number}] Order", "Again!", to=address,
                                            message_id="<m9@example.org>"), [address])
    assert again.outcome == "new_case" and again.ticket_id != first.ticket_id
    [(subject, customer)] = _rows(backend_engine, "SELECT subject, customer_id FROM ticket WHERE id = :t",
                                  t=again.ticket_id)
    assert subject == f"[{first.case_number}] Order (follow-up to closed case {first.case_number})"
    assert customer == _rows(backend_engine, "SELECT customer_id FROM ticket WHERE id = :t", t=first.ticket_id)[0][0]
    assert account


def test_mail_between_two_support_addresses_is_not_acknowledged(backend_engine: Engine) -> None:
    _first_account(backend_engine)
    [(one,), (two,)] = _rows(backend_engine, "SELECT address FROM mail_mailbox ORDER BY address LIMIT 2")
    [taken] = take_in(backend_engine, _mail("Forwarded", "From the other desk.", sender=str(one), to=str(two)),
                      [str(two)])
    assert taken.outcome == "new_case" and not taken.acknowledged


def test_a_message_the_ticket_rules_refuse_is_held_with_its_bytes(backend_engine: Engine,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    _account, address = _first_account(backend_engine)
    monkeypatch.delitem(mutators._REGISTRY, ("ticket.open", 1))  # a backend whose rules refuse every new case
    raw = _mail("Refused", "Keep me anyway.", to=address)
    [taken] = take_in(backend_engine, raw, [address])
    assert (taken.outcome, taken.ticket_id, taken.acknowledged) == ("held", None, False)
    assert _rows(backend_engine, "SELECT outcome, raw FROM mail_received") == [("held", raw)]
    assert _rows(backend_engine, "SELECT count(*) FROM customer_email WHERE email = 'grace@example.org'") == [(0,)]


def test_the_same_message_delivered_twice_is_taken_once(backend_engine: Engine) -> None:
    _account, address = _first_account(backend_engine)
    raw = _mail("Twice", "Sent again by a server that lost the answer.", to=address)
    [first] = take_in(backend_engine, raw, [address])
    version = _rows(backend_engine, "SELECT version FROM sync_state")[0][0]
    [again] = take_in(backend_engine, raw, [address])
    assert (again.outcome, again.ticket_id, again.case_number) == ("duplicate", first.ticket_id, first.case_number)
    assert _rows(backend_engine, "SELECT count(*) FROM mail_received") == [(1,)]
    assert _rows(backend_engine, "SELECT version FROM sync_state")[0][0] == version
    assert _rows(backend_engine, "SELECT id FROM ticket_message WHERE ticket_id = :t", t=first.ticket_id) == [
        (first.received_id,)]


def test_two_backend_processes_starting_together_both_make_or_find_the_mail_tables(backend_engine: Engine) -> None:
    """Two `agentdesk server` processes on one database start at the same moment: each makes the mail tables if
    missing; neither dies of the other's CREATE TABLE, and every account ends with exactly one address."""
    import subprocess
    import sys

    url = backend_engine.url.render_as_string(hide_password=False)
    code = ("import sys\nfrom agentdesk.server.db import make_engine\n"
            "from agentdesk.server.mail.schema import ensure_mail_schema\n"
            "engine = make_engine(sys.argv[1])\nsys.stdin.readline()\n"
            "ensure_mail_schema(engine, '2000-01-01T00:00:00.000000Z')\n")
    for _ in range(3):  # a race shows only sometimes: try it a few times on fresh tables
        with backend_engine.begin() as conn:
            for table in ("mail_counter", "mail_mailbox"):
                conn.execute(text(f"DROP TABLE IF EXISTS {table}"))
        starters = [subprocess.Popen([sys.executable, "-c", code, url], stdin=subprocess.PIPE, stderr=subprocess.PIPE)
                    for _ in range(2)]
        for starter in starters:  # both ready; go together
            assert starter.stdin is not None
            starter.stdin.write(b"go\n")
        for starter in starters:
            assert starter.stdin is not None
            starter.stdin.flush()
        for starter in starters:
            _, err = starter.communicate(timeout=60)
            assert starter.returncode == 0, err.decode()[-2000:]
        addresses = _rows(backend_engine, "SELECT account_id, count(*) FROM mail_mailbox GROUP BY account_id")
        assert addresses and all(count == 1 for _, count in addresses)
