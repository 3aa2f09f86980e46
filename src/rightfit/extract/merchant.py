"""Merchant names: "at Tesco", "to Foxtons", "from Amazon", "called WWW.XBPAY", 'SP DIGITAL' in quotes,
a capitalised name after "payment to/at", and a name as the subject of a charge ("Ticketmaster charged me",
"netflix took money", "my Tesco payment", "SQ *THE COFFEE BARN £6.40", "spent on Deliveroo").

Lower-case names are only taken after "at" and "from" ("the £45 from tesco") or a word for paying ("payments to
amazon", "pay netflix"), since "to" + lower case is otherwise nearly always a verb ("I want to dispute").
Pronouns, determiners, dates and generic nouns are never merchants ("at the restaurant", "from my account",
"transfer to savings").
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from rightfit.extract.dates import scan_dates
from rightfit.extract.money import scan_money
from rightfit.extract.text import normalize
from rightfit.extract.types import Candidate, Scan

STOP_WORDS = frozenset("""
a an the my your our their his her its this that these those it me us you him them i we they one some any
all every each no not none there here what which who whom when where why how and or but if so as for of in on
at to from by with without into onto about over under up down out off again then than too very just only also
account accounts card cards bank banking app online home work abroad least all once first last next now
today yesterday tomorrow week month year weekend morning night evening afternoon time day days
lately recently earlier ago since before after ever often usually always sometimes
savings saver isa loan loans mortgage overdraft interest fee fees tax rent bill bills
back twice double extra more less late early contactless overseas between above below within until
monday tuesday wednesday thursday friday saturday sunday january february march april may june july august
september october november december shop store restaurant hotel company seller merchant website site place
somewhere someone something anything nothing everything person people friend son daughter mum dad mother father
wife husband partner brother sister family landlord builder mate please thanks thank hi hello dear sir madam
payment payments transaction transactions charge charges transfer money cash refund amount purchase order
direct debit standing uk gbp eur usd pounds pound quid euros dollars atm pin visa mastercard did does do has
have had is was were be been both got sort guy man woman driver taxi app
dispute challenge report cancel freeze unfreeze block unblock check change update raise claim get
""".split())

# Quotes open after a non-letter and close before one, so the apostrophes in "there's ... don't" are not quotes.
_QUOTED = re.compile(r"(?<!\w)(?P<q>[\"'])(?P<name>[^\"'\n]{2,40}?)(?P=q)(?!\w)")
_CALLED = re.compile(r"\b(?:called|named|says|showing|shows|listed\s+as|reads|described\s+as)\s+"
                     r"(?P<name>[^\s,;!?()]+(?:\s+[A-Z0-9*][^\s,;!?()]*){0,3})")
_TOKEN = r"[A-Z0-9*&][\w&'.*/+-]*"
_CAPITAL = re.compile(rf"\b(?:at|to|from|with|by|via)\s+(?P<name>{_TOKEN}(?:\s+(?:{_TOKEN}|&|of|and)){{0,4}})")
# "at boots and sainsburys": two names joined, which the caller may split by its own payees.
_LOWER = re.compile(r"\b(?:at|from)\s+(?P<name>[a-z][\w&'.*-]{2,}(?:\s+(?:and|&)\s+[a-z][\w&'.*-]{2,}|"
                    r"\s+[a-z][\w&'.*-]{2,})?)")
# After a word for paying, "to" (or nothing) leads to the payee, not a verb: "payments to amazon", "pay netflix".
_PAID_LOWER = re.compile(r"\b(?:pay|paid|paying|payments?|transfers?|sent money|charges?)\s+(?:to\s+)?"
                         r"(?P<name>[a-z][\w&'.*-]{2,})(?![\w&'.*-])")
_RUN = rf"(?<![\w&'.*/+-]){_TOKEN}(?:\s+(?:{_TOKEN}|&|of|and)){{0,5}}"
# The name as the subject of a charge, the word before "payment", or a card descriptor followed by its amount.
_CHARGED = re.compile(rf"(?P<name>{_RUN})\s+(?:has\s+|have\s+|just\s+|both\s+|also\s+)?(?:charged|took|taken|take|"
                      r"billed|debited|deducted|double[\s-]charged)\b")
# Lower case only without a determiner: "netflix took money", not "the pump took the money".
_CHARGED_LOWER = re.compile(r"(?<![\w'])(?<!\bthe )(?<!\ba )(?<!\ban )(?<!\bmy )(?<!\bthis )(?<!\bthat )"
                            r"(?<!\bour )(?<!\byour )(?P<name>[a-z][\w&.*+-]{2,})\s+(?:has\s+|just\s+|also\s+)?"
                            r"(?:charged|took|taken|billed|debited)\b")
_BEFORE_NOUN = re.compile(rf"(?P<name>{_RUN})\s+(?:payments?|charges?|transactions?|subscriptions?|orders?|bills?|"
                          r"purchases?|renewals?|membership|direct\s+debit|standing\s+order)\b")
_BEFORE_AMOUNT = re.compile(r"(?<![\w*&'./+-])(?P<name>[A-Z][A-Z0-9*&'./+-]+(?:\s+[A-Z0-9*&'./+-]+){0,4})\s+[£$€]\s?\d")
_SPENT_ON = re.compile(rf"\b(?:spent|spend|spending)\s+(?:[\w£$€.,]+\s+){{0,3}}?on\s+(?P<name>{_RUN})")
_TRAIL = re.compile(r"[\s.,;:!?)\]}'\"-]+$")
_LEAD = re.compile(r"^[\s(\[{'\"-]+")
_MAX_LEN = 40
_ORDINAL = re.compile(r"\d{1,2}(?:st|nd|rd|th)", re.IGNORECASE)


def clean_merchant(raw: str, *, quoted: bool = False, lead_checked: bool = False) -> str | None:
    """Trim punctuation and trailing joining words; None when what is left is not a plausible name.
    A quoted descriptor is kept word for word ('AMZN Mktp UK'); `lead_checked` names whose leading words
    `_subject` already judged ("Just Eat")."""
    name = _LEAD.sub("", _TRAIL.sub("", raw.strip()))
    if _is_date(name) or _ORDINAL.fullmatch(name):
        return None  # "from mid november" names days; trimmed of "november", "mid" would pass for a name; so
        # does "from 1st november", whose "1st" was taken as the payee
    words = name.split()
    while words and not quoted and words[-1].lower().strip(".,") in STOP_WORDS | {"&", "and", "of"}:
        words.pop()
    name = _TRAIL.sub("", " ".join(words))
    if not name or len(name) > _MAX_LEN or name.lower() in STOP_WORDS:
        return None
    if not any(ch.isalpha() for ch in name) or (words[0].lower() in STOP_WORDS and not lead_checked):
        return None
    if re.fullmatch(r"[\d\s.,£$€¥-]+", name) or re.fullmatch(r"(?i)acc[-\s]?\d+", name) or re.search(r"[£$€¥@]", name):
        return None  # an amount, an account id or an e-mail address, not a name
    if any(c.start == 0 and c.end == len(name) for c in scan_money(name).candidates):
        return None  # an amount with its currency code ("GBP 18.99 payment")
    if _is_date(name):
        return None  # "from 1 Nov to 10 Nov" names days, not a payee
    return name


_ANY_DAY = datetime(2000, 1, 1, tzinfo=UTC)  # only whether the words are a date matters, not which


def _is_date(name: str) -> bool:
    scan = scan_dates(name, _ANY_DAY)
    spans = [(c.start, c.end) for c in scan.candidates] + [(r.start, r.end) for r in scan.rejected]
    return any(a == 0 and b >= len(name) for a, b in spans)


def _subject(raw: str, *, sentence_start: bool) -> str:
    """A name found before its verb or noun, without the words that lead into it ("Did Shell", "my Tesco")."""
    words = raw.split()
    first = sentence_start
    while words:
        word = words[0].strip(".,:;!?")
        # A capitalised common word is part of a name ("Just Eat") unless it starts the sentence ("Did Shell").
        common = word.lower() in STOP_WORDS and (word.islower() or first)
        if not (common or _AMOUNT_WORD.fullmatch(word) or not any(c.isalpha() for c in word)):
            break
        words.pop(0)
        first = False
    return " ".join(words)


_AMOUNT_WORD = re.compile(r"[£$€]?\d[\d.,]*(?:p|k)?", re.IGNORECASE)
_SUBJECT = (_CHARGED, _CHARGED_LOWER, _BEFORE_NOUN, _BEFORE_AMOUNT)


def scan_merchant(text: str) -> Scan[str]:
    norm = normalize(text)
    t = norm.text
    found: list[tuple[int, int, str]] = []
    for rx in (_QUOTED, _CALLED, _CAPITAL, _LOWER, _PAID_LOWER, _SPENT_ON, *_SUBJECT):
        for m in rx.finditer(t):
            raw = m.group("name")
            s, e = m.start("name"), m.end("name")
            if rx in _SUBJECT:
                before = t[:s].rstrip()
                raw = _subject(raw, sentence_start=not before or before[-1] in ".!?:;")
                s = e - len(raw)
            if any(a < e and s < b for a, b, _ in found):
                continue
            if rx in _SUBJECT and re.match(r"\s+both\b", t[e:]) and " and " in raw:
                # "Amazon Prime and Disney+ both took money": two names
                first, second = raw.split(" and ", 1)
                for part, at in ((first, s), (second, s + len(first) + 5)):
                    name = clean_merchant(part, lead_checked=True)
                    if name is not None:
                        found.append((at, at + len(part), name))
                continue
            name = clean_merchant(raw, quoted=rx is _QUOTED, lead_checked=rx in _SUBJECT)
            if name is None:
                continue
            if rx is _QUOTED and not any(c.isalpha() for c in name):
                continue
            if rx is _QUOTED and len(name.split()) > 5:
                continue  # a quoted sentence, not a descriptor
            found.append((s, s + len(raw.rstrip()), name))
    found.sort()
    cands = []
    for s, e, name in found:
        start = t.find(name, s, e + 1)
        a, b = norm.span(start, start + len(name)) if start >= 0 else norm.span(s, e)
        cands.append(Candidate(name, a, b, norm.original[a:b]))
    return Scan(tuple(cands), ())


def parse_merchant(text: str) -> list[Candidate[str]]:
    return list(scan_merchant(text).candidates)
