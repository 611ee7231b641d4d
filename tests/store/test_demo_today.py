"""A demo made on any day looks like that day's work: cases due today, soon and overdue (not years late),
outbound calls both late and still to come, nothing sent from the future, and British callers for the British
account."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from agentdesk.clock import FixedClock, iso
from agentdesk.demo import generate
from agentdesk.store import Store

MADE = datetime(2027, 3, 10, 9, 15, tzinfo=UTC)  # early in the day: today's later requests must not lie ahead


def test_a_demo_made_today_is_dated_from_today(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "today.db", FixedClock(MADE))
    generate(store, customers=400, seed=7, long_history=50)
    conn = store.conn
    now = iso(MADE)
    assert conn.execute("SELECT max(created_at) FROM ticket_message").fetchone()[0] < now
    assert conn.execute("SELECT max(coalesce(ended_at, ringing_at)) FROM interaction").fetchone()[0] < now
    open_since = [row[0] for row in conn.execute(
        "SELECT created_at FROM ticket WHERE status NOT IN ('resolved', 'closed')")]
    assert len(open_since) > 20
    assert min(open_since) > iso(MADE - timedelta(days=15))  # no case waits for months
    assert any(at > iso(datetime(2027, 3, 10, tzinfo=UTC)) for at in open_since)  # some came in today
    due = [row[0] for row in conn.execute("SELECT due_at FROM task WHERE status = 'open'")]
    assert any(d < now for d in due) and any(d > now for d in due)  # late ones and ones still to come
    assert sum(d < iso(MADE - timedelta(days=3)) for d in due) < len(due) / 2  # not everything is late
    cedar = conn.execute(
        "SELECT count(*), sum(p.e164 LIKE '+44%') FROM customer_phone p JOIN account a ON a.id = p.account_id"
        " WHERE a.name = 'Cedar Dental Group'").fetchone()
    assert cedar[0] > 0 and cedar[0] == cedar[1]
    others = conn.execute(
        "SELECT count(*) FROM customer_phone p JOIN account a ON a.id = p.account_id"
        " WHERE a.name != 'Cedar Dental Group' AND p.e164 NOT LIKE '+1%'").fetchone()[0]
    assert others == 0
    store.close()


def test_case_messages_read_like_the_accounts_customers(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "words.db", FixedClock())
    generate(store, customers=300, seed=7, long_history=50)
    rows = store.conn.execute(
        "SELECT a.name, m.body FROM ticket_message m JOIN account a ON a.id = m.account_id"
        " WHERE m.kind = 'customer'").fetchall()
    dental = [body for name, body in rows if name == "Cedar Dental Group"]
    assert dental and any("appointment" in b or "check-up" in b or "tooth" in b or "plan" in b for b in dental)
    assert not any("technician" in body.lower() for name, body in rows if name == "Dogwood Pet Insurance")
    store.close()
