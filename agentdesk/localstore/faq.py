"""The FAQ base: an account's top ten, single articles, and search by words, product and category.

An account sees its own articles and the global ones (no account). Search ranks by bm25 over title, body,
category and product, titles weighing most; every word is a prefix, so `pass res` finds "Password reset".
"""

from __future__ import annotations

import sqlite3

from agentdesk.domain.faq import SCRIPT_CATEGORY
from agentdesk.localstore.customers import clean_query, prefix_query
from agentdesk.records import FaqArticle, FaqHit

_ARTICLE = "SELECT id, account_id, rank, title, body, category, product FROM faq_article"
_SCOPE = "(? IS NULL OR a.account_id = ? OR a.account_id IS NULL)"
_FILTERS = "(? IS NULL OR a.product = ?) AND (? IS NULL OR a.category = ?)"
_NOT_SCRIPT = f"a.category NOT LIKE '{SCRIPT_CATEGORY}%'"
"""Call scripts open from links and the scripts key; search and its facets are for answers."""
# bm25 weights per column (title, body, category, product): a word in the title says most about an article.
_BM25 = "bm25(faq_fts, 10.0, 1.0, 3.0, 3.0)"
SNIPPET_WORDS = 16


def top_ten(conn: sqlite3.Connection, account_id: str) -> list[FaqArticle]:
    """The account's ranked answers, 1 to 10."""
    rows = conn.execute(f"{_ARTICLE} WHERE account_id = ? AND rank IS NOT NULL ORDER BY rank", (account_id,))
    return [FaqArticle(*row) for row in rows]


def faq_article(conn: sqlite3.Connection, faq_id: str) -> FaqArticle | None:
    """One article by id (links between answers use this)."""
    row = conn.execute(f"{_ARTICLE} WHERE id = ?", (faq_id,)).fetchone()
    return FaqArticle(*row) if row else None


def script(conn: sqlite3.Connection, account_id: str, name: str) -> FaqArticle | None:
    """The account's call script `name` (e.g. "booking"), or None when the account has none of that name."""
    row = conn.execute(f"{_ARTICLE} WHERE account_id = ? AND category = ?", (account_id, SCRIPT_CATEGORY + name)
                       ).fetchone()
    return FaqArticle(*row) if row else None


def scripts(conn: sqlite3.Connection, account_id: str) -> list[FaqArticle]:
    """The account's call scripts, the greeting first, then by title."""
    rows = conn.execute(f"{_ARTICLE} WHERE account_id = ? AND category LIKE ? ORDER BY category != ?, title",
                        (account_id, SCRIPT_CATEGORY + "%", SCRIPT_CATEGORY + "greeting"))
    return [FaqArticle(*row) for row in rows]


def search_faq(
    conn: sqlite3.Connection,
    words: str,
    *,
    account_id: str | None,
    product: str | None,
    category: str | None,
    limit: int,
) -> list[FaqHit]:
    """Articles matching every word (as prefixes), best first; with no words, the filtered list by title.

    `account_id` None searches every article in the store (this terminal's accounts and the global ones).
    """
    limit = max(1, min(limit, 200))
    product = clean_query(product) if product else None
    category = clean_query(category) if category else None
    filters = (account_id, account_id, product, product, category, category)
    query = prefix_query(clean_query(words))
    if query is None:
        if product is None and category is None:
            return []
        rows = conn.execute(
            "SELECT a.id, a.title, a.category, a.product, substr(a.body, 1, 160) FROM faq_article a"
            f" WHERE {_SCOPE} AND {_FILTERS} AND {_NOT_SCRIPT} ORDER BY a.rank IS NULL, a.rank, a.title LIMIT ?",
            (*filters, limit),
        )
    else:
        rows = conn.execute(
            "SELECT a.id, a.title, a.category, a.product,"
            f" snippet(faq_fts, 1, '', '', '…', {SNIPPET_WORDS})"
            " FROM faq_fts JOIN faq_article a ON a.rowid = faq_fts.rowid"
            f" WHERE faq_fts MATCH ? AND {_SCOPE} AND {_FILTERS} AND {_NOT_SCRIPT} ORDER BY {_BM25}, a.title LIMIT ?",
            (query, *filters, limit),
        )
    return [FaqHit(*row) for row in rows]


def faq_facets(conn: sqlite3.Connection, account_id: str) -> tuple[list[str], list[str]]:
    """The products and the categories an account's search can filter by (its and the global articles)."""

    def distinct(column: str) -> list[str]:
        rows = conn.execute(
            f"SELECT DISTINCT {column} FROM faq_article a WHERE (account_id = ? OR account_id IS NULL)"
            f" AND {column} != '' AND {_NOT_SCRIPT} ORDER BY {column}",
            (account_id,),
        )
        return [row[0] for row in rows]

    return distinct("product"), distinct("category")
