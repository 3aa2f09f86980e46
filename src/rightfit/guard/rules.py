"""Hand-written prompt-injection patterns, matched against the folded detection text (see normalize.py).

Each rule has a family; the detector feeds the families that fired to its combiner as features, so a
pattern that also matches ordinary customer wording ("ignore the previous instructions on the form")
does not flag on its own unless training showed it should. Patterns are written for the folded text:
lower case, no accents, look-alikes and l33t already mapped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Families, in the order the combiner sees them.
FAMILIES = ("override", "prompt_leak", "role_play", "exfiltration", "fake_markup", "privilege", "tool_abuse",
            "new_task")

_IGNORE = r"(?:ignore|disregard|forget|skip|bypass|override|drop|abandon|discard|set aside|leave behind|stop following)"
_PREVIOUS = (r"(?:all|any|every|the|your|my|these|those|previous|prior|above|earlier|preceding|foregoing|former"
             r"|initial|original|system|bank'?s?|safety|current|existing|other|of|\s)*")
_RULES = r"(?:instructions?|rules?|directions?|guidelines?|prompts?|polic(?:y|ies)|restrictions?|constraints?" \
         r"|context|programming|guardrails?|filters?|directives?|orders?|tasks?|commands?|training|information)"
_AI = r"(?:assistant|ai|bot|chatbot|model|llm|language model|gpt)"

_PATTERNS: dict[str, list[str]] = {
    "override": [
        rf"\b{_IGNORE}\b{_PREVIOUS}\b{_RULES}\b",
        r"\b(?:ignore|disregard|forget) (?:everything|all of (?:that|this|the above)|all that|the above"
        r"|what you were told)\b",
        r"\bdo not follow (?:the|your|any) (?:bank'?s? )?(?:rules|instructions|policy)\b",
        # German, French, Spanish, Italian (accents already dropped)
        r"\bignorier(?:e|en sie|t|en)?\b.{0,40}\b(?:anweisungen|regeln|vorgaben|instruktionen|informationen"
        r"|ausfuhrungen|oben)",
        r"\b(?:vergiss|vergessen sie|vergesst)\b.{0,30}\b(?:alles|alle|regeln|anweisungen|vorherigen|bisherigen)",
        r"\b(?:alle|die) (?:bisherigen|vorherigen|obigen) (?:informationen|anweisungen|aufgaben)\b",
        r"\bignorez?\b.{0,30}\b(?:instructions|regles|consignes)\b",
        r"\boubli(?:ez|e)\b.{0,30}\b(?:tout|toutes|vos|tes|les) ?(?:instructions|regles|consignes)?",
        r"\b(?:ignora|olvida|olvide)\b.{0,30}\b(?:instrucciones|reglas|istruzioni|regole|todo)\b",
    ],
    "prompt_leak": [
        r"\b(?:system|initial|hidden|original|secret|internal|developer|pre-?)\s?(?:prompt|instructions?|message|rules)\b",
        r"\b(?:print|show|reveal|repeat|output|display|tell|list|translate|spell|encode|dump|leak|give|write|recite"
        r"|summari[sz]e|share|expose|return)\b.{0,30}\byour (?:prompt|instructions|rules|configuration|config"
        r"|guidelines|context|directives|programming)\b",
        r"\b(?:repeat|output|print|show) (?:the|all the|everything|all) (?:text|words|lines|content)? ?"
        r"(?:above|before)\b",
        r"\bwhat (?:were|are) your (?:initial |original |first )?(?:instructions|rules|prompt)\b",
        r"\bprompt_?text|\bsystemprompt|\bsystem-prompt|\bprompt (?:del )?sistema|\bprompt systeme|\bprompt di sistema",
        r"\b(?:leak|reveal|dump) (?:the |your )?(?:prompt|context)\b",
        r"\b(?:zeig|gib)\w*\b.{0,30}\b(?:prompt|anweisungen)\b",
        r"\bbetween <system>|<system>",
    ],
    "role_play": [
        r"\byou are (?:now|no longer)\b",
        r"\bfrom now on,? (?:you|your|answer|respond|reply|act|end)\b",
        r"\bpretend (?:to be|you are|you're)\b",
        r"\b(?:act|behave|respond|answer) (?:as|like) (?:if|though)? ?(?:you (?:were|are) )?(?:a|an|my|the)?\s?"
        r"(?:\w+ ){0,3}(?:with(?:out)? (?:no|any)|unfiltered|unrestricted|evil|hacker|jailbroken|admin|root)",
        r"\b(?:role-?play|roleplay) as\b",
        r"\bdo anything now\b|\bdan\b(?! \w+ing)|\bjailbr(?:eak|oken)\b(?! on)|\bdeveloper mode\b|\bgod mode\b",
        r"\b(?:no|without|any|free of) (?:restrictions|rules|limits|filters|policy|policies|guidelines|censorship|"
        r"ethics)\b",
        r"\bunfiltered\b|\bunrestricted\b|\buncensored\b",
        r"\bif you had no rules\b|\bnot bound by\b",
        r"\bdu bist (?:jetzt|nun|ab sofort|kein)\b|\bvous etes maintenant\b|\bahora eres\b|\bora sei\b",
        r"\b(?:tu es|you are) (?:a|an|the)? ?(?:\w+ )?(?:assistant|ai) (?:without|sans|ohne)\b",
    ],
    "exfiltration": [
        r"\b(?:send|email|e-mail|post|forward|export|upload|transmit|leak|append|list|give|dump|show)\b.{0,40}"
        r"\b(?:all|every|other|each) (?!my\b|of my\b|our\b)(?:\w+ )?(?:customers?'?s?|clients?'?s?|users?'?s?"
        r"|account holders?|accounts)\b",
        r"\b(?:customer|client|user) (?:list|database|records|data ?base|table)\b",
        r"\banother customer'?s?\b|\bother (?:customers|people)'?s? (?:accounts?|balances?|details|data)\b",
        r"\b(?:send|email|post|forward|upload|transfer)\b.{0,60}\b(?:to|at) (?:https?://|www\.|\S+@\S+)",
        r"\b(?:kontostande|kartennummern|kundendaten) aller\b|\baller kunden\b|\bde tous les clients\b"
        r"|\bde todos los clientes\b",
    ],
    "fake_markup": [
        r"^\W*(?:system|\[system\]|### ?system|assistant)\b\s*[:\]]",
        r"<\|?(?:im_start|im_end|system|endoftext)\|?>|\[/?inst\]|\[system\]|### (?:system|instruction)",
        r"\bend of (?:user )?(?:message|input|prompt|document)\b|</passage>|</document>|</context>",
        rf"\b(?:note|message|instructions?|important instruction) (?:to|for) (?:the )?(?:{_AI}|assistants?)\b",
        rf"\b(?:{_AI}s?|assistants?) reading this\b|^\W*{_AI}\s*,",
        r"\b(?:\"|')?role(?:\"|')?\s*:\s*(?:\"|')?system\b",
    ],
    "privilege": [
        r"\badmin(?:istrator)? (?:mode|override|access|privileges?|rights|token|password)\b|\bmaintenance mode\b",
        r"\bi am (?:your|the|a) (?:developer|creator|admin|administrator|programmer|owner)\b",
        r"\b(?:safety|security|content) (?:filter|policy|checks?|guard)\w* (?:is |are )?(?:off|disabled|removed)\b",
        r"\bdisable (?:all |the |your )?(?:guards?|filters?|safety|checks|authentication|authori[sz]ation)\b",
        r"\bsudo\b|\belevated privileges\b|\bgranted (?:full|admin|elevated|root) access\b|\btest mode\b",
        r"\b(?:bypass|skip|without) (?:the )?(?:authentication|verification|authori[sz]ation|security checks?)\b",
        # A claimed sign-off names whoever the writer hopes the assistant obeys; "test approved by <name>"
        # catches the organisation's own name without the library knowing it.
        r"\bapproved by (?:the bank|the developers|underwriting)\b|\btest (?:is |was |has been )?approved by\b"
        r"|\bauthori[sz]ed you\b",
    ],
    "tool_abuse": [
        r"\b(?:call|use|run|execute|invoke)\b.{0,20}\b(?:tool|function|command)\b",
        r"\bselect \* from\b|\bdrop table\b|\bunion select\b|;\s*--|\bexec\(",
        r"\b(?:environment variables|api keys?|access tokens?|secrets?|credentials)\b.{0,20}"
        r"\b(?:print|show|reveal|see|dump|list)|\b(?:print|show|reveal|dump|list)\b.{0,30}"
        r"\b(?:environment variables|api keys?|access tokens?|credentials)\b",
        r"\b\w+\(\)",
    ],
    "new_task": [
        r"\bnew (?:task|instructions?|rules?|policy|role)\s*[:.!]",
        r"\byour new (?:task|role|job|instructions?)\b",
        r"\b(?:now|next) (?:focus on|comes?|follow)\b.{0,20}\b(?:task|instruction)",
        r"\bneue (?:aufgabe|anweisung|regel)\b|\bnouvelle (?:tache|instruction)\b|\bnueva (?:tarea|instruccion)\b",
        r"\b(?:stop|halt|achtung|attention)\s*[-:!.]+\s*(?:write|say|schreib|sag|print|stopp)",
        r"\b(?:say|write|schreib|sag|print)(?:e|en)? (?:only |nur )?(?:\"|'|:)",
    ],
}

_COMPILED = {fam: [re.compile(p, re.MULTILINE) for p in pats] for fam, pats in _PATTERNS.items()}


@dataclass(frozen=True, slots=True)
class RuleHit:
    family: str
    pattern: int  # index within the family, for debugging a false positive
    start: int
    end: int


def match_rules(detection: str) -> list[RuleHit]:
    """Every family's first match in the folded detection text."""
    hits = []
    for family in FAMILIES:
        for i, rx in enumerate(_COMPILED[family]):
            m = rx.search(detection)
            if m:
                hits.append(RuleHit(family, i, m.start(), m.end()))
                break
    return hits


def rule_features(hits: list[RuleHit]) -> list[float]:
    fired = {h.family for h in hits}
    return [1.0 if fam in fired else 0.0 for fam in FAMILIES]
