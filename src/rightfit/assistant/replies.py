"""Reading a customer's reply to the assistant's question: a clear yes or no, a yes or no that corrects what
was asked ("no, the 4417 one"), a yes with a further request ("yes, and freeze 8120 too"), giving up
("actually no, forget it"), or two requests in one message. Plain functions over text: the assistant
decides what each one means for the conversation.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

_YES = re.compile(r"^(yes|yeah|yep|yup|y|ye|yea|yeh|yh|ya|yas|ok|okay|k|kk|sure|fine|alright|all right|"
                  r"confirm(ed)?|go ahead|go for it|go on|do it|please do|correct|"
                  r"that's right|absolutely|definitely)\b")
_YES_ANY_CASE = re.compile(_YES.pattern, re.IGNORECASE)  # on the message as written, to keep its offsets
# "wait" alone holds back; "wait does freezing it stop my direct debits?" is a question first, not a no.
_NO = re.compile(r"^(no|nope|nah|n|cancel|stop|don'?t|do not|never ?mind|not now|leave it|wait(?=[\s,.!-]*$))\b")
# After a yes: a figure, or words that change or add to what was confirmed.
_AMENDED = re.compile(r"\d|\b(but|instead|actually|rather|except|also|another|other|different|and then)\b")
# After a no: a figure other than the one asked about ("no, the 4417 one"), or another one by name ("no, the
# credit one"), names what was meant instead. "The other one" is read by the assistant, which knows whether
# there is exactly one other (see THE_OTHER).
_NEW_CHOICE = re.compile(r"\d|\bthe (?!other\b)\w+ one\b")
# Giving up on an action half-way ("no", "actually no, forget it", "cancel that"): short, and nothing after it
# but another way of saying so ("dont bother, forget it") or why ("leave it, I'm not moving till next month").
_FIRM = r"(?:cancel(?: that| it)|forget (?:it|that|about it)|never ?mind|don'?t bother|leave it)"
_GIVE_UP = rf"(?:no|nope|nah|cancel|stop|not now|{_FIRM})"
_REASON = r"(?:i'?m|i am|i'?ll|i will|i'?ve|i have|i don'?t|we'?re)\b[^\d?]*"
STOP = re.compile(rf"^(?:(?:actually|oh|ok|okay|um|erm|sorry|hmm|no|nah|nope)[\s,.!-]+)*"
                  rf"(?:{_GIVE_UP}(?:[\s,.;!-]+{_GIVE_UP})*(?: thanks| thank you)?"
                  rf"|{_FIRM}(?:[\s,.;!-]+{_GIVE_UP})*[\s,.;!-]+{_REASON})[\s.!]*$", re.IGNORECASE)
STOPPED = "OK, I haven't changed anything. Anything else?"
GO_AHEAD = "Shall I go ahead?"  # the confirmation question of an action whose route words none
REPLY_YES_OR_NO = "Reply yes to go ahead or no to cancel."


def asked_again(pending: Mapping[str, Any] | None) -> str:
    """The waiting action's confirmation question, with how to answer it: "Freeze your card ending 8120? Reply
    yes to go ahead or no to cancel."."""
    return f"{(pending or {}).get('question') or GO_AHEAD} {REPLY_YES_OR_NO}"
STILL_WAITING = "Your request is still waiting: "  # then its confirmation question, asked again
NOTHING_TO_STOP = "OK. I'm here if you need anything else."
THANKS = re.compile(r"\bthank", re.IGNORECASE)


# A yes and nothing else ("yes", "yes please", "go ahead"); "ok" alone acknowledges rather than agrees.
_BARE_YES = re.compile(r"^(?:yes|yeah|yep|yup|y|ye|yea|yeh|yh|ya|sure|go on(?: then)?|"
                       r"confirm(?:ed)?|go ahead|go for it|do it|please do|absolutely|"
                       r"definitely)(?:[\s,]+(?:please|go ahead|do it))?$")


def bare_yes(text: str) -> bool:
    return bool(_BARE_YES.match(_plain(text)))


