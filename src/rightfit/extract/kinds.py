"""The slot kinds: which parser fills a kind, and how a value the model copied out is checked.

A model value is never trusted as written: it must occur in the message, then it goes through the same
parser and validators as the message itself ("last Friday" is resolved by the date parser, "£23.50" by
the money parser). The address parser reads numbered street addresses only; a named house is left to the
model. The text kind has no parser and is only filled by the model.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from rightfit.extract.address import STREET, scan_address
from rightfit.extract.dates import Prefer, scan_dates
from rightfit.extract.identifiers import (
    phone_e164,
    scan_account_id,
    scan_account_kind,
    scan_card_kind,
    scan_card_last4,
    scan_count,
    scan_direction,
    scan_email,
    scan_order,
    scan_phone,
    scan_postcode,
)
from rightfit.extract.merchant import clean_merchant, scan_merchant
from rightfit.extract.money import scan_money, scan_money_bound
from rightfit.extract.text import normalize
from rightfit.extract.types import Candidate, DateSpan, Money, Rejected, Scan

_WS = re.compile(r"\s+")
_EDGE = re.compile(r"^[\s\"'`.,;:!?()-]+|[\s\"'`.,;:!?()-]+$")


_FROM_A_DAY = re.compile(r"from\b", re.IGNORECASE)


def _single_days(scan: Scan[DateSpan]) -> Scan[Any]:
    """The `date` kind wants one day: a period ("last week") is rejected with a question the customer can answer.
    "From" a day, which a list of payments reads as running to today, is that day here: "the tesco one from 1st
    november" is the payment dated then."""
    days: list[Candidate[Any]] = []
    rejected = list(scan.rejected)
    for c in scan.candidates:
        if c.value.is_range and _FROM_A_DAY.match(c.text):
            days.append(Candidate(c.value.start, c.start, c.end, c.text, c.flags))
        elif c.value.is_range:
            why = f"{c.text!r} is a period; which day was it (for example 'last Friday' or 3 March)?"
            rejected.append(Rejected(c.start, c.end, c.text, why))
        else:
            days.append(Candidate(c.value.start, c.start, c.end, c.text, c.flags))
    return Scan(tuple(days), tuple(rejected))


def _first(scan: Scan[Any]) -> Any:
    if scan.candidates:
        return scan.candidates[0].value
    if scan.rejected:
        raise ValueError(scan.rejected[0].reason)
    return None


def _card_from_model(raw: str, message: str, now: datetime, _prefer: Prefer) -> Any:
    """Four digits the model says are a card's, written on their own in the message (not in a longer number,
    an amount, a date or a phone number)."""
    digits = raw.strip()
    if not re.fullmatch(r"\d{4}", digits):
        return _first(scan_card_last4(raw))
    text = normalize(message).text
    if not re.search(rf"(?<![\d£$€¥.,/:+-]){digits}(?![\d]|[.,/:-]\d)", text):
        return None
    others: list[Candidate[Any]] = [*scan_money(message).candidates, *scan_phone(message).candidates,
                                    *scan_dates(message, now).candidates]
    for c in others:
        if digits in re.sub(r"\D", "", c.text):
            return None
    return digits


def _text(raw: str) -> str | None:
    value = _EDGE.sub("", _WS.sub(" ", raw)).strip()
    return value if 2 <= len(value) <= 200 else None


def _address(raw: str) -> str | None:
    """An address line has a house number or a street word ("14 Willow Lane", "Rose Cottage"); a date, an
    amount or a lone postcode the model copied is not an address."""
    value = _text(raw)
    if value is None or not (STREET.search(value) or re.search(r"\d", value)):
        return None
    if not re.search(r"[A-Za-z]{3,}", value) or scan_postcode(value).candidates and len(value) <= 8:
        return None
    if scan_money(value).candidates or re.fullmatch(r"[\d\s/.-]+", value):
        return None
    leftover = value
    for c in scan_dates(value, datetime(2000, 1, 1, tzinfo=UTC)).candidates:
        leftover = leftover.replace(c.text, "")
    has_place = STREET.search(leftover) or re.search(r"\d", leftover)
    return value if has_place and re.search(r"[A-Za-z]{3,}", leftover) else None


@dataclass(frozen=True, slots=True)
class Kind:
    name: str
    description: str
    scan: Callable[[str, datetime, Prefer], Scan[Any]] | None
    from_model: Callable[[str, str, datetime, Prefer], Any]  # (model string, message, now, prefer) -> value or None
    order: Callable[[Any], Any] | None = None  # for pick="largest"/"smallest"


def _money_order(v: Money) -> Any:
    return (v.currency, v.amount)


def _date_order(v: Any) -> Any:
    return v.start if isinstance(v, DateSpan) else v


def _scan_money(text: str, _now: datetime, _prefer: Prefer) -> Scan[Any]:
    return scan_money(text)


def _scan_money_over(text: str, _now: datetime, _prefer: Prefer) -> Scan[Any]:
    return scan_money_bound(text, "over")


def _scan_money_under(text: str, _now: datetime, _prefer: Prefer) -> Scan[Any]:
    return scan_money_bound(text, "under")


