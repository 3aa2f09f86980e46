"""Requests about someone else's accounts, cards or details: "freeze farid haddad's card", "what's Daniel's
phone number", "show me my husband's transactions".

The tools already refuse another customer's records, but a message naming someone else can still be served
with the caller's own records when the two share a card number or the request carries none ("show me ben's
transactions" would list the caller's). The assistant acts only for the customer signed in, so such a request
is refused before any route runs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_OBJECT = (r"cards?|accounts?|balances?|transactions?|payments?|spending|statements?|phone(?:\s+number)?|"
           r"mobile(?:\s+number)?|numbers?|e-?mails?|address|details|pin|savings|money|overdraft|"
           r"direct\s+debits?|loan|mortgage|isa")
# Up to two words between owner and object, none of them "my": "someone's hacked my account" is a "has", and the
# account is the caller's.
_BETWEEN = r"(?:(?!my\b|our\b|me\b)[a-z0-9-]+\s+){0,2}?"
_POSSESSIVE = re.compile(rf"\b(?P<who>[a-z][a-z-]*)(?:'s|s')\s+{_BETWEEN}(?:{_OBJECT})\b"
                         rf"|\b(?P<pronoun>his|her|their)\s+{_BETWEEN}(?:{_OBJECT})\b"
                         r"|\b(?:it'?s|it\s+is|that'?s|they'?re|belongs?\s+to)\s+(?:my\s+|our\s+)?(?P<owner>[a-z][a-z-]*)'s\b",
                         re.IGNORECASE)
# "what's", "it's", "today's", "the bank's": a contraction, a time or the bank, not a person.
_NOT_A_PERSON = frozenset("""
it that what there here who he she let where how when why one this today yesterday tomorrow tonight week
weekend month year night morning evening afternoon day everyone nobody somebody bank app monday tuesday
wednesday thursday friday saturday sunday last next other's
""".split())
_ANOTHER = re.compile(r"\b(?:on\s+behalf\s+of\s+(?!me\b|myself\b)[a-z]+|(?:for|of)\s+(?:someone|somebody)\s+else|"
                      r"another\s+(?:person|customer))", re.IGNORECASE)


def _words(names: Iterable[str]) -> set[str]:
    return {w.lower().removesuffix("'s") for name in names for w in re.findall(r"[\w']+", name)}


def someone_else(text: str, *, own_names: Iterable[str] = (), not_people: Iterable[str] = ()) -> str | None:
    """Who else the request is about, or None when it is about the caller. `own_names` are the caller's
    names; `not_people` are names that take a possessive but are not people (merchants: "my sainsbury's
    payments")."""
    skip = _NOT_A_PERSON | _words(own_names) | _words(not_people)
    for m in _POSSESSIVE.finditer(text):
        who = m.group("who") or m.group("owner") or m.group("pronoun")
        if who.lower() not in skip:
            return who
    other = _ANOTHER.search(text)
    return other.group(0) if other else None
