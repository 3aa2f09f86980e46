"""Amounts of money: "£23.50", "23.50 GBP", "GBP 1,200", "€40", "18 quid", "twenty pounds", "a tenner", "£2.5k", "50p",
"1.299,00 €".

A currency is never assumed: a number is money only with a symbol, an ISO code or a currency word next to
it, so card digits, years and phone numbers are never amounts. A bare "23.50" is reported as rejected
("needs a currency") so the assistant can ask instead of guessing.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Literal

from pydantic import ValidationError

from rightfit.extract.text import NUMBER_WORDS, Normalized, normalize, words_to_int
from rightfit.extract.types import ISO_4217, Candidate, Money, Rejected, Scan, friendly

_NUM = r"(?P<num>(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|\.\d+)(?!\d|,\d)"
_MULT = r"(?:(?P<mult>k|m|bn)\b)?"
_SYMBOL = {"£": "GBP", "$": "USD", "€": "EUR", "¥": "JPY"}
_WORDS = {
    "pound": "GBP", "pounds": "GBP", "quid": "GBP", "sterling": "GBP", "grand": "GBP", "pence": "GBP", "p": "GBP",
    "euro": "EUR", "euros": "EUR", "dollar": "USD", "dollars": "USD", "bucks": "USD",
}
_MULTIPLIER = {"k": Decimal(1000), "m": Decimal(1_000_000), "bn": Decimal(1_000_000_000), "grand": Decimal(1000)}
_LOWER_CODES = {"gbp", "eur", "usd"}
# ISO codes that are also everyday words, which customers type in capitals ("ALL 20 PAYMENTS").
_WORD_CODES = {"ALL", "TOP", "CUP", "BOB", "SOS", "TRY", "MAD", "BAM", "PEN", "TMT", "GEL"}

_SYMBOL_FORM = re.compile(
    rf"(?P<neg>-\s?)?(?P<sym>[£$€¥])\s?(?P<neg2>-\s?)?{_NUM}{_MULT}(?:\s?(?P<tail>[A-Z]{{3}})\b)?")
_CODE_FIRST = re.compile(rf"(?<![A-Za-z])(?P<code>[A-Za-z]{{3}})\s?(?P<neg>-\s?)?{_NUM}{_MULT}")
_CODE_AFTER = re.compile(rf"(?<![\w.,])(?P<neg>-\s?)?{_NUM}{_MULT}\s?(?P<code>[A-Za-z]{{3}})\b")
_WORD_AFTER = re.compile(
    rf"(?<![\w.,])(?P<neg>-\s?)?{_NUM}{_MULT}(?:\s?(?P<word>pounds?|quid|sterling|grand|pence|euros?|dollars?|bucks)"
    rf"|(?P<pword>p))\b", re.IGNORECASE)
# "sixty eight pounds sixty three": the pence follow the pounds, said as words; taken as pence only when
# "pence" says so or nothing that could be counted follows ("twenty pounds two days ago" is no £20.02).
_SPELLED = re.compile(rf"\b(?P<words>{NUMBER_WORDS})\s+(?P<word>pounds?|quid|grand|pence|euros?|dollars?|bucks)\b"
                      rf"(?:\s+(?:and\s+)?(?P<pence>{NUMBER_WORDS})(?:\s+(?:pence|p)\b|(?=\s*(?:$|[.,;:!?)]|"
                      r"\s(?:on|at|to|from|for|that|which|payment|charge|transaction|last|yesterday)\b))))?",
                      re.IGNORECASE)
_SLANG = re.compile(r"\b(?:a\s+)?(?P<note>fiver|tenner)\b", re.IGNORECASE)
# Euro amounts written the continental way: "€15,50", "1.299,00 €", "12,99 EUR", "3,50 euros".
_EU_NUM = r"(?:\d{1,3}(?:\.\d{3})+(?:,\d{2})?|\d+,\d{2})(?![\d.,]\d|\d)"
_EURO_FORM = re.compile(rf"(?<![\w.,])(?:€\s?(?P<num>{_EU_NUM})|(?P<num2>{_EU_NUM})\s?(?:€|EUR\b|eur\b|euros?\b)"
                        r"|(?P<num3>\d+)\s?€)")
_BARE = re.compile(r"(?<![\w.,£$€¥/-])(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d{2}|k\b)(?![\d.]\d|\d)")
# A whole number is an amount only where the words say so: "the payment of 1200" (but not "card 1200").
_BARE_WHOLE = re.compile(r"\b(?:payment|charge|amount|transaction|debit|refund|bill|purchase)s?\s+of\s+"
                         r"(?P<n>\d{1,3}(?:,\d{3})+|\d+)(?![\d.,]\d|\w)", re.IGNORECASE)

_NEGATIVE = "an amount must be more than zero; write it without a minus sign, like £20"
_DECIMALS = "an amount has at most two decimal places (pence), like £23.50"
_NO_CURRENCY = "an amount needs a currency; say £ or GBP (for example £23.50)"


def _code(raw: str) -> str | None:
    if raw.isupper() and raw in ISO_4217 and raw not in _WORD_CODES:
        return raw
    if raw.lower() in _LOWER_CODES:
        return raw.upper()
    return None


def _amount(num: str, mult: str | None) -> Decimal | str:
    digits = num.replace(",", "")
    if "." in digits and len(digits.split(".", 1)[1]) > 2 and not mult:
        return _DECIMALS
    try:
        value = Decimal(digits)
    except InvalidOperation:
        return "that amount is not a number; write it like £23.50"
    if mult:
        value *= _MULTIPLIER[mult.lower()]
    return value


def _build(norm: Normalized, start: int, end: int, amount: Decimal | str, currency: str, *,
           negative: bool) -> Candidate[Money] | Rejected:
    a, b = norm.span(start, end)
    text = norm.original[a:b]
    if negative:
        return Rejected(a, b, text, _NEGATIVE)
    if isinstance(amount, str):
        return Rejected(a, b, text, amount)
    try:
        return Candidate(Money(amount=amount, currency=currency), a, b, text)
    except ValidationError as exc:
        return Rejected(a, b, text, friendly(exc))


def scan_money(text: str) -> Scan[Money]:
    norm = normalize(text)
    t = norm.text
    found: list[tuple[int, int, Candidate[Money] | Rejected]] = []

    for m in _SYMBOL_FORM.finditer(t):
        neg = bool(m.group("neg") or m.group("neg2"))
        currency = _SYMBOL[m.group("sym")]
        end = m.end()
        tail = m.group("tail")
        if tail is not None and _code(tail) is None and tail not in ISO_4217:
            end = m.start("tail") if t[m.start("tail") - 1] != " " else m.start("tail") - 1
        elif tail is not None and currency == "USD":
            currency = tail  # "$20 CAD": the dollar sign is shared, the code says which
        if m.group("neg") and m.start() > 0 and t[m.start() - 1].isalnum():
            neg = bool(m.group("neg2"))  # "refund-£20": a hyphen between words, not a minus sign
        found.append((m.start(), end, _build(norm, m.start(), end, _amount(m.group("num"), m.group("mult")),
                                             currency, negative=neg)))
    for rx in (_CODE_FIRST, _CODE_AFTER):
        for m in rx.finditer(t):
            code = _code(m.group("code"))
            if code is None:
                continue
            found.append((m.start(), m.end(), _build(norm, m.start(), m.end(),
                                                     _amount(m.group("num"), m.group("mult")), code,
                                                     negative=bool(m.group("neg")))))
    for m in _EURO_FORM.finditer(t):
        value = Decimal((m.group("num") or m.group("num2") or m.group("num3")).replace(".", "").replace(",", "."))
        found.append((m.start(), m.end(), _build(norm, m.start(), m.end(), value, "EUR", negative=False)))
    for m in _WORD_AFTER.finditer(t):
        word = (m.group("word") or m.group("pword") or "").lower()
        amount = _amount(m.group("num"), m.group("mult"))
        if word == "grand" and not isinstance(amount, str):
            amount *= 1000
        if word in ("p", "pence") and not isinstance(amount, str):
            amount /= 100
        found.append((m.start(), m.end(), _build(norm, m.start(), m.end(), amount, _WORDS[word],
                                                 negative=bool(m.group("neg")))))
    for m in _SPELLED.finditer(t):
        words = m.group("words")
        if re.search(r"\b(?:few|couple)\b", words, re.IGNORECASE):
            continue
        n = words_to_int(words)
        word = m.group("word").lower()
        start = m.start()
        if n is None:  # "between five and ten pounds": the amount is the last number before the pounds
            tail = _last_number(words)
            if tail is None:
                continue
            n, start = tail[0], m.start("words") + tail[1]
        value = Decimal(n) * (1000 if word == "grand" else 1) / (100 if word == "pence" else 1)
        pence = words_to_int(m.group("pence")) if m.group("pence") and word.startswith(("pound", "quid")) else None
        if pence is not None and 0 < pence < 100:
            value += Decimal(pence) / 100
        elif m.group("pence"):  # "two pounds and three" of something else: the match ends at the pounds
            found.append((start, m.end("word"), _build(norm, start, m.end("word"), value, _WORDS[word],
                                                       negative=False)))
            continue
        found.append((start, m.end(), _build(norm, start, m.end(), value, _WORDS[word], negative=False)))
    for m in _SLANG.finditer(t):  # "under a fiver": British slang for a £5 or £10 note
        value = Decimal(5 if m.group("note").lower() == "fiver" else 10)
        found.append((m.start(), m.end(), _build(norm, m.start(), m.end(), value, "GBP", negative=False)))

    kept = _non_overlapping(found)
    covered = [(s, e) for s, e, _ in kept]
    bare = [m.span() for m in _BARE.finditer(t)] + [m.span("n") for m in _BARE_WHOLE.finditer(t)]
    for start, end in sorted(set(bare)):
        if any(s < end and start < e for s, e in covered):
            continue
        covered.append((start, end))
        a, b = norm.span(start, end)
        kept.append((start, end, Rejected(a, b, norm.original[a:b], _NO_CURRENCY)))
    kept.sort(key=lambda x: x[0])
    cands = tuple(x for _, _, x in kept if isinstance(x, Candidate))
    rejected = tuple(x for _, _, x in kept if isinstance(x, Rejected))
    return Scan(cands, rejected)


def _last_number(words: str) -> tuple[int, int] | None:
    """The longest run of number words ending `words` that is one number, with its offset in `words`: "five and
    ten" -> (10, 9)."""
    starts = [m.start() for m in re.finditer(r"\S+", words)]
    for offset in starts[1:]:
        n = words_to_int(words[offset:])
        if n is not None:
            return n, offset
    return None


