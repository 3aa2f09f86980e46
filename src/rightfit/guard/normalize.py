"""Input normalization: limits, invisible and control characters, NFKC, and a folded text for detection.

Two texts come out. `text` is what the rest of the request path sees: NFKC-normalized, with control,
invisible and bidi characters removed and whitespace tidied, but otherwise the customer's words. `detection`
is only for the guard's rules and classifier: lower-cased, look-alike letters folded to ASCII, accents
dropped, s p a c e d and d.o.t.t.e.d letters joined, digits inside words read as letters (l33t), and any
base64 run that decodes to text appended, so obfuscation does not hide an attack from the detector.
"""

from __future__ import annotations

import base64
import binascii
import re
import unicodedata
from dataclasses import dataclass

from rightfit.core.errors import InvalidInputError

DEFAULT_MAX_CHARS = 4000

# Zero-width and formatting characters that render as nothing; NFKC keeps most of them.
_INVISIBLE = frozenset("\u200b\u200c\u200d\u2060\u2061\u2062\u2063\u2064\ufeff\u00ad\u034f\u180e\u115f\u1160"
                       "\u3164\uffa0")
# Bidirectional controls reorder what a reader sees against what a model reads ("Trojan source").
_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")

# Cyrillic, Greek and other letters that look like Latin ones. NFKC already maps fullwidth and
# mathematical alphanumerics (ｉ, 𝐈) to ASCII; these it leaves alone.
_CONFUSABLES = str.maketrans({
    # Cyrillic
    "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p", "с": "c",
    "т": "t", "у": "y", "х": "x", "ѕ": "s", "і": "i", "ї": "i", "ј": "j", "һ": "h", "ԁ": "d", "ԛ": "q",
    "ԝ": "w", "ɡ": "g", "ү": "y", "ӏ": "l", "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H",
    "О": "O", "Р": "P", "С": "C", "Т": "T", "У": "Y", "Х": "X", "Ѕ": "S", "І": "I", "Ј": "J", "Ԁ": "D",
    # Greek
    "α": "a", "β": "b", "ε": "e", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p", "τ": "t", "υ": "u",
    "χ": "x", "γ": "y", "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M",
    "Ν": "N", "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X",
    # Latin look-alikes outside ASCII that survive NFKC
    "ı": "i", "ȷ": "j", "ɑ": "a", "ɩ": "i", "ʟ": "l", "ɴ": "n", "ʀ": "r", "ꜱ": "s", "ᴀ": "a", "ᴇ": "e",
    "ᴏ": "o", "ᴜ": "u", "ʏ": "y", "ß": "ss", "ø": "o", "đ": "d", "ł": "l", "ſ": "s",
})
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "!": "i"})
# A word that mixes letters with digits or @/$: "1gn0re", "pr3v10us", "@ll". Pure numbers stay numbers.
_LEET_WORD = re.compile(r"(?=[\w@$!]*[a-z])(?=[\w@$!]*[0-9@$])[\w@$!]{3,}")
# Three or more single letters joined by the same separator: "i g n o r e", "I.g.n.o.r.e", "s-y-s-t-e-m".
# A different separator (or a longer space) between runs is a word boundary: "I.g.n.o.r.e y.o.u.r".
_SPACED = re.compile(r"(?<![^\W_])[^\W\d_]([ .\-_*|/])(?:[^\W\d_]\1)+[^\W\d_](?![^\W_])")
# Numbers with a unit or ordinal ("1st", "10am", "2fa", "base64") are not leetspeak.
_NOT_LEET = re.compile(r"\d*(?:1st|2nd|3rd)|\d+(?:th|am|pm|k|m|bn|p|fa|g|gb|mb|x|s|h|d|y)|[a-z]+\d{2,}")
_WORD_JOINERS = re.compile(r"(?<=[^\W\d_])[._\-*+|/\\]+(?=[^\W\d_])")
_BASE64 = re.compile(r"[A-Za-z0-9+/]{16,}={0,2}")


@dataclass(frozen=True, slots=True)
class NormalizedText:
    text: str  # cleaned text for the rest of the request path
    detection: str  # folded text for the guard's rules and classifier only
    changes: tuple[str, ...]  # what was done, e.g. ("nfkc", "invisible:2", "confusables:5")

    @property
    def changed(self) -> bool:
        return bool(self.changes)


def _decode(raw: str | bytes, what: str) -> str:
    if isinstance(raw, bytes):
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InvalidInputError(f"{what} is not valid UTF-8 (byte {exc.start}); send UTF-8 text") from None
    if not isinstance(raw, str):
        raise InvalidInputError(f"{what} must be text, got {type(raw).__name__}")
    return raw


def clean(text: str) -> tuple[str, list[str]]:
    """NFKC, drop control/invisible/bidi/unassigned characters, tidy whitespace; returns what changed."""
    stripped, changes = _strip(text)
    return _tidy(stripped), changes


