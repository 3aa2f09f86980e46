"""Text normalization that keeps offsets: parsers match on a cleaned copy and report spans in the original.

Customers paste from phones and PDFs: fullwidth "￡２３", Arabic-Indic digits, non-breaking and thin
spaces, typographic dashes and quotes, zero-width joiners. Every parser sees the same cleaned text, and
`Normalized.span` maps a match back to the characters the customer actually typed.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"
_SINGLE_QUOTES = "\u2018\u2019\u201a\u201b\u2032\uff07"
_DOUBLE_QUOTES = "\u201c\u201d\u201e\u201f\u2033\uff02"
_DROP = {"\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad"}


def _clean_char(ch: str) -> str:
    if ch in _DROP:
        return ""
    if ch in _DASHES:
        return "-"
    if ch in _SINGLE_QUOTES:
        return "'"
    if ch in _DOUBLE_QUOTES:
        return '"'
    cat = unicodedata.category(ch)
    if cat == "Nd":
        # Arabic-Indic, Devanagari, fullwidth... digits are digits; NFKC alone leaves most of them.
        return str(unicodedata.decimal(ch))
    if cat == "Zs" or ch in "\t\r\n\v\f":
        return " "
    if cat in ("Cc", "Cf", "Cs", "Co", "Cn"):
        return " "
    return unicodedata.normalize("NFKC", ch)


@dataclass(frozen=True, slots=True)
class Normalized:
    """`text` is the cleaned copy; `origin[i]` is the index in `original` that produced `text[i]`."""

    original: str
    text: str
    origin: tuple[int, ...]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original characters behind text[start:end]."""
        if start >= end or not self.origin:
            at = self.origin[start] if start < len(self.origin) else len(self.original)
            return at, at
        return self.origin[start], self.origin[end - 1] + 1

    def source(self, start: int, end: int) -> str:
        a, b = self.span(start, end)
        return self.original[a:b]


def normalize(text: str) -> Normalized:
    out: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(text):
        cleaned = ch if ch.isascii() and ch.isprintable() else _clean_char(ch)
        for c in cleaned:
            out.append(c)
            origin.append(i)
    return Normalized(text, "".join(out), tuple(origin))


_WS = re.compile(r"\s+")
_EDGE_PUNCT = re.compile(r"^[\s\"'`.,;:!?()\[\]{}<>-]+|[\s\"'`.,;:!?()\[\]{}<>-]+$")


def loose(text: str) -> str:
    """Case-, width- and spacing-insensitive form used to check that a value occurs in a message."""
    return _WS.sub(" ", normalize(text).text.casefold()).strip()


def occurs_in(value: str, message: str) -> bool:
    """True when `value` (trimmed of edge punctuation) is written in `message`, ignoring case and spacing.

    Spaces are also ignored entirely as a second try, so "07700900123" matches "07700 900123".
    """
    needle = _EDGE_PUNCT.sub("", loose(value))
    if not needle:
        return False
    hay = loose(message)
    if needle in hay:
        return True
    return needle.replace(" ", "") in hay.replace(" ", "")


_UNITS = {
    "zero": 0, "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "couple": 2, "few": 3,
}
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
         "ninety": 90}
_SCALES = {"hundred": 100, "thousand": 1000}
NUMBER_WORD = (r"(?:zero|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|"
               r"fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|"
               r"ninety|hundred|thousand|couple|few)")
# A run of number words joined by spaces, hyphens or "and": "two hundred and fifty", "twenty-five".
# Capped at 7 words so a long run of "a a a ..." cannot make the matcher quadratic.
NUMBER_WORDS = rf"{NUMBER_WORD}(?:(?:\s+and\s+|[\s-]+){NUMBER_WORD}){{0,6}}"


def words_to_int(phrase: str) -> int | None:
    """'two hundred and fifty' -> 250, 'twenty-five' -> 25, 'a hundred' -> 100; None if not one number: "five
    and ten" or "five ten" are two numbers, not fifteen ("and" only follows a hundred or a thousand)."""
    words = [w for w in re.split(r"[\s-]+", phrase.lower().strip()) if w and w != "of"]
    if not words:
        return None
    if words[-1] in ("couple", "few") and all(w in ("a", "an") for w in words[:-1]):
        return _UNITS[words[-1]]  # "a couple" is 2, not 1 + 2
    total = current = 0
    last: str | None = None  # what the previous word was: unit (1-9), teen (0, 10-19), tens, scale or and
    for w in words:
        if w == "and":
            if last != "scale":
                return None
            last = "and"
        elif w in _UNITS:
            kind = "unit" if 1 <= _UNITS[w] <= 9 else "teen"
            if last not in (None, "scale", "and") and not (kind == "unit" and last == "tens"):
                return None
            current += _UNITS[w]
            last = kind
        elif w in _TENS:
            if last not in (None, "scale", "and"):
                return None
            current += _TENS[w]
            last = "tens"
        elif w in _SCALES:
            if last in ("scale", "and") and not (_SCALES[w] == 1000 and last == "scale"):
                return None
            current = max(current, 1) * _SCALES[w]
            if _SCALES[w] >= 1000:
                total += current
                current = 0
            last = "scale"
        else:
            return None
    return None if last in (None, "and") else total + current
