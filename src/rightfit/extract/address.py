"""Street addresses written in a message: "41 Temple Way, Bristol BS2 0BY", "flat 2, 10 high street, leeds".

Only numbered addresses are read here (a house number, up to three name words and a street word, then an
optional town after a comma or a space; without a street word only when a postcode follows); a named
house ("Rose Cottage, Mill Lane") is left to the model or to the customer's reply to "what is the new
street address?". The postcode is not part of the value: the postcode parser reads it.
"""

from __future__ import annotations

import re

from rightfit.extract.identifiers import scan_postcode
from rightfit.extract.text import normalize
from rightfit.extract.types import Candidate, Scan

STREET = re.compile(r"\b(?:road|rd|street|st|lane|ln|avenue|ave|close|drive|dr|way|place|pl|court|ct|crescent|"
                    r"grove|gardens|terrace|square|hill|row|walk|mews|park|flat|house|cottage|farm|apartment|"
                    r"apt|building|estate|green|parade|yard|wharf|quay|view|rise)\b", re.IGNORECASE)
_STREET_WORD = STREET.pattern.removeprefix(r"\b(?:").removesuffix(r")\b")
# Words that end a street name or a town: "20 at the park" is not an address, nor is "... bristol please".
_JOINING = frozenset("""a an the at in on to from my your for of by near and or but it is was please thanks thank
now today since from as with that this which so if i we me day days week weeks month months year years ago
hours minutes times""".split())
_NAME = r"[a-z][a-z'-]*"
_ADDRESS = re.compile(
    rf"(?<![\w£$€.,/-])(?P<flat>(?:flat|apartment|apt|unit)\s+\d{{1,4}}[a-z]?,?\s+)?"
    rf"(?P<num>\d{{1,4}}[a-z]?)\s+(?P<street>(?:{_NAME}\s+){{0,3}}?(?:{_STREET_WORD}))\b(?![\w-])",
    re.IGNORECASE)


# A street word right after the street ("Park Avenue", "Green Lane"): the first is part of the name.
_MORE_STREET = re.compile(rf"\s+(?:{_STREET_WORD})\b", re.IGNORECASE)
_TOWN = re.compile(rf"(?:,\s*|\s+)({_NAME}(?:\s+{_NAME})?)(?![\w-])", re.IGNORECASE)


# A street without a street word ("7 Kingsway, Cardiff CF10 3AT") is only read when a postcode follows it.
_BEFORE_POSTCODE = re.compile(
    rf"(?<![\w£$€.,/-])(?P<num>\d{{1,4}}[a-z]?)\s+(?P<street>{_NAME}(?:\s+{_NAME}){{0,2}}),?\s+"
    rf"(?P<town>{_NAME}(?:\s+{_NAME})?),?\s+$", re.IGNORECASE)


def _town(raw: str) -> str:
    """The town words up to the first joining word."""
    words = []
    for word in raw.strip(" ,").split():
        if word.lower() in _JOINING or STREET.fullmatch(word):
            break
        words.append(word)
    return " ".join(words)


def scan_address(text: str) -> Scan[str]:
    norm = normalize(text)
    t = norm.text
    postcodes = [(c.start, c.end) for c in scan_postcode(text).candidates]
    cands: list[Candidate[str]] = []
    for m in _ADDRESS.finditer(t):
        names = m.group("street").split()[:-1]
        if any(w.lower() in _JOINING for w in names):
            continue
        end = m.end("street")
        while (more := _MORE_STREET.match(t, end)) is not None:
            end = more.end()
        after = _TOWN.match(t, end)
        town = _town(after.group(1)) if after else ""
        if town:
            with_town = t.index(town, end) + len(town)
            a, b = norm.span(m.start(), with_town)
            if not any(a < pe and ps < b for ps, pe in postcodes):  # a "town" that is half a postcode is not one
                end = with_town
        a, b = norm.span(m.start(), end)
        cands.append(Candidate(t[m.start():end], a, b, norm.original[a:b]))
    for code in scan_postcode(text).candidates:
        before = norm.original[max(0, code.start - 60):code.start]
        lead = _BEFORE_POSTCODE.search(before)
        if lead is None or any(c.start < code.start and code.start - 60 < c.end for c in cands):
            continue
        words = [*lead.group("street").split(), *lead.group("town").split()]
        if any(w.lower() in _JOINING for w in words):
            continue
        a = code.start - len(before) + lead.start()
        b = code.start - len(before) + lead.end("town")
        cands.append(Candidate(norm.original[a:b], a, b, norm.original[a:b]))
    cands.sort(key=lambda c: c.start)
    return Scan(tuple(cands), ())
