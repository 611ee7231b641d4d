"""The data model as SQLModel tables, shared by the local store and the backend.

The workstation's store does not import this module (SQLModel costs about a second at start-up); its schema is
the SQL in `agentdesk/migrations`, and a test checks that a migrated store has exactly these tables and
columns. A table whose name would match a record of `agentdesk.records` (the view records screens see) ends in
`Row` (`AccountRow`, `AgentRow`, `CustomerRow`, `FaqArticleRow`, `ReplyTemplateRow`), so the two are never confused.

Conventions: ids are UUID text made by whoever creates the row; times are `clock.iso()` text (UTC, sorts as
time); money is integer cents; every row carries `account_id` (the sync partition) except agents and the
global FAQ articles (`account_id` NULL).
"""

from __future__ import annotations

from sqlalchemy import CheckConstraint, Index, text
from sqlmodel import Field, SQLModel


class AccountRow(SQLModel, table=True):
    """A client business the team answers for: its number, price, greeting and service level."""

    __tablename__ = "account"
    __table_args__ = (CheckConstraint("price_per_minute_cents >= 0"),)

    id: str = Field(primary_key=True)
    name: str
    time_zone: str  # IANA name, e.g. America/New_York: the daily report closes at its midnight
    price_per_minute_cents: int
    greeting: str = ""
    phone_number: str = Field(unique=True)  # the E.164 number customers dial
    sla_policy: str = "80/20"  # percent of calls answered within so many seconds
    ivr_menu: str = "{}"  # a JSON object: the digit a caller presses in the phone menu -> the skill word it asks for


class AgentRow(SQLModel, table=True):
    """A person at a terminal: agent, senior agent, supervisor, quality control (`qc`: rates interactions) or
    admin."""

    __tablename__ = "agent"
    __table_args__ = (CheckConstraint("role IN ('agent', 'senior', 'supervisor', 'qc', 'admin')", name="agent_role"),)

    id: str = Field(primary_key=True)
    name: str
    role: str
    skills: str = "[]"  # a JSON array of skill words (the accounts' IVR menus name them): calls are routed by them
    languages: str = '["en"]'  # a JSON array of language codes the agent takes calls in


class AgentAccount(SQLModel, table=True):
    """Which accounts an agent works for (and so which partitions the terminal pulls)."""

    __tablename__ = "agent_account"

    agent_id: str = Field(primary_key=True, foreign_key="agent.id")
    account_id: str = Field(primary_key=True, foreign_key="account.id", index=True)


class CustomerRow(SQLModel, table=True):
    """A customer of one account."""

    __tablename__ = "customer"

    id: str = Field(primary_key=True)
    account_id: str = Field(foreign_key="account.id", index=True)
    name: str
    language: str = "en"
    created_at: str
    updated_at: str


class CustomerPhone(SQLModel, table=True):
    """One of a customer's phone numbers, in E.164 (caller ID lookups use the index on `e164`)."""

    __tablename__ = "customer_phone"

    customer_id: str = Field(primary_key=True, foreign_key="customer.id")
    account_id: str
    e164: str = Field(primary_key=True, index=True)
    label: str = "mobile"


class CustomerEmail(SQLModel, table=True):
    """One of a customer's e-mail addresses, lower-cased."""

    __tablename__ = "customer_email"

    customer_id: str = Field(primary_key=True, foreign_key="customer.id")
    account_id: str
    email: str = Field(primary_key=True, index=True)
    label: str = "personal"


