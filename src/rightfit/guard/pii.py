"""PII detection and redaction: card numbers (Luhn), IBANs (mod 97), UK account numbers and sort codes,
e-mail addresses, phone numbers, National Insurance numbers, US SSNs, and secrets: a value said to be a PIN,
a card security code, a password or a one-time code, and bearer tokens in the format this service issues.

Checksums keep ordinary numbers (amounts, reference numbers, dates) from being redacted as cards or IBANs.
Redaction leaves a typed placeholder ("[card ****1234]", "[email]") so a log line still says what was there.
`keep` lets the output guard leave the authenticated customer's own values in a reply.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from rightfit.core.checksums import luhn_ok

KINDS = ("card", "iban", "email", "phone", "ni_number", "ssn", "sort_code", "account_number", "secret")


@dataclass(frozen=True, slots=True)
class PIIMatch:
    kind: str
    start: int
    end: int
    value: str

    @property
    def digits(self) -> str:
        return re.sub(r"[^0-9A-Za-z]", "", self.value).upper()


def luhn_valid(digits: str) -> bool:
    return digits.isdigit() and 12 <= len(digits) <= 19 and luhn_ok(digits)


_IBAN_LENGTHS = {"GB": 22, "DE": 22, "FR": 27, "ES": 24, "IT": 27, "NL": 18, "IE": 22, "BE": 16, "PT": 25, "PL": 28,
                 "CH": 21, "AT": 20, "SE": 24, "DK": 18, "NO": 15, "FI": 18, "LU": 20, "GR": 27, "CZ": 24}


def iban_valid(iban: str) -> bool:
    iban = re.sub(r"\s", "", iban).upper()
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{11,30}", iban):
        return False
    expected = _IBAN_LENGTHS.get(iban[:2])
    if expected is not None and len(iban) != expected:
        return False
    rearranged = iban[4:] + iban[:4]
    return int("".join(str(int(ch, 36)) for ch in rearranged)) % 97 == 1


def _iban_end(text: str, start: int, limit: int) -> int | None:
    """End of the valid IBAN starting at `start`, if any: the regex also swallows words after a spaced IBAN
    ("GB82 WEST 1234 5698 7654 32 or"), so try the country's length, else every length, longest first."""
    ends = [i + 1 for i in range(start, limit) if text[i].isalnum()]
    country = text[start : start + 2].upper()
    lengths = [_IBAN_LENGTHS[country]] if country in _IBAN_LENGTHS else list(range(min(34, len(ends)), 14, -1))
    for n in lengths:
        if n <= len(ends):
            end = ends[n - 1]
            if (end == len(text) or not text[end].isalnum()) and iban_valid(text[start:end]):
                return end
    return None


# Digits may be grouped by single spaces or dashes ("4111 1111 1111 1111", "4111-1111-1111-1111").
_CARD = re.compile(r"(?<![\w.+-])\d(?:[ -]?\d){11,18}(?![\w-]|\.\d)")  # "+44...": a phone, not a card
_IBAN = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{2}\d{2}(?: ?[A-Za-z0-9]){11,30}(?![A-Za-z0-9])")
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]{1,64}@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,24}\b")
# UK numbers (07..., 01..., 02..., 03..., 08...) and international (+44, +49 ...), spaces/dashes/brackets allowed.
_PHONE = re.compile(r"(?<![\w+])(?:\+\d{1,3}[\s-]?(?:\(0\)[\s-]?)?\d(?:[\s-]?\d){6,12}"
                    r"|\(?0\d{2,4}\)?[\s-]?\d{3,4}[\s-]?\d{3,4})(?![\w-]|\.\d)")
# National Insurance number: two letters (not D, F, I, Q, U, V; second not O), six digits, A-D.
_NI = re.compile(r"(?<![A-Za-z0-9])(?!BG|GB|NK|KN|TN|NT|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]"
                 r" ?\d{2} ?\d{2} ?\d{2} ?[A-D](?![A-Za-z0-9])", re.IGNORECASE)
