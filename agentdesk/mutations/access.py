"""Which rows a change may touch: the one access check every mutation passes before its mutator runs.

Each registered mutation declares the arguments that name rows it reads or points at (`reads("ticket_id")`), and
the arguments that say who makes it (`by=("agent_id", "author")`). Before the mutator runs, `check` looks up the
account of every named row: each must be in the change's account (the first account found, usually the
`account_id` argument), and that account must be one the signed-in agent works for. The backend passes the
agent's accounts; the terminal's store holds only its own accounts' rows, so there the check is that the rows
exist and agree on their account.

A row the agent may not see is refused with the very words used for a row that does not exist ("there is no
ticket … (not found in the accounts you work for)"), and before the mutator has read anything else of it: a
refusal never says what state another account's row is in. On the backend the author comes from the sign-in
(`authored`), never from the arguments.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from agentdesk.errors import StoreError
from agentdesk.mutations.arguments import MAX_ID_CHARS

REFERENCES: dict[str, tuple[str, str]] = {
    # argument → (table, the word a person reads)
    "account_id": ("account", "account"),
    "customer_id": ("customer", "customer"),
    "interaction_id": ("interaction", "call"),
    "hold_id": ("hold_event", "hold"),
    "ticket_id": ("ticket", "ticket"),
    "message_id": ("ticket_message", "message"),
    "faq_id": ("faq_article", "FAQ article"),
    "order_id": ("customer_order", "order"),
    "professional_id": ("professional", "professional"),
    "type_id": ("appointment_type", "appointment type"),
    "appointment_id": ("appointment", "appointment"),
    "task_id": ("task", "task"),
    "assignee_id": ("agent", "agent"),
}
"""The arguments that can name an existing row. An argument that names a row the change creates (a new
`comment_id`, the `task_id` of an escalation) is simply not listed in that mutation's `reads`."""

AUTHORS = ("agent_id", "author")
"""The arguments that can say who makes a change: the agent's id, and the agent's name as shown on a message."""

@dataclass(frozen=True, slots=True)
class Access:
    """The rows a mutation reads or points at (arguments of `REFERENCES`, checked in this order) and the
    arguments naming who makes it (of `AUTHORS`)."""

    rows: tuple[str, ...] = ()
    by: tuple[str, ...] = ()


def reads(*rows: str, by: tuple[str, ...] = ()) -> Access:
    """The access rule of a mutation: `reads("account_id", "customer_id", by=("agent_id",))`."""
    unknown = [name for name in rows if name not in REFERENCES] + [name for name in by if name not in AUTHORS]
    if unknown:
        raise ValueError(f"no access rule knows the arguments {', '.join(unknown)}")
    return Access(tuple(rows), tuple(by))


MayActOn = Callable[[str], bool]
"""Whether the signed-in agent works for an account (None: the terminal's own store, which holds only those)."""


def not_found(mutation: str, word: str, value: str) -> StoreError:
    """The one refusal for a row that does not exist and a row the agent may not see."""
    return StoreError(f"{mutation}: there is no {word} {value[:40]} (not found in the accounts you work for).")


def check(conn: Any, mutation: str, access: Access, args: Mapping[str, Any], may_act_on: MayActOn | None) -> None:
    """Refuse the change (`StoreError`, "not found") unless every row it names exists, is in the change's
    account, and that account is one the agent works for. Arguments that cannot be an id (absent, not text,
    too long) are left to the mutator's own checks of its arguments."""
    account: str | None = None
    agents: list[tuple[str, str]] = []
    for name in access.rows:
        value = args.get(name)
        if not isinstance(value, str) or not value or len(value) > MAX_ID_CHARS:
            continue  # names no row: the mutator's own check of its arguments says what is wrong
        table, word = REFERENCES[name]
        if table == "agent":
            agents.append((word, value))
            continue
        found = conn.execute(
            "SELECT id FROM account WHERE id = ?" if table == "account" else f"SELECT account_id FROM {table} WHERE id = ?",
            (value,),
        ).fetchone()
        if found is None:
            raise not_found(mutation, word, value)
        owner = found[0]
        if owner is None:  # a global row (the FAQ shared by every account): any change may read it
            continue
        if (may_act_on is not None and not may_act_on(owner)) or (account is not None and owner != account):
            raise not_found(mutation, word, value)
        account = owner
    for word, value in agents:
        # Agents are global rows (no account, like the shared FAQ): any change may name one that exists.
        if conn.execute("SELECT 1 FROM agent WHERE id = ?", (value,)).fetchone() is None:
            raise not_found(mutation, word, value)


def authored(
    access: Access, args: Mapping[str, Any], agent_id: str, agent_name: Callable[[], str]
) -> dict[str, Any]:
    """The arguments with who makes the change taken from the sign-in: `agent_id` always (when the mutation
    takes one), `author` (the name shown on a message, read by `agent_name` only then) whenever it is given."""
    fixed = dict(args)
    if "agent_id" in access.by:
        fixed["agent_id"] = agent_id
    if "author" in access.by and fixed.get("author") is not None:
        fixed["author"] = agent_name()
    return fixed