class Interaction(SQLModel, table=True):
    """A call, e-mail, chat, SMS, web form or fax, with its times, outcome and billing.

    `at` is when it happened for the timeline: the ring of a call, the sending of a message.
    """

    __tablename__ = "interaction"
    __table_args__ = (
        CheckConstraint("channel IN ('phone', 'email', 'chat', 'sms', 'web_form', 'fax')"),
        CheckConstraint("direction IN ('in', 'out')"),
        CheckConstraint("state IN ('ringing', 'answered', 'ended')"),
        Index("interaction_timeline", "customer_id", "channel", "at", "id"),
        Index("interaction_review", "account_id", "state", "at", "id"),
    )

    id: str = Field(primary_key=True)
    account_id: str = Field(foreign_key="account.id")
    customer_id: str | None = Field(default=None, foreign_key="customer.id")
    agent_id: str | None = Field(default=None, foreign_key="agent.id")
    channel: str
    direction: str
    state: str
    caller_number: str | None = None
    subject: str | None = None
    body: str | None = None
    ringing_at: str | None = None
    answered_at: str | None = None
    ended_at: str | None = None
    outcome: str | None = None
    notes: str | None = None
    billable_seconds: int = 0
    price_per_minute_cents: int | None = None
    cost_cents: int = 0
    wrap_up_seconds: int | None = None
    at: str


class HoldEvent(SQLModel, table=True):
    """One hold of a call: how long, and whether the 10-second cap ended it."""

    __tablename__ = "hold_event"

    id: str = Field(primary_key=True)
    account_id: str
    interaction_id: str = Field(foreign_key="interaction.id", index=True)
    started_at: str
    ended_at: str | None = None
    seconds: float | None = None
    hit_cap: bool = False


class Recording(SQLModel, table=True):
    """A playable recording of a call."""

    __tablename__ = "recording"

    id: str = Field(primary_key=True)
    account_id: str
    interaction_id: str = Field(foreign_key="interaction.id", index=True)
    seconds: int
    uri: str


class Comment(SQLModel, table=True):
    """An agent's comment on a customer's history."""

    __tablename__ = "comment"
    __table_args__ = (Index("comment_timeline", "customer_id", "created_at", "id"),)

    id: str = Field(primary_key=True)
    account_id: str
    customer_id: str = Field(foreign_key="customer.id")
    agent_id: str | None = Field(default=None, foreign_key="agent.id")
    body: str
    created_at: str


class CustomerOrder(SQLModel, table=True):
    """An order a customer placed (`ORD-<digits>`); `recurring` for subscriptions."""

    __tablename__ = "customer_order"
    __table_args__ = (
        Index("customer_order_timeline", "customer_id", "placed_at", "id"),
    )

    id: str = Field(primary_key=True)
    account_id: str
    customer_id: str = Field(foreign_key="customer.id")
    number: str = Field(unique=True)
    placed_at: str
    status: str  # placed, shipped, delivered, refunded, cancelled
    total_cents: int = 0
    recurring: bool = False


class OrderLine(SQLModel, table=True):
    """One product on an order."""

    __tablename__ = "order_line"

    id: str = Field(primary_key=True)
    account_id: str
    order_id: str = Field(foreign_key="customer_order.id", index=True)
    product: str
    quantity: int = 1
    unit_price_cents: int = 0


class Ticket(SQLModel, table=True):
    """A case with its number (told to the customer), state and kind."""

    __tablename__ = "ticket"
    __table_args__ = (Index("ticket_timeline", "customer_id", "created_at", "id"),)

    id: str = Field(primary_key=True)
    account_id: str
    customer_id: str = Field(foreign_key="customer.id")
    case_number: str = Field(unique=True)
    subject: str
    status: str  # new, open, pending, resolved, closed
    priority: str = "normal"  # low, normal, high, urgent
    kind: str = "question"  # question, refund, cancellation, escalation, follow_up
    channel: str = "email"
    created_at: str
    updated_at: str
    # Added by 0005_tickets: assignment, the SLA clock, consent to resolve, review and save-the-sale.
    assignee_id: str | None = None  # the agent working it
    order_id: str | None = None  # the order a refund or cancellation is about
    awaiting_since: str | None = None  # oldest customer message not yet answered by a reply
    response_due_at: str = "9999-12-31T23:59:59.999999Z"  # far future when nothing is owed
    first_response_at: str | None = None
    consent_how: str | None = None  # call, writing
    consent_at: str | None = None
    consent_by: str | None = None  # the agent who recorded it
    resolved_at: str | None = None
    review_requested: bool = False
    help_offered_at: str | None = None  # save-the-sale: the agent offered help first
    save_outcome: str | None = None  # saved, refunded, cancelled
    save_outcome_at: str | None = None
    save_outcome_by: str | None = None