# A thumbs-up or a tick answering a yes-or-no question is a yes, as people use them in chat.
_YES_EMOJI = re.compile(r"^\s*(?:\U0001F44D|\U0001F44C|\u2705|\u2714\uFE0F?|\u2611\uFE0F?)[\U0001F3FB-\U0001F3FF]?")


def _plain(text: str) -> str:
    return _YES_EMOJI.sub("yes ", text).lower().strip(" .!")


# Before a yes or a no: "wait yes do it" ("wait" alone is a no, `_NO`); "right" only before a go-ahead ("right,
# go ahead"): "right, cancel my card" asks for something, and "right ok ..." often moves on.
_HESITATION = re.compile(r"^(?:(?:actually|oh|um+|erm+|uh+|ah+|hmm+|well|sorry|ok so|wait|hang on|"
                         r"right(?=[\s,.!-]+(?:go ahead|go on|do it)\b))[\s,.!-]+)+")


def yes_or_no(text: str, agreed: Sequence[object] = ()) -> bool | None:
    """True for a clear yes, False for a clear no, None for anything else (then the message is routed anew).

    `agreed` are the values being confirmed: repeating one ("yes, 8120") is still a yes.
    """
    t = _HESITATION.sub("", _plain(text))  # "actually no, don't" is a no
    if len(t.split()) > 12:
        return None
    if agreed:  # "8120 yes": the value being confirmed, said first, does not hide the yes after it
        t = _without(t, agreed).lstrip(" ,.-")
    yes, no = _YES.match(t), _NO.match(t)
    if yes and _AMENDED.search(_without(t[yes.end():], agreed)):
        # "yes, but the card ending 8120 instead": not a yes to what was asked; routed anew, it asks again.
        return None
    if no and not yes and _NEW_CHOICE.search(_without(t[no.end():], agreed)):
        # "no, the 4417 one": not a no to the action but to the value; planned again with it, asked again.
        return None
    return bool(yes) if bool(yes) != bool(no) else None


# "too", "as well": what follows the yes is a further request, not a change to what was asked.
_ADDED = re.compile(r"\b(?:too|also|as well)\b", re.IGNORECASE)
_CHANGED = re.compile(r"\b(?:but|instead|actually|rather|except|different|other)\b", re.IGNORECASE)
_JOINED_ON = re.compile(r"[\s,.;:!-]*(?:please[\s,.;:!-]+)?(?:and|also|plus|then)\b", re.IGNORECASE)
_JOINER = re.compile(r"^[\s,.;:!-]*(?:(?:and|also|then|please|plus)\b[\s,.;:!-]*)*", re.IGNORECASE)


def yes_and_more(text: str) -> str | None:
    """For "yes and freeze 7764 too" or "yes please, and what's my balance?": the further request after the yes,
    to carry out the confirmed action and then take it as a new message; None when the reply is not a yes with
    an addition ("yes, but the other card" changes what was asked)."""
    stripped = text.strip(" .!")
    yes = _YES_ANY_CASE.match(stripped)
    if yes is None:
        return None
    rest = stripped[yes.end():]
    # "too" says it is more; so does a joiner right after the yes ("yes please, and what's my balance?").
    if not (_ADDED.search(rest) or _JOINED_ON.match(rest)) or _CHANGED.search(rest):
        return None
    while True:  # "ok, go ahead, and also ...": every yes word and joiner before the further request
        rest = rest[_JOINER.match(rest).end():]  # type: ignore[union-attr]  # the pattern matches any string
        again = _YES_ANY_CASE.match(rest)
        if again is None or again.end() == 0:
            break
        rest = rest[again.end():]
    return rest if re.search(r"\w", _ADDED.sub("", rest)) else None


# Not "ok and ...": "ok and can you raise my limit?" after "I can pass you to a colleague" moves on, it is no yes.
_YES_THEN = re.compile(r"^(?:yes|yeah|yep|yup|sure|please|ok(?:ay)?(?![\s,.;:!-]*(?:and|plus)\b))\b"
                       r"(?:[\s,]+please\b)?[\s,.;:!-]*"
                       r"(?:and|also|then|plus)\b[\s,]*(?:also\b[\s,]*)?(?P<rest>\w.*)$", re.IGNORECASE)


