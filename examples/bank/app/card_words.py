"""The bank's words about cards: freezing and unfreezing, lost, stolen, damaged or kept by a machine, a card
someone else is using, a card stopped for good, and things that are not cards at all ("my car was stolen").
`intent_words.refine_intent` applies them."""

from __future__ import annotations

import re

_UNFREEZE = re.compile(r"\b(?:un-?freez\w*|unblock\w*|unlock\w*|defrost\w*|reactivat\w*|turn\w* (?:it|my card) "
                       r"back on)", re.IGNORECASE)

_FREEZE = re.compile(r"\b(?:freez\w*|lock\w*|put a (?:freeze|block) on|temporar(?:il)?y block|"
                     r"block\w*\b.{0,30}\btemporar)", re.IGNORECASE)

# "Take the freeze off", "lift the temporary block", "cancel the freeze": the freeze is the object, not the verb.
_LIFT = re.compile(r"\b(?:take|lift|remove|cancel|override|undo|get rid of)\w*\s+(?:the\s+|my\s+|that\s+|this\s+)?"
                   r"(?:temporary\s+)?(?:freeze|block|lock)\b(?:\s+off\b)?", re.IGNORECASE)

# "What cards do I have?", "is my card frozen?": the customer's own cards and their state, read with the
# customer_cards tool. The classifier has no label for it (its nearest are freeze and policy questions), so
# the words decide, unless the message also asks to act on a card.
_MY_CARDS = re.compile(
    r"\b(?:what|which|how many) cards?(?: numbers?)? (?:do i have|have i got|i have|i've got|are on my)\b"
    r"|\b(?:status|state) of (?:all )?my cards?\b|\bmy cards?(?:'s)? status(?:es)?\b"
    # "whats the status of my everyday card replacement", "where's my new card"
    r"|\b(?:status|state) of my (?:\w+ )?(?:card )?replacement\b|\bwhere'?s? (?:is )?my (?:new|replacement) card\b"
    r"|\b(?:list|show)(?: me)? (?:all )?my cards\b"
    r"|\b(?:is|are) (?:my|the|it|they) (?:(?:debit |credit )?cards? )?(?:still |now |definitely )?"
    r"(?:frozen|blocked|active|locked|working|unfrozen|cancelled)\b(?! abroad| overseas| in )"
    r"|\b(?:has|have) (?:my|the|it|they) (?:(?:debit |credit )?cards? )?(?:been|got) (?:frozen|blocked|unfrozen|"
    r"cancelled)\b"
    r"|^\W*(?:(?:hi|hello|please)[\s,]+)?my cards\W*$"  # "my cards" and nothing else
    # "can you give me my card number": which cards, by their last four digits (the full number is never said)
    r"|\b(?:what'?s|whats|what is|give me|tell me|send me|need)\s+(?:\w+\s+)?my (?:full |long |debit |credit )?"
    r"card(?:'s)? (?:number|no\b|digits)", re.IGNORECASE)

_CARD_ACTS = re.compile(r"\b(?:un)?(?:freeze|block|lock)\b|\bcancel\w*|\breport\w*|\bdisput\w*|\breplac\w*|"
                        r"\blost\b|\bstolen\b", re.IGNORECASE)

# A damaged card, or a new card wanted with nothing said about losing it, is replaced from the app (the
# documents say how), never blocked and replaced as lost or stolen, which changes the card number.
_DAMAGED = re.compile(r"\b(?:damaged|broken|snapped|cracked|bent|worn|scratched|chewed|melted|split|peeling|"
                      r"chip\b.{0,20}\b(?:has )?(?:stopped|isn'?t|doesn'?t|not|won'?t|broken|damaged)|"
                      r"(?:new|replacement)(?:\s+for\s+(?:my|the|our)(?:\s+\w+)?)?\s+card)\b", re.IGNORECASE)

# Asking for the replacement a damaged card needs is no sign that it was lost.
_REPLACEMENT = re.compile(r"\breplac\w*|\bnew (?:one|card)\b", re.IGNORECASE)

