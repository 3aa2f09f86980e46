"""Card last four digits, account ids, e-mail addresses, phone numbers and UK postcodes.

Card digits are only taken after a cue ("ending 8120", "last four 8120", "****8120", "card 8120") and never
out of a longer digit run, so amounts, years and phone numbers cannot become a card. A full card number
(13-19 digits, Luhn-valid, grouped like a card) yields its last four with the flag "full_card_number": the
caller should redact that span before storing or logging the message.
"""

from __future__ import annotations

import re

from pydantic import ValidationError

from rightfit.core.checksums import luhn_ok
from rightfit.extract.text import NUMBER_WORDS, Normalized, normalize, words_to_int
from rightfit.extract.types import AccountId, Candidate, Rejected, Scan, friendly

FULL_CARD = "full_card_number"

_CARD_CUE = re.compile(
    r"(?:\bending(?:\s+(?:in|with))?|\bends?\s+(?:in|with)"
    # A bare "ends" only before four digits that are not a year: "ends 5531", not "the offer ends 2026".
    r"|\bends(?=\s+(?!19\d\d|20\d\d)\d{4}(?!\d))"
    r"|\blast\s+(?:four|4)(?:\s+digits)?(?:\s+of\s+(?:my|the)\s+card)?(?:\s+(?:are|is|of))?"
    r"|\blast\s+digits(?:\s+(?:are|is))?|\bcards?(?:\s+(?:no\.?|number|num))?"
    # A card action's object: "unfreeze 8120", "block 4417 please".
    r"|\b(?:un)?(?:freeze|block|lock|cancel)\s+(?:(?:my|the)\s+)?(?=\d{4}\b))[\s:#,-]*(?P<d>\d+)(?![\d])"
    r"(?![.,]\d|[ -]\d)")
# More digits joined to a card just read: "cards 8120 and 4417", "ending 1111 & 2222", "8120, 4417".
_CARD_MORE = re.compile(r"\s*(?:,\s*|\s(?:and|&|or)\s+|&\s*)(?:(?:the\s+)?(?:one\s+)?(?:ending\s+(?:in\s+)?)?)"
                        r"(?P<d>\d{4})(?![\d.,]\d|\d)")
# Mask groups need a separator between them: "(?:x{2,}\s*)+" would backtrack exponentially on a long run of x.
_MASKED = re.compile(r"(?<![*x•·#a-z0-9])[*x•·#]{2,24}(?:[\s-]{1,3}[*x•·#]{2,24}){0,5}[\s-]{0,3}(?P<d>\d{4})(?!\d)")
# "the 8120 card", "my 4417 credit card", "no, the 4417 one": four digits written as the card's name.
# Not "the 2024 card fees": there the number qualifies a compound noun.
_CARD_NAMED = re.compile(r"\b(?:the|my|that|this|your)\s+(?P<d>\d{4})\s+(?:(?:(?:debit|credit)\s+)?card\b"
                         r"(?!\s+(?:fees?|limits?|charges?|payments?|spending|statements?|rates?|rules|terms|scheme|"
                         r"offers?|transactions?|bills?|interest|balance)\b)|one\b)")
_NOT_A_CARD = re.compile(r"\b(?:phone|mobile|number|landline|account|acc|sort\s+code|postcode|pin|ref(?:erence)?)\b")
_LONG_RUN = re.compile(r"(?<![\w+])\d(?:[ -]?\d){12,18}(?![\d])")
_CARD_GROUPS = {(4, 4, 4, 4), (4, 6, 5), (4, 6, 4), (4, 4, 4, 4, 3), (4, 4, 4, 4, 2), (4, 4, 4, 4, 1), (4, 4, 4, 1),
                (4, 4, 4, 2), (4, 4, 4, 3)}
_CARD_DIGITS = "give the last four digits of the card, like 'ending 8120'"