def _non_overlapping(
    found: list[tuple[int, int, Candidate[Money] | Rejected]],
) -> list[tuple[int, int, Candidate[Money] | Rejected]]:
    """Longest match wins where matches overlap ("£20 GBP" is one amount, not two)."""
    kept: list[tuple[int, int, Candidate[Money] | Rejected]] = []
    for item in sorted(found, key=lambda x: (-(x[1] - x[0]), x[0])):
        if all(item[1] <= s or item[0] >= e for s, e, _ in kept):
            kept.append(item)
    return kept


def parse_money(text: str) -> list[Candidate[Money]]:
    """Every amount with a currency in `text`, in reading order, with its span in `text`."""
    return list(scan_money(text).candidates)


def assume_currency(text: str, code: str) -> str:
    """`text` with the ISO `code` put before each amount written without a currency ("18.99" -> "GBP 18.99"),
    for a caller that knows the currency of what the amount is matched against; amounts with one are kept."""
    bare = sorted((r for r in scan_money(text).rejected if r.reason == _NO_CURRENCY), key=lambda r: -r.start)
    for r in bare:
        text = f"{text[: r.start]}{code} {text[r.start :]}"
    return text


def unsigned(text: str) -> str:
    """`text` with the minus sign taken off each amount written with one, for a caller matching amounts
    against a statement, which shows a payment out as "-£23.50"."""
    for r in sorted((r for r in scan_money(text).rejected if r.reason == _NEGATIVE), key=lambda r: -r.start):
        text = text[: r.start] + re.sub(r"-\s?", "", text[r.start : r.end], count=1) + text[r.end :]
    return text


