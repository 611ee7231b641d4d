"""Every text column of the local store filled with hostile text, every screen opened in the real workstation in a
pty: no byte of a payload's escape sequences reaches the terminal.

The store is read as a hostile backend could leave it (rows arrive by pull exactly as the backend holds them), so
the payloads are written straight into the tables. The schema is introspected: a new TEXT column must be added
to PAYLOAD_COLUMNS (shown with payloads) or to KEPT_AS_WRITTEN (with why its values cannot carry text), and a
new screen class in the screens package must be added to WALK, or the first test fails.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import shutil
import sqlite3
from pathlib import Path

from textual.screen import Screen

import screens
from agentdesk.domain.text import PAYLOADS
from tests.e2e.terminal import Terminal, agentdesk_command
from tests.e2e.test_payloads_in_a_terminal import FORBIDDEN

# A lone surrogate cannot be stored as UTF-8 text at all (SQLite refuses it), so the stored corpus has none.
STORED = tuple(p.encode("utf-8", "surrogatepass").decode("utf-8", "replace") for p in PAYLOADS)
# Beyond the clipboard, title and hyperlink sequences: DCS, APC, PM and SOS strings, C1 controls, bidi overrides
# and isolates, zero-width characters (as the terminal reads them, after UTF-8 decoding).
ALSO_FORBIDDEN = ("\x1bP+q", "\x90", "\x1b_APC", "\x1b^PM", "\x1bXSOS", "\x9b", "\x85", "\x8d", "\x96", "\x9c",
                  "\u202e", "\u2066", "\u2069", "\u200f", "\u061c", "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff")
WELL_KNOWN = "8002181525"  # the demo's caller with the long history (+1 800-218-1525)

# Tables the screens never show: search indexes rebuilt from the tables above them, and sync bookkeeping.
NOT_SHOWN = {
    "customer_fts", "customer_fts_config", "customer_fts_content", "customer_fts_data", "customer_fts_docsize",
    "customer_fts_idx", "faq_fts", "faq_fts_config", "faq_fts_content", "faq_fts_data", "faq_fts_docsize",
    "faq_fts_idx", "meta", "outbox", "undo_log",
}

PAYLOAD_COLUMNS = {
    "account": {"name", "greeting"},
    "agent": {"name"},
    "appointment": {"note", "rating_comment"},
    "appointment_type": {"name"},
    "comment": {"body"},
    "conflict_note": {"base_value", "overwritten_value", "new_value"},
    "customer": {"name", "language"},
    "customer_email": {"email", "label"},
    "customer_order": {"number"},
    "customer_phone": {"label"},
    "faq_article": {"title", "body", "category", "product"},
    "interaction": {"subject", "body", "notes", "caller_number"},
    "order_line": {"product"},
    "professional": {"name", "location"},
    "rating": {"comment"},
    "recording": {"uri"},
    "reply_template": {"name", "body"},
    "sync_rejection": {"name", "args", "reason"},
    "task": {"note"},
    "ticket": {"subject"},
    "ticket_draft": {"body"},
    "ticket_message": {"author", "body"},
    "time_off": {"reason"},
}

_ID = "an id: at most 64 characters without spaces, checked when written; rows are found by it"
_TIME = "a time in the stored UTC form, parsed before it is shown"
_WORD = "one of a fixed set of words, checked when written and shown through a table of labels"
KEPT_AS_WRITTEN: dict[str, str] = {
    **{f"{t}.{c}": _ID for t, cs in {
        "account": ["id"], "agent": ["id"], "agent_account": ["agent_id", "account_id"],
        "appointment": ["id", "account_id", "customer_id", "professional_id", "type_id", "interaction_id", "booked_by"],
        "appointment_slot": ["professional_id", "account_id", "appointment_id"],
        "appointment_type": ["id", "account_id"], "comment": ["id", "account_id", "customer_id", "agent_id"],
        "conflict_note": ["id", "account_id", "customer_id", "changed_by"], "customer": ["id", "account_id"],
        "customer_email": ["customer_id", "account_id"], "customer_order": ["id", "account_id", "customer_id"],
        "customer_phone": ["customer_id", "account_id"],
        "faq_article": ["id", "account_id"], "faq_use": ["id", "account_id", "faq_id", "interaction_id", "agent_id"],
        "hold_event": ["id", "account_id", "interaction_id"],
        "interaction": ["id", "account_id", "customer_id", "agent_id"], "order_line": ["id", "account_id", "order_id"],
        "professional": ["id", "account_id"], "professional_skill": ["professional_id", "account_id"],
        "rating": ["id", "account_id", "interaction_id", "message_id", "agent_id", "rated_by"],
        "recording": ["id", "account_id", "interaction_id"], "reply_template": ["id", "account_id"],
        "task": ["id", "account_id", "customer_id", "interaction_id", "created_by", "appointment_id",
                 "assignee_id"],
        "ticket": ["id", "account_id", "customer_id", "assignee_id", "order_id", "consent_by", "save_outcome_by"],
        "ticket_draft": ["ticket_id", "account_id"], "ticket_message": ["id", "account_id", "ticket_id", "agent_id"],
        "time_off": ["id", "account_id", "professional_id"], "working_hours": ["professional_id", "account_id"],
    }.items() for c in cs},
    **{f"{t}.{c}": _TIME for t, cs in {
        "appointment": ["starts_at", "ends_at", "booked_at", "updated_at", "cancelled_at"],
        "appointment_slot": ["unit_start"], "comment": ["created_at"], "conflict_note": ["changed_at", "reviewed_at"],
        "customer": ["created_at", "updated_at"], "customer_order": ["placed_at"], "faq_use": ["used_at"],
        "hold_event": ["started_at", "ended_at"], "interaction": ["ringing_at", "answered_at", "ended_at", "at"],
        "rating": ["at"],
        "sync_rejection": ["rejected_at", "dismissed_at"], "task": ["due_at", "created_at"],
        "ticket": ["created_at", "updated_at", "awaiting_since", "response_due_at", "first_response_at", "consent_at",
                   "resolved_at", "help_offered_at", "save_outcome_at"],
        "ticket_draft": ["updated_at"], "ticket_message": ["created_at"], "time_off": ["starts_at", "ends_at"],
    }.items() for c in cs},
    **{f"{t}.{c}": _WORD for t, cs in {
        "agent": ["role"], "appointment": ["status"], "appointment_type": ["skill"], "conflict_note": ["field"],
        "customer_order": ["status"], "interaction": ["channel", "direction", "state", "outcome"],
        "professional_skill": ["skill"], "rating": ["source"], "task": ["kind", "level", "status"],
        "ticket": ["status", "priority", "kind", "channel", "consent_how", "save_outcome"],
        "ticket_draft": ["kind"], "ticket_message": ["kind", "delivery"],
    }.items() for c in cs},
    "account.time_zone": "an IANA time zone name, looked up before use (never shown as stored)",
    "account.phone_number": "a number in E.164 form, normalised when written; customers are found by it",
    "account.sla_policy": "JSON read into numbers; never shown as stored",
    "account.ivr_menu": "JSON read into digits and skill words the backend routes by; never shown as stored",
    "agent.skills": "a JSON list of skill words, matched when a call is routed, never shown as stored",
    "agent.languages": "a JSON list of language codes, matched when a call is routed, never shown as stored",
    "customer_phone.e164": "a number in E.164 form, normalised when written; callers are found by it",
    "professional.skills": "a JSON list of skill words, matched, never shown as stored",
    "professional.languages": "a JSON list of language codes, matched, never shown as stored",
    "professional.email": "an address the backend mails the professional's day to, never shown on a screen",
    "ticket.case_number": "a case number in the terminal's own form (numbers.py), searched for",
}

# Every screen class, the keys that open it from where the walk is, and bytes it draws once open.
WALK: list[tuple[str, str | bytes, bytes]] = [
    ("Workspace", b"", b"Available"),
    ("HelpOverlay", "?", b"Keys on this screen"),
    ("FindCustomer", "/", b"Find a customer"),
    ("AddComment", "c", b"Comment on"),
    ("AddCustomer", "n", b"New customer of"),
    ("FaqSearch", "s", b"Search the FAQ"),
    ("Escalate", "x", b"Escalate to"),
    ("NeedsAttention", "!", b"Needs attention"),
    ("Booker", "k", b"Book for"),
    ("OutboundWork", "w", b"Outbound work"),
    ("CaseFromCall", "o", b"shows once the case is saved"),
    ("WrapUp", "e", b"Wrap-up"),
    ("TicketsInbox", "t", b"Subject"),
    ("SearchTickets", "/", b"Search the tickets"),
    ("TicketScreen", "\r", b"CUSTOMER"),
    ("Choice", "\x14", b"Insert a reply template"),  # ctrl+t
    ("ConsentToResolve", "\x12", b"how did the customer agree"),  # ctrl+r
    ("MessageReader", "\x1b[Z", b"next page"),  # shift+tab to a message, then enter
]


# Screens of the supervisor's floor monitor (`screens/monitor_app.py`, its own App): they show the backend's live
# floor, never the local store, so this walk of the desk does not reach them.
NOT_OF_THE_DESK = {"MonitorScreen": "the floor monitor's main screen", "FloorPrompt": "the floor monitor's prompt",
                   "ReportScreen": "the floor monitor's daily report (the backend's kept text)",
                   "AccountChoice": "the floor monitor's choice of account for the report",
                   "WorkView": "the floor monitor's work view (its main screen's part)",
                   "AgentPick": "the floor monitor's picker of who gets a ticket or follow-up"}
# Desk screens this walk does not reach yet, each with why (its title goes through screen_text all the same).
NOT_WALKED_YET = {"Reason": "correcting a save-the-sale outcome: needs a ticket whose outcome was already recorded",
                  "ReviewScreen": "quality review: opened by `agentdesk review`, not from the desk this walk drives",
                  "RatingAverages": "the palette's My ratings: agents' names (through screen_text) and numbers"}


def text_columns(conn: sqlite3.Connection) -> dict[str, set[str]]:
    """Every TEXT column (declared TEXT, or untyped) of every table the screens may show."""
    found: dict[str, set[str]] = {}
    for (table,) in conn.execute("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"):
        if table in NOT_SHOWN:
            continue
        columns = {r[1] for r in conn.execute(f"PRAGMA table_info('{table}')") if "TEXT" in r[2].upper() or not r[2]}
        if columns:
            found[table] = columns
    return found


def screen_classes() -> set[str]:
    """The Screen classes the screens package defines (modal dialogs included)."""
    names = set()
    for module in pkgutil.iter_modules(screens.__path__):
        loaded = importlib.import_module(f"screens.{module.name}")
        for name, value in vars(loaded).items():
            if inspect.isclass(value) and issubclass(value, Screen) and value.__module__ == loaded.__name__:
                names.add(name)
    return names


def test_every_text_column_and_every_screen_is_covered(demo_template: Path) -> None:
    with sqlite3.connect(demo_template) as conn:
        columns = text_columns(conn)
    listed = {f"{t}.{c}" for t, cs in PAYLOAD_COLUMNS.items() for c in cs}
    schema = {f"{t}.{c}" for t, cs in columns.items() for c in cs}
    assert not listed & set(KEPT_AS_WRITTEN), "a column is both filled and kept"
    assert schema - listed - set(KEPT_AS_WRITTEN) == set(), "new text columns: fill them with payloads here"
    assert (listed | set(KEPT_AS_WRITTEN)) - schema == set(), "columns listed here are gone from the schema"
    walked = {name for name, _, _ in WALK}
    assert screen_classes() == walked | set(NOT_OF_THE_DESK) | set(NOT_WALKED_YET), "a screen was added or removed: walk it here"


def hostile_store(template: Path, tmp_path: Path) -> tuple[Path, str]:
    """A copy of the demo store with a payload in every PAYLOAD_COLUMNS cell; returns it and a case number of
    the first account (the inbox's first filter)."""
    path = tmp_path / "every-column.db"
    shutil.copyfile(template, path)
    conn = sqlite3.connect(path)
    with conn:
        account = conn.execute("SELECT id FROM account ORDER BY name LIMIT 1").fetchone()[0]
        ticket, case = conn.execute(
            "SELECT id, case_number FROM ticket WHERE account_id = ? AND status NOT IN ('closed', 'resolved')"
            " ORDER BY case_number LIMIT 1", (account,)).fetchone()
        # A plain question, so Ctrl+R asks for consent (a refund or cancellation first asks to save the sale).
        conn.execute("UPDATE ticket SET kind = 'question' WHERE id = ?", (ticket,))
        customer = conn.execute("SELECT customer_id FROM customer_phone WHERE e164 = '+1' || ?",
                                (WELL_KNOWN,)).fetchone()[0]
        # Rows for the tables the demo leaves empty but screens show.
        conn.execute("INSERT INTO sync_rejection (mutation_id, name, args, reason, rejected_at) VALUES "
                     "(1, 'x', '{}', 'x', '2026-11-23T14:00:00.000000Z')")
        conn.execute("INSERT INTO ticket_draft (ticket_id, account_id, kind, body, updated_at) VALUES "
                     "(?, ?, 'reply', 'x', '2026-11-23T14:00:00.000000Z')", (ticket, account))
        conn.execute("INSERT INTO conflict_note (id, account_id, customer_id, field, base_value, overwritten_value,"
                     " new_value, changed_by, changed_at) SELECT 'cn-1', account_id, id, 'name', 'x', 'x', 'x', NULL,"
                     " '2026-11-23T14:00:00.000000Z' FROM customer WHERE id = ?", (customer,))
        for table, columns in PAYLOAD_COLUMNS.items():
            rowids = [r[0] for r in conn.execute(f"SELECT rowid FROM {table}")]
            assert rowids, f"{table} has no rows to carry payloads"
            for n, rowid in enumerate(rowids):
                values = {c: f"P{i}-{rowid} " + STORED[(n + i) % len(STORED)] for i, c in enumerate(sorted(columns))}
                sets = ", ".join(f"{c} = :{c}" for c in values)
                conn.execute(f"UPDATE {table} SET {sets} WHERE rowid = :rowid", {**values, "rowid": rowid})
    conn.close()
    return path, case


def test_no_payload_from_any_column_reaches_the_terminal_on_any_screen(demo_template: Path, tmp_path: Path) -> None:
    store, case = hostile_store(demo_template, tmp_path)
    terminal = Terminal(agentdesk_command(store), cols=140, rows=40)
    reached: list[str] = []

    def step(name: str, keys: str | bytes = b"", pause: float = 1.0) -> None:
        start = len(terminal.output)
        if keys:
            terminal.type(keys, pause=pause)
        marker = next(m for n, _, m in WALK if n == name)
        deadline_ok = terminal.wait_for(marker, timeout=8)
        if deadline_ok and marker in terminal.output[start:] or name == "Workspace" and deadline_ok:
            reached.append(name)

    try:
        step("Workspace")
        step("HelpOverlay", "?", pause=1.5)
        terminal.type(b"\x1b", pause=0.8)
        step("FindCustomer", "/")
        terminal.type(WELL_KNOWN, pause=1.0)
        terminal.type("\r", pause=1.5)
        for _ in range(12):  # walk the timeline: every entry's detail is drawn
            terminal.type(b"\x1b[B", pause=0.2)
        terminal.type("]", pause=1.0)
        terminal.type("[", pause=1.0)
        for name, keys in (("AddComment", "c"), ("AddCustomer", "n"), ("FaqSearch", "s"), ("Escalate", "x"),
                           ("NeedsAttention", "!"), ("Booker", "k"), ("OutboundWork", "w")):
            step(name, keys, pause=1.5)
            terminal.type(b"\x1b", pause=0.8)
        terminal.type("r", pause=1.0)  # a demo call: ring, answer, a case from it, end and wrap up
        terminal.type("a", pause=1.5)
        step("CaseFromCall", "o", pause=1.5)
        terminal.type(b"\x1b", pause=0.8)
        step("WrapUp", "e", pause=1.5)
        terminal.type("Walked through every screen.", pause=0.5)  # the notes the next agent reads
        terminal.type(b"\x13", pause=1.5)  # ctrl+s
        step("TicketsInbox", "t", pause=1.5)
        terminal.type("a", pause=1.0)
        step("SearchTickets", "/", pause=1.0)
        terminal.type(case, pause=0.5)
        terminal.type("\r", pause=1.0)
        step("TicketScreen", "\r", pause=2.0)
        step("Choice", "\x14", pause=1.5)
        terminal.type(b"\x1b", pause=0.8)
        step("ConsentToResolve", "\x12", pause=1.5)
        terminal.type(b"\x1b", pause=0.8)
        for _ in range(3):  # older pages of the thread, then back
            terminal.type(b"\x1b[15~", pause=0.5)
        for _ in range(3):
            terminal.type(b"\x1b[17~", pause=0.5)
        terminal.type(b"\x1b[Z", pause=0.8)
        step("MessageReader", "\r", pause=1.5)
        terminal.type("]", pause=0.8)
        terminal.type(b"\x1b", pause=0.8)
    finally:
        code = terminal.close()
    output = terminal.output
    (tmp_path / "terminal.out").write_bytes(output)  # kept for a look when something leaks
    # The forbidden sequences are looked for in the text the terminal reads (UTF-8): the byte 0x9d is also part
    # of ordinary characters (box drawing), the character U+009D is the 8-bit OSC.
    shown = output.decode("utf-8", errors="replace")
    leaked = [(f, shown[max(0, shown.find(f) - 300):shown.find(f) + 100])
              for f in (*(x.decode("latin-1") for x in FORBIDDEN), *ALSO_FORBIDDEN) if f in shown]
    columns = sum(len(c) for c in PAYLOAD_COLUMNS.values())
    print(f"{columns} text columns with payloads x {len(reached)} screens walked: {', '.join(reached)}")
    assert leaked == [], leaked
    assert [name for name, _, _ in WALK if name not in reached] == [], output[-3000:].decode("utf-8", "replace")
    assert code == 0