def yes_then(text: str) -> str | None:
    """For "yes, and what's my balance?" answering an offer (nothing there to correct, so no "too" is needed,
    unlike `yes_and_more`): the further request."""
    m = _YES_THEN.match(text.strip())
    return m.group("rest").strip() if m and len(m.group("rest").split()) >= 2 else None


def _without(text: str, values: Sequence[object]) -> str:
    for value in values:
        text = text.replace(str(value).lower(), " ")
    return text


_NO_LEAD = re.compile(r"^\s*(?:(?:no|nope|nah|don't|do not|wait|hang on|hold on|sorry|actually|oh|um|erm)\b"
                      r"[\s,.!-]*)+", re.IGNORECASE)


# "no, the other one", "and the other one too": the one other value the customer has (their other card).
THE_OTHER = re.compile(r"^(?:(?:no|nope|and|what about|how about|now|also|then|ok|okay|sorry|actually|i meant|"
                       r"please|wait|hang on|hold on)[\s,.!-]+)*(?:(?:on|for|with|in)\s+)?"
                       r"the other (?:one|card|account|acc)"
                       r"(?:[\s,]+(?:too|as well|instead|please|sorry|then|mate|pls))*[\s.!?]*$",
                       re.IGNORECASE)


def after_yes(text: str) -> str | None:
    """What follows a leading yes word ("ok block my card then" -> "block my card then"), when it is two words or
    more; None otherwise. Whether it is a request of its own is the caller's to judge."""
    stripped = text.strip()
    m = _YES_ANY_CASE.match(stripped)
    rest = stripped[m.end():].lstrip(" ,.!-") if m else ""
    return rest if len(rest.split()) >= 2 else None


def after_no(text: str, *, min_words: int = 2) -> str | None:
    """What follows a leading no ("no wait, it was just lost" -> "it was just lost"), when it is `min_words`
    words or more; None otherwise."""
    m = _NO_LEAD.match(text)
    rest = text[m.end():].strip(" ,.!") if m else ""
    return rest if len(rest.split()) >= max(1, min_words) else None


def corrects(text: str) -> bool:
    """For a reply to a confirmation question that `yes_or_no` read as neither: whether it still opens with a
    yes or a no, so it corrects what was asked ("yes, but ...", "no, the 4417 one") and the waiting action is
    planned again with the new value, rather than moving on to something else."""
    t = _plain(text)
    return bool(_YES.match(t) or _NO.match(t))


# Two requests in one message, a sentence each ("what's my balance? and freeze my card").
_SENTENCE_END = re.compile(r"(?<=[?.!])\s+")
_JOINED = re.compile(r"^(?:(?:and|also|then|plus|oh)\b[\s,]*)+", re.IGNORECASE)


# A hello said first is no sentence of the request: "Hi! Quick q - whats my balance ... and how much ...".
_HELLO_FIRST = re.compile(r"^\s*(?:hi|hello|hey|hiya|good (?:morning|afternoon|evening))(?:\s+there)?\s*[!.,]+\s*",
                          re.IGNORECASE)


def two_sentences(text: str) -> tuple[str, str] | None:
    """A message of exactly two sentences of two words or more, a joining "and" dropped from the second."""
    parts = [p for p in _SENTENCE_END.split(_HELLO_FIRST.sub("", text).strip()) if p.strip()]
    if len(parts) != 2:
        return None
    first, second = parts[0].strip(), _JOINED.sub("", parts[1]).strip()
    return (first, second) if len(first.split()) >= 2 and len(second.split()) >= 2 else None


# "and", or a comma before a request of its own ("freeze my debit card, report my credit card stolen and ..."):
# a list of requests is split one at a time, the rest split again when it is taken up.
_REQUEST = (r"(?:freeze|unfreeze|block|unblock|report|show|list|change|update|dispute|cancel|check|tell me|give me|"
            r"what'?s|whats)\b")