class TicketMessage(SQLModel, table=True):
    """A customer's message, a public reply, or an internal note (never shown to the customer)."""

    __tablename__ = "ticket_message"
    __table_args__ = (
        CheckConstraint("kind IN ('customer', 'reply', 'note')"),
        Index("ticket_message_ticket", "ticket_id", "created_at"),
        Index("ticket_message_review", "account_id", "kind", "created_at", "id"),
    )

    id: str = Field(primary_key=True)
    account_id: str
    ticket_id: str = Field(foreign_key="ticket.id")
    kind: str
    author: str
    body: str
    created_at: str
    delivery: str | None = None  # replies: queued until delivered (or failed); None for the rest
    agent_id: str | None = None


class TicketDraft(SQLModel, table=True):
    """What an agent is typing on a ticket, saved as typed (local to the terminal, never synced)."""

    __tablename__ = "ticket_draft"
    __table_args__ = (CheckConstraint("kind IN ('reply', 'note')"),)

    ticket_id: str = Field(primary_key=True, foreign_key="ticket.id")
    account_id: str
    kind: str
    body: str
    updated_at: str


class FaqArticleRow(SQLModel, table=True):
    """An FAQ answer; `rank` 1..10 puts it in its account's top ten. Global articles have no account."""

    __tablename__ = "faq_article"
    __table_args__ = (
        CheckConstraint("rank BETWEEN 1 AND 10"),
        Index(
            "faq_article_top_ten", "account_id", "rank", unique=True,
            sqlite_where=text("rank IS NOT NULL"), postgresql_where=text("rank IS NOT NULL"),
        ),
    )

    id: str = Field(primary_key=True)
    account_id: str | None = Field(default=None, foreign_key="account.id", index=True)
    rank: int | None = None
    title: str
    body: str  # links are written [[faq:<id>|label]], [[script:<name>|label]], [[article:<name>|label]]
    category: str = ""
    product: str = ""


class FaqUse(SQLModel, table=True):
    """An FAQ answer read during a call (which answers help, and which do not)."""

    __tablename__ = "faq_use"

    id: str = Field(primary_key=True)
    account_id: str | None = None
    faq_id: str = Field(foreign_key="faq_article.id")
    interaction_id: str | None = Field(default=None, index=True)
    agent_id: str
    used_at: str


class ReplyTemplateRow(SQLModel, table=True):
    """A reply with placeholders ({{ customer_name }}, {{ case_number }}, ...) for the ticket composer."""

    __tablename__ = "reply_template"

    id: str = Field(primary_key=True)
    account_id: str = Field(foreign_key="account.id", index=True)
    name: str
    body: str


class Professional(SQLModel, table=True):
    """One of an account's in-house professionals, booked by skill, language and location."""

    __tablename__ = "professional"

    id: str = Field(primary_key=True)
    account_id: str = Field(foreign_key="account.id", index=True)
    name: str
    skills: str = "[]"  # a JSON array of strings
    languages: str = "[]"  # a JSON array of language codes
    location: str = ""
    email: str | None = None  # where the backend mails the professional's day each morning; None: not mailed


