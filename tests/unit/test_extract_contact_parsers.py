"""The parsers for a customer's contact details: e-mail addresses, phone numbers, postcodes and street
addresses."""

from __future__ import annotations

import pytest

from rightfit.extract import parse_email, parse_phone, parse_postcode, scan_email, scan_phone, scan_postcode
from rightfit.extract.address import scan_address


def test_email() -> None:
    assert [c.value for c in parse_email("update it to Sam.Jones@Example.COM.")] == ["Sam.Jones@example.com"]
    assert parse_email("bad@x and @foo") == []
    # An "@" address the pattern cannot take is an attempt all the same: rejected with a reason, never ignored.
    for attempt in ("alice@@example", "alice@example"):
        (rejected,) = scan_email(f"change my email to {attempt}").rejected
        assert rejected.text == attempt and "name@example.com" in rejected.reason
    assert scan_email("tweet @larkspur about it").rejected == ()  # a handle, not an address


@pytest.mark.parametrize(("text", "e164"), [
    ("new one is 07700 900123", "+447700900123"),
    ("+44 7700 900123", "+447700900123"),
    ("+44 (0)7700 900123", "+447700900123"),
    ("landline 0161 496 0000", "+441614960000"),
    ("call 0800 123 456", "+44800123456"),
    ("in France +33 1 23 45 67 89", "+33123456789"),
    ("０７７００ ９００１２３", "+447700900123"),
])
def test_phone_numbers(text: str, e164: str) -> None:
    assert [c.value for c in parse_phone(text)] == [e164]


def test_phone_rejections_and_non_phones() -> None:
    assert "11 digits" in scan_phone("it's 07700 90012").rejected[0].reason
    assert parse_phone("card 4111 1111 1111 1111") == []
    assert parse_phone("sort code 12-34-56 on 14.03.2025") == []


@pytest.mark.parametrize(("text", "postcode"), [
    ("it's changed to M14 5QD", "M14 5QD"),
    ("m145qd", "M14 5QD"),
    ("14 Willow Lane, Bristol BS3 4TY", "BS3 4TY"),
    ("EC1A 1BB", "EC1A 1BB"),
])
def test_postcodes(text: str, postcode: str) -> None:
    assert [c.value for c in parse_postcode(text)] == [postcode]


@pytest.mark.parametrize(("text", "address"), [
    ("I've moved, new address is 41 Temple Way, Bristol BS2 0BY", "41 Temple Way, Bristol"),
    ("flat 2, 10 high street, leeds please", "flat 2, 10 high street, leeds"),
    ("moved to 7b Mill Lane", "7b Mill Lane"),
    ("41 temple way bs2 0by", "41 temple way"),
    ("new address: 9 Broadway, Ely CB7 4DF", "9 Broadway, Ely"),
    # A street name that is itself a street word: the whole name, not "12 Park".
    ("12 Park Avenue, Bath", "12 Park Avenue, Bath"),
    ("change my address to 9 Hill Street, Derby DE1 1AA", "9 Hill Street, Derby"),
    ("9 Green Lane Derby", "9 Green Lane Derby"),
    ("moved to 3 Court Road", "3 Court Road"),
    ("I moved to 10 Downing Street on the park side", "10 Downing Street"),
])
def test_numbered_addresses_without_their_postcode(text: str, address: str) -> None:
    assert [c.value for c in scan_address(text).candidates] == [address]


@pytest.mark.parametrize("text", ["I paid 20 at the park", "it went out 3 days ago", "Rose Cottage, Mill Lane",
                                  "paid 20 to them in london SW1A 1AA"])
def test_not_numbered_addresses(text: str) -> None:
    assert scan_address(text).candidates == ()


def test_postcode_rejections() -> None:
    assert parse_postcode("QQ1 1AA") == []  # Q never starts a postcode
    assert "M14 5QD" in scan_postcode("my postcode is M14 5Q").rejected[0].reason
