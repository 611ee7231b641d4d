"""The local store: one SQLite file that the workstation reads and writes, online or not.

`Store` is made of parts that share one connection holder (`localstore.holder.Connections`): `store.queries`
(accounts, agents, customers, history, FAQ, tasks), `store.tickets`, `store.appointments`, `store.ratings`,
and `store.changes` (mutations with their outbox rows, pulls and first copies; see docs/sync.md). Reads return the records of
`agentdesk.records`. Writes go through one connection under a re-entrant lock; screens read through a second,
read-only one, so a read never waits for a commit's fsync. The store's older methods (`store.inbox(...)`,
`store.mutate(...)`) stay as one-line delegations to the parts; new code may call the parts directly.

Pragmas: WAL, `synchronous=FULL` (a commit is on disk when `mutate` returns), `busy_timeout=5000`,
foreign keys.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from agentdesk.clock import Clock
from agentdesk.domain.booking import ANY, Preferences
from agentdesk.errors import CorruptStore, NotFound, NotSaved, StoreError, UnknownMutation
from agentdesk.localstore import outbox
from agentdesk.localstore.appointment_store import Appointments
from agentdesk.localstore.bulk import rebuild_search_indexes
from agentdesk.localstore.changes import Changes
from agentdesk.localstore.connection import connect, quick_check
from agentdesk.localstore.holder import Connections
from agentdesk.localstore.queries import Queries
from agentdesk.localstore.rating_store import Ratings
from agentdesk.localstore.ticket_store import Tickets
from agentdesk.localstore.transaction import transaction, translate
from agentdesk.records import (
    Account,
    Agent,
    AppointmentType,
    Booking,
    Customer,
    CustomerMatch,
    Draft,
    FaqArticle,
    FaqHit,
    FollowUpTask,
    HistoryCursor,
    HistoryPage,
    InboxCursor,
    InboxPage,
    InboxQuery,
    OutboundTask,
    Professional,
    Proposal,
    PullApplied,
    Rejection,
    ReplyTemplate,
    ThreadCursor,
    ThreadPage,
    TicketCard,
)

__all__ = [
    "CorruptStore", "NotFound", "NotSaved", "Store", "StoreError", "UnknownMutation", "rebuild_search_indexes",
]


class Store:
    """The workstation's local store: make one with `Store.open`, share it between threads, close it once."""

    def __init__(self, conn: sqlite3.Connection, path: Path, clock: Clock, region: str) -> None:
        self._connections = Connections(conn, path, clock, region)
        self.queries = Queries(self._connections)
        """Accounts, agents, customers, history, FAQ and tasks."""
        self.tickets = Tickets(self._connections)
        """The inbox, ticket cards and threads, drafts, reply templates, case numbers."""
        self.appointments = Appointments(self._connections)
        """Appointment types, professionals, free slots, bookings, outbound calls due."""
        self.changes = Changes(self._connections)
        """Mutations and their outbox, pulls, first copies, rejections."""
        self.ratings = Ratings(self._connections)
        """The quality review queue and agents' rating averages."""

    @classmethod
    def open(cls, path: Path, clock: Clock, *, region: str = "US") -> Store:
        """Open (creating it and its folder when missing) and migrate the store at `path`.

        Raises `CorruptStore` when the file fails its integrity check (it is moved aside first), and
        `StoreError` with the reason and the next step for anything else.
        """
        path = Path(path)
        conn = connect(path, clock)
        try:
            return cls(conn, path, clock, region)
        except sqlite3.Error as error:
            conn.close()
            raise translate(error, f"opening the local store at {path}") from error

    def close(self) -> None:
        """Close the connection (SQLite folds the WAL back into the file), after a checkpoint still running (a
        thread inside SQLite when the interpreter exits can bring the process down)."""
        self.changes.wait_for_checkpoint()
        self._connections.close()

    @property
    def region(self) -> str:
        """The region that phone numbers without a country code are read in (ISO 3166, e.g. "US")."""
        return self._connections.region

    @region.setter
    def region(self, value: str) -> None:
        self._connections.region = value

    @property
    def path(self) -> Path:
        """The store file."""
        return self._connections.path

    @property
    def conn(self) -> sqlite3.Connection:
        """The raw connection, for tests, benchmarks and the demo loader; hold `lock` while using it from
        several threads."""
        return self._connections.writer

    @property
    def lock(self) -> threading.RLock:
        """The lock every use of the connection takes."""
        return self._connections.lock

    @property
    def clock(self) -> Clock:
        """The clock outbox rows are stamped with."""
        return self._connections.clock

    @property
    def client_group_id(self) -> str:
        """This store file's identity for sync (made when the store was created)."""
        return self._connections.client_group_id

    @property
    def client_id(self) -> str:
        """This incarnation's identity for sync (new each time the store is opened)."""
        return self._connections.client_id

    # -- upkeep ----------------------------------------------------------------------------------------------

    def check_integrity(self) -> list[str]:
        """Read every page of the store (seconds for a big one) on a connection of its own, so writes go on
        meanwhile; the problems found, [] when the file is sound. For a worker after start-up: stores too
        big to check at open get their full check here."""
        uri = f"{self.path.resolve().as_uri()}?mode=ro"
        checker = sqlite3.connect(uri, uri=True, check_same_thread=False)
        try:
            return quick_check(checker)
        except sqlite3.DatabaseError as error:
            return [str(error)]
        finally:
            checker.close()

    def rebuild_search(self) -> None:
        """Rebuild both full-text indexes from their tables (after a VACUUM, or a bulk load)."""
        with self._connections.writing() as conn, transaction(conn, "rebuilding the search index"):
            rebuild_search_indexes(conn)

    # -- queries (`store.queries`) -----------------------------------------------------------------------------

    def is_empty(self) -> bool:
        """See `store.queries.is_empty`."""
        return self.queries.is_empty()

    def accounts(self) -> list[Account]:
        """See `store.queries.accounts`."""
        return self.queries.accounts()

    def account(self, account_id: str) -> Account:
        """See `store.queries.account`."""
        return self.queries.account(account_id)

    def account_for_number(self, dialled: str) -> Account | None:
        """See `store.queries.account_for_number`."""
        return self.queries.account_for_number(dialled)

    def agents(self) -> list[Agent]:
        """See `store.queries.agents`."""
        return self.queries.agents()

    def agent(self, agent_id: str) -> Agent:
        """See `store.queries.agent`."""
        return self.queries.agent(agent_id)

    def find_customers(self, query: str, limit: int = 20) -> list[CustomerMatch]:
        """See `store.queries.find_customers`."""
        return self.queries.find_customers(query, limit)

    def customer_for_caller(self, caller_raw: str, account_id: str | None) -> Customer | None:
        """See `store.queries.customer_for_caller`."""
        return self.queries.customer_for_caller(caller_raw, account_id)

    def customer(self, customer_id: str) -> Customer:
        """See `store.queries.customer`."""
        return self.queries.customer(customer_id)

    def history(
        self,
        customer_id: str,
        kinds: frozenset[str] | None = None,
        before: HistoryCursor | None = None,
        limit: int = 50,
    ) -> HistoryPage:
        """See `store.queries.history`."""
        return self.queries.history(customer_id, kinds, before, limit)

    def top_ten(self, account_id: str) -> list[FaqArticle]:
        """See `store.queries.top_ten`."""
        return self.queries.top_ten(account_id)

    def faq_article(self, faq_id: str) -> FaqArticle | None:
        """See `store.queries.faq_article`."""
        return self.queries.faq_article(faq_id)

    def script(self, account_id: str, name: str) -> FaqArticle | None:
        """See `store.queries.script`."""
        return self.queries.script(account_id, name)

    def scripts(self, account_id: str) -> list[FaqArticle]:
        """See `store.queries.scripts`."""
        return self.queries.scripts(account_id)

    def search_faq(
        self,
        words: str,
        *,
        account_id: str | None = None,
        product: str | None = None,
        category: str | None = None,
        limit: int = 20,
    ) -> list[FaqHit]:
        """See `store.queries.search_faq`."""
        return self.queries.search_faq(words, account_id=account_id, product=product, category=category, limit=limit)

    def faq_facets(self, account_id: str) -> tuple[list[str], list[str]]:
        """See `store.queries.faq_facets`."""
        return self.queries.faq_facets(account_id)

    def tasks(self, status: str = "open") -> list[FollowUpTask]:
        """See `store.queries.tasks`."""
        return self.queries.tasks(status)

    def interaction_row(self, interaction_id: str) -> dict[str, Any] | None:
        """See `store.queries.interaction_row`."""
        return self.queries.interaction_row(interaction_id)

    def holds_of(self, interaction_id: str) -> list[dict[str, Any]]:
        """See `store.queries.holds_of`."""
        return self.queries.holds_of(interaction_id)

    # -- tickets (`store.tickets`) -----------------------------------------------------------------------------

    def inbox(self, query: InboxQuery, after: InboxCursor | None = None, limit: int = 200) -> InboxPage:
        """See `store.tickets.inbox`."""
        return self.tickets.inbox(query, after, limit)

    def ticket(self, ticket_id: str) -> TicketCard:
        """See `store.tickets.ticket`."""
        return self.tickets.ticket(ticket_id)

    def thread(self, ticket_id: str, before: ThreadCursor | None = None, limit: int = 30) -> ThreadPage:
        """See `store.tickets.thread`."""
        return self.tickets.thread(ticket_id, before, limit)

    def message_text(self, message_id: str, page: int = 0) -> tuple[str, int]:
        """See `store.tickets.message_text`."""
        return self.tickets.message_text(message_id, page)

    def draft(self, ticket_id: str) -> Draft | None:
        """See `store.tickets.draft`."""
        return self.tickets.draft(ticket_id)

    def reply_templates(self, account_id: str) -> list[ReplyTemplate]:
        """See `store.tickets.reply_templates`."""
        return self.tickets.reply_templates(account_id)

    def agent_accounts(self, agent_id: str) -> list[str]:
        """See `store.tickets.agent_accounts`."""
        return self.tickets.agent_accounts(agent_id)

    def save_draft(self, ticket_id: str, kind: str, body: str, updated_at: str) -> None:
        """See `store.tickets.save_draft`."""
        return self.tickets.save_draft(ticket_id, kind, body, updated_at)

    def next_case_number(self) -> str:
        """See `store.tickets.next_case_number`."""
        return self.tickets.next_case_number()

    # -- appointments (`store.appointments`) -------------------------------------------------------------------

    def appointment_types(self, account_id: str) -> list[AppointmentType]:
        """See `store.appointments.appointment_types`."""
        return self.appointments.appointment_types(account_id)

    def professionals(self, account_id: str) -> list[Professional]:
        """See `store.appointments.professionals`."""
        return self.appointments.professionals(account_id)

    def free_slots(
        self, kind: AppointmentType, *, earliest: datetime, prefs: Preferences = ANY,
        caller_zone: ZoneInfo | None = None, count: int = 10, moving: str | None = None,
    ) -> list[Proposal]:
        """See `store.appointments.free_slots`."""
        return self.appointments.free_slots(kind, earliest=earliest, prefs=prefs, caller_zone=caller_zone, count=count,
                                            moving=moving)

    def appointment(self, appointment_id: str) -> Booking | None:
        """See `store.appointments.appointment`."""
        return self.appointments.appointment(appointment_id)

    def customer_appointments(
        self, customer_id: str, *, upcoming_after: datetime | None = None, limit: int = 20
    ) -> list[Booking]:
        """See `store.appointments.customer_appointments`."""
        return self.appointments.customer_appointments(customer_id, upcoming_after=upcoming_after, limit=limit)

    def day_bookings(self, account_id: str, day: date, professional_id: str | None = None) -> list[Booking]:
        """See `store.appointments.day_bookings`."""
        return self.appointments.day_bookings(account_id, day, professional_id)

    def caller_zone(self, customer_id: str | None, fallback: ZoneInfo) -> ZoneInfo:
        """See `store.appointments.caller_zone`."""
        return self.appointments.caller_zone(customer_id, fallback)

    def outbound(self, until: datetime, accounts: list[str] | None = None, limit: int = 500, *,
                 viewer: str | None = None) -> list[OutboundTask]:
        """See `store.appointments.outbound`."""
        return self.appointments.outbound(until, accounts, limit, viewer=viewer)

    # -- changes (`store.changes`) -----------------------------------------------------------------------------

    def mutate(self, name: str, args: Mapping[str, object]) -> int:
        """See `store.changes.mutate`."""
        return self.changes.mutate(name, args)

    def outbox_count(self) -> int:
        """See `store.changes.outbox_count`."""
        return self.changes.outbox_count()

    def sync_position(self) -> tuple[int | None, str | None]:
        """See `store.changes.sync_position`."""
        return self.changes.sync_position()

    def pending_mutations(self, *, after: int = 0, limit: int = 100) -> list[outbox.OutboxEntry]:
        """See `store.changes.pending_mutations`."""
        return self.changes.pending_mutations(after=after, limit=limit)

    def apply_pull(self, pull: Mapping[str, Any]) -> PullApplied:
        """See `store.changes.apply_pull`."""
        return self.changes.apply_pull(pull)

    def apply_snapshot(self, header: Mapping[str, Any], chunks: Iterable[Mapping[str, Any]]) -> PullApplied:
        """See `store.changes.apply_snapshot`."""
        return self.changes.apply_snapshot(header, chunks)

    def apply_snapshot_file(self, path: Path) -> tuple[PullApplied, dict[str, Any]]:
        """See `store.changes.apply_snapshot_file`."""
        return self.changes.apply_snapshot_file(path)

    def split_off(self, *, confirmed_below: int) -> str:
        """See `store.changes.split_off`."""
        return self.changes.split_off(confirmed_below=confirmed_below)

    def dismiss_rejections(self, mutation_ids: list[int]) -> None:
        """See `store.changes.dismiss_rejections`."""
        return self.changes.dismiss_rejections(mutation_ids)

    def note_refusal(self, name: str, args: Mapping[str, object], reason: str) -> None:
        """See `store.changes.note_refusal`."""
        return self.changes.note_refusal(name, args, reason)

    def rejections(self, *, include_dismissed: bool = False) -> list[Rejection]:
        """See `store.changes.rejections`."""
        return self.changes.rejections(include_dismissed=include_dismissed)
