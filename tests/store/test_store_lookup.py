"""Finding customers by phone, e-mail, order, case and name; screen pop; accounts by dialled number."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agentdesk.demo import DemoSummary
from agentdesk.store import NotFound, Store

WELL_KNOWN = "+18002181525"
HOSTILE_QUERIES = ('"', "*", "AND", "(", "NEAR", "ann AND", 'NEAR(a b)', '"unclosed', "a OR b NOT c", "^x",
                   "col:umn", "-", "{a b}", "\x00", "\x1b[2J", "'; DROP TABLE customer; --", "ä*", "()*\"")


def test_three_spellings_of_the_well_known_number_find_the_same_customer(demo_store: Store) -> None:
    found = [demo_store.find_customers(q) for q in ("+1 800-218-1525", "1 (800) 218-1525", "800.218.1525")]
    assert all(len(matches) == 1 for matches in found)
    assert len({matches[0].id for matches in found}) == 1
    assert {matches[0].matched_on for matches in found} == {"phone"}
    assert found[0][0].phone == WELL_KNOWN


def test_email_lookup_ignores_letter_case(demo_store: Store) -> None:
    email, customer_id = demo_store.conn.execute(
        "SELECT email, customer_id FROM customer_email ORDER BY rowid LIMIT 1").fetchone()
    matches = demo_store.find_customers(f"  {email.upper()} ")
    assert [(m.id, m.matched_on, m.email) for m in matches] == [(customer_id, "email", email)]


def test_order_and_case_numbers_find_their_customer_in_any_letter_case(demo_store: Store) -> None:
    number, by_order = demo_store.conn.execute(
        "SELECT number, customer_id FROM customer_order ORDER BY placed_at DESC LIMIT 1").fetchone()
    case, by_case = demo_store.conn.execute(
        "SELECT case_number, customer_id FROM ticket ORDER BY created_at LIMIT 1").fetchone()
    assert number.startswith("ORD-") and case.startswith("CS-")
    assert [(m.id, m.matched_on) for m in demo_store.find_customers(number.lower())] == [(by_order, "order")]
    assert [(m.id, m.matched_on) for m in demo_store.find_customers(case.lower())] == [(by_case, "case")]
    assert demo_store.find_customers("ORD-") == [] and demo_store.find_customers("cs-nothing") == []


def test_every_word_is_a_name_prefix(demo_store: Store) -> None:
    customer_id, name = demo_store.conn.execute(
        "SELECT id, name FROM customer WHERE name NOT LIKE '%[%' ORDER BY rowid LIMIT 1 OFFSET 5").fetchone()
    first, last = name.split()[0], name.split()[-1]
    query = f"{first[:3].lower()} {last[:2].upper()}"
    matches = demo_store.find_customers(query, limit=200)
    assert customer_id in [m.id for m in matches]
    assert all(m.matched_on == "name" for m in matches)
    for match in matches:
        words = [w.lower() for w in match.name.split()]
        assert any(w.startswith(first[:3].lower()) for w in words) or match.email


def test_name_results_are_ordered_by_rank_then_name_and_limited(demo_store: Store) -> None:
    matches = demo_store.find_customers("a", limit=5)
    assert 0 < len(matches) <= 5


@pytest.mark.parametrize("query", HOSTILE_QUERIES)
def test_search_syntax_in_what_people_type_never_raises(demo_store: Store, query: str) -> None:
    assert isinstance(demo_store.find_customers(query), list)
    assert isinstance(demo_store.search_faq(query), list)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(alphabet=st.characters() | st.sampled_from('"*()^:-+{}@ANDORNEAR'), max_size=60))
def test_any_text_typed_into_search_is_answered(demo_store: Store, query: str) -> None:
    assert isinstance(demo_store.find_customers(query), list)
    assert isinstance(demo_store.search_faq(query, product=query[:5] or None), list)


def test_blank_and_huge_queries(demo_store: Store) -> None:
    assert demo_store.find_customers("") == [] and demo_store.find_customers(" \t\n") == []
    assert isinstance(demo_store.find_customers("smith " * 10_000), list)
    assert demo_store.find_customers("8" * 10_000) == []


def test_an_invalid_phone_number_finds_nobody(demo_store: Store) -> None:
    assert demo_store.find_customers("000-000-0000") == []


def test_screen_pop_prefers_the_called_account(demo_store: Store) -> None:
    accounts = demo_store.accounts()
    first = demo_store.customer_for_caller("(800) 218-1525", accounts[0].id)
    assert first is not None and first.account_id == accounts[0].id and WELL_KNOWN in first.phones
    # The same number on file with another account: the called account's customer wins.
    other = accounts[1]
    demo_store.conn.execute(
        "INSERT INTO customer VALUES ('twin', ?, 'Twin', 'en', '2020-01-01T00:00:00.000000Z',"
        " '2020-01-01T00:00:00.000000Z')", (other.id,))
    demo_store.conn.execute(
        "INSERT INTO customer_phone VALUES ('twin', ?, ?, 'mobile')", (other.id, WELL_KNOWN))
    assert demo_store.customer_for_caller(WELL_KNOWN, other.id).id == "twin"  # type: ignore[union-attr]
    assert demo_store.customer_for_caller(WELL_KNOWN, accounts[0].id).id == first.id  # type: ignore[union-attr]
    assert demo_store.customer_for_caller("+12125550188", accounts[0].id) is None
    assert demo_store.customer_for_caller("anonymous", None) is None
    assert demo_store.customer_for_caller("+1\ud800", None) is None
    assert demo_store.account_for_number("+\ud800") is None


def test_the_customer_card_counts_interactions_and_open_tickets(
    demo_store: Store, summary: DemoSummary
) -> None:
    card = demo_store.customer(summary.well_known_customer_id)
    assert card.phones[0] == WELL_KNOWN and card.interaction_count == 450
    assert card.open_tickets == demo_store.conn.execute(
        "SELECT count(*) FROM ticket WHERE customer_id = ? AND status NOT IN ('resolved', 'closed')",
        (card.id,)).fetchone()[0]
    with pytest.raises(NotFound):
        demo_store.customer("no-such-customer")


def test_accounts_are_found_by_the_number_dialled_in_any_spelling(demo_store: Store) -> None:
    for account in demo_store.accounts():
        assert demo_store.account_for_number(account.phone_number) == account
        assert demo_store.account(account.id) == account
    assert demo_store.account_for_number("+1 (888) 218-0100") == demo_store.accounts()[0]
    assert demo_store.account_for_number("+19995550100") is None
    with pytest.raises(NotFound):
        demo_store.agent("nobody")