def _is_card_number(raw: str) -> bool:
    digits = re.sub(r"\D", "", raw)
    if not 13 <= len(digits) <= 19 or not luhn_ok(digits):
        return False
    groups = tuple(len(g) for g in re.split(r"[ -]", raw) if g)
    return len(groups) == 1 or groups in _CARD_GROUPS


def _cand(norm: Normalized, s: int, e: int, value: object, flags: frozenset[str] = frozenset()) -> Candidate:
    a, b = norm.span(s, e)
    return Candidate(value, a, b, norm.original[a:b], flags)


def _rej(norm: Normalized, s: int, e: int, reason: str) -> Rejected:
    a, b = norm.span(s, e)
    return Rejected(a, b, norm.original[a:b], reason)


def scan_card_last4(text: str) -> Scan[str]:
    norm = normalize(text)
    t = norm.text.lower()
    found: list[tuple[int, Candidate[str] | Rejected]] = []
    taken: list[tuple[int, int]] = []
    for m in _LONG_RUN.finditer(t):
        if _is_card_number(m.group()):
            digits = re.sub(r"\D", "", m.group())
            found.append((m.start(), _cand(norm, m.start(), m.end(), digits[-4:], frozenset({FULL_CARD}))))
            taken.append((m.start(), m.end()))
    for rx in (_MASKED, _CARD_CUE, _CARD_NAMED):
        for m in rx.finditer(t):
            s, e = m.start("d"), m.end("d")
            if any(a < e and s < b for a, b in taken):
                continue
            before = t[max(0, m.start() - 30):m.start()]
            if rx is _CARD_CUE and _NOT_A_CARD.search(before) and "card" not in before[-12:] \
                    and "card" not in m.group():
                continue  # "my mobile ends in 0123", "account number ending 4233"
            if m.start() > 0 and t[m.start() - 1] in "£$€¥":
                continue
            taken.append((m.start(), e))
            if len(m.group("d")) != 4:
                if rx is _CARD_CUE and m.group().startswith("card") and len(m.group("d")) < 4:
                    continue  # "card 2 days ago" is not an attempt at card digits
                found.append((s, _rej(norm, s, e, _CARD_DIGITS)))
                continue
            found.append((s, _cand(norm, s, e, m.group("d"))))
            end = e
            while (more := _CARD_MORE.match(t, end)) is not None:
                a, end = more.start("d"), more.end("d")
                if t[a - 1] in "£$€¥" or any(x < end and a < y for x, y in taken):
                    break
                taken.append((a, end))
                found.append((a, _cand(norm, a, end, more.group("d"))))
    found.sort(key=lambda x: x[0])
    return Scan(tuple(c for _, c in found if isinstance(c, Candidate)),
                tuple(c for _, c in found if isinstance(c, Rejected)))


_ACC = re.compile(r"(?<![a-z0-9])acc(?:ount)?(?:\s+id)?\s?[-\s:#]?\s?(?P<d>\d{4,8})(?![\d])")
_SORT = re.compile(r"(?<![\d-])(?P<a>\d{2})-(?P<b>\d{2})-(?P<c>\d{2})(?![\d-])"
                   r"|sort\s*code(?:\s+is)?[\s:]*(?P<a2>\d{2})\s?(?P<b2>\d{2})\s?(?P<c2>\d{2})(?!\d)")
_UK_CUE = re.compile(r"\b(?:account(?:\s+(?:number|no\.?|num))?|acc(?:ount)?\s+no\.?|a/c(?:\s+no\.?)?)\b")
_UK_NUMBER = re.compile(r"(?<![\w-])(?P<d>\d{6,9})(?![\d-])")


# Not a direct debit, nor credit that is no card ("my credit score", "credit reference agencies").
_CARD_KIND = re.compile(r"(?<!direct )(?<!direct-)\b(?P<k>debit|credit)(?:\s+card|\s+one|\b)(?!\s+(?:score|rating|"
                        r"report|file|history|union|check|reference|agenc))")
