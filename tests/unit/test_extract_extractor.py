"""The Extractor stage: parsers, ambiguity, merging with earlier turns, and the model fallback (faked)."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated

import pytest
from pydantic import BaseModel, Field, field_validator, model_validator

from rightfit.core.errors import ConfigError, InvalidInputError
from rightfit.core.protocols import Generator
from rightfit.extract import AccountId, DateSpan, Extractor, Money, Slot, redact
from rightfit.types import Generation

NOW = datetime(2026, 1, 2, 15, 30, tzinfo=UTC)


class FakeGenerator:
    """Returns a fixed JSON object and records what it was asked."""

    model_id = "fake-json"
    name = "fake-json"

    def __init__(self, reply: dict[str, object] | str) -> None:
        self.reply = reply if isinstance(reply, str) else json.dumps(reply)
        self.calls: list[dict[str, object]] = []
        self.warmed = 0

    def warm_up(self) -> None:
        self.warmed += 1

    def generate(self, *, messages: Sequence[dict[str, str]], schema: dict[str, object] | None = None,
                 max_tokens: int | None = None, on_token: Callable[[str], None] | None = None) -> Generation:
        self.calls.append({"messages": list(messages), "schema": schema, "max_tokens": max_tokens})
        return Generation(text=self.reply, model=self.model_id, tokens_in=10, tokens_out=5, seconds=0.01)


class Dispute(BaseModel):
    amount: Annotated[Money, Slot("money"), Field(description="the disputed amount")]
    merchant: Annotated[str | None, Slot("merchant")] = None
    when: Annotated[date | None, Slot("date")] = None
    card_last4: Annotated[str | None, Slot("card_last4")] = None


class AddressChange(BaseModel):
    address: Annotated[str, Slot("address"), Field(description="the new postal address")]
    postcode: Annotated[str | None, Slot("postcode")] = None
    move_date: Annotated[date | None, Slot("date")] = None


class Statement(BaseModel):
    account: Annotated[AccountId, Slot("account_id")]
    period: Annotated[DateSpan | None, Slot("date_range")] = None


def test_fake_generator_is_a_generator() -> None:
    assert isinstance(FakeGenerator({}), Generator)


def test_parsers_fill_a_dispute_and_the_model_is_not_called() -> None:
    gen = FakeGenerator({})
    out = Extractor(gen).run(
        text="there's a payment I don't recognise, £23.50 to something called WWW.XBPAY yesterday, card ending 8120",
        schema=Dispute, now=NOW)
    assert out.values == {"amount": Money(amount=Decimal("23.50"), currency="GBP"), "merchant": "WWW.XBPAY",
                          "when": date(2026, 1, 1), "card_last4": "8120"}
    assert set(out.sources.values()) == {"parser"}
    assert out.missing == () and out.complete and isinstance(out.model, Dispute)
    assert gen.calls == []


def test_a_payment_from_a_day_is_dated_that_day_and_the_day_is_no_payee() -> None:
    # "from 1st december" reads as a period to today in a list of payments; one payment is dated that day, and
    # its "1st" was taken for the merchant.
    out = Extractor().run(text="want to dispute the £12 tesco one from 1st december", schema=Dispute, now=NOW)
    assert out.values["when"] == date(2025, 12, 1) and out.values.get("merchant") is None
    since = Extractor().run(text="dispute £12 since last week", schema=Dispute, now=NOW)
    assert since.values.get("when") is None and "is a period" in " ".join(since.problems.values())


def test_two_amounts_are_ambiguous_and_the_amount_is_asked_for() -> None:
    out = Extractor().run(text="I paid £18 at the restaurant but £180 came out", schema=Dispute, now=NOW)
    assert out.missing == ("amount",)
    assert out.ambiguous["amount"] == (Money(amount=Decimal("18"), currency="GBP"),
                                       Money(amount=Decimal("180"), currency="GBP"))
    assert out.model is None


def test_pick_rule_resolves_two_amounts() -> None:
    class Overcharge(BaseModel):
        paid: Annotated[Money, Slot("money", pick="first")]
        taken: Annotated[Money, Slot("money", pick="largest")]

    out = Extractor().run(text="I paid £18 at the restaurant but £180 came out", schema=Overcharge, now=NOW)
    assert out.values["paid"].amount == 18 and out.values["taken"].amount == 180
    assert out.ambiguous == {}


def test_the_same_amount_twice_is_not_ambiguous() -> None:
    out = Extractor().run(text="£20 GBP, yes 20 pounds", schema=Dispute, now=NOW)
    assert out.values["amount"] == Money(amount=Decimal("20"), currency="GBP")


def test_list_fields_take_every_value() -> None:
    class Several(BaseModel):
        amounts: Annotated[list[Money], Slot("money")] = []

    out = Extractor().run(text="£5, £7.50 and €3", schema=Several, now=NOW)
    assert [str(m) for m in out.values["amounts"]] == ["£5.00", "£7.50", "€3.00"]


def test_a_rejected_value_becomes_a_problem_the_customer_can_act_on() -> None:
    out = Extractor(FakeGenerator({"amount": "23.50"})).run(text="it was 23.50 at Tesco", schema=Dispute, now=NOW)
    assert out.missing == ("amount",)
    assert out.problems["amount"].startswith("an amount needs a currency; say £ or GBP")
    assert out.values["merchant"] == "Tesco"


def test_a_period_for_a_one_day_field_asks_which_day() -> None:
    out = Extractor().run(text="£20 to Amazon last week", schema=Dispute, now=NOW)
    assert "when" not in out.values and "which day" in out.problems["when"]


def test_filled_slots_are_kept_and_new_values_override() -> None:
    ex = Extractor()
    first = ex.run(text="I want to dispute a payment to Amazon", schema=Dispute, now=NOW)
    assert first.missing == ("amount",) and first.values == {"merchant": "Amazon"}
    second = ex.run(text="it was £79.99 on 28 December", schema=Dispute, now=NOW, filled=first.values)
    assert second.values["merchant"] == "Amazon" and second.sources["merchant"] == "previous"
    assert second.values["amount"].amount == Decimal("79.99") and second.sources["amount"] == "parser"
    assert second.values["when"] == date(2025, 12, 28)
    assert second.complete
    third = ex.run(text="sorry, it was to Foxtons", schema=Dispute, now=NOW, filled=second.values)
    assert third.values["merchant"] == "Foxtons" and third.sources["merchant"] == "parser"
    assert third.values["amount"] == second.values["amount"]


def test_filled_values_from_another_schema_are_ignored() -> None:
    out = Extractor().run(text="£5", schema=Dispute, now=NOW, filled={"postcode": "M14 5QD", "merchant": None})
    assert set(out.values) == {"amount"}


def test_model_fills_only_what_parsers_cannot_and_must_copy_from_the_message() -> None:
    # A named house has no number for the address parser to start from, so the model fills it.
    gen = FakeGenerator({"address": "Rose Cottage, Willow Lane, Bristol"})
    out = Extractor(gen).run(text="new address is Rose Cottage, Willow Lane, Bristol BS3 4TY", schema=AddressChange,
                             now=NOW)
    assert out.values["address"] == "Rose Cottage, Willow Lane, Bristol" and out.sources["address"] == "model"
    assert out.values["postcode"] == "BS3 4TY" and out.sources["postcode"] == "parser"
    (call,) = gen.calls
    schema = call["schema"]
    assert isinstance(schema, dict)
    assert set(schema["properties"]) == {"address", "move_date"}  # postcode was parsed, so not asked
    assert "Rose Cottage" in call["messages"][1]["content"]


def test_model_value_not_in_the_message_is_refused() -> None:
    gen = FakeGenerator({"account": "ACC-999999", "period": ""})
    out = Extractor(gen).run(text="can I have a statement for my account please", schema=Statement, now=NOW)
    assert "account" not in out.values and out.missing == ("account",)
    assert "not in the message" in out.dropped["account"]


def test_model_value_goes_through_the_same_parser_and_validators() -> None:
    gen = FakeGenerator({"amount": "twenty five quid", "merchant": "the corner shop", "when": "", "card_last4": ""})
    out = Extractor(gen).run(text="the corner shop took twenty five quid off me", schema=Dispute, now=NOW)
    # "twenty five quid" is parsed by the money parser; "the corner shop" starts with a stop word.
    assert out.values["amount"] == Money(amount=Decimal("25"), currency="GBP")
    assert out.sources["amount"] == "parser"  # the parser found it first; the model was not asked for it
    assert "merchant" not in out.values and "merchant" in out.dropped


def test_model_card_digits_must_not_come_from_a_phone_number() -> None:
    class Freeze(BaseModel):
        card_last4: Annotated[str, Slot("card_last4")]

    gen = FakeGenerator({"card_last4": "0123"})
    out = Extractor(gen).run(text="call me on 07700 900123 about my card", schema=Freeze, now=NOW)
    assert out.missing == ("card_last4",) and "card_last4" in out.dropped
    ok = Extractor(FakeGenerator({"card_last4": "8120"})).run(text="it's the one that finishes 8120", schema=Freeze,
                                                              now=NOW)
    assert ok.values == {"card_last4": "8120"} and ok.sources["card_last4"] == "model"


def test_model_invalid_json_leaves_fields_missing() -> None:
    out = Extractor(FakeGenerator("not json")).run(text="my new address", schema=AddressChange, now=NOW)
    assert out.missing == ("address",) and "JSON" in out.dropped["address"]


def test_without_a_generator_model_only_fields_stay_missing() -> None:
    out = Extractor().run(text="new address is Rose Cottage, Willow Lane, Bristol BS3 4TY", schema=AddressChange,
                          now=NOW)
    assert out.missing == ("address",) and out.values == {"postcode": "BS3 4TY"}


def test_schema_validators_always_run() -> None:
    class Limited(BaseModel):
        amount: Annotated[Money, Slot("money")]
        when: Annotated[date | None, Slot("date")] = None

        @field_validator("amount")
        @classmethod
        def _cap(cls, v: Money) -> Money:
            if v.amount > 500:
                raise ValueError("we can only dispute up to £500 here; call us for larger amounts")
            return v

        @model_validator(mode="after")
        def _past(self) -> Limited:
            if self.when is not None and self.when > date(2026, 1, 2):
                raise ValueError("that date is in the future")
            return self

    big = Extractor().run(text="£700 at Tesco", schema=Limited, now=NOW)
    assert big.missing == ("amount",) and big.problems["amount"].startswith("we can only dispute up to £500")
    future = Extractor().run(text="£70 tomorrow", schema=Limited, now=NOW)
    assert future.model is None and "future" in future.problems["_model"]
    stale = Extractor().run(text="hello", schema=Limited, now=NOW,
                            filled={"amount": Money(amount=Decimal("900"), currency="GBP")})
    assert "amount" not in stale.values and "amount" in stale.problems


def test_account_id_into_a_string_field_and_a_range_field() -> None:
    class Plain(BaseModel):
        account: Annotated[str, Slot("account_id")]
        period: Annotated[DateSpan | None, Slot("date_range")] = None

    out = Extractor().run(text="statement for ACC-104233 for last month", schema=Plain, now=NOW)
    assert out.values["account"] == "ACC-104233"
    assert out.values["period"] == DateSpan(start=date(2025, 12, 1), end=date(2025, 12, 31))
    typed = Extractor().run(text="acc 104233 yesterday", schema=Statement, now=NOW)
    assert typed.values["account"] == AccountId(kind="internal", value="ACC-104233")
    assert typed.values["period"] == DateSpan(start=date(2026, 1, 1), end=date(2026, 1, 1))


def test_full_card_numbers_are_reported_for_redaction() -> None:
    text = "block 4111 1111 1111 1111 now"
    out = Extractor().run(text=text, schema=Dispute, now=NOW)
    assert out.values["card_last4"] == "1111"
    assert redact(text, out.redact) == "block •••• •••• •••• 1111 now"


def test_bad_inputs_get_clear_errors() -> None:
    ex = Extractor()
    with pytest.raises(InvalidInputError, match="timezone-aware"):
        ex.run(text="£5", schema=Dispute, now=datetime(2026, 1, 2))  # noqa: DTZ001
    with pytest.raises(InvalidInputError, match="over the"):
        ex.run(text="x" * 5000, schema=Dispute, now=NOW)
    with pytest.raises(ConfigError, match="unknown slot kind"):
        class Bad(BaseModel):
            x: Annotated[str, Slot("iban")]
        ex.run(text="x", schema=Bad, now=NOW)
    with pytest.raises(ConfigError, match="BaseModel"):
        ex.run(text="x", schema=dict, now=NOW)  # type: ignore[arg-type]


def test_warm_up_is_idempotent_and_cheap_without_a_model() -> None:
    gen = FakeGenerator({})
    ex = Extractor(gen)
    assert gen.warmed == 0  # the constructor does not load anything
    ex.warm_up()
    ex.warm_up()
    Extractor().warm_up()
    assert gen.warmed == 2  # delegated; the generator's own warm_up is idempotent


def test_slot_prefer_resolves_a_year_less_date_in_the_past() -> None:
    class PastDispute(BaseModel):
        amount: Annotated[Money, Slot("money")]
        when: Annotated[date | None, Slot("date", prefer="past")] = None

    out = Extractor().run(text="I didn't make the £120 payment on 14 March", schema=PastDispute, now=NOW)
    assert out.values["when"] == date(2025, 3, 14)


def test_model_address_must_look_like_an_address() -> None:
    gen = FakeGenerator({"address": "the 1st of next month"})
    out = Extractor(gen).run(text="I'm moving on the 1st of next month", schema=AddressChange, now=NOW)
    assert out.missing == ("address",) and "not a valid address" in out.dropped["address"]
    assert out.values["move_date"] == date(2026, 2, 1)
