"""The bank's word rules: the intents its own words settle where the classifier confuses them ("freeze"
against "unfreeze", a forgotten PIN against a lost card, a scam against a dispute), applied to the
classifier's label by `refine_intent`."""

from __future__ import annotations

import re

from .card_words import (
    _A_CARD,
    _ACT_VERB,
    _BLOCK_AND_REPLACE,
    _CANCEL_A_CARD,
    _CARD_ACTS,
    _CARD_GONE,
    _CARD_INTENTS,
    _CARD_LOOKS,
    _CARD_ROUTES,
    _DAMAGED,
    _DONT_ACT,
    _FOR_GOOD,
    _FREEZE,
    _FREEZE_CARD_WORDS,
    _GAMBLING_BLOCK,
    _JUST_A_CARD,
    _LIFT,
    _LOST,
    _MAYBE,
    _MY_CARDS,
    _NOT_A_CARD,
    _NOT_STOLEN,
    _ONE_CONTROL,
    _PIN_TROUBLE,
    _REPLACEMENT,
    _RETAINED,
    _SOMEONE_USES,
    _STOLEN,
    _STOLEN_WORDS,
    _STOP_CARD,
    _UNFREEZE,
    _WILL_IT_STOP,
    declined,
)
from .care import bereaved, is_it_our_number, suspicious_message, urgent
from .categories import SPENT_ON
from .contact_words import (
    _A_THING_ASKED,
    _CONTACT_HELD,
    _CONTACT_NAMED,
    _DETAILS_NAMED,
    _MINE_HELD,
    _MOVING_ABROAD,
    _NUMBER_ASKED,
    _OUR_NUMBER,
    _THEY_ASK,
)
from .disputes import NOT_MINE
from .payment_words import (
    _ABOUT_AN_ACCOUNT,
    _DETAILS_CHANGE,
    _DID_SPEND,
    _DISPUTE_ASKED,
    _IF_OVERDRAWN,
    _MY_DETAILS,
    _OVERCHARGED,
    _PAYMENT_PROBLEM,
    _PAYMENT_SCHEME,
    _SHOW_PAYMENTS,
    _SPENT,
    _WOULD_EARN,
    GOT_PAID,
    MONEY_BACK_ASKED,
    ODD_PAYMENTS,
    OUR_CHARGE,
    PAYMENT_ASKED,
    UP_OR_DOWN,
    WHERE_MONEY_WENT,
    lists_payments,
)
from .scam_words import _GET_IT_BACK, _HACKED, _HANDED_OVER, _NEVER_ASKED, _SCAMMED, _TO_PAY, _WOULD_WE_ASK

# "What number do I call if my card is stolen?" asks about the action, it does not ask for it: answered from
# the documents, not met with an offer to block a card. A request in the same words ("can you", "please") is one.
_ASKS_ABOUT = re.compile(r"^\s*(?:whats|what|how|is there|are there|does|do you|when|why|which|where|who)\b",
                         re.IGNORECASE)
_REQUESTS = re.compile(r"\b(?:please|can you|could you|would you|will you|for me|i want|i need|i'd like|"
                       r"right now|straight away)\b", re.IGNORECASE)
_CHANGES = ("freeze_card", "unfreeze_card", "report_lost_card", "report_stolen_card", "dispute_transaction")
# What would happen, or whether something can be done, asked anywhere in the message ("buying a car on Saturday,
# can I raise my card spending limit?", "how much would it cost to be £1,000 overdrawn for a month?"): the
# documents' to answer, whatever action or balance it reads like, unless it tells of a card gone just now.
_OUTCOME = re.compile(r"\b(?:will|would|should) (?:i|we|it|that|this|they)\b|\b(?:do|does) (?:i|we) (?:need|have) to\b|"
                      r"\bam i (?:covered|entitled|allowed)\b|\bhow much (?:would|will)\b|\bwhat (?:happens|would "
                      r"happen|will happen)\b|\bis it (?:possible|safe|ok|okay)\b|\bcan (?:i|we) (?:still |ever )?"
                      r"(?:buy|use|raise|increase|have|open|start|spend|put|take out|withdraw)\b", re.IGNORECASE)
_ACTION_FIRST = re.compile(r"^\W*(?:please\s+|pls\s+)?(?:freeze|block|lock|unfreeze|unlock|report|cancel|dispute|stop|"
                           r"check|show|tell)\b", re.IGNORECASE)