_SSN = re.compile(r"(?<![\d-])(?!000|666|9\d\d)\d{3}-(?!00)\d{2}-(?!0000)\d{4}(?![\d-])")
_SORT_CODE = re.compile(r"(?<![\d-])\d{2}-\d{2}-\d{2}(?![\d-])")
# An 8-digit account number is only told apart from other numbers by its context.
_ACCOUNT = re.compile(r"(?<![\d£$€.,])\d{8}(?![\d.,]\d|\d)")
_ACCOUNT_CONTEXT = re.compile(r"(?:account|acct|a/c|acc|konto|compte|cuenta)(?:\s*(?:no|number|num|nr|#)\.?)?"
                              r"[\s:#.]*$|sort code[\s:]*\d{2}-?\d{2}-?\d{2}[\s,]*(?:account)?[\s:#]*(?:no\.?|number)?"
                              r"[\s:]*$", re.IGNORECASE)


# A secret is told by its label: digits after "PIN", "CVV" or "one-time code" ("my PIN is 4821", "cvv: 123"),
# any word after "password is" or "passcode:"; "PIN is blocked" and "the password reset" hold no value.
_SECRET_LABEL = (r"\b(?:(?:pin|cvv2?|cvc2?|cv2|csc|security code|(?:one[- ]time|otp|verification|sms|security) "
                 r"(?:pass)?code|otp)(?:\s+(?:number|no|code))?(?:\s+(?:is|was|to|of|being))?\s*[:=]?\s*"
                 r"(?P<digits>\d(?:[ -]?\d){2,7})(?![\d,.]\d|\d)"
                 r"|(?:pass(?:word|code|wd|phrase)|pwd)(?:\s+(?:is|was)\s*[:=]?\s*|\s*[:=]\s*)(?P<word>[^\s]{3,64}))")
_SECRET = re.compile(_SECRET_LABEL, re.IGNORECASE)
# Bearer tokens as sessions.issue_token makes them ("rf_" and 32 URL-safe characters).
_TOKEN = re.compile(r"(?<![\w-])rf_[A-Za-z0-9_-]{20,}")


def find_pii(text: str) -> list[PIIMatch]:
    """Every PII value in `text`, left to right, without overlaps (the earlier, then the longer, wins)."""
    if not isinstance(text, str) or not text:
        return []
    found: list[PIIMatch] = []
    for m in _EMAIL.finditer(text):
        found.append(PIIMatch("email", m.start(), m.end(), m.group(0)))
    for m in _IBAN.finditer(text):
        end = _iban_end(text, m.start(), m.end())
        if end is not None:
            found.append(PIIMatch("iban", m.start(), end, text[m.start() : end]))
    for m in _CARD.finditer(text):
        if luhn_valid(re.sub(r"[ -]", "", m.group(0))):
            found.append(PIIMatch("card", m.start(), m.end(), m.group(0)))
    for m in _NI.finditer(text):
        found.append(PIIMatch("ni_number", m.start(), m.end(), m.group(0)))
    for m in _SSN.finditer(text):
        found.append(PIIMatch("ssn", m.start(), m.end(), m.group(0)))
    for m in _SORT_CODE.finditer(text):
        found.append(PIIMatch("sort_code", m.start(), m.end(), m.group(0)))
    for m in _PHONE.finditer(text):
        digits = re.sub(r"\D", "", m.group(0))
        if 10 <= len(digits) <= 15:
            found.append(PIIMatch("phone", m.start(), m.end(), m.group(0).strip()))
    for m in _ACCOUNT.finditer(text):
        if _ACCOUNT_CONTEXT.search(text[max(0, m.start() - 40) : m.start()]):
            found.append(PIIMatch("account_number", m.start(), m.end(), m.group(0)))
    for m in _SECRET.finditer(text):
        group = "digits" if m.group("digits") is not None else "word"
        found.append(PIIMatch("secret", m.start(group), m.end(group), m.group(group)))
    for m in _TOKEN.finditer(text):
        found.append(PIIMatch("secret", m.start(), m.end(), m.group(0)))
    return _without_overlaps(found)