class Task(SQLModel, table=True):
    """Someone must act later: a follow-up call after an escalation, a reminder, a survey."""

    __tablename__ = "task"
    __table_args__ = (
        CheckConstraint("kind IN ('follow_up', 'reminder', 'survey')"),
        CheckConstraint("level IN ('senior', 'supervisor')"),
        CheckConstraint("status IN ('open', 'done')"),
        Index("task_status_due", "status", "due_at"),
        Index("task_appointment", "appointment_id"),
    )

    id: str = Field(primary_key=True)
    account_id: str
    customer_id: str | None = None
    interaction_id: str | None = None
    kind: str
    level: str | None = None
    due_at: str
    note: str = ""
    status: str = "open"
    created_at: str
    created_by: str | None = None  # the agent who created it
    appointment_id: str | None = None  # a reminder's or survey's appointment
    assignee_id: str | None = None  # who has the follow-up now (None: whoever of its level takes it)


class ProfessionalSkill(SQLModel, table=True):
    """What a professional can do, and how well (1 beginner .. 5 expert)."""

    __tablename__ = "professional_skill"
    __table_args__ = (
        CheckConstraint("level BETWEEN 1 AND 5"),
        Index("professional_skill_account", "account_id", "skill", "level"),
    )

    professional_id: str = Field(primary_key=True, foreign_key="professional.id")
    skill: str = Field(primary_key=True)
    account_id: str
    level: int


class WorkingHours(SQLModel, table=True):
    """One span of a professional's week, in wall-clock minutes of the account's time zone (Monday is 0)."""

    __tablename__ = "working_hours"
    __table_args__ = (
        CheckConstraint("weekday BETWEEN 0 AND 6"),
        CheckConstraint("start_minute BETWEEN 0 AND 1439"),
        CheckConstraint("end_minute BETWEEN 1 AND 1440 AND end_minute > start_minute"),
    )

    professional_id: str = Field(primary_key=True, foreign_key="professional.id")
    weekday: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    start_minute: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    account_id: str
    end_minute: int


class TimeOff(SQLModel, table=True):
    """A professional is away from `starts_at` to `ends_at` (UTC)."""

    __tablename__ = "time_off"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at"),
        Index("time_off_professional", "professional_id", "starts_at"),
    )

    id: str = Field(primary_key=True)
    account_id: str
    professional_id: str = Field(foreign_key="professional.id")
    starts_at: str
    ends_at: str
    reason: str = ""


class AppointmentType(SQLModel, table=True):
    """What can be booked: its length, the skill and level it needs, and the buffer after it."""

    __tablename__ = "appointment_type"
    __table_args__ = (
        CheckConstraint("minutes BETWEEN 15 AND 480 AND minutes % 15 = 0"),
        CheckConstraint("min_level BETWEEN 1 AND 5"),
        CheckConstraint("buffer_minutes BETWEEN 0 AND 120 AND buffer_minutes % 15 = 0"),
        Index("appointment_type_account", "account_id", "name"),
    )

    id: str = Field(primary_key=True)
    account_id: str = Field(foreign_key="account.id")
    name: str
    minutes: int
    skill: str
    min_level: int = 1
    buffer_minutes: int = 0


class Appointment(SQLModel, table=True):
    """A customer booked with a professional: tentative on a terminal until the backend confirms it."""

    __tablename__ = "appointment"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at"),
        CheckConstraint("status IN ('tentative', 'confirmed', 'cancelled')"),
        CheckConstraint("rating BETWEEN 1 AND 5"),
        Index("appointment_customer", "customer_id", "starts_at"),
        Index("appointment_professional", "professional_id", "starts_at"),
        Index("appointment_day", "account_id", "starts_at"),
    )

    id: str = Field(primary_key=True)
    account_id: str
    customer_id: str = Field(foreign_key="customer.id")
    professional_id: str = Field(foreign_key="professional.id")
    type_id: str = Field(foreign_key="appointment_type.id")
    starts_at: str
    ends_at: str
    status: str
    interaction_id: str | None = None
    booked_by: str | None = None
    booked_at: str
    updated_at: str
    cancelled_at: str | None = None
    note: str = ""
    rating: int | None = None  # the customer's 1-5 answer to the survey after it
    rating_comment: str | None = None