# An explicit request for a person wins over whatever else the message asks for ("card 4539 was charged twice,
# get me an agent"): the hand-off ticket still carries the card, amount and merchant the message gives.
_WANTS_PERSON = re.compile(
    r"\b(?:speak|talk|chat) (?:to|with) (?:a |an |your )?(?:real |actual )?(?:human|person|agent|advis[eo]r|"
    r"operator|someone|somebody|manager|colleague|member of (?:your|the) team)\b"
    r"|\b(?:get|put) me (?:through to |in touch with )?(?:a |an )?(?:real |actual )?(?:agent|person|human|advis[eo]r|"
    r"someone|somebody|manager)\b|\b(?:transfer|pass|put) (?:me )?(?:on |over |through )?to (?:an? )?"
    r"(?:agent|advis[eo]r|human|person|colleague)\b"
    r"|\bhuman agent\b"
    # "can someone from the bank ring me back": a person asked for by phone ("will someone call me if ..." asks how)
    r"|\b(?:can|could|would|please|i'?d like|i want|get)\s+(?:someone|somebody|a person|an? advis[eo]r|a colleague|"
    r"a human)\s+(?:from [\w\s]{1,20}?)?(?:to\s+)?(?:ring|call|phone)\s+me\b(?!\s+(?:if|when|about whether)\b)"
    r"|\b(?:ring|call|phone)\s+me\s+back\b|\b(?:request|arrange|book|want|need)\s+a\s+call\s*back\b", re.IGNORECASE)


# Requests to move money or change an overdraft: no tool does either here, and the classifier, with no label for
# them, sends them to the balance or refuses them as off-topic. They get a reply saying where it can be done.
# A question about them ("how do I send money abroad?") stays a policy question.
_MOVE_MONEY = re.compile(r"^(?:(?:please|pls|can you|could you|would you|will you|i want to|i'd like to|i need to|"
                         r"help me|i wanna)\s+)*(?:send|transfer|move|pay)\b(?!\s+(?:in|into|me)\b)"
                         r".{0,40}?(?:[£$€]|\d|\b(?:money|funds|cash|bill|savings|account|to (?:my|his|her|their|a|an|"
                         r"the)\b))", re.IGNORECASE)
# Paying a credit card off is a payment, whatever card words it has.
_PAYS_CARD = re.compile(r"\b(?:pay|paying|clear|clearing|settle|settling)\s+(?:off\s+)?(?:the\s+|my\s+)?"
                        r"(?:credit\s+card|card\s+(?:bill|balance))|\b(?:make|making)\s+an?\s+(?:payment|repayment)\s+(?:to|on|towards|"
                        r"into)\s+(?:my|the)\s+credit\s+card|\bcredit\s+card\s+(?:bill|repayment)s?\b", re.IGNORECASE)
_SENT_CARD = re.compile(r"\bcard\b(?!\s+(?:bill|balance|payment))", re.IGNORECASE)


def _moves_money(text: str) -> bool:
    """A request to send, pay, transfer or move money ("send £50 to my mum"); not "send my new card to ..."."""
    found = _MOVE_MONEY.search(text.strip())
    return found is not None and not _SENT_CARD.search(found.group())


_CHANGE_OVERDRAFT = re.compile(r"\b(?:increase|raise|extend|up|higher|bigger|larger|lower|reduce|decrease|smaller|"
                               r"remove|cancel)\b.{0,30}\boverdraft|\boverdraft\b.{0,20}\b(?:increase|raised|higher|"
                               r"bigger|extended|lowered|reduced|removed)\b", re.IGNORECASE)


# A rate on one's own account is the product's rate, which the documents give.
_RATE = re.compile(r"\b(?:interest rates?|rates? of interest|rate|aer|apr|ear|interest (?:on|for) (?:my|our|the|a))\b",
                   re.IGNORECASE)

# A request kept for later: "can I freeze my card while I'm away if I need to?"
_HYPOTHETICAL = re.compile(r"\bif (?:i|we) (?:ever )?(?:need|have|want) to\b|\bif (?:needed|necessary|required)\b|"
                           r"\b(?:just )?in case\b|\bshould i need\b|\bif (?:anything|something) happens\b|"
                           r"\bif (?:i|we) (?:ever )?(?:lose|misplace)\b|"
                           r"\bif (?:i|we) (?:then |later |ever )?(?:find|found)\b|"
                           r"\bif (?:it|my card) (?:ever )?(?:gets|is|goes) (?:lost|stolen|missing)\b",
                           re.IGNORECASE)
_CAN_I = re.compile(r"^\s*(?:\S+\s+){0,14}?(?:can|could|may) (?:i|we)\b|^\s*(?:am i|are we) able\b|"
                    r"^\s*is it possible\b", re.IGNORECASE)

# What the customer owes on their own card or loan is a balance ("what do I owe on my credit card?"), however
# like a policy question it reads; "what would I owe if ..." is a policy question and stays one.
_I_OWE = re.compile(r"\b(?:what|how much)\s+(?:do|does)\s+(?:i|we)\s+(?:still\s+|currently\s+)?owe\s+"
                    r"(?:on|for|to you on)\s+(?:my|our|the (?:credit card|card|loan|overdraft))\b", re.IGNORECASE)
