"""Queues and service levels, one line per account and one for the total, coloured by the queue's alert."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.widgets import Static

from agentdesk.monitoring import FloorModel, clock_text
from widgets.screen_text import one_line

HEADER = f"{'Account':<12} {'Off':>4} {'Ans':>4} {'Abn':>4} {'Wait':>4} {'Longst':>6} {'SL ans':>6} {'SL off':>6}" \
         f" {'<3rd':>5} {'ASA':>5} {'AHT':>5} {'Staff':>5}"
"""Staff: agents of the account on the floor now / agents needed this hour (Erlang C on the last four same
weekdays; — when the backend has no history to forecast from)."""
TICKETS_HEADER = f"{'Account':<12} {'Open':>5} {'Due <1h30':>9} {'Past 6h':>8} {'Escalated today':>16}"
LEVEL_STYLES = {"critical": "bold red", "warning": "yellow", "": ""}


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f}%"


def _staff(model: FloorModel, queue: dict[str, Any]) -> str:
    needed = queue.get("agents_needed")
    return f"{model.signed_in(queue['account_id'])}/{'—' if needed is None else needed}"


class QueueGauges(Static):
    """The accounts' queues since local midnight, as the backend counts them."""

    DEFAULT_CSS = "QueueGauges { height: auto; max-height: 8; } QueueGauges.-stale { opacity: 0.6; }"

    def show(self, model: FloorModel, now: float, *, stale: bool = False, tickets: bool = False) -> None:
        """Redraw from the model: the calls, or (`tickets`) the tickets and e-mail."""
        self.set_class(stale, "-stale")
        if tickets:
            self.update(self._tickets(model))
            return
        text = Text(HEADER + "\n", style="bold")
        for queue in sorted(model.queues.values(), key=lambda q: q["name"]):
            oldest = queue.get("oldest_waiting")
            line = (f"{one_line(queue['name'], 12):<12} {queue['offered']:>4} {queue['answered']:>4}"
                    f" {queue['abandoned']:>4} {queue['waiting']:>4} {clock_text(now - oldest if oldest else None):>6}"
                    f" {_pct(queue['service_level_of_answered']):>6} {_pct(queue['service_level_of_offered']):>6}"
                    f" {_pct(queue['answered_before_ring_percent']):>5} {clock_text(queue['asa_seconds']):>5}"
                    f" {clock_text(queue['aht_seconds']):>5} {_staff(model, queue):>5}\n")
            text.append(line, style=LEVEL_STYLES[model.queue_level(queue, now)])
        total: dict[str, Any] = model.totals()
        text.append(f"{'All':<12} {total['offered']:>4} {total['answered']:>4} {total['abandoned']:>4}"
                    f" {total['waiting']:>4} {'':>6} {'':>6} {_pct(total['service_level_of_offered']):>6}",
                    style="bold")
        self.update(text)

    @staticmethod
    def _tickets(model: FloorModel) -> Text:
        text = Text(TICKETS_HEADER + "\n", style="bold")
        total = {"open": 0, "due_soon": 0, "breached": 0, "escalated_today": 0}
        for queue in sorted(model.queues.values(), key=lambda q: q["name"]):
            tickets = queue.get("tickets") or {}
            for key in total:
                total[key] += int(tickets.get(key, 0))
            text.append(f"{one_line(queue['name'], 12):<12} {tickets.get('open', 0):>5} {tickets.get('due_soon', 0):>9}"
                        f" {tickets.get('breached', 0):>8} {tickets.get('escalated_today', 0):>16}\n",
                        style=LEVEL_STYLES[model.ticket_level(queue)])
        text.append(f"{'All':<12} {total['open']:>5} {total['due_soon']:>9} {total['breached']:>8}"
                    f" {total['escalated_today']:>16}", style="bold")
        return text
