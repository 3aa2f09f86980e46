"""Field types (frozen pydantic models) and the values parsers return.

The validators here are the single place a value is judged: parsers, the model fallback and slots carried
over from earlier turns all pass through them. Their messages are written for the customer, because the
assistant repeats them ("an amount needs a currency; say £ or GBP").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, field_validator, model_validator

# Active ISO 4217 codes (2024). Precious metals, funds and testing codes are left out on purpose.
ISO_4217 = frozenset("""
AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP BYN BZD CAD CDF
CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD
HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD
MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN
PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY
TTD TWD TZS UAH UGX USD UYU UZS VES VND VUV WST XAF XCD XOF XPF YER ZAR ZMW ZWG
""".split())

MAX_AMOUNT = Decimal("1e9")
_SYMBOLS = {"GBP": "£", "EUR": "€", "USD": "$", "JPY": "¥"}


class Money(BaseModel):
    """A positive amount with its ISO 4217 currency, at most two decimal places, at most one billion."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    amount: Decimal
    currency: str

    @field_validator("amount")
    @classmethod
    def _amount(cls, v: Decimal) -> Decimal:
        if not v.is_finite():
            raise ValueError("that amount is not a number; write it like £23.50")
        if v <= 0:
            raise ValueError("an amount must be more than zero; write it without a minus sign, like £20")
        if v > MAX_AMOUNT:
            raise ValueError("that amount is too large to be right; check the number of digits")
        exponent = v.as_tuple().exponent
        if isinstance(exponent, int) and exponent < -2:
            if v != v.quantize(Decimal("0.01")):
                raise ValueError("an amount has at most two decimal places (pence), like £23.50")
            return v.quantize(Decimal("0.01"))
        return v

    @field_validator("currency")
    @classmethod
    def _currency(cls, v: str) -> str:
        code = v.strip().upper()
        if code not in ISO_4217:
            raise ValueError(f"{v!r} is not a currency we know; say £, GBP, € or EUR")
        return code

    def __str__(self) -> str:
        symbol = _SYMBOLS.get(self.currency)
        return f"{symbol}{self.amount:,.2f}" if symbol else f"{self.amount:,.2f} {self.currency}"


class DateSpan(BaseModel):
    """A day (start == end) or a range of days, both ends included."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    start: date
    end: date

    @model_validator(mode="after")
    def _ordered(self) -> DateSpan:
        if self.end < self.start:
            raise ValueError("the end of that period is before its start; give the earlier date first")
        return self

    @property
    def is_range(self) -> bool:
        return self.end != self.start

    def __str__(self) -> str:
        return self.start.isoformat() if not self.is_range else f"{self.start.isoformat()}..{self.end.isoformat()}"


class DateMatch(BaseModel):
    """A date phrase found in a message, resolved against the request time. `char_start:char_end` is its span."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    start: date
    end: date
    text: str
    char_start: int
    char_end: int

    @property
    def is_range(self) -> bool:
        return self.end != self.start


class AccountId(BaseModel):
    """The bank's own id (ACC-104233) or a UK account number (8 digits) with its sort code when given."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: Literal["internal", "uk"]
    value: str
    sort_code: str | None = None

    @model_validator(mode="after")
    def _shape(self) -> AccountId:
        v = self.value
        if self.kind == "internal" and not (v.startswith("ACC-") and len(v) == 10 and v[4:].isdigit()):
            raise ValueError("account ids look like ACC-104233 (ACC, a dash and six digits)")
        if self.kind == "uk" and not (len(v) == 8 and v.isdigit()):
            raise ValueError("a UK account number has 8 digits")
        if self.sort_code is not None:
            s = self.sort_code
            if not (len(s) == 8 and s[2] == s[5] == "-" and (s[:2] + s[3:5] + s[6:]).isdigit()):
                raise ValueError("a sort code has six digits, like 12-34-56")
        return self

    def __str__(self) -> str:
        return self.value if self.sort_code is None else f"{self.sort_code} {self.value}"


T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Candidate(Generic[T]):
    """One value a parser found, with the span of the original text it came from."""

    value: T
    start: int
    end: int
    text: str
    flags: frozenset[str] = frozenset()  # e.g. "full_card_number": the span should be redacted


@dataclass(frozen=True, slots=True)
class Rejected:
    """Something that looks like a value but fails validation; `reason` is written for the customer."""

    start: int
    end: int
    text: str
    reason: str


@dataclass(frozen=True, slots=True)
class Scan(Generic[T]):
    candidates: tuple[Candidate[T], ...] = ()
    rejected: tuple[Rejected, ...] = ()


Pick = Literal["only", "first", "last", "largest", "smallest"]


@dataclass(frozen=True, slots=True)
class Slot:
    """Marks a schema field as filled by a parser: `Annotated[Money | None, Slot("money")]`.

    kind: money, money_over and money_under (a bound: "over £50", "under £10"), date, date_range,
      card_last4, card_kind (debit or credit; "both my cards" is all), account_kind (savings or current),
      count (how many items: "my last 3 payments"), direction (out or in: "what did I spend"), order (largest or
      smallest first: "my biggest payments"), account_id,
      merchant, email, phone, postcode, address (the parser reads numbered street addresses; the model may
      fill others), or text, which only the model fills.
    pick: what to do when the message holds several different values. "only" (default) fills nothing and
      reports them in `Extraction.ambiguous` so the assistant asks; "first"/"last" take them in reading
      order; "largest"/"smallest" compare amounts or dates. A list/tuple field takes them all.
    model: whether the model may fill this field when the parser finds nothing.
    prefer: for dates that omit the year or month ("14 March", "the 3rd"): "nearest" to today, "past"
      (a payment already made) or "future" (a moving date).
    """

    kind: str
    pick: Pick = "only"
    model: bool = True
    prefer: Literal["nearest", "past", "future"] = "nearest"


def friendly(exc: Exception) -> str:
    """The first validation message, without pydantic's "Value error, " prefix."""
    from pydantic import ValidationError

    if isinstance(exc, ValidationError) and exc.errors():
        msg = str(exc.errors()[0].get("msg", ""))
        return msg.removeprefix("Value error, ").removeprefix("Assertion failed, ")
    return str(exc)