class Rating(SQLModel, table=True):
    """A score of 1 to 5 with a comment given to one interaction (call, e-mail, chat, SMS, web form) or one ticket
    reply, by quality control (`qc`) or by the customer (`customer`: a survey's answer).

    `agent_id` is the agent rated (the interaction's or the reply's), `rated_by` who gave it (the quality-control
    reviewer; NULL for a customer's). One rating per source per interaction or reply: rating again replaces it.
    """

    __tablename__ = "rating"
    __table_args__ = (
        CheckConstraint("source IN ('qc', 'customer')"),
        CheckConstraint("score BETWEEN 1 AND 5"),
        CheckConstraint("(interaction_id IS NULL) <> (message_id IS NULL)"),
        Index("rating_interaction", "interaction_id", "source", unique=True),
        Index("rating_message", "message_id", "source", unique=True),
        Index("rating_agent", "agent_id", "at"),
        Index("rating_day", "account_id", "at"),
    )

    id: str = Field(primary_key=True)
    account_id: str = Field(foreign_key="account.id")
    interaction_id: str | None = Field(default=None, foreign_key="interaction.id")
    message_id: str | None = Field(default=None, foreign_key="ticket_message.id")
    agent_id: str | None = Field(default=None, foreign_key="agent.id")
    source: str
    score: int
    comment: str = ""
    rated_by: str | None = None
    at: str


class AppointmentSlot(SQLModel, table=True):
    """A quarter hour a booking holds (its buffer included). The primary key is the never-double-book rule."""

    __tablename__ = "appointment_slot"
    __table_args__ = (
        Index("appointment_slot_day", "account_id", "unit_start"),
        Index("appointment_slot_appointment", "appointment_id"),
    )

    professional_id: str = Field(primary_key=True, foreign_key="professional.id")
    unit_start: str = Field(primary_key=True)
    account_id: str
    appointment_id: str = Field(foreign_key="appointment.id")


class Outbox(SQLModel, table=True):
    """A local mutation waiting for the server's acknowledgement; `id` is its mutation id (contiguous)."""

    __tablename__ = "outbox"

    id: int = Field(primary_key=True)
    client_id: str  # the store incarnation that made it
    name: str  # e.g. call.ring
    version: int
    args: str  # canonical JSON
    created_at: str


class Meta(SQLModel, table=True):
    """Facts about this store: its client group id, the last mutation id, sync cookies."""

    __tablename__ = "meta"

    key: str = Field(primary_key=True)
    value: str


class UndoLog(SQLModel, table=True):
    """Before-images of the rows an unacknowledged local mutation changed (a pull undoes and replays them)."""

    __tablename__ = "undo_log"
    __table_args__ = (Index("undo_log_mutation", "mutation_id"),)

    seq: int = Field(primary_key=True)
    mutation_id: int
    table_name: str
    op: str  # insert, update, delete
    row_key: str  # JSON array of the primary key
    before: str | None = None  # JSON object of the old row (update, delete)


class SyncRejection(SQLModel, table=True):
    """A local change the backend refused, with its reason: the agent's "needs attention" list."""

    __tablename__ = "sync_rejection"

    mutation_id: int = Field(primary_key=True)
    name: str
    args: str
    reason: str
    rejected_at: str
    dismissed_at: str | None = None


LOCAL_ONLY = frozenset({"outbox", "meta", "undo_log", "sync_rejection", "ticket_draft"})
"""Tables that live on the terminal only: never pushed, pulled or created on the backend."""


class ConflictNote(SQLModel, table=True):
    """Two agents changed one customer field from the same value: the later change won; the overwritten value
    is kept here for review, never dropped silently."""

    __tablename__ = "conflict_note"
    __table_args__ = (Index("conflict_note_customer", "customer_id", "changed_at"),)

    id: str = Field(primary_key=True)
    account_id: str
    customer_id: str
    field: str
    base_value: str | None = None
    overwritten_value: str | None = None
    new_value: str | None = None
    changed_by: str | None = None
    changed_at: str
    reviewed_at: str | None = None
