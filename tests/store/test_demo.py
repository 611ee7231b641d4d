"""The demo data: deterministic for a seed, valid numbers, the well-known customer, hostile text kept raw."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest

from agentdesk.clock import FixedClock, iso, parse_iso
from agentdesk.demo import WELL_KNOWN_NUMBER, DemoSummary, generate, known_caller_numbers
from agentdesk.demodata.content import ACCOUNTS
from agentdesk.demodata.world import BASE, Dice
from agentdesk.domain import phones, pricing
from agentdesk.store import Store, StoreError

TABLES = ("account", "agent", "agent_account", "customer", "customer_phone", "customer_email", "interaction",
          "hold_event", "recording", "comment", "customer_order", "order_line", "ticket", "ticket_message",
          "faq_article", "reply_template", "professional")


def table_counts(store: Store) -> dict[str, int]:
    return {t: store.conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}


def test_the_same_seed_gives_the_same_store(tmp_path: Path) -> None:
    made = []
    for n in range(2):
        store = Store.open(tmp_path / f"demo-{n}.db", FixedClock())
        summary = generate(store, customers=25, seed=3, long_history=40)
        made.append((summary, table_counts(store),
                     store.conn.execute("SELECT * FROM customer ORDER BY rowid").fetchall(),
                     store.conn.execute("SELECT * FROM interaction ORDER BY id").fetchall()))
        store.close()
    (first, counts_a, customers_a, calls_a), (second, counts_b, customers_b, calls_b) = made
    assert counts_a == counts_b and customers_a == customers_b and calls_a == calls_b
    assert [c[2] for c in customers_a[:5]] == [c[2] for c in customers_b[:5]]
    assert first.known_numbers == second.known_numbers and first.known_numbers[0] == WELL_KNOWN_NUMBER
    other = Store.open(tmp_path / "other.db", FixedClock())
    generate(other, customers=25, seed=4, long_history=40)
    assert other.conn.execute("SELECT * FROM customer ORDER BY rowid").fetchall() != customers_a
    other.close()


def test_the_summary_counts_what_is_stored(demo_store: Store, summary: DemoSummary) -> None:
    counts = table_counts(demo_store)
    assert (summary.accounts, summary.customers, summary.interactions) == (4, 60, counts["interaction"])
    assert (summary.comments, summary.orders, summary.tickets) == (
        counts["comment"], counts["customer_order"], counts["ticket"])
    assert (summary.holds, summary.recordings, summary.faq_articles) == (
        counts["hold_event"], counts["recording"], counts["faq_article"])
    assert summary.agents == counts["agent"] == 13  # twelve on the phones and the quality reviewer
    assert demo_store.outbox_count() == 0  # demo rows stand in for pulled data: nothing to push
    assert "60 customers" in str(summary)


def test_accounts_agents_and_faq_are_complete(demo_store: Store) -> None:
    accounts = demo_store.accounts()
    assert {a.time_zone for a in accounts} >= {"America/New_York", "America/Los_Angeles", "Europe/London",
                                               "America/Chicago"}
    assert accounts[0].price_per_minute_cents == 118
    assert all(phones.normalize(a.phone_number) == a.phone_number for a in accounts)
    assert {a.role for a in demo_store.agents()} == {"agent", "senior", "supervisor", "qc"}
    for account in accounts:
        top = demo_store.top_ten(account.id)
        assert [a.rank for a in top] == list(range(1, 11))
        assert any("[[faq:" in a.body for a in top) and any("[[script:" in a.body for a in top)
        targets = [part.split("|")[0] for a in top for part in a.body.split("[[faq:")[1:]]
        linked = [demo_store.faq_article(target) for target in targets]
        assert linked and all(article is not None for article in linked)  # every link leads somewhere
    global_count = demo_store.conn.execute("SELECT count(*) FROM faq_article WHERE account_id IS NULL")
    assert global_count.fetchone()[0] == 20


def test_every_script_link_of_every_account_opens_that_accounts_script(demo_store: Store) -> None:
    """A link like [[script:booking|Booking script]] in any of an account's articles finds the script in that
    account; each account's scripts start with its greeting; scripts stay out of search and its filters."""
    import re

    for account in demo_store.accounts():
        bodies = [row[0] for row in demo_store.conn.execute(
            "SELECT body FROM faq_article WHERE account_id = ? OR account_id IS NULL", (account.id,))]
        names = {name for body in bodies for name in re.findall(r"\[\[script:([a-z-]+)\|", body)}
        assert names, account.name
        for name in names:
            script = demo_store.script(account.id, name)
            assert script is not None and script.account_id == account.id, (account.name, name)
            assert "Say:" in script.body
        scripts = demo_store.scripts(account.id)
        assert scripts[0].title == "Greeting" and account.name.split()[0] in scripts[0].body
        assert all(s.rank is None for s in scripts)
        assert not [h for h in demo_store.search_faq("script", account_id=account.id) if h.category.startswith("script:")]
        assert not [c for c in demo_store.faq_facets(account.id)[1] if c.startswith("script:")]


