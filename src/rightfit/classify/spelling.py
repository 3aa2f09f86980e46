"""Typos mended before a message is classified: "blok my crad" reads as "block my card".

A word that is neither in the app's own messages nor a known English word (the embedding model's
whole-word vocabulary, or a word of pyspellchecker's English list used at least `MIN_ENGLISH` times) is
replaced by the most frequent word of the app's messages one edit away (a letter
added, dropped, changed, or two swapped), if there is one: "most" is a word, so it is never "mended" to
"lost". Short words and words with digits are left alone: at three letters almost everything is one edit
from something. Only what the classifier reads is mended; fields (payees, names, amounts) are read from the
message as written.
"""

from __future__ import annotations

import functools
import json
import re
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

_WORD = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)?")
_LETTERS = "abcdefghijklmnopqrstuvwxyz"
MIN_LENGTH = 4  # shorter words are kept as written
MIN_USES = 3  # a word of the app's messages that is no known word is a mending target only this often used


def one_edit(word: str) -> list[set[str]]:
    """The words one edit away, by kind of slip, likeliest first: two letters swapped ("crad"), a letter left
    out ("blok"), a letter too many ("stollen"), a letter mistyped ("balence")."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    swapped = {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    added = {a + c + b for a, b in splits for c in _LETTERS}
    dropped = {a + b[1:] for a, b in splits if b}
    changed = {a + c + b[1:] for a, b in splits if b for c in _LETTERS}
    return [swapped, added, dropped, changed]


MIN_ENGLISH = 100  # rarer entries of the English list include typo-like words ("blok": 50)


@functools.cache
def english_words(min_count: int = MIN_ENGLISH) -> frozenset[str]:
    """Words of pyspellchecker's English frequency list used at least `min_count` times."""
    from spellchecker import SpellChecker

    counts = SpellChecker().word_frequency
    return frozenset(w for w in counts.keys() if counts[w] >= min_count)


def tokenizer_words(path: Path) -> set[str]:
    """The whole lower-case words of a WordPiece tokenizer's vocabulary (tokenizer.json), pieces left out."""
    vocab = json.loads(path.read_text(encoding="utf-8")).get("model", {}).get("vocab", {})
    return {w for w in vocab if w.isalpha() and w.islower()}


class Speller:
    """Mends words one edit away from the vocabulary of `texts` (the app's labelled messages); `known` words
    (real words the app's messages happen not to use) are kept as written."""

    def __init__(self, texts: Iterable[str], *, known: Iterable[str] = ()) -> None:
        self.counts: Counter[str] = Counter(w.lower() for t in texts for w in _WORD.findall(t))
        self.known = frozenset(known)

    def word(self, word: str) -> str:
        low = word.lower()
        if len(low) < MIN_LENGTH or low in self.counts or low in self.known:
            return word
        for edits in one_edit(low):
            # A word the app's messages use once and English does not is likely a typo itself ("unfreez").
            near = [w for w in edits if w != low and (w in self.known or self.counts[w] >= MIN_USES) and
                    self.counts[w]]
            if near:
                # The most used; ties go to the alphabetically first, so a typo is always mended alike.
                return max(near, key=lambda w: (self.counts[w], [-ord(c) for c in w]))
        return word

    def correct(self, text: str) -> str:
        return _WORD.sub(lambda m: self.word(m.group()), text)
