"""Untrusted text on an agent's screen: nothing a customer writes may drive the terminal."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.cells import cell_len

from agentdesk.domain.text import MARKER, PAYLOADS, one_line, sanitize, show_link

FORBIDDEN = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff\ud800-\udfff]"
)
"""What must never survive: ESC and C0 but tab and newline, DEL, C1, bidi, zero-width, surrogates."""

ANY_TEXT = st.text(st.characters(exclude_categories=()))  # every code point, lone surrogates included
NASTY_TEXT = st.text(
    st.sampled_from(list("\x1b\x9b\x9d\x90\x9c[]P_^X\\\x07\r\n\t;52c0aZ \u202e\ud800\u200b"))
)
PRINTABLE_TEXT = st.text(st.characters(exclude_categories=("C", "Zl", "Zp")) | st.sampled_from("\t\n"))


@pytest.mark.parametrize("payload", PAYLOADS, ids=range(len(PAYLOADS)))
def test_no_payload_survives_sanitising(payload: str) -> None:
    shown = sanitize(payload)
    assert FORBIDDEN.search(shown) is None
    for fragment in ("]52;", "]0;", "]8;;", "[2J", "P+q"):
        assert fragment not in shown


def test_the_corpus_covers_the_attacks_of_the_hardening_notes() -> None:
    corpus = "".join(PAYLOADS)
    needles = ("\x1b]52;c;", "\x1b]0;", "\x1b]8;;", "\x1b[2J", "\x9b", "\x1bP", "\x90", "\u202e", "\u200b")
    for needle in (*needles, "[@click=app.quit]", "[bold red]", "\ud800", "\x00"):
        assert needle in corpus, needle
    assert "[/" in PAYLOADS
    assert max(len(p) for p in PAYLOADS) > 10_000


def test_a_title_change_in_a_name_leaves_the_name_and_one_marker() -> None:
    assert sanitize("Jane\x1b]0;You have been hacked\x07 Doe") == f"Jane{MARKER} Doe"


def test_a_clipboard_write_is_removed_whole() -> None:
    assert sanitize("hi\x1b]52;c;ZWNobyBwd25lZA==\x07there") == f"hi{MARKER}there"


def test_a_hyperlink_keeps_its_text_but_not_its_target() -> None:
    assert sanitize("\x1b]8;;http://evil.example/\x1b\\click me\x1b]8;;\x1b\\") == f"{MARKER}click me{MARKER}"


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("a\x1b[2J\x1b[Hb", "a�b"),  # CSI, two in a row: one marker
        ("a\x9b31mb", "a�b"),  # 8-bit CSI
        ("a\x9d0;title\x9cb", "a�b"),  # 8-bit OSC ended by 8-bit ST
        ("a\x1bP+q544e\x1b\\b", "a�b"),  # DCS
        ("a\x90$q\x9cb", "a�b"),  # 8-bit DCS
        ("a\x1b_x\x1b\\b\x1b^y\x1b\\c\x1bXz\x1b\\d", "a�b�c�d"),  # APC, PM, SOS
        ("a\x9fx\x9cb\x9ey\x9cc\x98z\x9cd", "a�b�c�d"),  # the same in 8 bits
        ("a\x1b(Bb\x1b7c", "a�b�c"),  # other escapes take their final character
        ("end\x1b", "end�"),  # a bare ESC
    ],
)
def test_escape_sequences_of_every_kind_are_removed_whole(raw: str, shown: str) -> None:
    assert sanitize(raw) == shown


@pytest.mark.parametrize("raw", ["ok\x1b]0;title", "ok\x1bP+q544e", "ok\x9d52;c;abc", "ok\x1b[31"])
def test_an_unterminated_sequence_is_removed_to_the_end(raw: str) -> None:
    assert sanitize(raw) == f"ok{MARKER}"


def test_one_marker_stands_for_a_whole_removed_run() -> None:
    assert sanitize("a\x00\x01\x1b[0m\u200b\u202e\x7fb") == f"a{MARKER}b"
    assert sanitize("a\x00b\x00c") == f"a{MARKER}b{MARKER}c"


def test_tabs_and_newlines_stay_and_windows_line_ends_become_newlines() -> None:
    assert sanitize("one\ttwo\r\nthree\nfour") == "one\ttwo\nthree\nfour"


def test_a_lone_carriage_return_cannot_overwrite_the_line() -> None:
    assert sanitize("Amount: $5\rAmount: $500") == f"Amount: $5{MARKER}Amount: $500"
    assert sanitize("a\r\r\nb") == f"a{MARKER}\nb"


def test_bidi_controls_zero_width_characters_and_lone_surrogates_are_marked() -> None:
    assert sanitize("refund\u202etxt.exe") == f"refund{MARKER}txt.exe"
    assert sanitize("pay\u200bpal") == f"pay{MARKER}pal"
    assert sanitize("lone \ud800 surrogate") == f"lone {MARKER} surrogate"


def test_the_marker_can_be_chosen() -> None:
    assert sanitize("a\x1b[31mb", marker="") == "ab"
    assert sanitize("a\x00b", marker="[removed]") == "a[removed]b"


def test_markup_is_left_as_text_for_the_widgets_to_show_literally() -> None:
    for markup in ("[@click=app.quit]x[/]", "[/", "[bold red]URGENT[/bold red]"):
        assert sanitize(markup) == markup


def test_accents_emoji_and_scripts_pass_unchanged() -> None:
    text = "Zoë Ångström 👍🏽 東京 مرحبا e\u0301"
    assert sanitize(text) == text


@given(ANY_TEXT)
def test_any_text_is_made_safe_without_raising(text: str) -> None:
    assert FORBIDDEN.search(sanitize(text)) is None


@given(NASTY_TEXT)
def test_text_made_of_escape_fragments_is_made_safe(text: str) -> None:
    assert FORBIDDEN.search(sanitize(text)) is None


@given(PRINTABLE_TEXT)
def test_plain_printable_text_passes_unchanged(text: str) -> None:
    assert sanitize(text) == text


def test_one_line_collapses_whitespace_and_newlines() -> None:
    assert one_line("  Jane \n\n Doe\t(VIP)  ", 40) == "Jane Doe (VIP)"


def test_one_line_cuts_with_an_ellipsis_to_the_width() -> None:
    assert one_line("The parcel never arrived", 12) == "The parcel…"  # no space before the ellipsis
    assert one_line("The parcel never arrived", 9) == "The parc…"
    assert one_line("exactly ten", 11) == "exactly ten"
    assert one_line("abc", 1) == "…"
    assert one_line("abc", 0) == ""


def test_one_line_counts_wide_characters_as_two_cells() -> None:
    shown = one_line("東京都渋谷区", 7)
    assert shown == "東京都…" and cell_len(shown) == 7


def test_one_line_sanitises_and_copes_with_a_huge_body() -> None:
    shown = one_line("Hi\x1b]0;pwned\x07 there " + "word " * 2_000_000, 30)
    assert shown.startswith(f"Hi{MARKER} there word") and shown.endswith("…") and cell_len(shown) <= 30


@given(ANY_TEXT, st.integers(min_value=0, max_value=120))
def test_one_line_never_exceeds_its_width_nor_breaks_the_line(text: str, width: int) -> None:
    shown = one_line(text, width)
    assert cell_len(shown) <= width and "\n" not in shown and FORBIDDEN.search(shown) is None


def test_a_link_shows_where_it_leads_as_plain_text() -> None:
    assert show_link("https://example.com/x") == "example.com (https://example.com/x)"


def test_a_link_with_a_user_part_shows_the_host_it_really_opens() -> None:
    assert show_link("https://paypal.com@evil.example/login").startswith("evil.example (")


def test_a_look_alike_domain_is_shown_in_its_ascii_form() -> None:
    assert show_link("https://\u0430pple.com/").startswith("xn--pple-43d.com (")


def test_a_hostile_link_is_sanitised_and_never_a_terminal_hyperlink() -> None:
    shown = show_link("https://example.com/\x1b]8;;http://evil\x1b\\x\n y")
    assert "\x1b" not in shown and "]8;;" not in shown and "\n" not in shown
    assert shown.startswith("example.com (")


@pytest.mark.parametrize("raw", ["not a link", "javascript:alert(1)", "http://[broken", ""])
def test_what_has_no_domain_is_shown_as_sanitised_text(raw: str) -> None:
    assert show_link(raw) == raw
