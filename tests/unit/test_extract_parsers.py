"""The deterministic parsers, on the ways bank customers actually write things."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Literal

import pytest
from pydantic import ValidationError

from rightfit.core.errors import InvalidInputError
from rightfit.extract import (
    FULL_CARD,
    AccountId,
    Money,
    parse_account_id,
    parse_card_last4,
    parse_merchant,
    parse_money,
    resolve_dates,
    scan_account_id,
    scan_card_last4,
    scan_money,
)
from rightfit.extract.identifiers import scan_account_kind, scan_card_kind, scan_count

# A Friday, two days into the year: month and year boundaries are one step away.
NOW = datetime(2026, 1, 2, 15, 30, tzinfo=UTC)


def gbp(x: str) -> Money:
    return Money(amount=Decimal(x), currency="GBP")


@pytest.mark.parametrize(("text", "expected"), [
    ("£23.50 to something called WWW.XBPAY", Money(amount=Decimal("23.50"), currency="GBP")),
    ("it was 23.50 GBP", gbp("23.50")),
    ("rent of GBP 1,200", gbp("1200")),
    ("€40 in Lisbon", Money(amount=Decimal("40"), currency="EUR")),
    ("$12 on an app", Money(amount=Decimal("12"), currency="USD")),
    ("they took 18 quid", gbp("18")),
    ("180 pounds came out", gbp("180")),
    ("twenty pounds", gbp("20")),
    ("two hundred and fifty quid", gbp("250")),
    ("a budget of £2.5k", gbp("2500")),
    ("a 50p charge", gbp("0.50")),
    ("£ 23.50 with a space", gbp("23.50")),
    ("fullwidth ￡２３.５０", gbp("23.50")),
    ("arabic-indic £٤٥", gbp("45")),
    ("non-breaking £\u00a045", gbp("45")),
    ("$20 CAD", Money(amount=Decimal("20"), currency="CAD")),
    ("£20 GBP", gbp("20")),
    ("someone spent 1.299,00 € at a shop", Money(amount=Decimal("1299.00"), currency="EUR")),
    ("a charge of €8,40", Money(amount=Decimal("8.40"), currency="EUR")),
    ("it was 12,99 EUR", Money(amount=Decimal("12.99"), currency="EUR")),
    ("paid 30€ for parking", Money(amount=Decimal("30"), currency="EUR")),
])
def test_money_formats(text: str, expected: Money) -> None:
    found = parse_money(text)
    assert [c.value for c in found] == [expected]


def test_money_span_points_at_the_original_text() -> None:
    text = "paid ￡２３.５０ at Tesco"
    (c,) = parse_money(text)
    assert text[c.start:c.end] == "￡２３.５０" == c.text


def test_two_amounts_in_reading_order() -> None:
    found = parse_money("I paid £18 at the restaurant but £180 came out")
    assert [c.value for c in found] == [gbp("18"), gbp("180")]
    assert [c.text for c in found] == ["£18", "£180"]


@pytest.mark.parametrize(("text", "reason"), [
    ("refund me -£20", "more than zero"),
    ("£12.345 was taken", "two decimal places"),
    ("£5000000000", "too large"),
    ("it was 23.50 yesterday", "needs a currency"),
])
def test_money_rejections_say_what_to_fix(text: str, reason: str) -> None:
    scan = scan_money(text)
    assert scan.candidates == ()
    assert reason in scan.rejected[0].reason


@pytest.mark.parametrize("text", [
    "card ending 4421", "call me on 07700 900123", "on 14/03/2025", "in 2024", "ALL 20 payments",
    "account 12345678", "I have 3 cards",
])
def test_numbers_without_a_currency_are_not_money(text: str) -> None:
    assert parse_money(text) == []


def test_money_model_validates_directly() -> None:
    with pytest.raises(ValidationError, match="not a currency"):
        Money(amount=Decimal("1"), currency="XYZ")
    assert Money(amount=Decimal("1.50"), currency="gbp").currency == "GBP"
    assert str(gbp("1234.5")) == "£1,234.50"


def days(text: str, now: datetime = NOW) -> list[tuple[date, date]]:
    return [(d.start, d.end) for d in resolve_dates(text, now)]


def d(y: int, m: int, dd: int) -> tuple[date, date]:
    return (date(y, m, dd), date(y, m, dd))


@pytest.mark.parametrize(("text", "expected"), [
    ("on 2025-12-30", [d(2025, 12, 30)]),
    ("on 14/03/2024", [d(2024, 3, 14)]),
    ("on 28/12", [d(2025, 12, 28)]),  # across the year boundary, back
    ("on 3/1", [d(2026, 1, 3)]),
    ("on 31st December 2025", [d(2025, 12, 31)]),
    ("the 28th of December", [d(2025, 12, 28)]),
    ("March 3rd", [d(2026, 3, 3)]),
    ("the 30th", [d(2025, 12, 30)]),
    ("today", [d(2026, 1, 2)]),
    ("yesterday", [d(2026, 1, 1)]),
    ("the day before yesterday", [d(2025, 12, 31)]),
    ("last Friday", [d(2025, 12, 26)]),  # today is a Friday: last Friday is a week ago
    ("on Friday", [d(2025, 12, 26)]),
    ("on Monday", [d(2025, 12, 29)]),
    ("next Friday", [d(2026, 1, 9)]),
    ("3 days ago", [d(2025, 12, 30)]),
    ("a couple of days ago", [d(2025, 12, 31)]),
    ("two weeks ago", [d(2025, 12, 19)]),
    ("last week", [(date(2025, 12, 22), date(2025, 12, 28))]),
    ("last month", [(date(2025, 12, 1), date(2025, 12, 31))]),
    ("next month", [(date(2026, 2, 1), date(2026, 2, 28))]),
    ("the 1st of next month", [d(2026, 2, 1)]),
    ("since the 1st", [(date(2026, 1, 1), date(2026, 1, 2))]),
    ("in the last 7 days", [(date(2025, 12, 27), date(2026, 1, 2))]),
    ("my spending for November", [(date(2025, 11, 1), date(2025, 11, 30))]),
    ("since the start of december", [(date(2025, 12, 1), date(2026, 1, 2))]),
])
def test_dates_resolved_against_now(text: str, expected: list[tuple[date, date]]) -> None:
    assert days(text) == expected


def test_the_weekend_is_the_coming_one_for_a_future_event() -> None:
    now = datetime(2025, 12, 31, 9, 0, tzinfo=UTC)  # a Wednesday
    past = [(m.start, m.end) for m in resolve_dates("over the weekend", now, "past")]
    future = [(m.start, m.end) for m in resolve_dates("moving at the weekend", now, "future")]
    assert past == [(date(2025, 12, 27), date(2025, 12, 28))]
    assert future == [(date(2026, 1, 3), date(2026, 1, 4))]


def test_now_in_local_time_decides_the_day() -> None:
    # 23:30 in London on 1 March is still 1 March, whatever UTC says in other zones.
    late = datetime(2026, 3, 1, 23, 30, tzinfo=timezone(timedelta(hours=-5)))
    assert days("yesterday", late) == [d(2026, 2, 28)]
    assert days("the 1st of next month", late) == [d(2026, 4, 1)]


def test_naive_now_is_refused() -> None:
    with pytest.raises(InvalidInputError, match="timezone-aware"):
        resolve_dates("yesterday", datetime(2026, 1, 2))  # noqa: DTZ001


def test_impossible_dates_are_not_dates() -> None:
    assert days("on 31/02") == []
    assert days("sort code 12-34-56") == []
    assert days("on 03/14/2025") == []  # US order is not a UK date


@pytest.mark.parametrize(("text", "previous", "expected"), [
    ("and the week before?", (date(2025, 12, 22), date(2025, 12, 28)), (date(2025, 12, 15), date(2025, 12, 21))),
    ("and the previous week?", (date(2025, 12, 22), date(2025, 12, 28)), (date(2025, 12, 15), date(2025, 12, 21))),
    ("what about the day after", (date(2025, 12, 24), date(2025, 12, 24)), (date(2025, 12, 25), date(2025, 12, 25))),
    ("and the month before", (date(2025, 12, 1), date(2025, 12, 31)), (date(2025, 11, 1), date(2025, 11, 30))),
    ("and before that?", (date(2025, 12, 1), date(2025, 12, 31)), (date(2025, 11, 1), date(2025, 11, 30))),
    ("and before that?", (date(2025, 12, 20), date(2025, 12, 29)), (date(2025, 12, 10), date(2025, 12, 19))),
    ("the following month?", (date(2025, 11, 10), date(2025, 11, 20)), (date(2025, 12, 1), date(2025, 12, 31))),
    ("the week before 3 December", (date(2025, 12, 22), date(2025, 12, 28)), None),  # a date of its own
    ("and tesco?", (date(2025, 12, 22), date(2025, 12, 28)), None),
])
def test_a_follow_up_period_is_next_to_the_previous_one(text: str, previous: tuple, expected: tuple | None) -> None:
    from rightfit.extract.dates import shift_period
    from rightfit.extract.types import DateSpan

    span = shift_period(text, DateSpan(start=previous[0], end=previous[1]), NOW)
    assert (span.start, span.end) == expected if expected else span is None


def test_date_match_carries_its_span() -> None:
    text = "I'm moving on the 1st of next month."
    (m,) = resolve_dates(text, NOW)
    assert text[m.char_start:m.char_end] == "the 1st of next month"


@pytest.mark.parametrize(("text", "last4"), [
    ("the card ending 8120", "8120"),
    ("it ends in 8120", "8120"),
    ("last four 8120", "8120"),
    ("last 4 digits are 8120", "8120"),
    ("****8120", "8120"),
    ("xxxx xxxx xxxx 8120", "8120"),
    ("freeze card 0918", "0918"),
    ("card ending  8120 (odd spacing)", "8120"),
    ("freeze the 8120 card", "8120"),
    ("my 4417 credit card was stolen", "4417"),
    ("the one in my wallet ends 5531", "5531"),
    ("unfreeze 0918 please", "0918"),
])
def test_card_last4_cues(text: str, last4: str) -> None:
    assert [c.value for c in parse_card_last4(text)] == [last4]


@pytest.mark.parametrize("text", ["freeze both cards, 8120 and 4417", "cards ending 8120 & 4417",
                                  "the cards ending 8120, 4417"])
def test_card_digits_joined_to_a_card(text: str) -> None:
    assert [c.value for c in parse_card_last4(text)] == ["8120", "4417"]


def test_joined_digits_stop_at_an_amount() -> None:
    assert [c.value for c in parse_card_last4("card ending 8120 and £4417 gone")] == ["8120"]


@pytest.mark.parametrize("text", [
    "my new number is 07700 900123",
    "my mobile ends in 0123",
    "account number ending 4233",
    "£4421 went out",
    "in 2024 I paid £8120",
    "reference 123456789012",
    "the 2024 card fees",
    "the offer ends 2026 in june",
])
def test_card_last4_never_from_phone_amount_year_or_longer_numbers(text: str) -> None:
    assert parse_card_last4(text) == []


def test_full_card_number_gives_last4_and_is_flagged() -> None:
    text = "my card is 4111 1111 1111 1111 please block it"
    (c,) = parse_card_last4(text)
    assert c.value == "1111" and FULL_CARD in c.flags
    assert text[c.start:c.end] == "4111 1111 1111 1111"
    assert parse_card_last4("4111 1111 1111 1112") == []  # not Luhn-valid


def test_short_card_digits_are_rejected_with_a_reason() -> None:
    scan = scan_card_last4("the card ending 81")
    assert scan.candidates == () and "last four digits" in scan.rejected[0].reason


@pytest.mark.parametrize(("text", "expected"), [
    ("ACC-104233", AccountId(kind="internal", value="ACC-104233")),
    ("acc 104233", AccountId(kind="internal", value="ACC-104233")),
    ("it's Acc-104233.", AccountId(kind="internal", value="ACC-104233")),
    ("account number 12345678 sort code 12-34-56", AccountId(kind="uk", value="12345678", sort_code="12-34-56")),
    ("12-34-56 12345678", AccountId(kind="uk", value="12345678", sort_code="12-34-56")),
    ("a/c no 87654321", AccountId(kind="uk", value="87654321")),
])
def test_account_ids(text: str, expected: AccountId) -> None:
    assert [c.value for c in parse_account_id(text)] == [expected]


def test_account_id_rejections_and_non_accounts() -> None:
    assert "six digits" in scan_account_id("ACC-10423").rejected[0].reason
    assert "8 digits" in scan_account_id("my account 1234567").rejected[0].reason
    assert parse_account_id("paid on 20240314") == []


@pytest.mark.parametrize(("text", "merchant"), [
    ("£23.50 to something called WWW.XBPAY, I want to challenge it", "WWW.XBPAY"),
    ("did the £45 from tesco go through", "tesco"),
    ("my rent payment of £1,200 to Foxtons", "Foxtons"),
    ("a payment to Amazon for £79.99", "Amazon"),
    ("a payment to PAYPAL *GAMESTORE for £44", "PAYPAL *GAMESTORE"),
    ("it says 'SP DIGITAL', no idea", "SP DIGITAL"),
    ("it says \u2018SP DIGITAL\u2019, no idea", "SP DIGITAL"),
    ("paid £12 at Marks & Spencer.", "Marks & Spencer"),
    ("Ticketmaster charged me twice", "Ticketmaster"),
    ("Did Shell take £40 or £60?", "Shell"),
    ("I think Just Eat charged £26 not £16", "Just Eat"),
    ("spotify took money after I cancelled", "spotify"),
    ("my Tesco payment of £82.14 was declined", "Tesco"),
    ("dispute pls: SQ *THE COFFEE BARN £6.40 twice", "SQ *THE COFFEE BARN"),
    ("how much did I spend on Deliveroo", "Deliveroo"),
    ("how much have i been spending at tesco lately", "tesco"),  # a time word after the name is not part of it
    ("how much have i spent at boots and sainsburys in total", "boots and sainsburys"),  # two: split by payees
    ("get my refund from tesco and then close it", "tesco"),
    ("when did i last pay netflix", "netflix"),  # lower case after a word for paying
    ("any payments to amazon in october?", "amazon"),
    ("what did I spend at Tesco from 1 Nov to 10 Nov", "Tesco"),  # days are not payees
    ("payments at Boots from mid november", "Boots"),
])
def test_merchants(text: str, merchant: str) -> None:
    assert [c.value for c in parse_merchant(text)] == [merchant]


def test_two_merchants_that_both_charged() -> None:
    assert [c.value for c in parse_merchant("Netflix and Disney+ both took money")] == ["Netflix", "Disney+"]


@pytest.mark.parametrize("text", [
    "I paid £18 at the restaurant", "my transfer to my son", "£14.99 from my account", "I want to dispute it",
    "money from ACC-104233",
    "it took 3 days", "someone's taken £14.99", "the pump took the money but gave no fuel", "Got charged twice",
    "random 99p charges every week", "dispute the GBP 18.99 payment", "the 40 EUR charge",
    "i paid twice", "they never paid back the money", "transfer to savings", "i want to pay off my card",
])
def test_stop_words_are_not_merchants(text: str) -> None:
    assert parse_merchant(text) == []


def test_an_amount_that_bounds_what_is_asked_for() -> None:
    from rightfit.extract.money import scan_money_bound

    def bound(text: str, which: Literal["over", "under"]) -> list[Money]:
        return [c.value for c in scan_money_bound(text, which).candidates]

    assert bound("show me payments over £50", "over") == [gbp("50")]
    assert bound("show me payments over £50", "under") == []
    assert bound("anything under £10 last week?", "under") == [gbp("10")]
    assert bound("between £20 and £30", "over") == [gbp("20")] and bound("between £20 and £30", "under") == [gbp("30")]
    assert bound("no more than £5", "over") == [] and bound("no more than £5", "under") == [gbp("5")]
    assert bound("I paid £50 at Tesco", "over") == bound("I paid £50 at Tesco", "under") == []
    # The bound said after the amount.
    assert bound("payments of £20 or more", "over") == [gbp("20")] and bound("£20 or more", "under") == []
    assert bound("anything £10 or less", "under") == [gbp("10")]
    assert bound("anything under a fiver", "under") == [gbp("5")] and bound("over a tenner", "over") == [gbp("10")]


def test_which_way_the_money_moved() -> None:
    from rightfit.extract.identifiers import scan_direction

    def way(text: str) -> list[str]:
        return [c.value for c in scan_direction(text).candidates]

    assert way("what did I spend last month?") == way("show my outgoings") == ["out"]
    assert way("did my salary come in?") == way("any refunds received?") == ["in"]
    assert way("what went in and out last week") == way("what's gone out and what came in") == []
    assert way("show my tesco transactions") == []


def test_a_currency_is_put_before_bare_amounts_only_when_asked() -> None:
    from rightfit.extract.money import assume_currency

    assert assume_currency("a payment of 18.99 and one of £5", "GBP") == "a payment of GBP 18.99 and one of £5"
    assert [c.value for c in scan_money(assume_currency("it was 1,200.00", "GBP")).candidates] == [gbp("1200")]
    assert assume_currency("card 8120 on 14/11", "GBP") == "card 8120 on 14/11"  # no amount in it
    # A whole number is an amount where the words say so, and only there.
    assert assume_currency("dispute the payment of 1200", "GBP") == "dispute the payment of GBP 1200"
    assert assume_currency("card 1200 and it was 1200", "GBP") == "card 1200 and it was 1200"


def test_card_kind() -> None:
    assert [c.value for c in scan_card_kind("the credit one").candidates] == ["credit"]
    assert [c.value for c in scan_card_kind("freeze my Debit card").candidates] == ["debit"]
    assert scan_card_kind("what's my balance").candidates == ()
    for every in ("I lost my wallet with both cards in it", "both", "freeze all of my cards",
                  "block my debit and credit cards", "freeze both of them"):
        assert [c.value for c in scan_card_kind(every).candidates] == ["all"], every
    assert scan_card_kind("what's in both accounts").candidates == ()
    # "both" of people, not of cards
    assert scan_card_kind("freeze my card, both of us use it").candidates == ()
    assert [c.value for c in scan_card_kind("we both use the debit card").candidates] == ["debit"]


@pytest.mark.parametrize(("text", "prefer", "expected"), [
    ("the £120 payment on 14 March", "nearest", [d(2026, 3, 14)]),
    ("the £120 payment on 14 March", "past", [d(2025, 3, 14)]),
    ("I'm moving on 28/12", "future", [d(2026, 12, 28)]),
    ("moving on Friday", "future", [d(2026, 1, 9)]),
    ("on Friday", "past", [d(2025, 12, 26)]),
    ("in March", "past", [(date(2025, 3, 1), date(2025, 3, 31))]),
    ("in March", "future", [(date(2026, 3, 1), date(2026, 3, 31))]),
    ("the 30th", "future", [d(2026, 1, 30)]),
])
def test_prefer_past_or_future_for_dates_without_a_year(text: str, prefer: str, expected: list) -> None:
    assert [(m.start, m.end) for m in resolve_dates(text, NOW, prefer)] == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(("text", "expected"), [
    ("between 14 December and 20 December", [(date(2025, 12, 14), date(2025, 12, 20))]),
    ("from the 20th to the 28th", [(date(2025, 12, 20), date(2025, 12, 28))]),
    ("payments from last month", [(date(2025, 12, 1), date(2025, 12, 31))]),  # within it, not "since"
    ("transactions from yesterday", [d(2026, 1, 1)]),  # that day's, not since then
    ("payments from last Friday", [d(2025, 12, 26)]),
    ("payments from 3 days ago", [d(2025, 12, 30)]),
    ("payments from the 28th", [(date(2025, 12, 28), date(2026, 1, 2))]),  # a dated day: since then
    ("since last week", [(date(2025, 12, 22), date(2026, 1, 2))]),
    ("on Boxing Day", [d(2025, 12, 26)]),
    ("on New Year's Eve", [d(2025, 12, 31)]),
    # The first day of a range takes the second's month.
    ("between 1st and 10th December", [(date(2025, 12, 1), date(2025, 12, 10))]),
    ("spent 1-10 December", [(date(2025, 12, 1), date(2025, 12, 10))]),
    ("from 1 Dec to 10 Dec", [(date(2025, 12, 1), date(2025, 12, 10))]),
    # Open at one end: a year back before a day, up to today after one.
    ("anything before 1 December?", [(date(2024, 11, 30), date(2025, 11, 30))]),
    ("payments after the 20th", [(date(2025, 12, 21), date(2026, 1, 2))]),
    ("a week before 3 December", [d(2025, 12, 3)]),  # a day next to another, not everything before it
    ("on Tuesday the 16th of December", [d(2025, 12, 16)]),  # one day, named twice
    ("mid December", [(date(2025, 12, 11), date(2025, 12, 20))]),
    ("late December", [(date(2025, 12, 21), date(2025, 12, 31))]),
    ("in the past fortnight", [(date(2025, 12, 20), date(2026, 1, 2))]),
])
def test_ranges_and_holidays(text: str, expected: list[tuple[date, date]]) -> None:
    assert days(text) == expected


def test_more_card_and_merchant_phrasings() -> None:
    assert [c.value for c in parse_card_last4("in my account? the last four of my card are 2210")] == ["2210"]
    assert parse_merchant("They said it'd be 5 working days") == []
    assert [c.value for c in parse_merchant("Payment to 'AMZN Mktp UK' £27.48")] == ["AMZN Mktp UK"]


@pytest.mark.parametrize(("text", "counts"), [
    ("show me my last 3 transactions", [3]), ("my last ten payments please", [10]),
    ("the latest twenty-five purchases", [25]), ("transactions in the last 7 days", []),
    ("my recent transactions", []), ("last 3 digits of my card", []),
    ("show my last transaction", [1]), ("what was the most recent payment to tesco", [1]),
    ("my last transactions", []), ("last month's payments", []),
])
def test_count_is_how_many_items_are_asked_for(text: str, counts: list[int]) -> None:
    found = scan_count(text).candidates
    assert [c.value for c in found] == counts
    assert all(text[c.start : c.end] == c.text for c in found)


@pytest.mark.parametrize(("text", "kinds"), [
    ("how much is in my savings?", ["savings"]), ("balance of my Easy Saver", ["savings"]),
    ("what's in my current account", ["current"]), ("my joint account balance", []),  # joint may be savings
    ("my savings and my everyday account", ["savings", "current"]),
    ("what's my balance", []), ("is my current address right?", []),  # "current" alone is no account
])
def test_account_kind_is_savings_or_current(text: str, kinds: list[str]) -> None:
    found = scan_account_kind(text).candidates
    assert [c.value for c in found] == kinds
    assert all(text[c.start : c.end] == c.text for c in found)