_LOST = re.compile(r"\b(?:lost|lose|losing|stolen|stole|steal|missing|can'?t find|cannot find|misplaced|left (?:it|my)|"
                   r"dropped|nicked|pickpocket\w*|took|taken|theft|robbed|mugged|someone|fraud|where)\b", re.IGNORECASE)

# A card a cash machine kept is out of the customer's hands: blocked and replaced as lost, never reported
# stolen (which the classifier leans to) nor unfrozen ("stuck").
_MACHINE = r"\b(?:atm|machine|cash ?point|hole in the wall)\b"

_KEPT = r"\b(?:kept|keeps|keep|swallow\w*|ate|eaten|retain\w*|stuck|jammed|took|taken|didn'?t (?:give|return))\b"

_RETAINED = re.compile(rf"{_MACHINE}.{{0,40}}{_KEPT}|{_KEPT}.{{0,40}}{_MACHINE}", re.IGNORECASE)

# A forgotten or blocked PIN is no lost card: the documents say how to see or unblock it, nothing is blocked.
_PIN_TROUBLE = re.compile(r"\b(?:forg[eo]t\w*|lost|remember|recall|locked|blocked|wrong|incorrect)\b.{0,25}\bpin\b|"
                          r"\bpin\b.{0,30}\b(?:forg[eo]t\w*|locked|blocked|not working|isn'?t working|doesn'?t work|"
                          r"wrong|incorrect)", re.IGNORECASE)

_CARD_GONE = re.compile(r"\b(?:lost|stolen|missing|nicked|can'?t find)\b.{0,15}\bcard\b|"
                        r"\bcard\b.{0,20}\b(?:lost|stolen|missing|gone|nicked|i lose it)\b", re.IGNORECASE)

_STOLEN = re.compile(r"\b(?:stolen|nicked)\b", re.IGNORECASE)

# "it wasn't stolen, I lost it": the word the classifier keys on, denied.
_NOT_STOLEN = re.compile(r"\b(?:not|wasn'?t|isn'?t|never|hasn'?t|no one|nobody)\s+(?:been\s+|actually\s+|really\s+)?"
                         r"(?:stolen|nicked|stole it|took it)\b", re.IGNORECASE)

_CARD_ROUTES = ("report_lost_card", "report_stolen_card", "freeze_card", "unfreeze_card")

# Someone else using the customer's card: the card is stopped first (the documents: freeze it and call the
# fraud team); it was answered with a list of the payments, or "I can't find that".
_SOMEONE_USES = re.compile(r"\bsome(?:one|body)(?: else)?\s+(?:is\s+|has\s+been\s+|'s\s+been\s+|been\s+|has\s+|"
                           r"was\s+)?"
                           r"(?:using|used|spending on|spent on|charging|charged|making payments on|"
                           r"made payments on)\s+my\s+(?:\w+\s+)?card\b"
                           # "i think my chloe's been using my card without asking": whoever it is, not allowed
                           r"|\b(?:using|used|spending on|spent on)\s+my\s+(?:\w+\s+)?card\s+without\s+(?:asking|"
                           r"permission|my permission|telling me)\b", re.IGNORECASE)

# Stopping gambling payments is the app's gambling block (payments to gambling companies only, hard to turn off
# on impulse), not a freeze of every payment.
_FREEZE_CARD_WORDS = re.compile(r"\bfreez\w*\s+(?:my|the|this|that|both|all)?\s*(?:\w+\s+)?cards?\b", re.IGNORECASE)

_STOLEN_WORDS = re.compile(r"\b(?:stolen|stole|steal|nicked|pinched|swiped|nabbed|pickpocket\w*|robbed|mugged|theft)\b",
                           re.IGNORECASE)

_GAMBLING_BLOCK = re.compile(r"\b(?:block|stop|prevent|turn off|ban)\w*\b.{0,40}\b(?:gambling|betting|bets|casinos?|"
                             r"bookies)\b|\b(?:gambling|betting|casino)\s+(?:payments?|sites?|transactions?|apps?|block\w*)\b",
                             re.IGNORECASE)

