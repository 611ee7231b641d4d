"""Plain, immutable records that the store hands to screens, widgets and desks: one home for all of them.

Widgets see these, never database rows. Text fields hold the raw stored text (evidence); widgets sanitise
untrusted text right before display. One module per area; everything is importable from `agentdesk.records`.
"""

from __future__ import annotations

from agentdesk.records.appointments import (
    AppointmentType,
    Booking,
    OutboundTask,
    Professional,
    Proposal,
)
from agentdesk.records.calls import (
    FollowUpTask,
    IncomingCall,
)
from agentdesk.records.customers import (
    TIMELINE_KINDS,
    Account,
    Agent,
    Channel,
    Customer,
    CustomerMatch,
    HistoryCursor,
    HistoryPage,
    TimelineEntry,
    TimelineKind,
)
from agentdesk.records.faq import (
    FaqArticle,
    FaqHit,
    FaqLink,
)
from agentdesk.records.quality import (
    RatingAverage,
    ReviewCursor,
    ReviewHold,
    ReviewItem,
    ReviewLine,
)
from agentdesk.records.sync import (
    PullApplied,
    Rejection,
)
from agentdesk.records.tickets import (
    Draft,
    InboxCursor,
    InboxPage,
    InboxQuery,
    InboxRow,
    ReplyTemplate,
    ThreadCursor,
    ThreadMessage,
    ThreadPage,
    TicketCard,
    TicketOrder,
)

__all__ = [
    "Account", "Agent", "AppointmentType", "Booking", "Channel", "Customer", "CustomerMatch", "Draft", "FaqArticle",
    "FaqHit", "FaqLink", "FollowUpTask", "HistoryCursor", "HistoryPage", "InboxCursor", "InboxPage", "InboxQuery",
    "InboxRow", "IncomingCall", "OutboundTask", "Professional", "Proposal", "PullApplied", "RatingAverage", "Rejection",
    "ReplyTemplate", "ReviewCursor", "ReviewHold", "ReviewItem", "ReviewLine",
    "TIMELINE_KINDS", "ThreadCursor", "ThreadMessage", "ThreadPage", "TicketCard", "TicketOrder",
    "TimelineEntry", "TimelineKind",
]
