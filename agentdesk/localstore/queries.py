"""What the call screen reads: accounts, agents, customers and their history, the FAQ, follow-up tasks.

`store.queries` is one of the store's parts; it shares the store's connections (`localstore.holder`). Most
reads go through the read-only connection; the few that go through the writer are the ones tests and reports
use right after a write.
"""

from __future__ import annotations

from typing import Any

from agentdesk.domain import phones
from agentdesk.errors import NotFound
from agentdesk.localstore import customers as _customers
from agentdesk.localstore import faq as _faq
from agentdesk.localstore import history as _history
from agentdesk.localstore.holder import Connections
from agentdesk.localstore.stamps import moment
from agentdesk.records import (
    Account,
    Agent,
    Customer,
    CustomerMatch,
    FaqArticle,
    FaqHit,
    FollowUpTask,
    HistoryCursor,
    HistoryPage,
)

_ACCOUNT = "SELECT id, name, time_zone, price_per_minute_cents, greeting, phone_number FROM account"


class Queries:
    """Accounts, agents, customers, history, FAQ and tasks, read from the store."""

    def __init__(self, connections: Connections) -> None:
        self._c = connections

    # -- accounts and agents ---------------------------------------------------------------------------

    def is_empty(self) -> bool:
        """True when the store holds no accounts yet (a first start: fill it with demo data or a sync)."""
        with self._c.writing() as conn:
            return conn.execute("SELECT 1 FROM account LIMIT 1").fetchone() is None

    def accounts(self) -> list[Account]:
        """Every account in the store, by name."""
        with self._c.writing() as conn:
            return [Account(*row) for row in conn.execute(f"{_ACCOUNT} ORDER BY name, id")]

    def account(self, account_id: str) -> Account:
        """One account; `NotFound` when it is not in the store."""
        with self._c.writing() as conn:
            row = conn.execute(f"{_ACCOUNT} WHERE id = ?", (account_id,)).fetchone()
        if row is None:
            raise NotFound(f"There is no account {account_id[:40]} in the local store; sync to get it.")
        return Account(*row)

    def account_for_number(self, dialled: str) -> Account | None:
        """The account that answers on `dialled` (any spelling), or None."""
        number = phones.normalize(dialled, self._c.region) or _customers.clean_query(dialled.strip()[:64])
        with self._c.writing() as conn:
            row = conn.execute(f"{_ACCOUNT} WHERE phone_number = ?", (number,)).fetchone()
        return Account(*row) if row else None

    def agents(self) -> list[Agent]:
        """Every agent, by name."""
        with self._c.writing() as conn:
            rows = conn.execute("SELECT id, name, role FROM agent ORDER BY name, id").fetchall()
        return [Agent(*row) for row in rows]

    def agent(self, agent_id: str) -> Agent:
        """One agent; `NotFound` when it is not in the store."""
        with self._c.writing() as conn:
            row = conn.execute("SELECT id, name, role FROM agent WHERE id = ?", (agent_id,)).fetchone()
        if row is None:
            raise NotFound(f"There is no agent {agent_id[:40]} in the local store. Check the agent id in the "
                           "settings ([agent] id), or leave it out to work as the first agent.")
        return Agent(*row)

    # -- customers -------------------------------------------------------------------------------------------

    def find_customers(self, query: str, limit: int = 20) -> list[CustomerMatch]:
        """Customers by phone (any spelling), e-mail, order number (`ORD-…`), case number (`CS-…`) or name
        prefixes (`ann smi` finds Anna Smith), best first. Never raises on odd input; [] for a blank one."""
        with self._c.reading() as reader:
            return _customers.find_customers(reader, query, limit, self._c.region)

    def customer_for_caller(self, caller_raw: str, account_id: str | None) -> Customer | None:
        """The customer calling from `caller_raw` (screen pop), preferring the called account's customer."""
        with self._c.reading() as reader:
            return _customers.customer_for_caller(reader, caller_raw, account_id, self._c.region)

    def customer(self, customer_id: str) -> Customer:
        """The customer card; `NotFound` when the customer is not in the store."""
        with self._c.reading() as reader:
            return _customers.customer(reader, customer_id)

    def history(
        self,
        customer_id: str,
        kinds: frozenset[str] | None = None,
        before: HistoryCursor | None = None,
        limit: int = 50,
    ) -> HistoryPage:
        """A page of the customer's timeline, newest first, older than `before`; `kinds` filters it."""
        with self._c.reading() as reader:
            return _history.history(reader, customer_id, kinds, before, limit)

    # -- FAQ ----------------------------------------------------------------------------------------------

    def top_ten(self, account_id: str) -> list[FaqArticle]:
        """The account's top-ten answers, by rank."""
        with self._c.reading() as reader:
            return _faq.top_ten(reader, account_id)

    def faq_article(self, faq_id: str) -> FaqArticle | None:
        """One FAQ article, or None."""
        with self._c.reading() as reader:
            return _faq.faq_article(reader, faq_id)

    def script(self, account_id: str, name: str) -> FaqArticle | None:
        """The account's call script `name`, or None."""
        with self._c.reading() as reader:
            return _faq.script(reader, account_id, name)

    def scripts(self, account_id: str) -> list[FaqArticle]:
        """The account's call scripts, the greeting first."""
        with self._c.reading() as reader:
            return _faq.scripts(reader, account_id)

    def search_faq(
        self,
        words: str,
        *,
        account_id: str | None = None,
        product: str | None = None,
        category: str | None = None,
        limit: int = 20,
    ) -> list[FaqHit]:
        """FAQ articles (the account's and the global ones) matching `words` as prefixes, best first; with no
        words, the articles of the chosen product and category."""
        with self._c.reading() as reader:
            return _faq.search_faq(
                reader, words, account_id=account_id, product=product, category=category, limit=limit
            )

    def faq_facets(self, account_id: str) -> tuple[list[str], list[str]]:
        """The products and categories to filter the account's FAQ search by."""
        with self._c.reading() as reader:
            return _faq.faq_facets(reader, account_id)

    # -- tasks and raw rows -----------------------------------------------------------------------------

    def tasks(self, status: str = "open") -> list[FollowUpTask]:
        """Follow-ups, reminders and surveys with this status, soonest due first."""
        with self._c.writing() as conn:
            rows = conn.execute(
                "SELECT id, account_id, customer_id, kind, level, due_at, note, status, interaction_id,"
                " created_by FROM task WHERE status = ? ORDER BY due_at, id",
                (status,),
            ).fetchall()
        tasks = []
        for *head, due_at, note, state, interaction_id, created_by in rows:
            extra = {k: v for k, v in (("interaction_id", interaction_id), ("created_by", created_by)) if v}
            tasks.append(FollowUpTask(*head, due_at=moment(due_at), note=note, status=state, extra=extra))
        return tasks

    def interaction_row(self, interaction_id: str) -> dict[str, Any] | None:
        """The stored interaction as a dict of its columns (tests and reports), or None."""
        with self._c.writing() as conn:
            cursor = conn.execute("SELECT * FROM interaction WHERE id = ?", (interaction_id,))
            row = cursor.fetchone()
            names = [d[0] for d in cursor.description]
        return dict(zip(names, row, strict=True)) if row else None

    def holds_of(self, interaction_id: str) -> list[dict[str, Any]]:
        """The holds of a call, oldest first, as dicts (`hit_cap` as a bool)."""
        with self._c.writing() as conn:
            cursor = conn.execute(
                "SELECT * FROM hold_event WHERE interaction_id = ? ORDER BY started_at, id", (interaction_id,)
            )
            names = [d[0] for d in cursor.description]
            rows = [dict(zip(names, row, strict=True)) for row in cursor]
        for row in rows:
            row["hit_cap"] = bool(row["hit_cap"])
        return rows