_AND = re.compile(r"\s*(?:,\s*)?\b(?:and|&|plus)\b\s*(?:(?:also|then|can you|could you|please)\b\s*)*|"
                  rf"(?P<comma>\s*,\s*)(?=(?:(?:also|then|can you|could you|please)\s+)*{_REQUEST})", re.IGNORECASE)
_ASKED_FOR = re.compile(rf"^(?:(?:please|pls|can you|could you|would you|will you|i want to|i'd like to|i need to|"
                        rf"i wanna|now)\s+)*(?:{_REQUEST}|send|order|open|close)", re.IGNORECASE)


# What a message asking about a record says beside it: "whats SP DIGITAL 18.99?", "what is this WWW.XBPAY charge".
_ONLY_ASKING = re.compile(r"\b(?:what'?s|whats|what|is|was|this|that|the|a|an|payment|charge|transaction|it|for|on|"
                          r"of|from|to|please|pls)\b|[£$€]?\d[\d,.:/-]*|[^\w\s]", re.IGNORECASE)


def names_only(text: str, named: Iterable[object]) -> bool:
    """Whether the message says nothing but the records named, an amount or a date, and words asking what they
    are."""
    rest = text
    for name in named:
        rest = re.sub(re.escape(str(name)), " ", rest, flags=re.IGNORECASE)
    return not _ONLY_ASKING.sub(" ", rest).strip()


def asks_for_something(text: str) -> bool:
    """Whether the message opens as a request ("freeze my card", "can you show ..."), not as a statement ("it was
    £40 at Tesco")."""
    return _ASKED_FOR.match(text.strip()) is not None


# Before such a comma, a request too: "I didn't make that payment, block my card" is one request.
_ASKS = re.compile(rf"\b{_REQUEST}", re.IGNORECASE)


_STRONG_JOIN = re.compile(r"\b(?:also|plus|then)\b", re.IGNORECASE)


def and_joined(text: str) -> tuple[str, str] | None:
    """One sentence split at its first "and" into two halves of two words or more ("what's my balance and my
    sort code"; "freeze my card and what's my balance and my sort code" leaves the last two together, for the
    caller to split again), or at an "and also" or "plus" after it ("my sort code and account number for the
    savings and also the interest rate": the first "and" joins two details of one request). Whether each half
    is a request of its own is the caller's to judge: "I lost my card and need a new one" splits here too."""
    t = _HELLO_FIRST.sub("", text).strip()
    joins = [j for j in _AND.finditer(t) if j.group("comma") is None or _ASKS.search(t[: j.start()])]
    if not joins or re.search(r"[?.!]\s+\S", t):
        return None
    join = next((j for j in joins if _STRONG_JOIN.search(j.group())), joins[0])
    first, second = t[:join.start()].strip(" ,"), t[join.end():].strip()
    return (first, second) if len(first.split()) >= 2 and len(second.split()) >= 2 else None


def said_once(replies: Iterable[str]) -> str:
    """Replies joined, each sentence said once: two cards blocked are two "Done" lines, but one "call us if you
    see payments you don't recognise". A reply's own line breaks are kept."""
    seen: set[str] = set()
    out: list[str] = []
    for reply in replies:
        parts = re.split(r"((?<=[?.!])\s+)", reply.strip())  # sentence, gap, sentence, gap, ..., sentence
        kept = ""
        for i in range(0, len(parts), 2):
            if parts[i] and parts[i] not in seen:
                seen.add(parts[i])
                kept += parts[i] + (parts[i + 1] if i + 1 < len(parts) else "")
        if kept.strip():
            out.append(kept.strip())
    return " ".join(out)


_DETERMINERS = frozenset({"your", "the", "my", "a", "an", "this", "that"})