# Every card at once: "both my cards", "both" (answering "which card?"), "all of my cards", "my debit and credit
# cards". The kind "all", for the app to expand into each of the customer's cards.
ALL_CARDS = "all"
_EVERY_CARD = re.compile(r"(?<!\bwe )(?<!\bthey )\bboth\b(?!\s+(?:accounts?|of (?:my|the|our) accounts?|of us|of you|"
                         r"me|us|my (?:wife|husband|partner|son|daughter|mum|dad)|use)\b)|"
                         r"\ball (?:of )?(?:my|the|our) cards\b|\bevery card\b|"
                         r"\b(?:debit|credit) (?:card )?(?:and|&) (?:my |the )?(?:debit|credit)(?: cards?\b)?")


_NOT_BEFORE = re.compile(r"\b(?:not|n't|instead of|rather than)\s+(?:the\s+|my\s+|on\s+(?:the|my)\s+)?$")


def every_card(text: str) -> bool:
    """Whether the message asks about every card at once ("both my cards", "my debit and credit cards")."""
    return _EVERY_CARD.search(normalize(text).text.lower()) is not None


def scan_card_kind(text: str) -> Scan[str]:
    """"the credit one", "my debit card": which of the customer's cards, by kind; "both my cards": all of them."""
    norm = normalize(text)
    t = norm.text.lower()
    if (every := _EVERY_CARD.search(t)) is not None:
        return Scan((_cand(norm, every.start(), every.end(), ALL_CARDS),), ())
    found = list(_CARD_KIND.finditer(t))
    # "the credit one, not the debit": the kind taken back is not a second candidate; "not the debit one" alone
    # is the other kind, there being two.
    kept = [m for m in found if not _NOT_BEFORE.search(t[: m.start("k")])]
    if found and not kept:
        other = {"debit": "credit", "credit": "debit"}
        taken_back = {m.group("k") for m in found}
        if len(taken_back) == 1:
            m = found[0]
            return Scan((_cand(norm, m.start("k"), m.end("k"), other[m.group("k")]),), ())
    return Scan(tuple(_cand(norm, m.start("k"), m.end("k"), m.group("k")) for m in kept or found), ())


_ACCOUNT_KIND = re.compile(r"\b(?:(?P<savings>savings?|saver|isa)|(?P<current>current|everyday|main|checking)"
                           r"(?=\s+(?:account|a/c|acc)\b))")


def scan_account_kind(text: str) -> Scan[str]:
    """"my savings", "the current account": which of the customer's accounts, by kind (savings or current)."""
    norm = normalize(text)
    t = norm.text.lower()
    return Scan(tuple(_cand(norm, m.start(), m.end(), "savings" if m.group("savings") else "current")
                      for m in _ACCOUNT_KIND.finditer(t)), ())


_RANKED = r"(?:biggest|largest|highest|most expensive|costliest|smallest|lowest|cheapest|tiniest)"
_ITEMS = (r"(?:transactions?|payments?|purchases?|items?|entries|charges?|spends?|debits?|outgoings?|withdrawals?|"
          r"things?)")
_COUNT = re.compile(rf"\b(?:last|latest|recent|most recent|past|previous|first|top|my|the)\s+(?P<n>\d{{1,3}}|"
                    rf"{NUMBER_WORDS})\s+(?:{_RANKED}\s+)?{_ITEMS}\b")


# "my last transaction", "the most recent payment": one, said in the singular.
_THE_LAST = re.compile(r"\b(?:very\s+)?(?P<n>last|latest|most recent|newest)\s+(?:card\s+)?(?:transaction|payment|"
                       r"purchase|charge|debit|withdrawal)\b")