def _scan_days(text: str, now: datetime, prefer: Prefer) -> Scan[Any]:
    return _single_days(scan_dates(text, now, prefer))


def _scan_spans(text: str, now: datetime, prefer: Prefer) -> Scan[Any]:
    return scan_dates(text, now, prefer)


def _scan_card(text: str, _now: datetime, _prefer: Prefer) -> Scan[Any]:
    return scan_card_last4(text)


def _scan_card_kind(text: str, _now: datetime, _prefer: Prefer) -> Scan[Any]:
    return scan_card_kind(text)


def _scan_account_kind(text: str, _now: datetime, _prefer: Prefer) -> Scan[Any]:
    return scan_account_kind(text)


def _scan_direction(text: str, _now: datetime, _prefer: Prefer) -> Scan[Any]:
    return scan_direction(text)


def _scan_count(text: str, _now: datetime, _prefer: Prefer) -> Scan[Any]:
    return scan_count(text)


def _scan_order(text: str, _now: datetime, _prefer: Prefer) -> Scan[Any]:
    return scan_order(text)


def _scan_address(text: str, _now: datetime, _prefer: Prefer) -> Scan[Any]:
    return scan_address(text)


def _scan_account(text: str, _now: datetime, _prefer: Prefer) -> Scan[Any]:
    return scan_account_id(text)


def _scan_merchant(text: str, _now: datetime, _prefer: Prefer) -> Scan[Any]:
    return scan_merchant(text)


def _scan_email(text: str, _now: datetime, _prefer: Prefer) -> Scan[Any]:
    return scan_email(text)


def _scan_phone(text: str, _now: datetime, _prefer: Prefer) -> Scan[Any]:
    return scan_phone(text)


def _scan_postcode(text: str, _now: datetime, _prefer: Prefer) -> Scan[Any]:
    return scan_postcode(text)


def _reparse(scan: Callable[[str, datetime, Prefer], Scan[Any]]) -> Callable[[str, str, datetime, Prefer], Any]:
    """The model's string goes through the same parser as the message."""
    def check(raw: str, _message: str, now: datetime, prefer: Prefer) -> Any:
        return _first(scan(raw, now, prefer))
    return check


def _account_from_model(raw: str, _message: str, _now: datetime, _prefer: Prefer) -> Any:
    # A bare 8-digit number from the model is read as if the customer had said "account 12345678".
    return _first(scan_account_id(f"account {raw}" if raw.strip().isdigit() else raw))


def _merchant_from_model(raw: str, _message: str, _now: datetime, _prefer: Prefer) -> Any:
    return clean_merchant(raw)


def _phone_from_model(raw: str, _message: str, _now: datetime, _prefer: Prefer) -> Any:
    return phone_e164(raw.strip())


def _text_from_model(raw: str, _message: str, _now: datetime, _prefer: Prefer) -> Any:
    return _text(raw)


def _address_from_model(raw: str, _message: str, _now: datetime, _prefer: Prefer) -> Any:
    return _address(raw)


KINDS: dict[str, Kind] = {k.name: k for k in (
    Kind("money", "an amount of money with its currency, as written (e.g. £23.50)", _scan_money,
         _reparse(_scan_money), _money_order),
    Kind("money_over", "an amount the items must be above (over £50, at least £100)", _scan_money_over,
         _reparse(_scan_money_over), _money_order),
    Kind("money_under", "an amount the items must be below (under £10, less than £5)", _scan_money_under,
         _reparse(_scan_money_under), _money_order),
    Kind("date", "a day, as written (e.g. 3 March, yesterday, last Friday)", _scan_days, _reparse(_scan_days),
         _date_order),
    Kind("date_range", "a day or a period, as written (e.g. last week, since the 1st)", _scan_spans,
         _reparse(_scan_spans), _date_order),
    Kind("card_last4", "the last four digits of a card", _scan_card, _card_from_model),
    Kind("account_id", "an account id (ACC-123456) or account number", _scan_account, _account_from_model),
    Kind("merchant", "the shop, company or payee name, as written", _scan_merchant, _merchant_from_model),
    Kind("email", "an e-mail address", _scan_email, _reparse(_scan_email)),
    Kind("phone", "a phone number", _scan_phone, _phone_from_model),
    Kind("postcode", "a UK postcode", _scan_postcode, _reparse(_scan_postcode)),
    Kind("card_kind", "which kind of card: debit or credit", _scan_card_kind, _reparse(_scan_card_kind)),
    Kind("account_kind", "which kind of account: savings or current", _scan_account_kind,
         _reparse(_scan_account_kind)),
    Kind("count", "how many items are asked for (my last 3 payments)", _scan_count, _reparse(_scan_count)),
    Kind("direction", "which way the money moved: out (spent) or in (received)", _scan_direction,
         _reparse(_scan_direction)),
    Kind("order", "items ordered by amount: largest or smallest first (my biggest payments)", _scan_order,
         _reparse(_scan_order)),
    Kind("address", "a postal address (house number, street, town), as written", _scan_address,
         _address_from_model),
    Kind("text", "the words from the message", None, _text_from_model),
)}
