"""What kind of value a question asks for, and what kinds a sentence offers.

Classic extractive QA: "how much" wants an amount, "how long" a duration, "what rate" a percentage. A
sentence that offers none of the wanted kinds is an unlikely answer, however similar its words.
"""

from __future__ import annotations

import re

MONEY = "money"
PERCENT = "percent"
DURATION = "duration"
TIME = "time"
PHONE = "phone"
NUMBER = "number"

_UNIT = r"(?:working |business |calendar |banking )?(?:days?|weeks?|months?|years?|hours?|minutes?|mins?)"
_FOUND = {
    MONEY: re.compile(r"[£$€]\s?\d|\b\d+p\b|\bfree\b|\bno (?:fee|charge)|\bdon't charge|\bno monthly fee", re.I),
    PERCENT: re.compile(r"\d(?:\.\d+)?\s?%|\bper ?cent\b", re.I),
    DURATION: re.compile(
        rf"\b(?:\d+|one|two|three|four|five|six|seven|ten|fourteen|thirty)\s?(?:to \d+ )?{_UNIT}\b|\bsame day\b|"
        r"\bnext working day\b|\bimmediately\b|\binstantly\b|\bstraight away\b|\bwithin (?:an? )?(?:hour|day|week)",
        re.I,
    ),
    TIME: re.compile(r"\b\d{1,2}(?:[:.]\d{2})?\s?(?:am|pm)\b|\bmidnight\b|\bnoon\b|\b\d{1,2}:\d{2}\b", re.I),
    PHONE: re.compile(r"(?:\+44\s?|\b0)\d{2,4}[\s-]?\d{3,4}[\s-]?\d{3,4}\b"),
    NUMBER: re.compile(r"\b\d+(?:[.,]\d+)?\b|\b(?:one|two|three|four|five|six|seven|eight|nine|ten)\b", re.I),
}
# Ordered: the first pattern a question matches decides; "how much notice" is a duration, not money.
_WANTED: tuple[tuple[re.Pattern[str], frozenset[str]], ...] = (
    (re.compile(r"\b(?:phone|telephone|contact) number\b|\bwhat number\b|\bnumber (?:to|should i) (?:call|ring)\b|"
                r"\bwho do i (?:call|ring)\b", re.I), frozenset({PHONE})),
    (re.compile(r"\bwhat time\b|\bcut-? ?off\b|\bopen until\b|\bclose at\b|\bby what time\b|\bopening hours\b",
                re.I), frozenset({TIME})),
    (re.compile(r"\binterest rate\b|\bwhat rate\b|\brate of interest\b|\b(?:apr|aer|ear)\b|\bper ?cent\b|%|"
                r"\bwhat (?:interest|rate)\b|\bhow much interest\b", re.I), frozenset({PERCENT})),
    (re.compile(r"\bhow (?:long|soon|quickly|fast)\b|\bhow many (?:working |business )?(?:days|weeks|months|years|"
                r"hours)\b|\bhow much (?:notice|warning|time)\b|\bdeadline\b|\btime limit\b|\bwhen will\b|"
                r"\bhow late\b|\buntil when\b", re.I), frozenset({DURATION, TIME})),
    (re.compile(r"\bhow many\b|\bhow old\b|\bwhat age\b|\b(?:minimum|maximum) (?:number|age)\b", re.I),
     frozenset({NUMBER})),
    (re.compile(r"\bhow much\b|\bcost\b|\bfees?\b|\bcharges?\b|\bprice\b|\bearn\b|\bsalary\b|\bincome\b|"
                r"\bpay (?:for|to)\b|\b(?:minimum|maximum|most|least|limit)\b|£", re.I),
     frozenset({MONEY, PERCENT})),
)


def wanted_types(question: str) -> frozenset[str]:
    """Kinds of value the question asks for; empty when it asks for none in particular."""
    for pattern, kinds in _WANTED:
        if pattern.search(question):
            return kinds
    return frozenset()


def offered_types(text: str) -> frozenset[str]:
    return frozenset(kind for kind, pattern in _FOUND.items() if pattern.search(text))