def scan_count(text: str) -> Scan[int]:
    """"my last 3 payments", "the latest ten transactions", "my last payment": how many items are asked for."""
    norm = normalize(text)
    t = norm.text.lower()
    found = []
    for m in _COUNT.finditer(t):
        n = int(m.group("n")) if m.group("n").isdigit() else words_to_int(m.group("n"))
        if n:
            found.append(_cand(norm, m.start("n"), m.end("n"), n))
    found += [_cand(norm, m.start("n"), m.end("n"), 1) for m in _THE_LAST.finditer(t)]
    return Scan(tuple(found), ())


_MONEY_OUT = re.compile(r"\b(?:spen[dt]|spending|went out|gone out|money out|outgoings?|bought|purchases?|"
                        r"withdrawals?|paid (?:out|for|at)|"
                        # "show me payments over £50": payments are made, not received ("payments in" are)
                        r"payments?(?!\s+(?:in|into|received|coming|came|come|from|to me)\b))\b")
_MONEY_IN = re.compile(r"\b(?:received|came in|come in|gone in|paid in|money in|incoming|deposits?|refunds?|"
                       r"(?:get|got|gets|getting) paid|paid me|pay ?day|wages?|salary|pay ?cheque)\b")


# "my biggest payments": ranked payments are money out; ranked transactions may go either way.
_RANKED_PAYMENTS = re.compile(rf"\b{_RANKED}\s+(?:card\s+)?(?:payments?|charges?|debits?|things? i (?:bought|paid))\b")


def scan_direction(text: str) -> Scan[str]:
    """"what did I spend", "money that came in": which way the money moved, "out" or "in"; a message that
    names both ("what went in and out") names neither."""
    norm = normalize(text)
    t = norm.text.lower()
    out, into = _MONEY_OUT.search(t) or _RANKED_PAYMENTS.search(t), _MONEY_IN.search(t)
    if out is not None and into is None:
        return Scan((_cand(norm, out.start(), out.end(), "out"),), ())
    if into is not None and out is None:
        return Scan((_cand(norm, into.start(), into.end(), "in"),), ())
    return Scan((), ())


_ORDER = re.compile(r"\b(?:(?P<largest>biggest|largest|highest|most expensive|costliest)|"
                    rf"(?P<smallest>smallest|lowest|cheapest|tiniest))\s+(?:\w+\s+){{0,2}}?(?:{_ITEMS}|amounts?|ones?)\b")


def scan_order(text: str) -> Scan[str]:
    """"my biggest payments", "the smallest transactions": items ordered by amount, "largest" or "smallest"
    first (newest first is the default and is never a value)."""
    norm = normalize(text)
    t = norm.text.lower()
    return Scan(tuple(_cand(norm, m.start(), m.end(), "largest" if m.group("largest") else "smallest")
                      for m in _ORDER.finditer(t)), ())