def one_question(questions: Sequence[str]) -> str:
    """Questions that differ in one run of words, asked as one: "Freeze your card ending 9042?" and "Freeze
    your card ending 8120?" become "Freeze your card ending 9042 and your card ending 8120?". The shared
    opening is cut back to before its last determiner, so each item keeps its own ("your card ... and your
    card ..."). Questions that differ in more than that are asked one after the other."""
    distinct = list(dict.fromkeys(q.strip() for q in questions if q and q.strip()))
    marks = {q[-1] for q in distinct if q[-1] in "?.!"}
    if len(distinct) < 2 or len(marks) != 1 or not all(q[-1] in marks for q in distinct):
        return said_once(distinct)
    words = [q[:-1].split() for q in distinct]
    shortest = min(len(w) for w in words)
    head = 0
    while head < shortest and len({w[head] for w in words}) == 1:
        head += 1
    tail = 0
    while tail < shortest - head and len({w[len(w) - 1 - tail] for w in words}) == 1:
        tail += 1
    cut = max((i for i in range(head) if words[0][i].lower() in _DETERMINERS), default=head)
    middles = [" ".join(w[cut:len(w) - tail]) for w in words]
    if head == 0 or not all(middles) or any(re.search(r"[?.!]", m) for m in middles):
        return said_once(distinct)  # nothing shared to lead with, or whole sentences apart
    listed = ", ".join(middles[:-1]) + " and " + middles[-1]
    opening, closing = " ".join(words[0][:cut]), " ".join(words[0][len(words[0]) - tail:])
    return " ".join(part for part in (opening, listed, closing) if part) + marks.pop()


_ORDINALS = {"first": 0, "1st": 0, "former": 0, "top": 0, "second": 1, "2nd": 1, "middle": 1, "third": 2, "3rd": 2,
             "fourth": 3, "4th": 3, "last": -1, "latter": -1, "bottom": -1}
_PICK = re.compile(r"^(?:(?:the|that|it'?s|its|it was|erm|um|uh|oh|ok|okay)[\s,]+)*"
                   rf"(?P<n>{'|'.join(_ORDINALS)})"
                   r"(?:\s+(?:one|card|option|payment|account|of them|on the list))?(?:[\s,]+please)?$", re.IGNORECASE)


_IN_LIST = re.compile(rf"\b(?:the\s+)?(?P<n>{'|'.join(_ORDINALS)})\s+(?:one|payment|transaction|item|charge|entry)\b",
                      re.IGNORECASE)


_POINTS_AT = re.compile(r"\b(?:it|that one|this one|that payment|this payment|(?P<card>(?:the|that|this) card)|"
                        # "did i pay my rent this month": a time, not the payment shown
                        r"(?:that|this)(?!\s+(?:month|week|year|morning|afternoon|evening|weekend|fortnight|time|"
                        r"quarter)\b))\b", re.IGNORECASE)


def _pointed_at(options: Sequence[str], named: int | None) -> int | None:
    """The item "it" points at: the one the last reply named of several, or the only one listed; None if neither."""
    if named is not None and 0 <= named < len(options):
        return named
    return 0 if len(options) == 1 else None


def with_item(text: str, options: Sequence[str], made_with: Sequence[str] = (), *,
              named: int | None = None) -> str | None:
    """The message with "the second one" replaced by the second of the items the last reply listed ("the second
    one is wrong, dispute it" -> "TfL Travel -£6.84 on 2026-11-19 is wrong, dispute it"), or with the one item
    listed added when it points at it ("dispute it"); None when it points at no item. What the item was made with
    (`made_with`, "on your debit card ending 8120") is added only when the message points at the card: beside a
    dispute's words it would only mislead the reading. `named`: the item the last reply named of several ("That
    was ..."), which "it" then points at as at the one item listed."""
    m = _IN_LIST.search(text)
    if any(p.match(text.strip()) for p in (_HOW_MUCH_WAS_IT, _WHICH_CARD, _ALTOGETHER)):
        return None  # "when was it", "which account was that from", "how much is that altogether": asked of them
    one = _pointed_at(options, named)
    if m is None and one is not None and (at := _POINTS_AT.search(text)) and "?" not in text:
        # The one item listed, pointed at: "i dont know what that is, i never made it" after one payment shown,
        # "can you block the card" (the payment's card); not a question about it: "is it legit?" is asked as it is.
        card = f" ({made_with[one]})" if at.group("card") and len(made_with) > one and made_with[one] else ""
        return f"{text.rstrip(' .!?')}: {options[one]}{card}"
    if m is None or not options:
        return None
    index = _ORDINALS[m.group("n").lower()]
    if not -len(options) <= index < len(options):
        return None
    return f"{text[: m.start()]}{options[index]}{text[m.end():]}"


