"""Textual widgets of the workstation: presentational, data in and messages out."""

from widgets.call_bar import CallBar, CallView
from widgets.customer_history import CustomerHistory, HistoryView
from widgets.faq_panel import FaqPanel
from widgets.hold_timer import HoldTimer
from widgets.sync_status import SyncStatus

__all__ = ["CallBar", "CallView", "CustomerHistory", "FaqPanel", "HistoryView", "HoldTimer", "SyncStatus"]
