"""The demo bank's customers, accounts, cards and transactions. Contact details are fictional: e-mail at
example.com, phone numbers from the range Ofcom reserves for drama."""

from __future__ import annotations

import random
from datetime import date, timedelta

CUSTOMERS = [
    # id, name, email, phone, address, postcode
    ("C001", "Alice Moreno", "alice.moreno@example.com", "07700 900101", "14 Larch Road, Manchester", "M14 5QD"),
    ("C002", "Ben Okafor", "ben.okafor@example.com", "07700 900202", "3 Quay Street, Bristol", "BS1 4DJ"),
    ("C003", "Chloe Singh", "chloe.singh@example.com", "07700 900303", "88 Mill Lane, Leeds", "LS6 2AB"),
    ("C004", "Daniel Evans", "daniel.evans@example.com", "07700 900404", "88 Mill Lane, Leeds", "LS6 2AB"),
    ("C005", "Emma Li", "emma.li@example.com", "07700 900505", "Flat 2, 5 Castle Street, Reading", "RG1 7SB"),
    ("C006", "Farid Haddad", "farid.haddad@example.com", "07700 900606", "21 Harbour View, Whitby", "YO21 3PU"),
]

ACCOUNTS = [
    # id, holders, name, kind, sort code, number, balance (pence)
    ("ACC-104233", ("C001",), "Everyday Account", "current", "20-45-77", "41043321", 184_250),
    ("ACC-104871", ("C001",), "Easy Saver", "savings", "20-45-77", "41048712", 1_250_000),
    ("ACC-200311", ("C002",), "Everyday Account", "current", "20-45-77", "42003118", 52_310),
    ("ACC-300742", ("C003", "C004"), "Joint Everyday Account", "current", "20-45-78", "43007425", 311_890),
    ("ACC-300915", ("C003",), "Easy Saver", "savings", "20-45-78", "43009151", 480_000),
    ("ACC-500128", ("C005",), "Everyday Account", "current", "20-45-79", "45001284", 9_875),
    ("ACC-600044", ("C006",), "Everyday Account", "current", "20-45-79", "46000447", 265_400),
    ("ACC-600981", ("C006",), "Premier Account", "current", "20-45-79", "46009813", 1_904_560),
]

CARDS = [
    # id, holder, account, last four, kind
    ("CARD-0001", "C001", "ACC-104233", "8120", "debit"),
    ("CARD-0002", "C001", "ACC-104233", "4417", "credit"),
    ("CARD-0003", "C002", "ACC-200311", "5531", "debit"),
    ("CARD-0004", "C003", "ACC-300742", "2208", "debit"),
    ("CARD-0005", "C004", "ACC-300742", "7764", "debit"),
    ("CARD-0006", "C005", "ACC-500128", "3390", "debit"),
    ("CARD-0007", "C006", "ACC-600044", "9042", "debit"),
    ("CARD-0008", "C006", "ACC-600981", "8120", "debit"),  # same last four as Alice's: lookups must stay per customer
]

MERCHANTS = [("Tesco", 800, 9500), ("Pret A Manger", 350, 1400), ("TfL Travel", 280, 1200),
             ("Amazon", 699, 8999), ("Netflix", 1099, 1099), ("Shell", 3500, 8000), ("Boots", 250, 3200),
             ("Deliveroo", 1450, 4200), ("Sainsbury's", 900, 7800), ("Trainline", 1200, 9800)]
ODD_PAYMENTS = {"C001": ("WWW.XBPAY", 2350), "C002": ("SP DIGITAL", 1899), "C005": ("Foxtons", 120_000)}
SEED_DAY = date(2026, 11, 20)


def transactions() -> list[tuple[str, str, str | None, str, str, int]]:
    """(id, account, card id or None, posted date, merchant, amount in pence; negative is money out)."""
    rng = random.Random(7)
    odd_left = dict(ODD_PAYMENTS)
    rows: list[tuple[str, str, str | None, str, str, int]] = []
    n = 0
    for acc, holders, _name, kind, *_ in ACCOUNTS:
        cards = [c for c in CARDS if c[2] == acc]
        count = 14 if kind == "current" else 3
        for k in range(count):
            n += 1
            day = SEED_DAY - timedelta(days=2 * k + rng.randint(0, 1))
            if kind == "savings":
                rows.append((f"TX-{n:05d}", acc, None, day.isoformat(), "Transfer in", 10_000 * (k + 1)))
                continue
            if k == 5:
                rows.append((f"TX-{n:05d}", acc, None, day.isoformat(), "Salary", 245_000))
                continue
            merchant, lo, hi = MERCHANTS[rng.randrange(len(MERCHANTS))]
            card = cards[k % len(cards)][0] if cards else None
            rows.append((f"TX-{n:05d}", acc, card, day.isoformat(), merchant, -rng.randint(lo, hi)))
        odd = odd_left.pop(holders[0], None) if kind == "current" else None
        if odd:
            n += 1
            rows.append((f"TX-{n:05d}", acc, cards[0][0] if cards else None,
                         (SEED_DAY - timedelta(days=3)).isoformat(), odd[0], -odd[1]))
    return rows