_FILLER = frozenset({"the", "one", "card", "account", "my", "your", "on", "please", "that", "its", "it's", "it",
                     "is", "was", "ending", "with", "and", "a", "an", "of", "in", "for", "to", "ok", "okay", "yes"})


_RANK = re.compile(r"^(?:(?:the|that|it'?s|its|it was|erm|um|oh|ok|okay)[\s,]+)*(?P<w>bigger|biggest|larger|largest|"
                   r"higher|highest|more expensive|most expensive|smaller|smallest|lower|lowest|cheaper|cheapest|"
                   r"latest|newest|most recent|more recent|newer|earlier|earliest|older|oldest)"
                   r"(?:\s+(?:one|payment|charge|transaction))?(?:[\s,]+please)?$", re.IGNORECASE)
_AMOUNT = re.compile(r"[£$€]\s?(\d[\d,]*(?:\.\d+)?)")
_ISO_DAY = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")


def _ranked(text: str, options: Sequence[str]) -> str | None:
    """"the bigger one", "the latest": the option with the largest or smallest amount, or the newest or oldest
    day, when every option shows one and no two tie."""
    m = _RANK.match(text.strip(" .!?"))
    if m is None:
        return None
    word = m.group("w").lower()
    by_day = word in ("latest", "newest", "most recent", "more recent", "newer", "earlier", "earliest", "older",
                      "oldest")
    keys: list[tuple[float, str]] = []  # (amount, "") or (0, ISO day): one kind per question, compared as is
    for o in options:
        found = _ISO_DAY.search(o) if by_day else _AMOUNT.search(o)
        if found is None:
            return None
        keys.append((0.0, found.group()) if by_day else (float(found.group(1).replace(",", "")), ""))
    pick = max(keys) if word.startswith(("bigger", "biggest", "larger", "largest", "higher", "highest", "more",
                                         "most", "latest", "newest", "newer")) else min(keys)
    return options[keys.index(pick)] if keys.count(pick) == 1 else None


# Asked of the items the last reply listed: "how much was it?" of the one payment shown, "which of those was the
# biggest?" of several.
_HOW_MUCH_WAS_IT = re.compile(r"^\W*(?:(?:and|so|ok|okay|sorry)\W+)*(?:how much|what|when|who)\s+(?:was|is)\s+"
                              r"(?:it|that|this)(?:\s+(?:again|for|exactly))?\W*$", re.IGNORECASE)
_WHICH_WAS = re.compile(r"^\W*(?:(?:and|so|ok|okay)\W+)*(?:which|what|how much)\s+"
                        r"(?:one\s+|of (?:those|them|these)\s+)?(?:was|is|were)\s+(?:the\s+)?"
                        r"(?P<rank>\w+(?:\s+(?:expensive|recent))?)(?:\s+one)?\W*$", re.IGNORECASE)


_AND_THE = re.compile(r"^\W*(?:and|what about|how about)\W+(?=the\b)", re.IGNORECASE)  # "and the smallest?"
_ALTOGETHER = re.compile(r"^\W*(?:(?:and|so|ok|okay)\W+)*(?:how much|what)(?:'s|\s+is|\s+are|\s+was|\s+were|"
                         r"\s+does|\s+do)?\s+(?:that|those|these|they|them|it)(?:\s+all)?\s+(?:altogether|all together|"
                         r"in total|total|come to|add up to|in all)\W*$|"
                         r"^\W*(?:(?:and|so|ok|okay)\W+)*(?:the\s+)?total\W*$", re.IGNORECASE)


