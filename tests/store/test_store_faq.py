"""The FAQ base: top ten by rank, search by words with prefixes, product and category filters, facets."""

from __future__ import annotations

from agentdesk.store import Store


def test_the_rank_five_answer_is_found_by_its_longest_word(demo_store: Store) -> None:
    for account in demo_store.accounts():
        wanted = demo_store.top_ten(account.id)[4]
        word = max(wanted.title.split(), key=len).strip("?.,!")
        hits = demo_store.search_faq(word, account_id=account.id)
        assert hits[0].id == wanted.id, (account.name, word, [h.title for h in hits])
        assert demo_store.search_faq(word[:4], account_id=account.id)  # a prefix finds it too


def test_search_covers_the_account_and_the_global_base_only(demo_store: Store) -> None:
    first, second = demo_store.accounts()[:2]
    own = {a.id for a in demo_store.top_ten(first.id)}
    others = {a.id for a in demo_store.top_ten(second.id)}
    hits = {h.id for h in demo_store.search_faq("how", account_id=first.id, limit=200)}
    assert hits & own and not hits & others
    globals_ = demo_store.search_faq("complaint", account_id=first.id)
    assert globals_ and demo_store.faq_article(globals_[0].id).account_id is None  # type: ignore[union-attr]


def test_filters_without_words_and_facets(demo_store: Store) -> None:
    account = demo_store.accounts()[0]
    products, categories = demo_store.faq_facets(account.id)
    assert "Smart thermostat" in products and "Billing" in categories and "Privacy" in categories
    hits = demo_store.search_faq("", account_id=account.id, product="Smart thermostat", limit=200)
    assert hits and all(h.product == "Smart thermostat" for h in hits)
    hits = demo_store.search_faq("  ", account_id=account.id, category="Billing", limit=200)
    assert hits and all(h.category == "Billing" for h in hits)
    assert demo_store.search_faq("", account_id=account.id) == []


def test_snippets_are_plain_text(demo_store: Store) -> None:
    hits = demo_store.search_faq("thermostat")
    assert hits and all("<" not in h.snippet and "[b]" not in h.snippet for h in hits)