# "and the balance on that one too" right after another read: the balance of what was just shown.
_BALANCE_TOO = re.compile(r"^\W*(?:and|also|what about|how about|plus)\b.{0,20}\bbalances?\b(?:\s+(?:on|of|in|for)\s+"
                          r"(?:that|this|it|them|both|the same)\b|.{0,20}\b(?:too|as well)\b)", re.IGNORECASE)
# Whether one's own account is below zero is its balance ("am i in the red or what"), asked about now, not
# what would happen ("what happens if I'm overdrawn?").
_IN_THE_RED = re.compile(r"^\W*(?:so\s+|ok\s+|hi\s+)?(?:am i|are we|have i gone|have we gone|is my (?:\w+ )?account|"
                         r"is the (?:joint )?account)\s+(?:(?:still|already|now)\s+)?(?:in the red|overdrawn|in (?:my|"
                         r"the|our) overdraft|in debit|in the negative|below zero)\b", re.IGNORECASE)

# How much one may borrow, pay in, take out or send is a limit the documents give, however like a balance
# request it reads ("how much can I put in a cash ISA?", "what's the most I can borrow?"); what one can spend or
# afford is what is left, a balance.
_NOT_A_LIMIT = r"(?!spend\b|afford\b|use\b|have\b|get\b)\w+"
_LIMIT_ASKED = re.compile(r"\bhow much\s+(?:money\s+)?(?:can|could|may)\s+(?:i|we|you)\s+" + _NOT_A_LIMIT + "|"
                          r"\bthe (?:most|max\w*|least|min\w*)\s+(?:(?:amount|money)\s+)?(?:that\s+)?(?:i|we|you)\s+"
                          r"(?:can|could|may|am allowed to|are allowed to)\s+" + _NOT_A_LIMIT +
                          r"|\ballowance\b"  # "what's the ISA allowance?"
                          # "how much interest-free overdraft can I have?": a limit, not what is left
                          r"|\bhow much\s+(?:[\w-]+\s+){0,3}(?:overdraft|loan|credit)\s+(?:can|could|may|will)\s+"
                          r"(?:i|we)\s+(?:have|get|borrow|take)\b"
                          # "what's my daily spending limit", "how much can i spend on it per day": a card's limit
                          r"|\b(?:daily|per day|a day|each day|in a day|in one day)\b.{0,30}\blimits?\b|"
                          r"\b(?:spending|spend|contactless|atm|cash|withdrawal) limits?\b|"
                          r"\bhow much\s+(?:can|could|may)\s+(?:i|we)\s+spend\b.{0,30}\b(?:per|a|each|in a|in one) "
                          r"day\b", re.IGNORECASE)

# The customer's own direct debits or standing orders: the bank's data here has no list of them, so a list of
# transactions is no answer ("list my direct debits"); the app shows them. Those that went out in a period
# ("my standing orders that went out this month") are in the transactions, so the request must end there.
_MY_MANDATES = re.compile(r"\b(?:list|show|see|view|check|what are|which are|tell me)\b.{0,20}\b(?:my|our)\s+"
                          r"(?:(?:active|current|set up)\s+)?(?:direct debits|standing orders|regular payments)"
                          r"(?:\s+(?:please|pls))?\W*$", re.IGNORECASE)

# When, how often or how statements come is the documents' to answer ("when is my next statement?"), and so is
# when a card's payment falls due ("when's my payment due", which read the transactions for a payee "due");
# showing one ("pull up my latest statement") reads the transactions.
_STATEMENT_WHEN = re.compile(r"^\W*(?:when'?s?|how often|how (?:do|can|will) (?:i|we)|where|what day|which day)\b"
                             r"(?:.{0,40}?\bstate?ments?\b|.{0,40}?\b(?:payment|repayment|bill)s?\s+(?:is\s+|are\s+)?"
                             r"due\b)", re.IGNORECASE)

# The customer's own overdraft limit: the bank's data here has none, so a balance is no answer to it.
_MY_OVERDRAFT = re.compile(r"\b(?:my|our)\s+(?:arranged\s+)?overdraft\s+limit\b|\boverdraft\s+limit\s+(?:on|for)\s+"
                           r"(?:my|our)\b|\bhow (?:much|big) (?:of an )?overdraft (?:do|have|can) (?:i|we)\b|"
                           r"\bhow (?:much|big) is (?:my|our) overdraft\b", re.IGNORECASE)


