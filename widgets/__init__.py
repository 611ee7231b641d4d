"""Textual widgets of the workstation: presentational, data in and messages out."""

from widgets.call_bar import CallBar, CallView
from widgets.customer_history import CustomerHistory, HistoryView
from widgets.faq_panel import FaqPanel
from widgets.hold_timer import HoldTimer
from widgets.sync_status import SyncStatus
from widgets.ticket_composer import TicketComposer
from widgets.ticket_header import HeaderView, TicketHeader
from widgets.ticket_inbox import InboxView, TicketInbox
from widgets.ticket_thread import MessageBox, ThreadView, TicketThread

__all__ = ["CallBar", "CallView", "CustomerHistory", "FaqPanel", "HistoryView", "HoldTimer", "SyncStatus",
           "TicketComposer", "HeaderView", "TicketHeader", "InboxView", "TicketInbox", "MessageBox", "ThreadView",
           "TicketThread"]
