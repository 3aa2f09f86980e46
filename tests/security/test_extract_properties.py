"""Properties of the extraction parsers: they never crash on what customers (or attackers) type, amounts
survive formatting, and card digits never come out of phone numbers or longer digit runs."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Annotated

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from rightfit.extract import (
    Extractor,
    Money,
    Slot,
    parse_card_last4,
    parse_money,
    scan_account_id,
    scan_card_last4,
    scan_dates,
    scan_email,
    scan_merchant,
    scan_money,
    scan_phone,
    scan_postcode,
)
from rightfit.extract.identifiers import luhn_ok

NOW = datetime(2026, 1, 2, 15, 30, tzinfo=UTC)
FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Arbitrary unicode, plus text built from the characters the parsers care about, so that the interesting
# branches (currency symbols next to digits, cues next to numbers) are reached often.
bank_alphabet = st.sampled_from(list("0123456789£$€¥-/.,:*x +@'\"()ACGBPacdeginorstw ") +
                                ["card ending ", "ends in ", "last four ", "ACC-", "sort code ", "£", "GBP",
                                 " pounds", " quid", "yesterday", "last ", "Friday", "the 1st of ", "next month",
                                 "called ", " at ", " to ", "０", "٣", "￡", "\u00a0", "\u200b", "\u2013"])
texts = st.one_of(st.text(max_size=300), st.lists(bank_alphabet, max_size=60).map("".join))


class Everything(BaseModel):
    amount: Annotated[Money | None, Slot("money")] = None
    when: Annotated[object | None, Slot("date_range")] = None
    card: Annotated[str | None, Slot("card_last4")] = None
    account: Annotated[str | None, Slot("account_id")] = None
    merchant: Annotated[str | None, Slot("merchant")] = None
    email: Annotated[str | None, Slot("email")] = None
    phone: Annotated[str | None, Slot("phone")] = None
    postcode: Annotated[str | None, Slot("postcode")] = None
    address: Annotated[str | None, Slot("address")] = None


@FAST
@given(text=texts, hours=st.integers(min_value=-12, max_value=14), days=st.integers(min_value=-40000, max_value=20000))
def test_parsers_never_raise_and_spans_point_into_the_text(text: str, hours: int, days: int) -> None:
    now = (NOW + timedelta(days=days)).astimezone(timezone(timedelta(hours=hours)))
    scans = [scan_money(text), scan_card_last4(text), scan_account_id(text), scan_email(text), scan_phone(text),
             scan_postcode(text), scan_merchant(text), scan_dates(text, now)]
    for scan in scans:
        for item in (*scan.candidates, *scan.rejected):
            assert 0 <= item.start <= item.end <= len(text)
            assert text[item.start:item.end] == item.text


@FAST
@given(text=texts)
def test_extractor_never_raises_on_arbitrary_text(text: str) -> None:
    out = Extractor().run(text=text, schema=Everything, now=NOW)
    assert set(out.values) <= set(Everything.model_fields)
    assert out.missing == ()  # nothing in this schema is required


amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("999999999.99"), places=2,
                      allow_nan=False, allow_infinity=False)


@FAST
@given(amount=amounts, form=st.sampled_from(["£{:,.2f}", "£{:.2f}", "{:.2f} GBP", "GBP {:,.2f}", "€{:,.2f}",
                                             "{:,.2f} pounds", "${:.2f}"]),
       before=st.sampled_from(["", "I paid ", "refund of ", "card ending 4421, "]),
       after=st.sampled_from(["", " yesterday", ".", " to Tesco", ", last four 8120"]))
def test_money_round_trips_from_formatted_decimals(amount: Decimal, form: str, before: str, after: str) -> None:
    found = parse_money(before + form.format(amount) + after)
    assert [c.value.amount for c in found] == [amount]
    expected = "EUR" if form.startswith("€") else "USD" if form.startswith("$") else "GBP"
    assert found[0].value.currency == expected
    assert str(found[0].value).replace(",", "").endswith(f"{amount:.2f}")


digits = st.text(alphabet="0123456789", min_size=1, max_size=1)


@st.composite
def uk_phone(draw: st.DrawFn) -> str:
    rest = draw(st.text(alphabet="0123456789", min_size=9, max_size=9))
    number = "07" + rest
    style = draw(st.sampled_from(["{}", "{} {}", "+44 {}", "+44 (0){}", "{}-{}"]))
    if style in ("{} {}", "{}-{}"):
        return style.format(number[:5], number[5:])
    return style.format(number[1:] if style.startswith("+44") else number)


@FAST
@given(phone=uk_phone(), lead=st.sampled_from(["my new number is ", "call me on ", "mobile ends in ",
                                               "my phone number ending ", "text ", "number: "]),
       tail=st.sampled_from(["", " thanks", " about my card", "."]))
def test_card_last4_never_comes_out_of_a_phone_number(phone: str, lead: str, tail: str) -> None:
    text = lead + phone + tail
    last_digits = re.sub(r"\D", "", phone)
    assert all(c.value not in last_digits for c in parse_card_last4(text))


@FAST
@given(run=st.text(alphabet="0123456789", min_size=5, max_size=12),
       cue=st.sampled_from(["card ending ", "ends in ", "last four ", "****", "card "]))
def test_card_last4_never_taken_out_of_a_longer_digit_run(run: str, cue: str) -> None:
    assert parse_card_last4(cue + run) == []


@FAST
@given(run=st.text(alphabet="0123456789", min_size=13, max_size=19))
def test_long_digit_runs_yield_a_card_only_when_luhn_valid(run: str) -> None:
    found = parse_card_last4(f"number {run} here")
    if luhn_ok(run):
        assert [c.value for c in found] == [run[-4:]]
    else:
        assert found == []