# "I can't remember if I've lost my card or if my daughter has it": perhaps not lost, so frozen, which can be
# undone, rather than blocked for good (the documents: "if you think you might find it, freeze it").
_MAYBE = re.compile(r"\b(?:can'?t remember (?:if|whether)|not sure (?:if|whether)|don'?t know (?:if|whether)|"
                    r"(?:might|may|could) (?:be|have left it) (?:at home|in the car|at work|in my|somewhere)|"
                    r"probably (?:at home|in the car|at work|in my)|(?:might|may|will probably) (?:turn up|find it)|"
                    r"or (?:if|whether) (?:my|someone|it's))\b", re.IGNORECASE)

# A card stopped for good with nothing lost or stolen: no tool cancels a card here, and a freeze is not what was
# asked ("cancel my card permanently" was frozen, "you can unfreeze it any time").
# "can you cancel my credit card": a card cancelled, which the chat cannot do (it offered a freeze); not "cancel
# the freeze on my card", nor a payment made with one ("cancel my card payment to netflix").
_CANCEL_A_CARD = re.compile(r"\bcancel\w*\s+(?:my|the|this|that|our)\s+"
                            r"(?:(?:credit|debit|premier|everyday|joint|old)\s+)*card\b"
                            r"(?!\s*(?:payments?|subscriptions?|transactions?|details))", re.IGNORECASE)
_FOR_GOOD = re.compile(r"\b(?:cancel|close|block|stop|terminate|get rid of)\w*\b.{0,30}\b(?:permanent\w*|for good|"
                       r"forever|for ever|completely|altogether)\b|\bpermanent\w*\s+(?:cancel|block|clos|stop)\w*",
                       re.IGNORECASE)

# "block my card and send me a new one": stopped for good and replaced, which is what a lost-card report does.
_BLOCK_AND_REPLACE = re.compile(r"\b(?:block|cancel|stop)\w*\b.{0,30}\b(?:card|it)\b.{0,40}\b(?:send|order|get|"
                                r"give)\w*\b.{0,20}\b(?:new|replacement)\b", re.IGNORECASE)

_CARD_INTENTS = (*_CARD_ROUTES, "out_of_scope")

# How a card looks: the classifier, knowing no such label, takes "change my card design" for a freeze.
_CARD_LOOKS = re.compile(r"\b(?:design|colou?r|picture|photo|image|artwork)\b", re.IGNORECASE)
# One kind of payment turned off ("can you turn off online payments on my debit card"): the app's card controls,
# which no tool here sets, not a freeze of every payment.
_ONE_CONTROL = re.compile(r"\b(?:turn\w*|switch\w*|block\w*|stop\w*|disabl\w*)\s+(?:off\s+)?(?:all\s+|my\s+)?(?:online|"
                          r"contactless|overseas|international|foreign|phone|cash machine|atm)\s+(?:and phone\s+)?"
                          r"(?:payments?|spending|transactions|withdrawals|use)\b|"
                          r"\b(?:payments abroad|abroad payments)\b", re.IGNORECASE)
# "will my card stop working": what would happen, asked.
_WILL_IT_STOP = re.compile(r"^\W*(?:will|would|does|do)\s+(?:my|the|it|this|that|his|her)\b|"
                           r"^\W*(?:(?:and|so|but|what)\s+)?if\s+(?:i|we)\b", re.IGNORECASE)  # "and if i use ..."

_JUST_A_CARD = re.compile(r"^\W*(?:my\s+|the\s+)?(?:debit\s+|credit\s+)?cards?\W*$", re.IGNORECASE)

# "block my card", "cancel the card", "freeze it": the card stopped.
_STOP_CARD = re.compile(r"\b(block|cancel|stop|freez)\w*\s+(?:my|the|this|that)?\s*(?:debit |credit )?card\b",
                        re.IGNORECASE)

