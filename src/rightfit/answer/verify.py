"""Check a generated answer against the passages it cites: ids must exist, figures and names must appear.

A small model can cite passage 2 and still invent "£750". The verifier rejects any answer whose numbers,
amounts, percentages, times, dates or named terms are not found in the passages it cites, so the caller
abstains instead of passing the invention on.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

# A comma belongs to a number only as a thousands separator: "£500, or" is £500 and "rooms 3,4" two numbers.
_NUMBER = r"\d+(?:,\d{3}(?!\d))*(?:\.\d+)?"
_FIGURE = re.compile(
    rf"[£$€]\s?{_NUMBER}(?:\s?(?:k|m|bn|million|billion))?"  # amounts
    rf"|{_NUMBER}\s?(?:%|p\b|pence\b)"  # percentages, pence
    r"|\b\d{1,2}(?:[:.]\d{2})?\s?(?:am|pm)\b"  # times of day
    r"|\b\d{1,2}(?:st|nd|rd|th)?\s+(?:January|February|March|April|May|June|July|August|September|October|"
    r"November|December)(?:\s+\d{4})?\b"  # dates
    rf"|\b{_NUMBER}\b",  # any other number
    re.IGNORECASE,
)
_WORD_NUMBERS = {"one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7",
                 "eight": "8", "nine": "9", "ten": "10", "twelve": "12", "fourteen": "14", "thirty": "30"}
# A capitalised word or run of them, not at the start of a sentence: a product, place or scheme name.
_NAMED = re.compile(r"(?<![.!?:]\s)(?<!^)\b[A-Z][a-zA-Z]+(?:\s+[A-Z][a-zA-Z]+)*|\b[A-Z]{2,}\b")
_COMMON = {"I", "You", "Your", "We", "Our", "The", "If", "It", "Yes", "No", "This", "That", "For", "To", "In",
           "On", "A", "An", "And", "Or", "But", "UK", "Please", "There", "They", "He", "She", "When"}


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower()
    text = re.sub(r"(?<=\d),(?=\d{3})", "", text)
    return " ".join(text.replace("\u2019", "'").split())


def _figure_key(fig: str) -> str:
    return _norm(fig).rstrip(".")


def figures(text: str) -> list[str]:
    return [m.group(0).strip() for m in _FIGURE.finditer(text)]


def named_terms(text: str) -> list[str]:
    out = []
    for m in _NAMED.finditer(text):
        term = m.group(0)
        words = [w for w in term.split() if w not in _COMMON]
        if words:
            out.append(" ".join(words))
    return out


@dataclass(frozen=True, slots=True)
class Verdict:
    ok: bool
    reason: str = ""
    unsupported: tuple[str, ...] = ()


def unsupported_terms(answer: str, source: str, *, known: Collection[str] = ()) -> tuple[str, ...]:
    """The figures and named terms of `answer` that `source` does not contain, each once.

    The words of the `known` names pass without support: the deployment's own names (its organisation, its
    products), which answers may use although a passage does not spell them out.
    """
    text = _norm(source)
    words_in_text = set(re.findall(r"[a-z0-9']+", text))
    vouched = {w for k in known for w in re.findall(r"[a-z0-9']+", _norm(k))}
    unsupported: list[str] = []
    for fig in figures(answer):
        # "£500" must not be supported by "£5,000" nor "500" by "1500": digits may not continue either side.
        body = r"\s*".join(re.escape(part) for part in _figure_key(fig).split(" "))
        if not re.search(r"(?<![\d.])" + body + r"(?![\d])", text):
            unsupported.append(fig)
    for term in named_terms(answer):
        words = [w for w in re.findall(r"[a-z0-9']+", _norm(term)) if w not in vouched]
        if words and not all(w in words_in_text or _WORD_NUMBERS.get(w, "") in words_in_text for w in words):
            unsupported.append(term)
    return tuple(dict.fromkeys(unsupported))


def verify_answer(answer: str, citations: Sequence[int], passages: Mapping[int, str], *,
                  known: Collection[str] = ()) -> Verdict:
    """`passages` maps the ids shown to the model to their text; `known` as for `unsupported_terms`."""
    if not answer.strip():
        return Verdict(False, "the answer is empty")
    if not citations:
        return Verdict(False, "the answer cites no passage")
    missing = [c for c in citations if c not in passages]
    if missing:
        return Verdict(False, f"the answer cites passages that were not given: {missing}")
    unsupported = unsupported_terms(answer, " ".join(passages[c] for c in citations), known=known)
    if unsupported:
        return Verdict(False, f"not found in the cited passages: {', '.join(unsupported)}", unsupported)
    return Verdict(True)
