"""Schema-driven field extraction: deterministic parsers first, a small model only for what they cannot
parse, validators always. See `Extractor` and the field types in `types`."""

from rightfit.extract.dates import resolve_dates, scan_dates
from rightfit.extract.extractor import Extraction, Extractor, redact
from rightfit.extract.identifiers import (
    ALL_CARDS,
    FULL_CARD,
    every_card,
    parse_account_id,
    parse_card_last4,
    parse_email,
    parse_phone,
    parse_postcode,
    scan_account_id,
    scan_card_last4,
    scan_email,
    scan_phone,
    scan_postcode,
)
from rightfit.extract.kinds import KINDS
from rightfit.extract.merchant import parse_merchant, scan_merchant
from rightfit.extract.money import parse_money, scan_money
from rightfit.extract.types import AccountId, Candidate, DateMatch, DateSpan, Money, Rejected, Scan, Slot

__all__ = [
    "ALL_CARDS", "FULL_CARD", "KINDS", "AccountId", "Candidate", "DateMatch", "DateSpan", "Extraction", "Extractor",
    "Money", "Rejected", "Scan", "Slot", "every_card", "parse_account_id", "parse_card_last4", "parse_email",
    "parse_merchant", "parse_money", "parse_phone", "parse_postcode", "redact", "resolve_dates", "scan_account_id",
    "scan_card_last4", "scan_dates", "scan_email", "scan_merchant", "scan_money", "scan_phone",
    "scan_postcode",
]