def scan_account_id(text: str) -> Scan[AccountId]:
    norm = normalize(text)
    t = norm.text.lower()
    found: list[tuple[int, Candidate[AccountId] | Rejected]] = []
    taken: list[tuple[int, int]] = []
    for m in _ACC.finditer(t):
        if not t[m.start():m.start() + 3] == "acc" or "ount" in t[m.start():m.start("d")]:
            continue  # "account 12345678" is a UK account number, handled below
        taken.append((m.start(), m.end()))
        if len(m.group("d")) != 6:
            found.append((m.start(), _rej(norm, m.start(), m.end(),
                                          "account ids look like ACC-104233 (ACC and six digits)")))
            continue
        found.append((m.start(), _cand(norm, m.start(), m.end(), AccountId(kind="internal",
                                                                            value=f"ACC-{m.group('d')}"))))
    sorts = [(m.start(), m.end(), "-".join(x for x in m.group("a", "b", "c") if x) or
              "-".join(m.group("a2", "b2", "c2"))) for m in _SORT.finditer(t)]
    for m in _UK_NUMBER.finditer(t):
        s, e = m.start(), m.end()
        if any(a < e and s < b for a, b in taken) or any(a <= s < b for a, b, _ in sorts):
            continue
        near_sort = [x for x in sorts if abs(x[0] - e) < 30 or abs(s - x[1]) < 30]
        cue = _UK_CUE.search(t[max(0, s - 30):s])
        if not near_sort and not cue:
            continue
        if s > 0 and t[s - 1] in "£$€¥+":
            continue
        if len(m.group("d")) != 8:
            if cue:
                found.append((s, _rej(norm, s, e, "a UK account number has 8 digits")))
            continue
        sort_code = min(near_sort, key=lambda x: min(abs(x[0] - e), abs(s - x[1])))[2] if near_sort else None
        lo = min([s, *[x[0] for x in near_sort[:1]]])
        hi = max([e, *[x[1] for x in near_sort[:1]]])
        try:
            value = AccountId(kind="uk", value=m.group("d"), sort_code=sort_code)
        except ValidationError as exc:
            found.append((s, _rej(norm, s, e, friendly(exc))))
            continue
        found.append((lo, _cand(norm, lo, hi, value)))
    found.sort(key=lambda x: x[0])
    return Scan(tuple(c for _, c in found if isinstance(c, Candidate)),
                tuple(c for _, c in found if isinstance(c, Rejected)))


_EMAIL = re.compile(r"(?<![\w!#$%&'*+/=?^`{|}~.-])[a-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}@[a-z0-9](?:[a-z0-9-]*[a-z0-9])?"
                    r"(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+", re.IGNORECASE)


def scan_email(text: str) -> Scan[str]:
    norm = normalize(text)
    cands: list[Candidate[str]] = []
    rejected: list[Rejected] = []
    taken: list[tuple[int, int]] = []
    for m in _EMAIL.finditer(norm.text):
        taken.append(m.span())
        raw = m.group().rstrip(".")
        local, _, domain = raw.partition("@")
        tld = domain.rsplit(".", 1)[-1]
        e = m.start() + len(raw)
        if not local or len(local) > 64 or len(raw) > 254 or ".." in local or local.startswith(".") \
                or local.endswith(".") or not tld.isalpha() or len(tld) < 2:
            rejected.append(_rej(norm, m.start(), e, "that e-mail address looks incomplete; write it like "
                                                     "name@example.com"))
            continue
        cands.append(_cand(norm, m.start(), e, f"{local}@{domain.lower()}"))
    # An address written with an "@" that the pattern cannot take at all ("alice@@example", "alice@example") is
    # still an attempt at one: said so, rather than asked for as if nothing had been given. "@larkspur" is a handle.
    for m in _AT_WORD.finditer(norm.text):
        raw = m.group().rstrip(".,;:!?)'\"")
        if _HANDLE.fullmatch(raw) or any(a < m.end() and m.start() < b for a, b in taken):
            continue
        rejected.append(_rej(norm, m.start(), m.start() + len(raw), "that e-mail address looks incomplete; write it "
                                                                      "like name@example.com"))
    return Scan(tuple(cands), tuple(rejected))


_AT_WORD = re.compile(r"[^\s@]+@\S*")
_HANDLE = re.compile(r"@\w+")


_PHONE = re.compile(r"(?<![\w+])(?:\+|00)?\d[\d ().-]{5,20}\d(?!\d)")
_PHONE_HELP = ("that phone number doesn't look complete; UK numbers have 11 digits starting with 0, like "
               "07700 900123, or start with + and the country code")


