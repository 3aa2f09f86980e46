"""Ways of asking about payments that name an order, a part of a month or an amount in words or as a
statement shows it: each read the way the customer meant it."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from rightfit.extract import Money, parse_money, resolve_dates
from rightfit.extract.identifiers import scan_count, scan_direction, scan_order
from rightfit.extract.money import unsigned

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


def gbp(x: str) -> Money:
    return Money(amount=Decimal(x), currency="GBP")


@pytest.mark.parametrize(("text", "order"), [
    ("show my biggest payments", ["largest"]),
    ("what were my largest transactions in november", ["largest"]),
    ("the most expensive thing I bought", ["largest"]),
    ("my 3 smallest purchases last month", ["smallest"]),
    ("show my latest transactions", []),
    ("what's the biggest overdraft I can have?", []),  # no payment in it
])
def test_items_ordered_by_amount(text: str, order: list[str]) -> None:
    assert [c.value for c in scan_order(text).candidates] == order


def test_a_count_before_the_order_is_how_many() -> None:
    assert [c.value for c in scan_count("my 3 smallest purchases").candidates] == [3]
    assert [c.value for c in scan_count("the five biggest payments").candidates] == [5]
    assert [c.value for c in scan_count("my biggest payments").candidates] == []


def test_ranked_payments_are_money_out_and_getting_paid_is_money_in() -> None:
    def way(text: str) -> list[str]:
        return [c.value for c in scan_direction(text).candidates]

    assert way("show my biggest payments") == way("my smallest card payments") == ["out"]
    assert way("my largest transactions") == []  # either way
    assert way("when did I last get paid?") == way("has my salary gone in") == way("when's payday") == ["in"]


@pytest.mark.parametrize(("text", "expected"), [
    ("the sixty eight pounds sixty three payment", gbp("68.63")),
    ("twenty pounds and fifty pence", gbp("20.50")),
    ("two pounds ninety nine p", gbp("2.99")),
    ("it was forty pounds.", gbp("40")),
    ("twenty pounds two days ago", gbp("20")),  # the two is days, not pence
])
def test_pounds_and_pence_in_words(text: str, expected: Money) -> None:
    assert [c.value for c in parse_money(text)] == [expected]


def test_a_statement_minus_is_taken_off_on_request_only() -> None:
    assert parse_money("dispute -£23.50") == []  # refused as it is: an amount must be more than zero
    assert unsigned("dispute -£23.50 at WWW.XBPAY") == "dispute £23.50 at WWW.XBPAY"
    assert [c.value for c in parse_money(unsigned("dispute WWW.XBPAY - £23.50"))] == [gbp("23.50")]
    assert unsigned("the 2024-11-17 payment of £5") == "the 2024-11-17 payment of £5"  # nothing to take off


@pytest.mark.parametrize(("text", "start", "end"), [
    ("what did I spend in the second half of november", date(2026, 11, 16), date(2026, 11, 30)),
    ("the first half of October", date(2026, 10, 1), date(2026, 10, 15)),
    ("in the first week of November", date(2026, 11, 1), date(2026, 11, 7)),
    ("the third week of nov", date(2026, 11, 15), date(2026, 11, 21)),
    ("the last week of November", date(2026, 11, 24), date(2026, 11, 30)),
    ("the last week of february", date(2026, 2, 22), date(2026, 2, 28)),
])
def test_a_part_of_a_month(text: str, start: date, end: date) -> None:
    assert [(s.start, s.end) for s in resolve_dates(text, NOW)] == [(start, end)]


def test_two_numbers_joined_by_and_are_not_one_number() -> None:
    from rightfit.extract.text import words_to_int

    assert words_to_int("two hundred and fifty") == 250 and words_to_int("one thousand two hundred") == 1200
    assert words_to_int("five and ten") is None and words_to_int("twenty thirty") is None  # was 15 and 50
    assert [c.value for c in parse_money("between five and ten pounds")] == [gbp("10")]


def test_a_range_or_a_sign_bounds_the_amounts() -> None:
    from rightfit.extract.money import scan_money_bound

    def bounds(text: str) -> tuple[list[Money], list[Money]]:
        return ([c.value for c in scan_money_bound(text, "over").candidates],
                [c.value for c in scan_money_bound(text, "under").candidates])

    assert bounds("payments between five and ten pounds") == ([gbp("5")], [gbp("10")])
    assert bounds("between 5 and £10") == ([gbp("5")], [gbp("10")])
    assert bounds("show payments >£40") == ([gbp("40")], []) and bounds("anything <£5") == ([], [gbp("5")])


@pytest.mark.parametrize(("text", "day"), [
    ("twenty-three pounds fifty on the seventeenth of november", date(2026, 11, 17)),
    ("what did I spend on the fourteenth", date(2026, 11, 14)),
    ("november the seventeenth", date(2026, 11, 17)),
    ("the thirty-first of october", date(2026, 10, 31)),
])
def test_a_day_written_in_words(text: str, day: date) -> None:
    assert [(s.start, s.end) for s in resolve_dates(text, NOW, "past")] == [(day, day)]  # a payment: past


def test_an_ordinal_that_picks_from_a_list_is_no_date() -> None:
    assert resolve_dates("the first one", NOW) == [] and resolve_dates("on the first one", NOW) == []
