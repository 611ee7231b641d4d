"""Phone numbers: one customer, however the number is written."""

from __future__ import annotations

import pytest

from agentdesk.domain.phones import display, looks_like_phone, normalize

WELL_KNOWN = "+18002181525"


@pytest.mark.parametrize("spelling", ["+1 (800) 218-1525", "18002181525", "1-800-218-1525", "800-218-1525"])
def test_every_spelling_of_the_well_known_number_gives_its_e164(spelling: str) -> None:
    assert normalize(spelling) == WELL_KNOWN


def test_three_spellings_of_one_number_are_equal() -> None:
    assert normalize("(800) 218 1525") == normalize("+1.800.218.1525") == normalize(" 1 800 218 1525 ")


def test_a_number_of_another_country_keeps_its_country_code() -> None:
    assert normalize("+44 20 7946 0958") == "+442079460958"
    assert normalize("020 7946 0958", region="GB") == "+442079460958"


@pytest.mark.parametrize(
    "raw", ["", "123", "hello", "800-000-0000", "+1 (800) 218-15255555", "+999 123 4567"]
)
def test_what_is_not_a_valid_number_gives_none(raw: str) -> None:
    assert normalize(raw) is None


def test_input_longer_than_64_characters_is_refused_even_if_it_holds_a_number() -> None:
    padded = "1-800-218-1525" + " " * 50
    assert len(padded) == 64 and normalize(padded) == WELL_KNOWN
    assert normalize(padded + " ") is None


@pytest.mark.parametrize("query", ["800-218-1525", "+1 (800) 218-1525", "218.1525", "1234567"])
def test_a_query_of_digits_and_phone_punctuation_looks_like_a_phone(query: str) -> None:
    assert looks_like_phone(query)


@pytest.mark.parametrize("query", ["123456", "Jane Doe", "ORD-1234567", "jane@example.com", "", "12345x67"])
def test_names_orders_and_short_numbers_do_not_look_like_a_phone(query: str) -> None:
    assert not looks_like_phone(query)


def test_a_number_is_shown_in_international_format() -> None:
    assert display(WELL_KNOWN) == "+1 800-218-1525"
    assert display("+442079460958") == "+44 20 7946 0958"


@pytest.mark.parametrize("raw", ["unknown", "8002181525", "+1 555", ""])
def test_what_cannot_be_formatted_is_shown_as_given(raw: str) -> None:
    assert display(raw) == raw