# A hello or a plea for help with nothing else in it ("hi, can you help me?") is met with what the assistant
# can do, not told it is off-topic.
_JUST_HELP = re.compile(r"^(?:(?:hi|hello|hey|hiya|good (?:morning|afternoon|evening))(?:\s+there)?[\s,!.]*)?"
                        r"(?:(?:can|could|would) you (?:please )?help(?: me)?(?: out)?(?: please)?|"
                        r"i need (?:some )?help|help(?: me)?(?: please)?|what (?:can|do) you (?:do|help (?:me )?with)|"
                        r"what can i ask(?: you)?(?: about)?|how can you help(?: me)?)?[\s?!.]*$", re.IGNORECASE)

_COMPLAINS = re.compile(r"\bcomplain", re.IGNORECASE)
_DISPUTES = re.compile(r"\b(?:dispute|chargeback|charge back)", re.IGNORECASE)

# A question that is itself the complaint ("why was I charged twice and nobody told me?").
_COMPLAINT_MADE = re.compile(r"\b(?:nobody|no one|no-one|never|still|again|disgust\w*|ridiculous|terrible|awful|"
                             r"appalling|useless|unacceptable|rubbish|joke)\b", re.IGNORECASE)
_NOT_JUST_A_CANCEL = re.compile(r"\b(?:freez\w*|block\w*|stolen|replac\w*|new one|new card)\b", re.IGNORECASE)
# Asked for by name with a card gone: a freeze, unless a block, a cancel or a new card is asked for as well.
_EXPLICIT_FREEZE = re.compile(r"\bfreez\w*", re.IGNORECASE)
_NOT_JUST_A_FREEZE = re.compile(r"\b(?:block\w*|cancel\w*|replac\w*|new (?:one|card)|for good|permanent\w*|"
                                r"unfreez\w*)\b", re.IGNORECASE)
# A balance is the customer's own: a message read as one that names neither them nor their money ("what's bitcoin
# worth today") asks about something else.
_THEIRS = re.compile(r"\b(?:i|i'?m|i'?ve|i'?d|me|my|mine|we|our|us|account|acc|acct|funds|money|cash|left|got|have|"
                     r"bal\w*|bla\w*nce|ball\w*nce|in (?:there|it))\b", re.IGNORECASE)
# Taking a complaint further, asked about ("can I go to the ombudsman?"): when and how is in the documents.
_OMBUDSMAN = re.compile(r"\b(?:can|could|may|should|do|how do|how can) (?:i|we)\b[^.!?]{0,40}\bombudsman\b|"
                        r"\bombudsman\b[^.!?]{0,40}\?", re.IGNORECASE)
_DETAIL_CHANGES = ("update_address", "update_phone_or_email", "out_of_scope")
_NAME_CHANGE = re.compile(r"\b(?:change|update|correct|new)\b.{0,20}\b(?:sur)?name\b|\bsurname\b|\bmaiden name\b|"
                          r"\bgot married\b|\bdeed poll\b", re.IGNORECASE)
_CHANGE_WORDS = re.compile(r"\b(?:change|changed|update|new|wrong|moved|switch|replace)\b", re.IGNORECASE)
_WRONG_PAYEE = re.compile(r"\bwrong (?:person|account|payee|sort code|account number|details|bank)\b", re.IGNORECASE)
_PHONE_GONE = re.compile(r"\b(?:phone|mobile|iphone|android|tablet|laptop)\b.{0,30}\b(?:lost|stolen|nicked|"
                         r"taken|missing)\b|\b(?:lost|stole|stolen|nicked|took)\b.{0,30}\b(?:phone|mobile|iphone|"
                         r"android|tablet|laptop)\b", re.IGNORECASE)
_HARD_UP = re.compile(r"\bstruggl\w*|\bcan'?t afford\b|\bcannot afford\b|\bfinancial (?:difficult\w*|"
                      r"hardship|problems?)\b|\bmoney worries\b|\bbehind on (?:my )?(?:bills|payments|rent)\b|"
                      r"\b(?:won'?t|will not|can'?t|cannot|couldn'?t) (?:be able to )?(?:pay|cover|make) (?:my |the )?"
                      r"(?:rent|bills?|mortgage|loan|council tax)\b|\b(?:worried|scared|anxious|stressed) about "
                      r"(?:money|my (?:debts?|finances|bills))\b|\bno money (?:left )?for (?:food|rent|bills)\b|"
                      r"\b(?:kids|children|family) (?:are|is) hungry\b|\baddicted to gambling\b|\bgambling (?:problem|"
                      r"addiction)\b|\bbailiffs?\b|\bcan'?t pay (?:my |the )?(?:rent|bills?|credit card|loan)\b|"
                      r"\bscared i (?:can'?t|won'?t) pay\b|\b(?:spent|lost|blown|gambled) (?:away )?(?:all )?(?:of )?"
                      r"(?:my )?(?:\w+ )?(?:on|at) (?:betting|gambling|the bookies|casinos?|slots)\b", re.IGNORECASE)