def total_of_listed(text: str, options: Sequence[str]) -> str | None:
    """"how much is that altogether?", "total?" of the items the last reply listed: their sum, money out and in
    apart ("£57.98 out and £2,450.00 in"), when every item shows an amount; None for any other message."""
    if len(options) < 2 or not _ALTOGETHER.match(text.strip()):
        return None
    amounts = [_AMOUNT.search(o) for o in options]
    signed = [(-1 if o[: a.start()].rstrip().endswith("-") else 1) * float(a.group(1).replace(",", ""))
              for o, a in zip(options, amounts, strict=True) if a]
    if len(signed) != len(options):
        return None
    out, into = -sum(v for v in signed if v < 0), sum(v for v in signed if v > 0)
    return " and ".join(p for p in (f"£{out:,.2f} out" if out else "", f"£{into:,.2f} in" if into else "") if p)


_WHICH_CARD = re.compile(r"^\W*(?:(?:and|so|ok|okay|sorry)\W+)*(?:which|what)\s+(?:card|account)\b(?:\s+\w+){0,5}\W*$",
                         re.IGNORECASE)


def made_with_listed(text: str, options: Sequence[str], made_with: Sequence[str]) -> str | None:
    """"which card was that on?", "which account was that from" of the items the last reply listed, answered
    from what each was made with (`made_with`); None for any other message or when that is not known."""
    if not _WHICH_CARD.match(text.strip()) or len(made_with) != len(options) or not all(made_with):
        return None
    if len(set(made_with)) == 1:
        return f"{'That was' if len(options) == 1 else 'Those were all'} {made_with[0]}."
    return "; ".join(f"{o}: {m}" for o, m in zip(options, made_with, strict=True)) + "."


def of_the_listed(text: str, options: Sequence[str], *, named: int | None = None) -> str | None:
    """The item of the last reply's list a question asks about ("how much was it?" of one payment shown, or of
    the one of several the last reply `named`; "which of those was the biggest?", "and the smallest?"), as
    listed; None when it asks about none of them."""
    one = _pointed_at(options, named)
    if one is not None and _HOW_MUCH_WAS_IT.match(text.strip()):
        return options[one]
    if len(options) >= 2 and _RANK.match(_AND_THE.sub("", text.strip()).strip(" .!?")):
        return _ranked(_AND_THE.sub("", text.strip()), options)
    m = _WHICH_WAS.match(text.strip())
    if m is None or len(options) < 2:
        return None
    return _ranked(f"the {m.group('rank')}", options)


def chosen_option(text: str, options: Sequence[str]) -> str | None:
    """"the second one" answering a question that listed `options`: that option; or a short reply naming a word
    only one option has ("the premier one" of "9042 on your Everyday Account" and "8120 on your Premier
    Account"). None for anything else, or an ordinal past the end of the list ("the third one" of two)."""
    if not options:
        return None
    m = _PICK.match(text.strip(" .!"))
    if m is not None:
        index = _ORDINALS[m.group("n").lower()]
        return options[index] if -len(options) <= index < len(options) else None
    if (ranked := _ranked(text, options)) is not None:
        return ranked
    said = {w for w in re.findall(r"[a-z']+", text.lower()) if w not in _FILLER}
    if not said or len(text.split()) > 6:
        return None
    words = [set(re.findall(r"[a-z']+", o.lower())) - _FILLER for o in options]
    hits = [o for o, w in zip(options, words, strict=True)
            if said & w and not any(said & other for other in words if other is not w)]
    return hits[0] if len(hits) == 1 else None


NOT_CAUGHT = "Sorry, I didn't catch that."
_NO_WORD = re.compile(r"^[\W_]*$")


def not_caught(text: str, *, confirming: bool, own: str | None) -> tuple[str, str] | None:
    """The reply and its route for a message without a single word or figure ("?????", "😀😀", "..."), or None
    for any other, and for a thumbs-up or a tick, which is a yes: said plainly, with the yes or no asked for
    again while one is awaited (`confirming`; still a "confirm", so the page keeps its buttons), or else in
    the app's `own` words (what it can help with), never with a greeting."""
    if not _NO_WORD.match(text) or _YES_EMOJI.match(text):
        return None
    if confirming:
        return f"{NOT_CAUGHT} {REPLY_YES_OR_NO}", "confirm"
    return own or NOT_CAUGHT, "smalltalk"
