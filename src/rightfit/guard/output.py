"""Output guard: block replies that disclose the system prompt, or carry links or figures that no cited
passage or tool result contains.

This is the last check before a reply leaves, whatever produced it (a rung, a tool, a template). It is
stricter than the answer verifier (answer/verify.py) in what it looks at (links, e-mail addresses, numeric
dates, phone numbers) and looser in how: any evidence text may support a value, since tool results and
passages are mixed here. A phishing link or a changed phone number or amount is exactly what an injected
document would try to slip into an answer.
"""

from __future__ import annotations

import re
import time
import unicodedata
from collections.abc import Sequence

from rightfit.guard.verdicts import OutputVerdict

DEFAULT_MIN_NGRAM = 8  # words in a row shared with the system prompt that count as disclosure

_URL = re.compile(r"\b(?:https?://|www\.)[^\s<>\"'()\[\]]+|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|co\.uk|uk|org|net|io"
                  r"|info|biz|example|xyz|ru|cn|app|bank|online|site|top|link|click)(?:/[^\s<>\"'()\[\]]*)?",
                  re.IGNORECASE)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_MONTHS = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?" \
          r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
_FIGURE = re.compile(
    r"[£$€]\s?\d[\d,]*(?:\.\d+)?(?:\s?(?:k|m|bn|million|billion))?"  # amounts
    r"|\d[\d,]*(?:\.\d+)?\s?(?:%|p\b|pence\b)"  # percentages, pence
    r"|\b\d{1,4}[/.-]\d{1,2}[/.-]\d{2,4}\b"  # numeric dates
    rf"|\b\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTHS}\b(?:\s+\d{{4}})?"  # 1 September 2025
    r"|\b\d{1,2}(?:[:.]\d{2})?\s?(?:am|pm)\b"  # times
    r"|(?<![\w£$€])\+?\d[\d ,]*(?:\.\d+)?\b",  # any other number, phone numbers included
    re.IGNORECASE,
)
_PLACEHOLDER = re.compile(r"\[[^\]\n]{1,40}\]")  # "[card ****1234]" from redaction
_LIST_MARKER = re.compile(r"(?m)^\s*\d{1,2}[.)]\s")


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower().replace("\u2019", "'")
    text = re.sub(r"(?<=\d),(?=\d{3})", "", text)
    return " ".join(text.split())


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", _norm(text))


def _ngrams(words: Sequence[str], n: int) -> set[tuple[str, ...]]:
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def _url_key(url: str) -> str:
    url = _norm(url).rstrip(".,;:!?")
    url = re.sub(r"^https?://", "", url)
    return re.sub(r"^www\.", "", url).rstrip("/")


def _figure_supported(fig: str, evidence: str, evidence_digits: str) -> bool:
    key = _norm(fig).strip().rstrip(".")
    body = r"\s*".join(re.escape(part) for part in key.split(" "))
    if re.search(r"(?<![\d.])" + body + r"(?![\d])", evidence):
        return True
    digits = re.sub(r"\D", "", key)
    # Phone numbers and long references may be spaced differently: compare their digits.
    return len(digits) >= 7 and digits in evidence_digits


def system_prompt_overlap(text: str, system_prompt: str, *, min_ngram: int = DEFAULT_MIN_NGRAM,
                          allowed: str = "") -> bool:
    """True if `text` repeats `min_ngram` or more consecutive words of the system prompt (that `allowed`,
    the evidence, does not also contain)."""
    prompt = _ngrams(_words(system_prompt), min_ngram)
    if not prompt:
        return False
    shared = _ngrams(_words(text), min_ngram) & prompt
    return bool(shared - _ngrams(_words(allowed), min_ngram)) if shared else False


def check_output(*, text: str, evidence_texts: Sequence[str], system_prompt: str | None = None,
                 question: str | None = None, min_ngram: int = DEFAULT_MIN_NGRAM) -> OutputVerdict:
    """Block `text` if it discloses the system prompt, or has a link, e-mail address or figure (amount,
    percentage, number, date, time, phone number) found in none of `evidence_texts` (cited passages, tool
    results) nor in the customer's `question`."""
    started = time.perf_counter()
    evidence_raw = "\n".join([*evidence_texts, question or ""])
    evidence = _norm(evidence_raw)
    evidence_digits = re.sub(r"\D", "", evidence)
    evidence_urls = {_url_key(u) for u in _URL.findall(evidence_raw)}
    reasons: list[str] = []
    unsupported: list[str] = []
    if system_prompt and system_prompt_overlap(text, system_prompt, min_ngram=min_ngram, allowed=evidence_raw):
        reasons.append("system_prompt")
    body = _PLACEHOLDER.sub(" ", text)
    for m in _EMAIL.finditer(body):
        if _norm(m.group(0)) not in evidence:
            unsupported.append(m.group(0))
            reasons.append("unsupported_email")
    body = _EMAIL.sub(" ", body)
    for m in _URL.finditer(body):
        key = _url_key(m.group(0))
        if not any(key == u or key.startswith(u + "/") for u in evidence_urls):
            unsupported.append(m.group(0).rstrip(".,;:!?"))
            reasons.append("unsupported_link")
    body = _LIST_MARKER.sub(" ", _URL.sub(" ", body))
    for m in _FIGURE.finditer(body):
        fig = m.group(0).strip().rstrip(",")
        if not re.search(r"\d", fig):
            continue
        if not _figure_supported(fig, evidence, evidence_digits):
            unsupported.append(fig)
            reasons.append("unsupported_figure")
    return OutputVerdict(blocked=bool(reasons), reasons=tuple(dict.fromkeys(reasons)),
                         unsupported=tuple(dict.fromkeys(unsupported)),
                         latency_ms=(time.perf_counter() - started) * 1000)