def test_every_customer_number_is_valid_and_unique_and_the_well_known_one_has_the_long_history(
    demo_store: Store, summary: DemoSummary
) -> None:
    numbers = [row[0] for row in demo_store.conn.execute("SELECT e164 FROM customer_phone")]
    assert len(numbers) == len(set(numbers))
    assert all(phones.normalize(number) == number for number in numbers)
    assert not any(number[5:8] == "555" for number in numbers)  # kept free for "unknown caller" tests
    owner = demo_store.customer_for_caller(WELL_KNOWN_NUMBER, None)
    assert owner is not None and owner.id == summary.well_known_customer_id
    assert owner.account_id == demo_store.accounts()[0].id and owner.interaction_count == 450
    assert known_caller_numbers(demo_store, 5)[0] == WELL_KNOWN_NUMBER


def test_times_are_stored_as_iso_text_before_the_base_date(demo_store: Store) -> None:
    rows = demo_store.conn.execute(
        "SELECT at, ringing_at, answered_at, ended_at FROM interaction LIMIT 500").fetchall()
    for row in rows:
        for text in row:
            if text is not None:
                assert iso(parse_iso(text)) == text and parse_iso(text) < BASE
    dice = Dice(1)
    for offset in (0, 1, 86_399_999_999, 123_456_789_012_345):
        moment = BASE.timestamp() * 1_000_000 - offset
        assert dice.stamp(int(moment)) == iso(parse_iso(dice.stamp(int(moment))))


def test_call_costs_follow_the_pricing_rule(demo_store: Store) -> None:
    rows = demo_store.conn.execute(
        "SELECT billable_seconds, price_per_minute_cents, cost_cents FROM interaction LIMIT 2000").fetchall()
    assert all(cost == pricing.cost_cents(seconds, price) for seconds, price, cost in rows)


def test_hostile_text_is_stored_raw(demo_store: Store) -> None:
    names = [row[0] for row in demo_store.conn.execute("SELECT name FROM customer")]
    assert any("[@click=app.quit]" in n for n in names) and any("\x1b]0;" in n for n in names)
    notes = demo_store.conn.execute(
        "SELECT count(*) FROM interaction WHERE notes LIKE '%' || char(27) || ']52%'"
        " OR body LIKE '%' || char(27) || ']52%'").fetchone()[0]
    assert notes >= 1


def test_a_store_with_data_is_only_replaced_on_purpose(small_demo, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "used.db"
    shutil.copyfile(small_demo[0], path)
    store = Store.open(path, FixedClock())
    store.mutate("comment.add@1", {
        "comment_id": "mine", "account_id": store.accounts()[0].id,
        "customer_id": small_demo[1].well_known_customer_id, "agent_id": None, "body": "local work",
        "created_at": iso(store.clock.now())})
    with pytest.raises(StoreError, match="already holds data"):
        generate(store, customers=5, seed=1)
    summary = generate(store, customers=5, seed=1, long_history=10, reset=True)
    assert table_counts(store)["customer"] == 5 and summary.customers == 5
    assert store.outbox_count() == 0
    assert store.find_customers("+18002181525")[0].id == summary.well_known_customer_id  # search rebuilt
    assert store.conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL again after the load
    assert store.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    next_id = store.mutate("comment.add@1", {
        "comment_id": "after", "account_id": store.accounts()[0].id,
        "customer_id": summary.well_known_customer_id, "agent_id": None, "body": "more",
        "created_at": iso(store.clock.now())})
    assert next_id == 2  # mutation ids never go back, even after a reset
    store.close()


def test_three_hundred_customers_take_under_three_seconds(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "timed.db", FixedClock())
    started = time.perf_counter()
    generate(store, customers=300, seed=2026, long_history=2000)
    assert time.perf_counter() - started < 3.0
    store.close()


def test_a_tickets_subject_fits_its_kind(demo_store: Store) -> None:
    """A refund ticket is never titled "Update my details", a question never "Cancel my subscription"."""
    from agentdesk.demodata.content import TICKET_SUBJECTS

    kind_of = {subject: kind for kind, subjects in TICKET_SUBJECTS.items() for subject in subjects}
    rows = demo_store.conn.execute("SELECT kind, subject FROM ticket").fetchall()
    assert len(rows) > 20
    wrong = [(kind, subject) for kind, subject in rows if kind_of.get(subject, kind) != kind]
    assert wrong == []


def test_each_accounts_phone_menu_has_the_simulated_digits_and_agents_for_every_choice(demo_store: Store) -> None:
    accounts = {spec.name: spec for spec in ACCOUNTS}
    rows = demo_store.conn.execute("SELECT id, name, ivr_menu FROM account ORDER BY name").fetchall()
    assert len(rows) == len(ACCOUNTS)
    for account_id, name, menu in rows:
        menu = json.loads(menu)
        assert sorted(menu) == ["1", "2", "3"]  # the digits `agentdesk simulate` presses
        assert set(menu.values()) <= set(accounts[name].skills)
        staff = demo_store.conn.execute(
            "SELECT a.skills, a.languages FROM agent a JOIN agent_account aa ON aa.agent_id = a.id"
            " WHERE aa.account_id = ? AND a.role <> 'qc'", (account_id,)).fetchall()
        skills = [set(json.loads(s)) for s, _ in staff]
        languages = [json.loads(langs) for _, langs in staff]
        for skill in menu.values():
            assert any(skill in have for have in skills), (name, skill)
        assert all(have <= set().union(*(a.skills for a in ACCOUNTS)) and have for have in skills)
        assert all(langs[0] == "en" for langs in languages)
        assert any("es" in langs for langs in languages), name  # a Spanish speaker on every account
        assert sum("es" in langs for langs in languages) < len(languages)  # most speak English only
