"""An action's fields as the conversation handles them: the cue words that let a bare reply be parsed as the
field asked for, which fields take free text, the customer's own names found in a message, values made
JSON-ready for the session, and the newest description of one thing replacing the older.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel

from rightfit.assistant.app import ActionRoute
from rightfit.extract.kinds import KINDS

# Words put before a bare reply ("5531" after "which card?") so the field's parser reads it.
CUES = {"card_last4": "card ending", "account_id": "account", "postcode": "postcode", "phone": "phone number",
        "email": "email", "merchant": "paid to", "money": "amount", "date": "on"}


def slot_kind(schema: type[BaseModel], name: str | None) -> str | None:
    info = schema.model_fields.get(name) if name else None
    kinds = [getattr(m, "kind", None) for m in (info.metadata if info else [])]
    return next((k for k in kinds if isinstance(k, str)), None)


def free_text(schema: type[BaseModel], name: str) -> bool:
    """Whether a field takes free text no parser reads (an address, a reason), per its Slot marker."""
    return slot_kind(schema, name) in ("address", "text")


def as_free_text(schema: type[BaseModel], name: str, text: str) -> str | None:
    """A whole reply as the free-text field asked for, or None when it cannot be one: an address needs a house
    number or a street word ("yes please" or "😀😀😀" answering "what's the new street address?" is none)."""
    if slot_kind(schema, name) != "address":
        return text
    value = KINDS["address"].from_model(text, text, datetime.now(UTC), "nearest")
    return text if value is not None else None


def _flat(text: str) -> str:
    """Lower case without apostrophes ("Sainsbury's" and "sainsburys" read alike), other punctuation a space
    ("WWW.XBPAY" is "www xbpay")."""
    return re.sub(r"[^\w\s]", " ", re.sub(r"['\u2019]", "", text.lower()))


# How a statement dresses a merchant's name ("WWW.XBPAY", "NETFLIX.COM", "ACME LTD"), not how anyone says it.
_DRESSING = frozenset({"www", "com", "co", "uk", "net", "org", "ltd", "limited", "plc"})


def _named_at(flat: str, option: str) -> re.Match[str] | None:
    """Where the (flattened) message names `option` as whole words, if it does."""
    words = [w for w in _flat(option).split() if w not in _DRESSING] or _flat(option).split()
    return re.search(r"\b" + r"\s+".join(map(re.escape, words)) + r"\b", flat) if words else None


# A name right after "not" or "except" is the one not meant: "my own spending, not daniels"; nor is one said
# together with the caller a choice of one ("the transactions for me and daniel" are both holders').
_NEGATED = re.compile(r"\b(?:not|except|excluding|without|apart from|other than)\s+(?:for\s+|on\s+|by\s+|at\s+)?"
                      r"[\w'\u2019]+|\b(?:me|myself)\s+and\s+(?:my\s+)?[\w'\u2019]+|\b[\w'\u2019]+\s+and\s+"
                      r"(?:me|myself|i)\b", re.IGNORECASE)


def mentioned(text: str, options: Sequence[str]) -> str | None:
    """The option the message names, matched as whole words regardless of case and apostrophes ("sainsburys"
    is Sainsbury's); the longest name wins ("TfL Travel" over "TfL"). Failing that, a word one slip away from
    the first word of exactly one option, when both are long enough to tell apart ("delivroo" is Deliveroo,
    "daniels" is Daniel), or that first word itself when no dictionary has it ("pret" is Pret A Manger). A name
    said not to be meant ("not daniels"), or together with the caller ("me and daniel"), is not named."""
    text = _NEGATED.sub(" ", text)
    flat = _flat(text)
    named = set(mentioned_all(text, options))
    longest = next((o for o in sorted(options, key=len, reverse=True) if o in named), None)
    return longest if longest is not None else _by_first_word(flat, options) or _nearly(flat, options)


def _by_first_word(flat: str, options: Sequence[str]) -> str | None:
    """The one longer name whose first word the message says, when that word is a name and no ordinary word:
    "pret" is Pret A Manger, but "just" is not Just Eat."""
    from rightfit.classify.spelling import english_words

    said = set(flat.split()) - english_words()
    hits = {o for o in options if len(words := _flat(o).split()) > 1 and len(words[0]) >= 3 and words[0] in said}
    return hits.pop() if len(hits) == 1 else None


def mentioned_all(text: str, options: Sequence[str]) -> list[str]:
    """Every option the message names as whole words, in the order written ("my tesco and boots payments");
    where two overlap the longer one ("TfL Travel", not "TfL"); none said not to be meant."""
    flat = _flat(_NEGATED.sub(" ", text))
    found: dict[tuple[int, int], str] = {}
    for option in sorted(options, key=len, reverse=True):
        m = _named_at(flat, option)
        if m is not None and not any(a < m.end() and m.start() < b for a, b in found):
            found[m.span()] = option
    return [found[k] for k in sorted(found)]


_NEAR_LENGTH = 5  # shorter names ("Pret", "TfL", "Boots" aside) are too close to ordinary words to guess at


def _nearly(flat: str, options: Sequence[str]) -> str | None:
    """A name one slip away; a real word ("transfers") is never taken for a slip ("Transfer in")."""
    from rightfit.classify.spelling import english_words, one_edit

    firsts = {o: first_word(o) for o in options}
    hits = set()
    for word in set(re.findall(rf"[a-z]{{{_NEAR_LENGTH},}}", flat)) - english_words():
        near = set().union(*one_edit(word))
        hits |= {o for o, first in firsts.items() if len(first) >= _NEAR_LENGTH and first in near}
    # Names of one thing by the same first word ("Everyday Account", "Everyday"): the slip names that thing.
    return min(hits, key=len) if hits and len({firsts[h] for h in hits}) == 1 else None


def first_word(name: str) -> str:
    """A name's first word, flattened: names of one thing share it ("Everyday Account", "Everyday")."""
    return (_flat(name).split() or [""])[0]


def jsonable(values: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in values.items():
        if v is None:
            continue
        out[k] = v.model_dump(mode="json") if isinstance(v, BaseModel) else v if isinstance(
            v, (str, int, float, bool, list, dict)) else str(v)
    return out


def newest_wins(route: ActionRoute, extraction: Any) -> Any:
    """Drop the earlier values of fields that describe one thing with a field this message gave."""
    given = {k for k, src in extraction.sources.items() if src != "previous"}
    stale = {k for group in route.together if group & given for k in group - given
             if extraction.sources.get(k) == "previous"}
    if not stale:
        return extraction
    return replace(extraction, values={k: v for k, v in extraction.values.items() if k not in stale},
                   sources={k: v for k, v in extraction.sources.items() if k not in stale}, model=None)


# "its flat 4 not 3", "Leeds, not Bradford": a part of a value put right, the rest of it kept.
_NOT_THAT = re.compile(r"(?P<before>[^,;:!?]*?)[\s,]+not\s+(?P<old>[\w'-]+(?:\s+[\w'-]+){0,2})\s*[.!]*\s*$",
                       re.IGNORECASE)


def swapped(schema: type[BaseModel], text: str, values: Mapping[str, Any]) -> dict[str, str]:
    """The free-text fields (an address) with a part the message puts right replaced: "flat 4 not 3" makes
    "flat 3, 12 high street" "flat 4, 12 high street". The words replaced must appear once in the value, and
    as many words before "not", the same in kind (a number for a number), take their place."""
    m = _NOT_THAT.search(text)
    if m is None:
        return {}
    old = m.group("old").split()
    before = re.findall(r"[\w'-]+", m.group("before"))
    shape = [any(ch.isdigit() for ch in w) for w in old]
    # The nearest run of words before "not" shaped like the old ones: "12 high street not 21" puts back "12".
    new = next((before[i - len(old):i] for i in range(len(before), len(old) - 1, -1)
                if [any(ch.isdigit() for ch in w) for w in before[i - len(old):i]] == shape), None)
    if not new or [w.lower() for w in new] == [w.lower() for w in old]:
        return {}
    pattern = re.compile(r"(?<![\w'-])" + r"\s+".join(map(re.escape, old)) + r"(?![\w'-])", re.IGNORECASE)
    changed = {}
    for name, value in values.items():
        if free_text(schema, name) and isinstance(value, str) and len(pattern.findall(value)) == 1:
            changed[name] = pattern.sub(" ".join(new), value)
    return changed


def rest_kept(schema: type[BaseModel], given: Mapping[str, Any], filled: Mapping[str, Any]) -> dict[str, str]:
    """Free-text values given anew that put right only their start, the rest of the earlier value kept: "make
    that 11 Downing St" after "10 Downing St London" is "11 Downing St London". Only when the new words are the
    earlier value's first words with one number changed; anything else replaces the value whole."""
    kept = {}
    for name, new in given.items():
        old = filled.get(name)
        if not (free_text(schema, name) and isinstance(new, str) and isinstance(old, str)):
            continue
        said, was = new.split(), old.split()
        if not 0 < len(said) < len(was):
            continue
        differ = [i for i, (a, b) in enumerate(zip(said, was, strict=False)) if a.lower() != b.strip(",").lower()]
        if len(differ) == 1 and said[differ[0]].isdigit() and was[differ[0]].strip(",").isdigit():
            kept[name] = " ".join([*said, *was[len(said):]])
    return kept


def said_beside(schema: type[BaseModel], text: str, answered: str, values: Mapping[str, Any],
                filled: Mapping[str, Any]) -> dict[str, str]:
    """Words a short reply gives beside the value our question asked for, added to the one free-text field filled
    before: "Manchester M20 2AB" for the postcode of "3 Birch Rd" makes it "3 Birch Rd, Manchester" (the town was
    dropped). Only plain words (one to three, no digits) that the value does not already hold."""
    value = values.get(answered)
    texts = [n for n, v in filled.items() if free_text(schema, n) and isinstance(v, str) and v]
    if not isinstance(value, str) or not value.strip() or len(texts) != 1 or free_text(schema, answered):
        return {}
    written = re.compile(r"\s*".join(map(re.escape, value.replace(" ", ""))), re.IGNORECASE)  # "m202ab" too
    if not written.search(text):
        return {}
    rest = " ".join(written.sub(" ", text).split()).strip(" ,.;:!?")
    words = re.findall(r"[^\s,.;:!?]+", rest)
    old = str(filled[texts[0]])
    if (not 0 < len(words) <= 3 or not all(w.isalpha() for w in words)
            or any(w.lower() in _NOT_PLACES or w.lower() in old.lower().split() for w in words)):
        return {}
    return {texts[0]: f"{old}, {rest}"}


# Words a reply to our question opens or closes with that are no part of an address.
_NOT_PLACES = frozenset("""
its it's is the my new postcode post code it ok okay yes yeah sorry please thanks thank you and that's thats
""".split())
