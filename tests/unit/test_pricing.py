"""The cost of service: per second of handling at the account's price per minute."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from agentdesk.domain.pricing import cost_cents, format_money

CONTRACT_PRICE = 118  # $1.18 per handled minute


def test_a_minute_costs_the_contract_price() -> None:
    assert cost_cents(60, CONTRACT_PRICE) == 118


def test_a_call_is_billed_pro_rata_per_second_not_per_started_minute() -> None:
    assert cost_cents(90, CONTRACT_PRICE) == 177
    assert cost_cents(61, CONTRACT_PRICE) == 120  # 119.97 cents


def test_half_a_cent_rounds_up_and_less_rounds_down() -> None:
    assert cost_cents(30, 1) == 1  # exactly 0.5 cent
    assert cost_cents(29.99, 1) == 0
    assert cost_cents(0.75, 200) == 3  # 2.5 cents


def test_float_noise_does_not_move_a_cent() -> None:
    # 0.1 + 0.2 is 0.30000000000000004; 0.3 s at 100 cents/min is exactly half a cent.
    assert cost_cents(0.1 + 0.2, 100) == 1
    assert cost_cents(0.3, 100) == 1


def test_no_handling_costs_nothing() -> None:
    assert cost_cents(0, CONTRACT_PRICE) == 0


@pytest.mark.parametrize(
    ("seconds", "price"), [(-1, 118), (60, -1), (float("nan"), 118), (float("inf"), 118)]
)
def test_impossible_inputs_are_refused(seconds: float, price: int) -> None:
    with pytest.raises(ValueError):
        cost_cents(seconds, price)


@given(
    st.floats(min_value=0, max_value=1_000_000, allow_nan=False),
    st.floats(min_value=0, max_value=1_000_000, allow_nan=False),
    st.integers(min_value=0, max_value=100_000),
)
def test_a_longer_call_never_costs_less(a: float, b: float, price: int) -> None:
    shorter, longer = sorted((a, b))
    assert cost_cents(shorter, price) <= cost_cents(longer, price)


@given(st.integers(min_value=0, max_value=10**7), st.integers(min_value=0, max_value=100_000))
def test_whole_seconds_cost_their_exact_share_rounded_half_up(seconds: int, price: int) -> None:
    assert cost_cents(seconds, price) == (seconds * price * 2 + 60) // 120


def test_money_is_shown_in_dollars_and_cents() -> None:
    assert format_money(118) == "$1.18"
    assert format_money(5) == "$0.05"
    assert format_money(0) == "$0.00"
    assert format_money(123456) == "$1,234.56"
    assert format_money(100_000_000) == "$1,000,000.00"


def test_other_currencies_show_their_symbol_or_code() -> None:
    assert format_money(1200, "EUR") == "€12.00"
    assert format_money(1200, "chf") == "12.00 CHF"


def test_a_negative_amount_cannot_be_shown() -> None:
    with pytest.raises(ValueError):
        format_money(-1)