# "my car was stolen", "I lost my cat": a thing lost or stolen that is not a card (nor holds one).
_NOT_A_CARD = re.compile(r"\b(?:lost|lose|stolen|stole|nicked|missing|taken)\b.{0,20}\b(?:my|our|the)\s+(?:car|cat|dog|"
                         r"bike|bicycle|keys?|passport|van|motorbike|scooter|puppy|kitten|pet|laptop|watch|luggage|"
                         r"suitcase)\b|\b(?:my|our|the)\s+(?:car|cat|dog|bike|bicycle|keys?|passport|van|motorbike|"
                         r"scooter|puppy|kitten|pet|laptop|watch|luggage|suitcase)\s+(?:was|has been|got|is|went)\s+"
                         r"(?:lost|stolen|nicked|missing|taken)\b", re.IGNORECASE)

_A_CARD = re.compile(r"\bcards?\b|\bwallet\b|\bpurse\b|\bhandbag\b|\bbag\b|\b\d{4}\b", re.IGNORECASE)

# "don't freeze my card", "no need to block it": a card action said not to be wanted.
_DONT_ACT = re.compile(r"\b(?:don'?t|do not|no need to|not|never)\s+(?:(?:want|need)\s+(?:you\s+)?to\s+|going to\s+)?"
                       r"(?:freeze|block|cancel|report|stop)\b", re.IGNORECASE)

_ACT_VERB = re.compile(r"\b(?:pause|lock|block|freeze|report|cancel|stop|unfreeze|unlock)\b", re.IGNORECASE)

# "my card got declined at tesco just now", "why does my card keep getting refused": a card of theirs frozen or
# blocked is the likely reason, read and said (`card_declined`); "if my card is declined abroad ..." asks about
# the rules.
_DECLINED = re.compile(r"\bcards?\b.{0,40}\b(?:declin\w*|refused|rejected|bounced|(?:won'?t|wont|didn'?t|didnt|"
                       r"doesn'?t|doesnt|isn'?t|isnt|not|never)\s+(?:go(?:ing|es)?\s+through|work(?:ing|ed)?)|"
                       r"stopped working|keeps? failing|failed)\b|\b(?:declin\w*|refused|rejected)\b.{0,20}\b(?:my|our|"
                       r"the)\s+(?:\w+\s+)?card\b", re.IGNORECASE)
_IF = re.compile(r"\bif\b|\bin case\b|\bworried\b|\b(?:will|would|could|might)\s+(?:my|the|it|a|get|be)\b|"
                 r"\b(?:can|could|may|how (?:do|can))\s+(?:i|we)\b", re.IGNORECASE)


_DECLINED_READS = ("out_of_scope", "policy_question", "freeze_card", "unfreeze_card", "recent_transactions",
                   "check_balance")


# "Daniel says it got declined", "his card keeps getting refused": someone else's card, which the caller's cards'
# state does not explain (Chloe was told her card was active; Daniel's was frozen).
_THEIRS_DECLINED = re.compile(r"\b(?:[Hh]e|[Ss]he|(?!(?:It|The|They|This|That|There|We|You|Someone|Shop|Bank|Staff|"
                              r"Cashier|Screen|App|Message)\b)[A-Z][a-z]+|(?:my|our) (?:husband|wife|partner|son|"
                              r"daughter|mum|dad|mother|father|brother|sister))\s+(?:says|said|told me)\b|"
                              r"\b(?:[Hh]is|[Hh]er|[Tt]heir)\s+(?:\w+\s+)?card\b")


def declined(text: str, intent: str) -> str | None:
    """A card refused just now, told or asked why, whatever of `_DECLINED_READS` the classifier made of it: the
    caller's ("card_declined") or someone else's ("card_declined_theirs"); None for a question about what
    happens if it is, or a worry that it will be ("I'm worried my card will get declined. Can I raise my
    limit?")."""
    if intent not in _DECLINED_READS or _DECLINED.search(text) is None or _IF.search(text) is not None or any(
            words.search(text) for words in (_DAMAGED, _LOST, _CARD_ACTS, _UNFREEZE, _FREEZE)):
        return None
    return "card_declined_theirs" if _THEIRS_DECLINED.search(text) else "card_declined"
