"""Requests about someone else's accounts, cards or details: "freeze farid haddad's card", "what's Daniel's
phone number", "show me my husband's transactions".

The tools already refuse another customer's records, but a message naming someone else can still be served
with the caller's own records when the two share a card number or the request carries none ("show me ben's
transactions" would list the caller's). The assistant acts only for the customer signed in, so such a request
is refused before any route runs.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from rightfit.assistant.app import AssistantApp
from rightfit.assistant.fields import slot_kind
from rightfit.assistant.reading import FieldReader
from rightfit.assistant.reply import ChatReply
from rightfit.extract import scan_account_id
from rightfit.tools.executor import ToolExecutor
from rightfit.tools.registry import ToolContext

SOMEONE_ELSE = ("I can only help with your own accounts, cards and details. The account holder needs to contact us "
                "themselves.")
ONLY_YOURS = "I can only act on your own cards and accounts: {other} needs to contact us themselves."
# "freeze my card and Daniel's card", "my wife's card was stolen along with mine": the caller's own card too.
_OWN_TOO = re.compile(r"\bmy (?:own |debit |credit |premier |everyday |bank )?cards?\b|\bmine\b|\bmy own\b|"
                      r"\b(?:me|myself)\s+and\b|\band\s+(?:me|myself)\b", re.IGNORECASE)
# "update the address for me and daniel", "for my wife and me": someone else beside the caller, no possessive.
_WITH_ME = re.compile(r"\bfor\s+(?:me|myself)\s+and\s+(?:my\s+)?(?P<who>[a-z]+)\b|"
                      r"\bfor\s+(?:my\s+)?(?P<first>[a-z]+)\s+and\s+(?:me|myself)\b", re.IGNORECASE)
_JOINT = re.compile(r"\bjoint\b|\bshared account\b|\bour account\b", re.IGNORECASE)

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
# "daniels card", "my husbands card": the possessive without its apostrophe, read only for a word that names a
# person (a relation, or a name the caller gave): "my savings account" and "business card" are no one's.
# (A lookahead, so that "whats ben okafors balance" is tried at every word, not only at "whats".)
_PLAIN_POSSESSIVE = re.compile(rf"\b(?=(?P<who>[a-z][a-z-]*?)s\s+{_BETWEEN}(?:{_OBJECT})\b)", re.IGNORECASE)
# "what phone number do you have for ben okafor", "the address for my husband": whom a record is asked for; not
# a record itself, nor a word before one ("the balance of my savings", "for my everyday account").
_FOR_WHOM = re.compile(rf"\b(?:have|got|hold|file|record|details|address|number|e-?mail|phone|balance)\s+"
                       rf"(?:\w+\s+){{0,2}}?(?:for|of)\s+(?:my\s+|our\s+)?"
                       rf"(?!(?:my|our|your|the|a|an|this|that|{_OBJECT})\b)(?P<who>[a-z][a-z-]*)\b"
                       rf"(?!\s+(?:{_OBJECT})\b)", re.IGNORECASE)
RELATIONS = frozenset("""
husband wife partner son daughter mum mom mam mother dad father brother sister friend boyfriend girlfriend
grandson granddaughter grandma grandmother nan nanna grandad grandpa grandfather nephew niece uncle aunt auntie
cousin carer flatmate housemate colleague boss neighbour fiance fiancee stepson stepdaughter
""".split())
# "what's", "it's", "today's", "the bank's": a contraction, a time or the bank, not a person.
_NOT_A_PERSON = frozenset("""
it that what there here who he she let where how when why one this today yesterday tomorrow tonight week
weekend month year night morning evening afternoon day everyone nobody somebody bank app monday tuesday
wednesday thursday friday saturday sunday last next other's
""".split())
_ANOTHER = re.compile(r"\b(?:on\s+behalf\s+of\s+(?!me\b|myself\b)[a-z]+|(?:for|of)\s+(?:someone|somebody)\s+else|"
                      r"another\s+(?:person|customer)|(?:for|of)\s+(?:customer|client)\s+(?:id\s+|number\s+|no\.?\s+)?"
                      r"[a-z]?\d+)", re.IGNORECASE)


def _words(names: Iterable[str]) -> set[str]:
    return {w.lower().removesuffix("'s") for name in names for w in re.findall(r"[\w']+", name)}


def someone_else(text: str, *, own_names: Iterable[str] = (), not_people: Iterable[str] = (),
                 people: Iterable[str] = ()) -> str | None:
    """Who else the request is about, or None when it is about the caller. `own_names` are the caller's
    names; `not_people` are names that take a possessive but are not people (merchants: "my sainsbury's
    payments"); `people` are names of people, read also without the apostrophe ("daniels card")."""
    skip = _NOT_A_PERSON | _words(own_names) | _words(not_people)
    for m in _POSSESSIVE.finditer(text):
        who = m.group("who") or m.group("owner") or m.group("pronoun")
        if who.lower() not in skip:
            return who
    named = (RELATIONS | _words(people)) - skip
    for m in _PLAIN_POSSESSIVE.finditer(text):
        if m.group("who").lower() in named:
            return m.group("who") + "s"
    for m in _WITH_ME.finditer(text):
        if (who := m.group("who") or m.group("first")).lower() in named:
            return who
    if other := _ANOTHER.search(text):
        return other.group(0)
    for m in _FOR_WHOM.finditer(text):
        if m.group("who").lower() in named:
            return m.group("who")
    return None


class ThirdPartyCheck:
    """The check against the customer's own names, records and joint account holders, and its refusal, which is
    audited."""

    def __init__(self, *, app: AssistantApp, fields: FieldReader, executor: ToolExecutor,
                 redact: Callable[[str], str]) -> None:
        self.app = app
        self.fields = fields
        self.executor = executor
        self.redact = redact

    def who(self, ctx: ToolContext, text: str, intent: str) -> str | None:
        """Who else the message asks about, if anyone; the caller's own names and the app's known values for
        the route (merchants such as "Sainsbury's") are not people."""
        route = self.app.actions.get(intent)
        # An account named by its id that is not the caller's, for a change that takes no account ("change the
        # address on account ACC-104233"), which would otherwise change the caller's own: refused here, whether
        # it is someone else's or no one's (the reply never says which). A route that takes the account passes
        # it to its tool, where the ownership policy refuses it on the record.
        takes_account = route is not None and any(slot_kind(route.slots, n) == "account_id"
                                                  for n in route.slots.model_fields)
        if route is not None and not takes_account:
            for found in scan_account_id(text).candidates:
                if found.value.kind == "internal" and ctx.customer_id not in self.app.owners("account",
                                                                                           found.value.value):
                    return found.value.value
        if someone_else(text) is None and not (_PLAIN_POSSESSIVE.search(text) or _WITH_ME.search(text)
                                                or _FOR_WHOM.search(text)):
            return None  # the common case costs no lookup
        customers = self.app.customers()
        own = [name for cid, name in customers if cid == ctx.customer_id]
        # Any other customer's name is a person's ("chloes card", "ben okafors balance"); the caller's is skipped.
        people = [name for cid, name in customers if cid != ctx.customer_id]
        lookup = self.fields.lookup(ctx)
        not_people = [v for values in (route.known.values() if route else ()) for v in values(lookup)]
        # What the customer may see anyway is the joint account's records: a read that takes an account (a balance,
        # transactions), not the caller's own contact details, which are no joint holder's.
        if route is not None and route.reads_only and takes_account and self.app.joint_holders is not None:
            joint = self.app.joint_holders(ctx.customer_id)
            if joint and _JOINT.search(text):
                return None  # "my husband's balance, we have a joint account": what the caller may see anyway
            own += joint  # "Daniel's transactions", Daniel holding the account with the caller
            if _words(joint) & _words([text]):
                own += ["his", "her", "their"]  # "what has daniel spent on his card": Daniel's, named
        return someone_else(text, own_names=own, not_people=not_people, people=people)

    def own_too(self, ctx: ToolContext, text: str, other: str) -> str | None:
        """When the message asks for the caller's own card as well as someone else's, the note that says only
        the caller's is acted on (the refusal of the other part is audited); None when it asks only for the
        other person's."""
        if not _OWN_TOO.search(text):
            return None
        self._denied(ctx, text, other, "; the caller's own part is acted on")
        who = other.removesuffix("'s").removesuffix("'")
        named = RELATIONS | _words(name for _, name in self.app.customers())
        if who.lower() not in named and who.lower().endswith("s") and who.lower()[:-1] in named:
            who = who[:-1]  # "my wifes card": the wife; "daniels card": Daniel
        return ONLY_YOURS.format(other=f"your {who.lower()}" if who.lower() in RELATIONS else who[:1].upper() + who[1:])

    def refuse(self, ctx: ToolContext, sid: str, text: str, other: str, *, intent: str,
               confidence: float) -> ChatReply:
        self._denied(ctx, text, other)
        return ChatReply(sid, self.app.replies.get("someone_else", SOMEONE_ELSE), "refuse", intent, confidence,
                         ctx.trace_id)

    def _denied(self, ctx: ToolContext, text: str, other: str, more: str = "") -> None:
        """The audit log's record of a request about someone else, refused."""
        self.executor.audit.record(customer_id=ctx.customer_id, tool="third_party_check",
                                   arguments={"message": self.redact(text)[:500]}, decision="denied",
                                   reason=f"request about someone else ({self.redact(other)[:60]}){more}",
                                   trace_id=ctx.trace_id)