# "will it have the same number?" (of a replacement card): a question, no new number.
_WILL_IT = re.compile(r"^\W*(?:will|would|does|do|is|are)\b[^.!]*\?\W*$", re.IGNORECASE)
_BY_PHONE = re.compile(r"\b(?:over|on) the (?:phone|telephone)\b|\bby (?:phone|telephone)\b", re.IGNORECASE)
_HOW = re.compile(r"\b(?:how|what happens|want to know|wondering)\b", re.IGNORECASE)


def refine_intent(text: str, intent: str) -> str:
    """Freeze or unfreeze is settled by the verb the customer wrote, whatever the classifier made of it; the word alone
    is enough even when the classifier found no intent ("found it, unfreeze it please"). A question about one of the
    card or dispute actions is a policy question. Asking what cards one has, or whether one's card is frozen, lists
    the customer's cards; asking for one's sort code or account number gives them; a forgotten or blocked PIN is a
    policy question; asking for a person hands the conversation over; a request to move money or change an overdraft
    is told where that can be done; a card declined reads the cards' state; a card a cash machine kept is lost; being
    scammed (or having handed a caller one's PIN, or been hacked) goes to the fraud team, while a question about
    scams is a policy question. What one owes is a balance; how much one may borrow or pay in, the interest on a
    product and when statements come are policy questions, and so is how a complaint is handled; one's direct debits
    are told where to see them. A change of name, a question for our phone number, money sent to the wrong person, a
    lost or stolen phone, money worries and whether a complaint can go to the ombudsman are policy questions; "my
    card" alone lists the cards, and "what email have you got for me" reads back the contact details held. Payments
    narrowed by card, amount or month ("amazon purchases on my premier card") are listed, an overcharge told as it
    happened is a dispute, and "am i in the red" or "and the balance on that one too" is a balance. A card "pinched"
    is stolen, and a freeze asked for by name beside a mislaid card is a freeze; a "balance" that names neither the
    customer nor their money is off-topic. Someone in crisis, abused or in a scam under way is met first (`care`),
    and whether a phone number is really ours is a question, never a new number for the customer."""
    if (care := urgent(text)) is not None:
        return care  # in crisis, abused, or in a scam under way: met first, whatever else the message says
    if is_it_our_number(text) and not _CHANGE_WORDS.search(text):
        return "policy_question"
    if _WOULD_WE_ASK.search(text) and _NEVER_ASKED.search(text):
        return "never_ask"  # "can the bank text me asking for my one time passcode?": never, said plainly
    if suspicious_message(text) and not _SCAMMED.search(text):
        return "suspicious_message"  # "got an email ..., click here to verify. is this you?": don't click
    if intent not in ("human_handoff", "complaint") and _WANTS_PERSON.search(text):
        return "human_handoff"
    if intent == "out_of_scope" and text.strip() and _JUST_HELP.match(text.strip()):
        return "greeting"
    if (cards := _MY_CARDS.search(text)) and not _CARD_ACTS.search(text[: cards.start()] + text[cards.end():]):
        return "list_cards"  # the replacement asked about is no card action asked for
    if refused := declined(text, intent):
        return refused  # "my card got declined at tesco just now" abstained; its card was frozen
    if _MY_DETAILS.search(text) and not _DETAILS_CHANGE.search(text):
        return "account_details"
    # Only a question and nothing after it: "what cards do I have? freeze the credit one" asks for an action.
    asks_about = bool(_ASKS_ABOUT.match(text)) and not _REQUESTS.search(text) and not re.search(r"\?\W*\w", text)
    request = not text.rstrip().endswith("?") or bool(_REQUESTS.search(text))
    # A card action the classifier read, but the customer did not ask for, does not outweigh the scam.
    asked_card_action = intent in _CARD_ROUTES and bool(_CARD_ACTS.search(text))
    # A hacked account is the fraud team's too, unless the customer is changing the details that were hacked.
    hacked = _HACKED.search(text) is not None and intent not in ("update_phone_or_email", "update_address")
    if _PAYS_CARD.search(text) and not asks_about and not _HARD_UP.search(text):
        return "not_in_chat"  # "pay off my credit card": a payment, which no tool makes; never a card freeze
    if bereaved(text) and intent not in ("human_handoff", "complaint"):
        return "bereavement"
    if _GAMBLING_BLOCK.search(text) and not _FREEZE_CARD_WORDS.search(text):
        return "policy_question"  # "stop my card working on gambling sites" froze every payment
    if intent == "report_lost_card" and _STOLEN_WORDS.search(text) and not _NOT_STOLEN.search(text):
        return "report_stolen_card"  # "my wallet got pinched with the card in it": taken, not mislaid
    if (intent == "report_lost_card" and _EXPLICIT_FREEZE.search(text) and not _STOLEN_WORDS.search(text)
            and not _NOT_JUST_A_FREEZE.search(text)):
        return "freeze_card"  # "misplaced my card, just freeze it while I look": what was asked, not a block
    if (intent == "report_lost_card" and _MAYBE.search(text) and not _STOLEN_WORDS.search(text)
            and not _CARD_ACTS.search(_LOST.sub("", text))):
        return "freeze_card"
    if _SOMEONE_USES.search(text) and not asks_about and not _DONT_ACT.search(text):
        return "freeze_card"
    if not asks_about and not _LOST.search(text) and not _DAMAGED.search(text):
        if (_FOR_GOOD.search(text) and _A_CARD.search(text)) or (
                _CANCEL_A_CARD.search(text) and not _NOT_JUST_A_CANCEL.search(text)):
            return "cancel_card"
        if _BLOCK_AND_REPLACE.search(text):
            return "report_lost_card"
    if intent in _CARD_ROUTES and _NOT_A_CARD.search(text) and not _A_CARD.search(text):
        return "out_of_scope"  # "my car was stolen", "I lost my cat": no card of theirs is at risk
    if intent in _CARD_ROUTES and _DONT_ACT.search(text) and not _ACT_VERB.search(_DONT_ACT.sub(" ", text)):
        # "don't freeze my card, I just want to know how", "I found it, no need to block it": nothing to do.
        return "policy_question" if "?" in text or _HOW.search(text) else "nothing_to_do"
    if (_HANDED_OVER.search(text) and not asked_card_action and not _WOULD_WE_ASK.search(text)
            and not _COMPLAINS.search(text) and not _TO_PAY.search(text)):
        return "scam"  # "a caller asked for my PIN, is that ok?": the fraud line now, not a policy lookup
    if (_SCAMMED.search(text) or hacked) and not asks_about and (stop := _STOP_CARD.search(text)):
        # "freeze my card, i think i've been scammed", whatever label the classifier gave: that card action.
        return "freeze_card" if re.match(r"freez", stop.group(1), re.IGNORECASE) else "report_stolen_card"
    if ((_SCAMMED.search(text) or hacked) and not _COMPLAINS.search(text) and not asked_card_action
            and not _DISPUTES.search(text)):
        # "how do I report a scam?" is answered from the documents; a report of one goes to the fraud team.
        # Asked for a card action or a dispute ("freeze my card, I think it's a scam"), that is what is done.
        asks = (asks_about or _WOULD_WE_ASK.search(text) is not None  # "will you ask me to move my money?"
                or (text.rstrip().endswith("?") and not _REQUESTS.search(text)))  # "is this a scam?"
        # "... now he blocked me. can i get it back??": the scam told, and the reply says how to get it back.
        asks = asks and not (_GET_IT_BACK.search(text) and not asks_about)
        return "policy_question" if asks else "scam"
    if (intent in ("dispute_transaction", "freeze_card", "report_lost_card", "out_of_scope") and not asks_about
            and NOT_MINE.search(text) and (stop := _STOP_CARD.search(text))):
        # "I didn't make that payment, block my card and refund me": a card someone else is using is stopped
        # first (a dispute would leave it working); the block's reply gives the fraud line for the refund.
        return "freeze_card" if re.match(r"freez", stop.group(1), re.IGNORECASE) else "report_stolen_card"
    if intent in ("out_of_scope", "policy_question") and not asks_about and NOT_MINE.search(text) and \
            not text.rstrip().endswith("?"):
        # "i dont know what that is, i never made it" (said of a payment): the dispute's reply says what to do
        # about a payment not made at all (freeze the card, call the fraud team); it was refused as off-topic.
        return "dispute_transaction"
    if (intent in (*_CHANGES, "check_balance") and ("?" in text or _OUTCOME.match(text)) and _OUTCOME.search(text)
            and not _REQUESTS.search(text) and not _ACTION_FIRST.match(text) and not _CARD_GONE.search(text)):
        return "policy_question"  # "will I be charged if ...", "can I raise my spending limit?": not a request
    if intent in ("update_address", "out_of_scope") and _MOVING_ABROAD.search(text):
        return "policy_question"  # "im moving to spain, change my address to Calle Mayor 5, Madrid"
    if not asks_about and (_moves_money(text) or (request and _CHANGE_OVERDRAFT.search(text))):
        return "not_in_chat"
    if asks_about and _CHANGE_OVERDRAFT.search(text):
        return "policy_question"  # "how do I increase my overdraft?" is no balance request
    if intent in ("policy_question", "out_of_scope") and (_I_OWE.search(text) or _IN_THE_RED.search(text)
                                                          or _BALANCE_TOO.search(text)):
        return "check_balance"
    if intent == "check_balance" and (_IF_OVERDRAWN.search(text) or _WOULD_EARN.search(text)):
        return "policy_question"  # "if i go overdrawn by 80 quid ...", "how much interest would I get on 10k ..."
    if intent == "check_balance" and _MY_OVERDRAFT.search(text):
        return "overdraft_limit"
    if (intent in ("update_phone_or_email", "update_address", "account_details", "policy_question", "out_of_scope")
            and (_CONTACT_HELD.search(text) or _MINE_HELD.search(text)) and not _CHANGE_WORDS.search(text)
            and not _OUR_NUMBER.search(text)):
        return "contact_details"  # "what email have you got for me on file" started a change
    if intent == "update_phone_or_email" and _DETAILS_NAMED.search(text) and not _CONTACT_NAMED.search(text):
        return "policy_question"  # "how do I change my account number?" is no new phone number
    if intent in ("out_of_scope", "check_balance", "dispute_transaction", "policy_question") and \
            _SHOW_PAYMENTS.match(text) and not _DISPUTES.search(text):
        return "recent_transactions"  # "show me payments over £40": a list of them, whatever else it resembles
    if intent in ("check_balance", "recent_transactions", "policy_question") and _ABOUT_AN_ACCOUNT.search(text) and \
            not _SHOW_PAYMENTS.match(text):
        return "policy_question"
    if intent in ("out_of_scope", "policy_question", "check_balance") and ODD_PAYMENTS.search(text):
        return "recent_transactions"  # "did they use it? any weird payments", after a stolen card's report
    if intent in ("out_of_scope", "policy_question", "check_balance", "complaint") and WHERE_MONEY_WENT.search(text):
        return "recent_transactions"  # "ur bank is a joke, where's my f***ing money gone"
    if (intent in ("out_of_scope", "policy_question", "check_balance", "dispute_transaction")
            and lists_payments(text) and not _DISPUTES.search(text)):
        # "amazon purchases on my premier card", "did i pay shell more than 60 quid": the payments, narrowed
        return "recent_transactions"
    if (intent in ("out_of_scope", "policy_question", "check_balance", "recent_transactions")
            and _OVERCHARGED.search(text) and not asks_about and not _COMPLAINS.search(text)):
        return "dispute_transaction"  # "pret overcharged me, about a tenner on the 20th"
    if intent in ("dispute_transaction", "out_of_scope") and MONEY_BACK_ASKED.match(text):
        return "policy_question"  # "do I get the money back?" after a stolen card: not "which payment?"
    if intent in ("policy_question", "out_of_scope") and _DISPUTE_ASKED.match(text):
        return "dispute_transaction"  # "dispute 23.50", "dispute tfl": the verb first is the request
    if intent in ("policy_question", "out_of_scope", "check_balance") and SPENT_ON.search(text):
        return "recent_transactions"  # "how much do i spend on takeaways": that category's payments
    if (intent in ("policy_question", "out_of_scope", "check_balance", "dispute_transaction")
            and PAYMENT_ASKED.search(text) and not NOT_MINE.search(text)):
        return "recent_transactions"  # "what was the £1200 payment": shown (it quoted the overdraft buffer)
    if intent in ("policy_question", "out_of_scope", "check_balance") and UP_OR_DOWN.search(text):
        return "recent_transactions"  # "am i up or down last month": in and out, summed
    if intent in ("policy_question", "out_of_scope", "check_balance") and GOT_PAID.search(text):
        return "recent_transactions"  # "how much did i get paid": the money in, not the balance
    if intent in ("policy_question", "out_of_scope") and _DID_SPEND.search(text) and not _LIMIT_ASKED.search(text):
        return "recent_transactions"  # "what did I spend with my debit card" asks what went, not its limits
    if intent == "check_balance" and _SPENT.search(text):
        return "recent_transactions"  # "what did I spend over £100 in november": what went out, not what is left
    if intent in ("check_balance", "out_of_scope") and _LIMIT_ASKED.search(text):
        return "policy_question"  # "how much can I pay in at the counter?": a limit, not a balance
    if intent in ("recent_transactions", "check_balance", "policy_question", "out_of_scope") and \
            _MY_MANDATES.search(text):
        return "my_mandates"  # "list my direct debits": where to see them, not the latest transactions
    if intent in ("recent_transactions", "check_balance") and _STATEMENT_WHEN.search(text):
        return "policy_question"  # "when is my next statement due?": when statements come, not what is on one
    if intent == "check_balance" and _RATE.search(text):
        return "policy_question"  # "what's the interest rate on my easy saver?": the rates are in the documents
    if intent in _CHANGES and asks_about:
        return "policy_question"
    if intent in _CHANGES and _HYPOTHETICAL.search(text) and _CAN_I.match(text):
        return "policy_question"  # "can I freeze it while I'm away if I need to?": whether and how, not now
    if intent in ("check_balance", "out_of_scope") and _PAYMENT_SCHEME.search(text):
        return "policy_question"  # "how much is CHAPS": a way of paying, not a balance, not off-topic
    if intent == "human_handoff" and (_NUMBER_ASKED.search(text) or _A_THING_ASKED.match(text) or
                                      _THEY_ASK.match(text)) and not _WANTS_PERSON.search(text):
        return "policy_question"  # "customer services phone number?", "can atms talk to her?": the documents
    if intent == "check_balance" and text.strip() and not _THEIRS.search(text):
        return "out_of_scope"
    if intent in ("complaint", "human_handoff", "out_of_scope") and _OMBUDSMAN.search(text):
        return "policy_question"  # "still no final answer after 3 months, can I go to the ombudsman?"
    if intent == "complaint" and asks_about and not _COMPLAINT_MADE.search(text):
        return "policy_question"  # "how long does a complaint take to sort out?": the process, not a complaint
    if intent in _DETAIL_CHANGES and _NAME_CHANGE.search(text):
        return "policy_question"  # "change my name, I just got married": not done in chat; the documents say how
    if intent == "update_phone_or_email" and _BY_PHONE.search(text) and not re.search(r"\d{3}|@", text):
        return "policy_question"  # "can i change it over the phone" (the PIN): a way of doing it, no new number
    if intent == "update_phone_or_email" and (asks_about or _WILL_IT.match(text)) and not _CHANGE_WORDS.search(text):
        return "policy_question"  # "what's the premier phone number?" asks for ours, not to change theirs
    if intent == "dispute_transaction" and OUR_CHARGE.search(text) and not asks_about:
        return "complaint"  # "charged me overdraft interest wrongly": our own charge, no card payment
    if intent == "dispute_transaction" and _WRONG_PAYEE.search(text):
        return "policy_question"  # "I sent money to the wrong person": recovering it, in the documents
    if intent in ("report_lost_card", "report_stolen_card") and _PHONE_GONE.search(text) and \
            not re.search(r"\bcards?\b", text, re.IGNORECASE):
        return "policy_question"  # "my phone was stolen": the app's access is blocked by phone, not a card report
    if intent in ("check_balance", "recent_transactions", "out_of_scope", "policy_question") and _HARD_UP.search(text):
        # "I'm scared I won't be able to pay my rent": where to get help, said at once; a question about a
        # product ("what happens if I can't pay my loan?") is for the documents.
        return "policy_question" if asks_about else "money_worries"
    if _JUST_A_CARD.match(text):
        return "list_cards"  # "my card" alone says no action: show the cards and their state, change nothing
    if intent in _CARD_INTENTS and _RETAINED.search(text) and not asks_about:
        return "report_lost_card"
    if (intent in ("report_lost_card", "report_stolen_card", "out_of_scope") and _PIN_TROUBLE.search(text)
            and not _CARD_GONE.search(text)):
        return "policy_question"
    if intent == "report_stolen_card" and _NOT_STOLEN.search(text):
        return "report_lost_card"
    if intent == "out_of_scope" and not asks_about and (gone := _CARD_GONE.search(text)):
        # "I lost my card, can you block it?": the classifier torn between lost and freeze ("block").
        return "report_stolen_card" if _STOLEN.search(gone.group()) else "report_lost_card"
    if intent == "dispute_transaction" and text.rstrip().endswith("?") and not _PAYMENT_PROBLEM.search(text):
        return "policy_question"
    if (intent in ("report_lost_card", "report_stolen_card", "freeze_card", "unfreeze_card", "out_of_scope")
            and _DAMAGED.search(text) and not _LOST.search(text)
            and not _CARD_ACTS.search(_REPLACEMENT.sub("", _DAMAGED.sub("", text)))):
        return "policy_question"
    if intent not in ("freeze_card", "unfreeze_card", "out_of_scope"):
        return intent
    verbs = _LIFT.sub(" unfreeze ", text)
    unfreeze, freeze = bool(_UNFREEZE.search(verbs)), bool(_FREEZE.search(verbs))
    if intent != "out_of_scope" and not (freeze or unfreeze) and (
            _CARD_LOOKS.search(text) or _ONE_CONTROL.search(text)
            or (intent == "freeze_card" and (_CAN_I.match(text) or _WILL_IT_STOP.match(text)))):
        # "I want to change my card design", "can i turn it off straight away", "will my card stop working",
        # "turn off online payments on my debit card": no freeze
        return "policy_question"
    if asks_about and (freeze or unfreeze):
        return "policy_question"  # "what's the difference between freezing and cancelling my card?"
    if unfreeze and not freeze:
        return "unfreeze_card"
    if freeze and not unfreeze:
        return "freeze_card"
    return intent
