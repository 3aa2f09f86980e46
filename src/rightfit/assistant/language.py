"""Whether a message is written in English at all: the classifier, the parsers and the documents are English, so
a message in another language is read as off-topic and told "I can't find that", which helps nobody. A cheap
test, for messages nothing else understood: another script, Spanish punctuation, or several words with none of
the commonest English ones among them."""

from __future__ import annotations

import re

_WORDS = re.compile(r"[^\W\d_]+")
# The commonest English words, and the bank's own that any customer message in English is likely to hold.
_COMMON = frozenset("""
a about after again all also am an and any are as at be been before but by can cant could did didnt do does
dont for from get got had has have havent hello help hi how i if im in is isnt it its ive just know like me
more my need no not now of off ok on one or our out please so some than thanks that the them then there they
this to too up us was we were what whats when where which who why will with would yes you your
account accounts address balance bank block card cards change charge charged contact details email fee fees
freeze lost mobile money new number pay paid payment payments phone pin refund sent spent statement stolen
transfer transaction transactions twice update
""".split())
MIN_WORDS = 4  # fewer words than this ("sp digital", "foxtons 1200") say too little to tell
FOREIGN_SCRIPT = 0.3  # share of a message's letters outside ASCII that marks another script or alphabet


def looks_foreign(text: str) -> bool:
    """Whether `text` is plainly not English: mostly letters outside ASCII (Arabic, Cyrillic, Greek ...), the
    Spanish opening marks, or `MIN_WORDS` or more words with none of the commonest English words."""
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return False
    if sum(not c.isascii() for c in letters) / len(letters) >= FOREIGN_SCRIPT or "¿" in text or "¡" in text:
        return True
    words = [w.lower().replace("'", "") for w in _WORDS.findall(text.replace("'", ""))]
    return len(words) >= MIN_WORDS and not any(w in _COMMON for w in words)