def _strip(text: str) -> tuple[str, list[str]]:
    changes: list[str] = []
    nfkc = unicodedata.normalize("NFKC", text)
    if nfkc != text:
        changes.append("nfkc")
    counts = {"invisible": 0, "bidi": 0, "control": 0}
    kept = []
    for ch in nfkc:
        if ch in _BIDI:
            counts["bidi"] += 1
        elif ch in _INVISIBLE:
            counts["invisible"] += 1
        elif ch in "\n\t":
            kept.append(ch)
        elif unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn"):
            counts["control"] += 1
        else:
            kept.append(ch)
    changes += [f"{k}:{v}" for k, v in counts.items() if v]
    return "".join(kept), changes


def _tidy(text: str) -> str:
    out = re.sub(r"[^\S\n]+", " ", text)  # runs of spaces (incl. exotic ones) to one space
    out = re.sub(r" *\n[ \n]*\n *", "\n\n", out)  # at most one blank line
    return re.sub(r" *\n *", "\n", out).strip()


def _decoded_base64(text: str) -> list[str]:
    found = []
    for m in _BASE64.finditer(text):
        token = m.group(0)
        if not re.search(r"[A-Z]", token) or not re.search(r"[a-z0-9+/=]", token):
            continue
        try:
            data = base64.b64decode(token + "=" * (-len(token) % 4), validate=True)
        except (binascii.Error, ValueError):
            continue
        decoded = data.decode("utf-8", errors="replace")
        printable = sum(ch.isprintable() and ch != "\ufffd" for ch in decoded)
        if len(decoded) >= 8 and printable >= 0.9 * len(decoded) and re.search(r"[A-Za-z]{3}", decoded):
            found.append(decoded)
    return found


_LATIN_WORD = re.compile(r"\w*[A-Za-z]\w*")


def latin_lookalikes(text: str) -> str:
    """Words that mix Latin letters with look-alikes from other scripts ("bаlance" with a Cyrillic а) written in
    Latin letters only, so they read as the word they look like; words in one script are left as they are."""
    def fold(m: re.Match[str]) -> str:
        word = m.group()
        return word.translate(_CONFUSABLES) if not word.isascii() else word
    return _LATIN_WORD.sub(fold, text)


def detection_text(text: str) -> tuple[str, list[str]]:
    """The folded form of text whose characters are already cleaned (spacing kept), and what folding changed."""
    changes: list[str] = []
    folded = text.translate(_CONFUSABLES)
    if folded != text:
        changes.append(f"confusables:{sum(a != b for a, b in zip(text, folded, strict=False))}")
    stripped = "".join(ch for ch in unicodedata.normalize("NFD", folded) if not unicodedata.combining(ch))
    low = stripped.lower()
    despaced = _SPACED.sub(lambda m: m.group(0).replace(m.group(1), ""), low)
    if despaced != low:
        changes.append("spaced-letters")
    joined = _WORD_JOINERS.sub(" ", despaced)
    leet = _LEET_WORD.sub(lambda m: m.group(0) if _NOT_LEET.fullmatch(m.group(0)) else m.group(0).translate(_LEET),
                          joined)
    if leet != joined:
        changes.append("leetspeak")
    decoded = _decoded_base64(text)
    if decoded:
        changes.append("base64")
        inner = [detection_text(_strip(d)[0])[0] for d in decoded]
        leet = leet + "\n" + "\n".join(inner)
    return " ".join(leet.split()), changes


def check_length(text: str, max_chars: int, what: str, *, normalized: bool = False) -> None:
    """Refuse text over the limit; `normalized` text is measured again because NFKC can expand a character
    up to 18-fold ("\ufdfa"), so a limit checked only as sent can be walked around."""
    if len(text) > max_chars:
        how = " once Unicode-normalized" if normalized else ""
        raise InvalidInputError(f"{what} is {len(text)} characters{how}; the limit is {max_chars}. Shorten it")


def normalize(raw: str | bytes, *, max_chars: int = DEFAULT_MAX_CHARS, what: str = "message",
              allow_empty: bool = False) -> NormalizedText:
    """Validate and normalize one input. Raises InvalidInputError for non-text, non-UTF-8, over-long or
    (unless `allow_empty`) empty input."""
    if max_chars < 1:
        raise ValueError(f"max_chars must be positive, got {max_chars}")
    text = _decode(raw, what)
    # Checked before any work, so an oversized body cannot make normalization itself expensive.
    check_length(text, max_chars, what)
    stripped, changes = _strip(text)
    cleaned = _tidy(stripped)
    check_length(cleaned, max_chars, what, normalized=True)
    if not cleaned and not allow_empty:
        raise InvalidInputError(f"{what} is empty once control and invisible characters are removed; send some words")
    # Folded from the text before spacing is tidied: "i g n o r e   a l l" keeps its word gaps.
    detection, folded = detection_text(stripped)
    return NormalizedText(text=cleaned, detection=detection, changes=tuple(changes + folded))
