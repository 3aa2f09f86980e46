"""PII: checksummed detection, redaction with placeholders, keeping the customer's own values, logs."""

from __future__ import annotations

import logging

import pytest

from rightfit.guard.pii import (
    RedactingFilter,
    find_pii,
    iban_valid,
    install_redaction,
    keep_values,
    luhn_valid,
    redact,
    redact_attributes,
)


def test_luhn_and_iban_checksums() -> None:
    assert luhn_valid("4111111111111111") and luhn_valid("5500005555555559")
    assert not luhn_valid("4111111111111112") and not luhn_valid("12345")
    assert iban_valid("GB82 WEST 1234 5698 7654 32") and iban_valid("DE89370400440532013000")
    assert not iban_valid("GB82WEST12345698765433") and not iban_valid("GB82WEST123456987654")


@pytest.mark.parametrize(("text", "kind", "placeholder"), [
    ("card 4111 1111 1111 1111 please", "card", "[card ****1111]"),
    ("card 4111-1111-1111-1111 please", "card", "[card ****1111]"),
    ("pay GB82 WEST 1234 5698 7654 32 or not", "iban", "[iban GB****5432]"),
    ("write to jo.bloggs+bank@example.co.uk today", "email", "[email]"),
    ("ring 07700 900123 now", "phone", "[phone]"),
    ("ring +44 20 7946 0100 now", "phone", "[phone]"),
    ("my new number is +447700900999", "phone", "[phone]"),  # Luhn-valid digits, but a "+" starts a phone
    ("my NI number is AB 12 34 56 C", "ni_number", "[ni number]"),
    ("SSN 123-45-6789 on file", "ssn", "[ssn]"),
    ("sort code 20-00-00 ok", "sort_code", "[sort code]"),
    ("account number 12345678 ok", "account_number", "[account ****5678]"),
    ("my PIN is 4821, what now", "secret", "[secret]"),
    ("I changed my pin to 0000 yesterday", "secret", "[secret]"),
    ("cvv: 123 and nothing else", "secret", "[secret]"),
    ("the one-time code was 482 913 ok", "secret", "[secret]"),
    ("my password is Hunter2!xyz ok", "secret", "[secret]"),
    ("passcode: abc123 ok", "secret", "[secret]"),
    ("token rf_abcdefghijklmnopqrstuvwxyz012345 ok", "secret", "[secret]"),
])
def test_each_kind_is_found_and_redacted(text: str, kind: str, placeholder: str) -> None:
    assert [m.kind for m in find_pii(text)] == [kind]
    assert placeholder in redact(text)


@pytest.mark.parametrize("text", [
    "The fee is £12,345,678 or 4111111111111112 (not Luhn-valid)",
    "reference 87654321 on 12/03/2024 at 10:30, rate 39.9%",
    "bad IBAN GB82WEST12345698765433",
    "You can withdraw up to £1,000 per day",
    "my PIN is blocked after 3 wrong tries",  # a secret's label with no value after it
    "I want to change my password to something new",
    "what does a PIN change cost at 250 ATMs?",
])
def test_ordinary_numbers_are_left_alone(text: str) -> None:
    assert redact(text) == text


def test_the_customers_own_values_can_be_kept() -> None:
    text = "Your card 4111 1111 1111 1111 and jo@example.com; the other card 5500 0055 5555 5559"
    out = redact(text, keep=keep_values(["4111-1111-1111-1111", "JO@example.com"]))
    assert "4111 1111 1111 1111" in out and "jo@example.com" in out
    assert "5500 0055 5555 5559" not in out and "[card ****5559]" in out


def _fail_with_card() -> None:
    raise ValueError("bad card 4111111111111111")


def test_logging_filter_redacts_messages_args_and_tracebacks(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("rightfit.test.pii")
    caplog.handler.addFilter(RedactingFilter())
    with caplog.at_level(logging.INFO, logger="rightfit.test.pii"):
        logger.info("customer %s paid with %s", "jo@example.com", "4111 1111 1111 1111")
        try:
            _fail_with_card()
        except ValueError:
            logger.exception("failed for %s", "AB123456C")
    assert "4111" not in caplog.text.replace("****1111", "")
    assert "jo@example.com" not in caplog.text and "AB123456C" not in caplog.text
    assert "[card ****1111]" in caplog.text and "[email]" in caplog.text


def test_install_redaction_is_idempotent() -> None:
    logger = logging.getLogger("rightfit.test.install")
    handler = logging.StreamHandler()
    logger.addHandler(handler)
    try:
        install_redaction(logger)
        install_redaction(logger)
        assert sum(isinstance(f, RedactingFilter) for f in handler.filters) == 1
    finally:
        logger.removeHandler(handler)


def test_span_attributes_are_redacted_without_touching_other_types() -> None:
    attrs = {"question": "my email is jo@example.com", "tags": ["07700 900123", "ok"], "count": 3, "ok": True}
    out = redact_attributes(attrs)
    assert out == {"question": "my email is [email]", "tags": ("[phone]", "ok"), "count": 3, "ok": True}
    assert attrs["question"] == "my email is jo@example.com"  # input not mutated