def phone_e164(raw: str) -> str | None:
    """'+44 (0)7700 900123', '07700 900123', '+33 1 23 45 67 89' -> E.164, or None if it is not a phone number."""
    if re.search(r"[^\d +().-]", raw) or raw.count("(") != raw.count(")"):
        return None
    digits = re.sub(r"\D", "", raw)
    international = raw.startswith("+") or raw.startswith("00")
    if raw.startswith("00"):
        digits = digits[2:]
    if international and digits.startswith("44"):
        national = digits[2:]
        national = national[1:] if national.startswith("0") else national
    elif not international and digits.startswith("0") and not digits.startswith("00"):
        national = digits[1:]
    elif international:
        return f"+{digits}" if 8 <= len(digits) <= 15 and digits[0] != "0" else None
    else:
        return None
    if len(national) not in (9, 10) or national[0] not in "123578":
        return None
    if national[0] == "7" and len(national) != 10:
        return None  # UK mobiles are 07 + 9 digits
    return f"+44{national}"


def scan_phone(text: str) -> Scan[str]:
    norm = normalize(text)
    cands: list[Candidate[str]] = []
    rejected: list[Rejected] = []
    for m in _PHONE.finditer(norm.text):
        raw = m.group()
        if "/" in raw or re.fullmatch(r"\d{1,2}[.-]\d{1,2}[.-]\d{2,4}", raw):
            continue  # a date
        if m.start() > 0 and norm.text[m.start() - 1] in "£$€¥":
            continue
        digits = re.sub(r"\D", "", raw)
        if len(digits) >= 13 and not raw.startswith(("+", "00")) and _is_card_number(raw):
            continue  # a card number, never a phone
        value = phone_e164(raw)
        if value is not None:
            cands.append(_cand(norm, m.start(), m.end(), value))
        elif raw.startswith(("0", "+")) and 7 <= len(digits) <= 14 and not re.fullmatch(r"\d{2}-\d{2}-\d{2}", raw):
            rejected.append(_rej(norm, m.start(), m.end(), _PHONE_HELP))
    return Scan(tuple(cands), tuple(rejected))


_POSTCODE = re.compile(r"(?<![a-z0-9])(?P<out>[a-pr-uwyz][a-hk-y]?\d[a-z\d]?)\s?(?P<in>\d[abd-hjlnp-uw-z]{2})"
                       r"(?![a-z0-9])", re.IGNORECASE)
_OUTWARD = re.compile(r"[A-Z]\d|[A-Z]\d\d|[A-Z]\d[A-Z]|[A-Z]{2}\d|[A-Z]{2}\d\d|[A-Z]{2}\d[A-Z]")
_POSTCODE_CUE = re.compile(r"\bpost\s?code(?:\s+is|\s+to|\s+now)?(?:\s+(?:is|it's|its))?[\s:]*(?P<v>[a-z0-9]{2,4}"
                           r"(?:\s?[a-z0-9]{1,4})?)", re.IGNORECASE)


def scan_postcode(text: str) -> Scan[str]:
    norm = normalize(text)
    cands: list[Candidate[str]] = []
    for m in _POSTCODE.finditer(norm.text):
        out, inward = m.group("out").upper(), m.group("in").upper()
        if not _OUTWARD.fullmatch(out):
            continue
        cands.append(_cand(norm, m.start(), m.end(), f"{out} {inward}"))
    rejected: list[Rejected] = []
    if not cands:
        for m in _POSTCODE_CUE.finditer(norm.text):
            if any(ch.isdigit() for ch in m.group("v")):
                rejected.append(_rej(norm, m.start("v"), m.end("v"),
                                     "that postcode doesn't look right; UK postcodes look like M14 5QD"))
    return Scan(tuple(cands), tuple(rejected))


def parse_card_last4(text: str) -> list[Candidate[str]]:
    return list(scan_card_last4(text).candidates)


def parse_account_id(text: str) -> list[Candidate[AccountId]]:
    return list(scan_account_id(text).candidates)


def parse_email(text: str) -> list[Candidate[str]]:
    return list(scan_email(text).candidates)


def parse_phone(text: str) -> list[Candidate[str]]:
    return list(scan_phone(text).candidates)


def parse_postcode(text: str) -> list[Candidate[str]]:
    return list(scan_postcode(text).candidates)