def _without_overlaps(found: list[PIIMatch]) -> list[PIIMatch]:
    # Checksummed kinds first: a Luhn-valid card beats a phone-shaped reading of the same digits.
    rank = {k: i for i, k in enumerate(KINDS)}
    chosen: list[PIIMatch] = []
    for m in sorted(found, key=lambda m: (rank[m.kind], -(m.end - m.start), m.start)):
        if all(m.end <= c.start or m.start >= c.end for c in chosen):
            chosen.append(m)
    return sorted(chosen, key=lambda m: m.start)


def placeholder(match: PIIMatch) -> str:
    if match.kind == "card":
        return f"[card ****{match.digits[-4:]}]"
    if match.kind == "iban":
        return f"[iban {match.digits[:2]}****{match.digits[-4:]}]"
    if match.kind == "account_number":
        return f"[account ****{match.digits[-4:]}]"
    return f"[{match.kind.replace('_', ' ')}]"


def redact(text: str, *, keep: Callable[[PIIMatch], bool] | None = None) -> str:
    """`text` with every PII value replaced by a placeholder, except those `keep` returns True for."""
    if not isinstance(text, str):
        return text
    out, last = [], 0
    for m in find_pii(text):
        if keep is not None and keep(m):
            continue
        out.append(text[last : m.start])
        out.append(placeholder(m))
        last = m.end
    out.append(text[last:])
    return "".join(out)


def keep_values(values: Iterable[str]) -> Callable[[PIIMatch], bool]:
    """A `keep` for redact(): values that belong to the authenticated customer (compared without spaces,
    dashes and case, so "4111 1111 ..." matches "4111-1111-...")."""
    own = {re.sub(r"[^0-9A-Za-z@.+_-]", "", v).replace("-", "").upper() for v in values if v}

    def keep(match: PIIMatch) -> bool:
        value = match.value.upper() if match.kind == "email" else match.digits
        if match.kind == "phone":
            value = re.sub(r"\D", "", match.value)
            local = "0" + value[2:] if value.startswith("44") else value
            return bool({value, local} & {re.sub(r"\D", "", v) for v in own})
        return value.replace("-", "") in own

    return keep


class RedactingFilter(logging.Filter):
    """Redacts PII from every record it sees: the formatted message, and the exception and stack text.

    Install it on handlers (install_redaction), not loggers: a logger's filters skip records that
    propagate up from child loggers.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a bad format string is logged as is, not lost
            message = str(record.msg)
        record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


def install_redaction(logger: logging.Logger | None = None) -> RedactingFilter:
    """Add one RedactingFilter to every handler of `logger` (the root logger by default); idempotent."""
    target = logger if logger is not None else logging.getLogger()
    existing = next((f for h in target.handlers for f in h.filters if isinstance(f, RedactingFilter)), None)
    filt = existing if existing is not None else RedactingFilter()
    for handler in target.handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(filt)
    return filt


AttributeValue = str | bool | int | float | Sequence[str] | Sequence[bool] | Sequence[int] | Sequence[float]


def redact_attributes(attributes: Mapping[str, AttributeValue] | None) -> dict[str, AttributeValue]:
    """A copy of span (or event) attributes with PII redacted from string values and string sequences.
    Integers are left alone: a card number stored as an int is a bug to fix where it is set."""
    out: dict[str, AttributeValue] = {}
    for key, value in (attributes or {}).items():
        if isinstance(value, str):
            out[key] = redact(value)
        elif isinstance(value, (list, tuple)) and value and all(isinstance(v, str) for v in value):
            out[key] = tuple(redact(v) for v in value)  # type: ignore[arg-type]
        else:
            out[key] = value
    return out