# "payments over £50", "anything under £10": an amount that bounds what is asked for, by the words before it.
_OVER = re.compile(r"(?:>=?|≥|\bover|(?<!\bno )\bmore than|\babove|\bbigger than|\blarger than|\bgreater than|"
                   r"\bhigher than|\bat least|\bexceeding|\bupwards of|\bin excess of|\bminimum(?: of)?|\bbetween)\s*$",
                   re.IGNORECASE)
_UNDER = re.compile(r"(?:<=?|≤|\bunder|\bless than|\bbelow|\bsmaller than|\blower than|\bat most|\bno more than|"
                    r"\bup to|\bmaximum(?: of)?|\bbetween\s+\S+\s+(?:and|to))\s*$", re.IGNORECASE)


# ... or by the words after it: "£20 or more", "£10 or less".
_OVER_AFTER = re.compile(r"\s*(?:or (?:more|over|above|higher|bigger)|and (?:over|above|upwards)|plus\b|\+)",
                         re.IGNORECASE)
_UNDER_AFTER = re.compile(r"\s*(?:or (?:less|under|below|lower|smaller)|and (?:under|below))", re.IGNORECASE)


def scan_money_bound(text: str, bound: Literal["over", "under"]) -> Scan[Money]:
    """Amounts written as a lower ("over £50", "at least £100", "£20 or more") or an upper ("under £10", "£10 or
    less") bound."""
    before, after = (_OVER, _OVER_AFTER) if bound == "over" else (_UNDER, _UNDER_AFTER)
    amounts = scan_money(text).candidates
    found = [c for c in amounts if before.search(text[: c.start]) or after.match(text, c.end)]
    if bound == "over" and not found:
        # "between five and ten pounds", "between 5 and £10": the lower figure takes the upper one's currency.
        for c in amounts:
            m = _BARE_LOWER.search(text[: c.start])
            n = None if m is None else (Decimal(m["num"]) if m["num"] else words_to_int(m["words"]))
            if m is not None and n is not None:
                a, b = m.start("low"), m.end("low")
                found.append(Candidate(Money(amount=Decimal(n), currency=c.value.currency), a, b, text[a:b]))
    return Scan(tuple(found), ())


_BARE_LOWER = re.compile(rf"\bbetween\s+(?P<low>(?P<num>\d+(?:\.\d{{1,2}})?)|(?P<words>{NUMBER_WORDS}))\s*"
                         r"(?:and|to|-)\s*$", re.IGNORECASE)
