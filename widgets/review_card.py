"""The interaction under review: who handled it, for whom, when, how long, the holds, the notes or the thread.

Presentational: it is handed a `ReviewItem` and shows it as plain text (every stored text sanitised here, never
parsed as markup). Times are shown in the account's zone when the screen gives one.
"""

from __future__ import annotations

from datetime import datetime, tzinfo

from rich.text import Text
from textual.widgets import Static

from agentdesk.records import RatingAverage, ReviewItem
from widgets.screen_text import one_line, sanitize

CHANNEL_WORDS = {"phone": "Call", "email": "E-mail", "chat": "Chat", "sms": "SMS", "web_form": "Web form",
                 "fax": "Fax", "ticket": "Ticket reply"}
KIND_WORDS = {"customer": "Customer", "reply": "Reply", "note": "Note"}
SOURCE_WORDS = {"qc": "quality", "customer": "customers"}


def minutes(seconds: float | None) -> str:
    """`m:ss`, or "–" for none."""
    if seconds is None:
        return "–"
    whole = max(0, round(seconds))
    return f"{whole // 60}:{whole % 60:02d}"


def averages_line(averages: list[RatingAverage]) -> str:
    """One agent's averages on one line: "quality 4.10 (12) · customers – (0), last 30 days"."""
    parts = [f"{SOURCE_WORDS[a.source]} {'–' if a.average is None else f'{a.average:.2f}'} ({a.count})"
             for a in averages]
    return " · ".join(parts) + ", last 30 days" if parts else ""


class ReviewCard(Static):
    """One item of the review queue, as text."""

    DEFAULT_CSS = "ReviewCard { height: auto; padding: 0 1; }"

    def show(self, item: ReviewItem | None, zone: tzinfo | None = None, width: int = 78,
             averages: list[RatingAverage] | None = None) -> None:
        """Show `item` (None: the queue is empty)."""
        self.update(card_text(item, zone, width, averages or []))


def card_text(item: ReviewItem | None, zone: tzinfo | None, width: int, averages: list[RatingAverage]) -> Text:
    """The card's text (also what tests read)."""
    if item is None:
        return Text("Nothing left to rate: every interaction of the last 30 days has its quality rating.")

    def when(at: datetime) -> str:
        return (at.astimezone(zone) if zone else at).strftime("%a %d %b %H:%M")

    out = Text()
    channel = CHANNEL_WORDS.get(item.channel, item.channel)
    direction = "" if item.kind == "reply" else (" in" if item.direction == "in" else " out")
    out.append(one_line(f"{channel}{direction} · {item.account_name} · {when(item.at)}", width), style="bold")
    out.append("\n" + one_line(f"Agent {item.agent_name or '(unknown)'} · customer {item.customer_name or '(not known)'}",
                               width))
    if averages:
        out.append("\n" + one_line(f"{item.agent_name}: {averages_line(averages)}", width), style="dim")
    if item.kind == "interaction":
        facts = ([f"talk {minutes(item.talk_seconds)}", f"after-call work {minutes(item.wrap_up_seconds)}"]
                 if item.channel == "phone" else [])
        if item.outcome:
            facts.append(f"outcome {item.outcome}")
        if facts:
            out.append("\n" + one_line(" · ".join(facts), width))
        if item.channel == "phone" and item.holds:
            holds = ", ".join(f"{when(h.started_at)[-5:]} {minutes(h.seconds)}" + (" (cap reached)" if h.hit_cap else "")
                              for h in item.holds)
            out.append("\n" + one_line(f"Holds ({len(item.holds)}): {holds}", width))
        elif item.channel == "phone":
            out.append("\nNo holds.")
    if item.customer_score is not None:
        out.append(f"\nThe customer rated it {item.customer_score}/5.")
    if item.subject:
        out.append("\n" + one_line(f"Subject: {item.subject}", width))
    if item.kind == "interaction":
        out.append("\n\nNotes:\n", style="bold")
        out.append(sanitize(item.notes) or "(no notes)")
        if item.body:
            out.append("\n\nMessage:\n", style="bold")
            out.append(sanitize(item.body))
    else:
        out.append("\n\nThread, up to the reply rated:", style="bold")
        for line in item.thread:
            out.append("\n" + one_line(f"{KIND_WORDS.get(line.kind, line.kind)} · {line.author} · {when(line.at)}",
                                       width), style="bold" if line.kind == "reply" else "")
            out.append("\n" + sanitize(line.body))
    return out
