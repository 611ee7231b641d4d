"""Untrusted text made safe to show in a terminal (docs/hardening.md, "Untrusted text").

Customers write names, e-mails, chats and web forms, and all of it reaches an agent's screen. Escape
sequences in that text would reach the terminal through every widget, so a hostile e-mail could set the window
title or write the agent's clipboard (OSC 52). `sanitize` runs once, right before display; the store keeps the
raw text, which is evidence. Each removed run becomes one visible marker, so the agent can see that something
was there without the terminal ever acting on it.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from rich.cells import cell_len, set_cell_size

MARKER = "\ufffd"
"""What stands where something was removed: the Unicode replacement character."""

ELLIPSIS = "…"

_ST = r"(?:\x1b\\|\x9c)"  # String Terminator, 7-bit and 8-bit
_CSI = r"(?:\x1b\[|\x9b)[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]?"
# OSC ends at BEL (as xterm accepts) or ST; an unterminated one runs to the end of the text.
_OSC = rf"(?:\x1b\]|\x9d)(?:[^\x07\x1b\x9c]|\x1b(?!\\))*(?:\x07|{_ST}|\Z)"
# DCS, SOS, PM and APC end only at ST.
_STRING = rf"(?:\x1b[PX^_]|[\x90\x98\x9e\x9f])(?:[^\x1b\x9c]|\x1b(?!\\))*(?:{_ST}|\Z)"
# Any other escape: ESC, intermediates, one final character (ESC 7, ESC ( B, ESC c...), or a bare ESC.
_OTHER_ESCAPE = r"\x1b[\x20-\x2f]*[\x30-\x7e]?"
_UNICODE_CONTROLS = (
    r"\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"  # bidi marks, embeddings, overrides and isolates
    r"\u200b-\u200d\u2060\ufeff"  # zero-width characters
    r"\u2028\u2029"  # line and paragraph separators: invisible, and they break the one-line layout
    r"\ud800-\udfff"  # surrogates: in a str they are always lone (never a valid character)
)
# C0 but tab, LF, CR and ESC (handled above); DEL; C1; the Unicode controls.
_SINGLES = rf"[\x00-\x08\x0b\x0c\x0e-\x1a\x1c-\x1f\x7f-\x9f{_UNICODE_CONTROLS}]"
_LONE_CR = r"\r(?!\n)"
# Every removed run starts with one of these: searching for them first keeps clean text (the usual case)
# cheap, and the lookahead spares the engine trying each alternative at every position of a long text.
_STARTS = rf"[\x00-\x08\x0b-\x1f\x7f-\x9f{_UNICODE_CONTROLS}]"
_START = re.compile(_STARTS)
_REMOVED_RUN = re.compile(rf"(?={_STARTS})(?:{_CSI}|{_OSC}|{_STRING}|{_OTHER_ESCAPE}|{_SINGLES}|{_LONE_CR})+")
_WORD = re.compile(r"\S+")

_MAX_CHARS_PER_CELL = 8
"""`one_line` measures no more than this many characters per cell, so a 10 MB body is not measured in full."""


def sanitize(text: str, marker: str = MARKER) -> str:
    """`text` with every terminal control removed and one `marker` in place of each removed run.

    Removes whole CSI, OSC, DCS, APC, PM and SOS sequences (7- and 8-bit, unterminated ones to the end of the
    text) and other escapes; C0 controls but tab and newline (CRLF becomes a newline, a lone CR is removed);
    DEL and C1; bidi controls; zero-width characters; lone surrogates. Never raises.
    """
    if _START.search(text) is None:
        return text
    # After the substitution the only CRs left are those of CRLF pairs (a lone CR is part of a removed run).
    return _REMOVED_RUN.sub(lambda _: marker, text).replace("\r\n", "\n")


def one_line(text: str, width: int) -> str:
    """`text` sanitised, on one line (whitespace runs become a space), cut with "…" to `width` cells."""
    if width <= 0:
        return ""
    clean = sanitize(text)
    limit = width * _MAX_CHARS_PER_CELL
    words: list[str] = []
    length = 0
    # Collect words only until there are surely more than fit, so long bodies are never joined in full.
    for match in _WORD.finditer(clean):
        words.append(match.group())
        length += len(words[-1]) + 1
        if length > limit + 1:
            break
    line = " ".join(words)
    cut = len(line) > limit
    line = line[:limit]
    if not cut and cell_len(line) <= width:
        return line
    # set_cell_size pads with spaces when a wide character does not fit at the edge; the pad is dropped.
    return set_cell_size(line, width - 1).rstrip() + ELLIPSIS


def show_link(url: str) -> str:
    """A customer's link as plain text that says where it leads: `example.com (https://example.com/x)`.

    The domain is the host the link really opens (after any `user@`), in its ASCII form so that look-alike
    letters show as `xn--...`. The result is sanitised and never a terminal hyperlink.
    """
    shown = " ".join(_WORD.findall(sanitize(url)))
    host = _host_of(shown)
    return f"{host} ({shown})" if host else shown


def _host_of(url: str) -> str | None:
    try:
        host = urlsplit(url).hostname
    except ValueError:  # e.g. an unbalanced "[" in the host
        return None
    if not host:
        return None
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:  # labels too long or not encodable: show them as written, already sanitised
        return host


PAYLOADS: tuple[str, ...] = (
    "\x1b]52;c;ZWNobyBwd25lZA==\x07",  # OSC 52: write the agent's clipboard
    "Jane\x1b]0;You have been hacked\x07 Doe",  # OSC 0: set the window title
    "\x1b]8;;http://evil.example/\x1b\\click me\x1b]8;;\x1b\\",  # OSC 8: a terminal hyperlink
    "\x1b[2J\x1b[H\x1b[31mSYSTEM: call your supervisor\x1b[0m",  # CSI: clear screen, home, colour
    "\x9b2J\x9d0;8-bit title\x9c",  # 8-bit CSI and OSC
    '\x1bP+q544e\x1b\\ and \x90$q"p\x9c',  # DCS, 7- and 8-bit: terminal queries
    "\x1b_APC\x1b\\\x1b^PM\x1b\\\x1bXSOS\x1b\\",  # APC, PM and SOS
    "\x1b]52;c;dW50ZXJtaW5hdGVk",  # an unterminated OSC 52 that runs to the end
    "\x1b7\x1b8\x1bc\x1b(0",  # other escapes: save/restore cursor, reset, line-drawing charset
    "refund\u202etxt.exe",  # bidi override: reads as "refundexe.txt"
    "\u2066admin\u2069 \u200fsupport\u061c",  # bidi isolates and marks
    "pay\u200bpal\u200c.\u200dcom\u2060\ufeff",  # zero-width characters
    "[@click=app.quit]Free upgrade[/]",  # Textual markup that runs an action
    "[/",  # crashes textual.markup.escape()
    "[bold red]URGENT[/bold red] [link=http://evil.example]here[/link]",  # Rich / Textual style markup
    ":warning: [blink]$variable[/blink] {name} %s",  # emoji codes, template and format fields
    "lone \ud800 surrogate \udfff",  # lone surrogates
    "NUL\x00BEL\x07BS\x08VT\x0bFF\x0cDEL\x7f",  # C0 controls and DEL
    "line one\rOVERWRITTEN\r\nline two",  # a lone CR that would overwrite the line
    "\x85next line\x8dreverse\x96guarded",  # other C1 controls
    "A" * 20_000 + "\x1b]0;end\x07",  # a very long line with a payload at its end
)
"""Hostile strings that every screen's tests show, to prove that none of them reaches the terminal."""
