"""A customer's history: one timeline, newest first, of calls, messages, comments, tickets and orders.

Keyset paging keeps a page cheap however long the history is (a customer may have 100,000 interactions):
each source is read on its index with `(at, id) < cursor ORDER BY at DESC, id DESC LIMIT limit + 1`, only
keys; the keys are merged here, and details are fetched for the rows of the page alone. Ids are unique across
sources, so `(at, id)` orders the whole timeline and pages neither skip nor repeat an entry.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Iterable, Sequence

from agentdesk.domain.booking import reference
from agentdesk.domain.phones import display
from agentdesk.localstore.stamps import moment
from agentdesk.records import TIMELINE_KINDS, HistoryCursor, HistoryPage, TimelineEntry, TimelineKind

MAX_PAGE = 1000
"""A widget never gets more rows than this at once."""

MAX_TICKET_MESSAGES = 50
"""Messages of one ticket put in its detail (the ticket screen shows them all)."""

CHANNEL_OF: dict[str, str] = {"call": "phone", "email": "email", "chat": "chat", "web_form": "web_form",
                              "sms": "sms", "fax": "fax"}
_KIND_OF_CHANNEL = {channel: kind for kind, channel in CHANNEL_OF.items()}
_OTHER_SOURCES: dict[str, tuple[str, str]] = {
    "comment": ("comment", "created_at"),
    "ticket": ("ticket", "created_at"),
    "order": ("customer_order", "placed_at"),
    "appointment": ("appointment", "starts_at"),  # an upcoming appointment heads the timeline
}
_NEWEST = HistoryCursor(at="\uffff", id="")  # sorts after every stored timestamp
_CHANNEL_WORDS = {"email": "E-mail", "chat": "Chat", "web_form": "Web form", "sms": "SMS", "fax": "Fax"}

Key = tuple[str, str, str]  # (at, id, kind)


def history(
    conn: sqlite3.Connection,
    customer_id: str,
    kinds: frozenset[str] | None,
    before: HistoryCursor | None,
    limit: int,
) -> HistoryPage:
    """One page of the timeline, strictly older than `before` (the newest page when None)."""
    if kinds is not None and not kinds <= set(TIMELINE_KINDS):
        raise ValueError(f"Unknown history kinds: {sorted(kinds - set(TIMELINE_KINDS))}")
    wanted = [k for k in TIMELINE_KINDS if kinds is None or k in kinds]
    limit = max(1, min(limit, MAX_PAGE))
    cursor = before or _NEWEST
    keys: list[Key] = []
    for kind in wanted:
        if kind in CHANNEL_OF:
            rows = conn.execute(
                "SELECT at, id FROM interaction WHERE customer_id = ? AND channel = ? AND (at, id) < (?, ?)"
                " ORDER BY at DESC, id DESC LIMIT ?",
                (customer_id, CHANNEL_OF[kind], cursor.at, cursor.id, limit + 1),
            )
        else:
            table, at = _OTHER_SOURCES[kind]
            rows = conn.execute(
                f"SELECT {at}, id FROM {table} WHERE customer_id = ? AND ({at}, id) < (?, ?)"
                f" ORDER BY {at} DESC, id DESC LIMIT ?",
                (customer_id, cursor.at, cursor.id, limit + 1),
            )
        keys.extend((row[0], row[1], kind) for row in rows)
    # Each source gave its newest limit+1 keys, so the newest `limit` of the union are the page, and a key
    # left over means an older page exists.
    keys.sort(reverse=True)
    page = keys[:limit]
    entries = _entries(conn, page)
    more = len(keys) > limit  # then the page is full, so page[-1] exists
    return HistoryPage(tuple(entries), HistoryCursor(page[-1][0], page[-1][1]) if more else None)


def _entries(conn: sqlite3.Connection, keys: Sequence[Key]) -> list[TimelineEntry]:
    ids_by_source: dict[str, list[str]] = defaultdict(list)
    for _, id_, kind in keys:
        ids_by_source["interaction" if kind in CHANNEL_OF else kind].append(id_)
    built: dict[str, TimelineEntry] = {}
    for source, ids in ids_by_source.items():
        built.update((entry.id, entry) for entry in _BUILDERS[source](conn, ids))
    return [built[id_] for _, id_, _ in keys if id_ in built]


def _marks(ids: Sequence[str]) -> str:
    return ", ".join("?" * len(ids))


def _first_line(text: str | None, width: int = 120) -> str:
    line = (text or "").strip().split("\n", 1)[0]
    return line if len(line) <= width else line[: width - 1] + "…"


def _money(cents: int) -> str:
    return f"${cents / 100:,.2f}"


def _interactions(conn: sqlite3.Connection, ids: Sequence[str]) -> Iterable[TimelineEntry]:
    rows = conn.execute(
        "SELECT i.id, i.at, i.channel, i.direction, i.state, i.subject, i.body, i.outcome, i.notes,"
        " i.billable_seconds, i.caller_number, ag.name,"
        " (SELECT sum(seconds) FROM recording WHERE interaction_id = i.id),"
        " (SELECT min(uri) FROM recording WHERE interaction_id = i.id),"
        " (SELECT count(*) FROM hold_event WHERE interaction_id = i.id),"
        " (SELECT sum(seconds) FROM hold_event WHERE interaction_id = i.id)"
        f" FROM interaction i LEFT JOIN agent ag ON ag.id = i.agent_id WHERE i.id IN ({_marks(ids)})",
        tuple(ids),
    )
    for (id_, at, channel, direction, state, subject, body, outcome, notes, billable, caller, agent,
         recorded, recording_uri, holds, held) in rows:
        kind: TimelineKind = _KIND_OF_CHANNEL[channel]  # type: ignore[assignment]
        if kind == "call":
            if outcome == "missed":
                summary = f"Missed call from {display(caller)}" if caller else "Missed call"
            else:
                summary = f"{'Incoming' if direction == 'in' else 'Outgoing'} call"
                summary += f" · {outcome}" if outcome else f" · {state}"
            detail = notes or ""
            if holds:
                detail += f"\n\n{holds} hold{'s' if holds > 1 else ''}, {held or 0:.0f} s on hold in all."
            yield TimelineEntry(
                kind=kind, id=id_, at=moment(at), summary=summary, detail=detail.strip(), who=agent or "",
                status=outcome or state, duration_seconds=billable if state == "ended" else None,
                recording_seconds=int(recorded) if recorded else None,
                recording_uri=recording_uri if recorded else None,
            )
        else:
            word = _CHANNEL_WORDS[channel]
            title = subject or _first_line(body) or "(no subject)"
            yield TimelineEntry(
                kind=kind, id=id_, at=moment(at), summary=f"{word} · {title}", detail=body or "",
                who="customer" if direction == "in" else agent or "", status=outcome or "",
            )


def _comments(conn: sqlite3.Connection, ids: Sequence[str]) -> Iterable[TimelineEntry]:
    rows = conn.execute(
        "SELECT c.id, c.created_at, c.body, ag.name FROM comment c LEFT JOIN agent ag ON ag.id = c.agent_id"
        f" WHERE c.id IN ({_marks(ids)})",
        tuple(ids),
    )
    for id_, at, body, agent in rows:
        yield TimelineEntry(kind="comment", id=id_, at=moment(at), summary=_first_line(body), detail=body,
                            who=agent or "")


def _tickets(conn: sqlite3.Connection, ids: Sequence[str]) -> Iterable[TimelineEntry]:
    messages: dict[str, list[str]] = defaultdict(list)
    for ticket_id, kind, author, body, at in conn.execute(
        "SELECT ticket_id, kind, author, body, created_at FROM ticket_message"
        f" WHERE ticket_id IN ({_marks(ids)}) ORDER BY ticket_id, created_at, id",
        tuple(ids),
    ):
        if len(messages[ticket_id]) < MAX_TICKET_MESSAGES:
            label = {"customer": "Customer", "reply": "Reply", "note": "Internal note"}.get(kind, kind)
            messages[ticket_id].append(f"{label} · {author} · {at[:16].replace('T', ' ')}\n{body}")
    rows = conn.execute(
        "SELECT id, created_at, case_number, subject, status, priority, kind, channel FROM ticket"
        f" WHERE id IN ({_marks(ids)})",
        tuple(ids),
    )
    for id_, at, case, subject, status, priority, kind, channel in rows:
        head = f"{kind.replace('_', ' ').capitalize()}, {priority} priority, opened by {channel}."
        yield TimelineEntry(
            kind="ticket", id=id_, at=moment(at), summary=f"{case} · {subject}",
            detail="\n\n".join([head, *messages.get(id_, [])]), status=status,
        )


def _orders(conn: sqlite3.Connection, ids: Sequence[str]) -> Iterable[TimelineEntry]:
    lines: dict[str, list[str]] = defaultdict(list)
    for order_id, product, quantity, unit in conn.execute(
        "SELECT order_id, product, quantity, unit_price_cents FROM order_line"
        f" WHERE order_id IN ({_marks(ids)}) ORDER BY order_id, rowid",
        tuple(ids),
    ):
        lines[order_id].append(f"{quantity} × {product} at {_money(unit)} = {_money(quantity * unit)}")
    rows = conn.execute(
        "SELECT id, placed_at, number, status, total_cents, recurring FROM customer_order"
        f" WHERE id IN ({_marks(ids)})",
        tuple(ids),
    )
    for id_, at, number, status, total, recurring in rows:
        summary = f"{number} · {_money(total)}" + (" · recurring" if recurring else "")
        detail = "\n".join([*lines.get(id_, []), f"Total {_money(total)}"])
        yield TimelineEntry(
            kind="order", id=id_, at=moment(at), summary=summary, detail=detail, status=status
        )


def _appointments(conn: sqlite3.Connection, ids: Sequence[str]) -> Iterable[TimelineEntry]:
    rows = conn.execute(
        "SELECT a.id, a.starts_at, a.ends_at, a.status, a.note, a.rating, a.rating_comment, t.name, p.name,"
        " p.location, ag.name FROM appointment a LEFT JOIN appointment_type t ON t.id = a.type_id"
        " LEFT JOIN professional p ON p.id = a.professional_id LEFT JOIN agent ag ON ag.id = a.booked_by"
        f" WHERE a.id IN ({_marks(ids)})",
        tuple(ids),
    )
    for id_, starts, ends, status, note, rating, comment, kind, professional, location, agent in rows:
        minutes = int((moment(ends) - moment(starts)).total_seconds() // 60)
        lines = [f"{kind or 'Appointment'} with {professional or 'a professional'}, {minutes} min"
                 + (f", {location}" if location else "") + f". Reference {reference(id_)}."]
        if rating is not None:
            lines.append(f"Survey: {rating}/5" + (f" · {comment}" if comment else ""))
        if note:
            lines.append(note)
        yield TimelineEntry(
            kind="appointment", id=id_, at=moment(starts),
            summary=f"{kind or 'Appointment'} with {professional or '?'}" + (f" · rated {rating}/5" if rating else ""),
            detail="\n".join(lines), who=agent or "", status=status, duration_seconds=minutes * 60,
        )


_BUILDERS = {"interaction": _interactions, "comment": _comments, "ticket": _tickets, "order": _orders,
             "appointment": _appointments}
