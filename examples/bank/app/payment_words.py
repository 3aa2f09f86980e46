"""The bank's words about payments and the customer's own details: money already gone (the transactions, not
the balance), a payment that went wrong (a dispute), and the sort code or account number asked for.
`intent_words.refine_intent` applies them."""

from __future__ import annotations

import re

# A dispute is about something wrong with a payment. A question that names a merchant but no problem ("can i
# get cashback at tesco?") is a policy question, however close it embeds to the customer's Tesco disputes.
_PAYMENT_PROBLEM = re.compile(
    r"disput|chargeback|charg|challeng|revers|refund|money back|get it back|back for|never|didn'?t|don'?t recogni|"
    r"no idea|not mine|wrong|twice|double|took|taken|cancel|investigat|look into|claw|kept|broken|damaged|"
    r"weird|unknown|fraud|scam|overcharg|query", re.IGNORECASE)

# Charged more than was owed, told as it happened ("pret overcharged me, about a tenner on the 20th"): a payment
# to dispute, whatever else the message reads like.
_OVERCHARGED = re.compile(r"\bover-?charged\b|\bdouble[- ]charged\b|\bcharged (?:me |us )?(?:twice|double|two times|"
                          r"too much|the wrong amount)\b", re.IGNORECASE)

_PRODUCT = r"(?:account|acc|acct|joint|premier|everyday|current|saver|savings|isa)\b"
# The customer's own sort code or account number, which the bank's records hold (an IBAN they do not), also
# named by the account ("account no for the premier please", "details for the joint acc").
_MY_DETAILS = re.compile(r"\b(?:my|our)\b(?:\s+\w+){0,3}?\s+(?:sort\s*code|account\s+(?:number|no\b|details)|bank "
                         r"details|iban)|\b(?:sort\s*code|account\s+number|iban)\s+(?:for|of|on)\s+my\b"
                         r"|\b(?:sort\s*code|account\s+(?:number|no\b)|iban)\s+(?:for|of|on)\s+(?:the|our)\s+(?:\w+\s+)?"
                         + _PRODUCT + r"|\bdetails\s+(?:for|of|on)\s+(?:my|our|the joint)\s+(?:\w+\s+)?" + _PRODUCT
                         # "account details for the everyday one"
                         + r"|\b(?:account|bank)\s+details\s+(?:for|of|on)\s+(?:my|our|the)\s+(?:\w+\s+)?(?:one\b|"
                         + _PRODUCT + ")"
                         # the bank's BIC is given with the customer's IBAN, which a sender abroad needs beside it
                         + r"|\b(?:your|my|our|the bank'?s|larkspur'?s|the)\s+(?:bic|swift(?:\s+code)?)\b"
                         # "whats the iban for that", right after the details were given
                         + r"|\b(?:the\s+)?iban\s+(?:for|of|on)\s+(?:that|it|this|them|those|both)\b", re.IGNORECASE)
# "Why has my sort code changed?" asks about the details, it does not ask for them; "a new employer" does not.
_DETAILS_CHANGE = re.compile(r"\b(?:chang\w*|different|switch\w*|why|keep)\b|\bnew\s+(?:\w+\s+)?(?:sort|account|acc|"
                             r"iban|details|number|bank)\b", re.IGNORECASE)

# Money already gone is in the transactions, not the balance ("how much did I spend last week?", "how much have I
# been spending on takeaways?"). Asked about, not said in passing ("I've spent too much, what's my balance?"); a
# spending limit or spending money is what is left, not what went.
_SPENT = re.compile(r"\b(?:how much|what)\b.{0,25}\b(?:spent|spending(?!\s+(?:limit|cap|money))|blown|blew|splashed|"
                    r"did (?:i|we) (?:spend|pay|buy)|paid out|bought|went out)\b", re.IGNORECASE)

_DISPUTE_ASKED = re.compile(r"^\s*(?:please\s+|i (?:want|need|would like|'d like) to\s+|can you\s+|could you\s+)?"
                            r"(?:dispute|chargeback|charge back|challenge)\b(?!\s+(?:rules?|process|policy|time))|"
                            # "the second one is wrong, can u dispute it"
                            r"\b(?:can|could|will|would) (?:you|u) (?:please )?dispute (?:it|this|that|them)\b|"
                            r"\bdispute (?:it|this|that|them)(?: for me)?(?: please)?\W*$", re.IGNORECASE)

# "what did I spend with my debit card", "how much did Daniel spend": what went out, by a person.
_DID_SPEND = re.compile(r"\b(?:how much|what)\b.{0,20}\b(?:did|has|have)\s+(?:i|we|\w+)\s+(?:spend|spent|buy|bought)\b",
                        re.IGNORECASE)
# "what was the £1200 payment", "theres a payment of 1200 quid, what was that": that payment, shown.
_AN_AMOUNT = r"(?:£\s?)?\d[\d,]*(?:\.\d\d)?\s*(?:quid|pounds?|gbp)?"
PAYMENT_ASKED = re.compile(rf"\b(?:what|who)(?:'s|s| is| was| were)\s+(?:the|that|this)\s+{_AN_AMOUNT}\s+"
                           r"(?:payment|charge|transaction|debit)\b|"
                           rf"\b(?:payment|charge|transaction|debit) (?:of|for) {_AN_AMOUNT}\b.{{0,40}}"
                           r"\b(?:what|who) (?:was|is|'s) (?:that|it|this)\b", re.IGNORECASE)
# "so am i up or down for the month": what went in against what went out.
UP_OR_DOWN = re.compile(r"\b(?:am i|are we|was i|were we)\s+(?:up or down|up|down)\s+(?:on|for|this|last|over)\b|"
                        r"\bup or down\b|\b(?:money )?in (?:vs|versus|against) (?:money )?out\b", re.IGNORECASE)
# "how much did i get paid", "has my salary gone in": what came in, not the balance.
GOT_PAID = re.compile(r"\b(?:how much|when)\b.{0,20}\b(?:did|do|have|has)\s+(?:i|we)\s+(?:get|got|been)\s+paid\b|"
                      r"\b(?:has|have|did)\s+(?:my|our)\s+(?:salary|wages?|pay|pension|benefits?)\s+(?:gone|come|"
                      r"been paid|arrived|landed)\b|\b(?:has|did)\s+(?:my|our)\s+(?:salary|wages?|pension)\s+"
                      r"(?:go|come) in\b", re.IGNORECASE)

# "show me payments over £40", "list my card payments": the payments themselves.
# "did they use it? any weird payments": the payments themselves, to look over.
ODD_PAYMENTS = re.compile(r"\b(?:any|see|show|check|list)\s+(?:\w+\s+)?(?:weird|strange|odd|unusual|suspicious|"
                          r"dodgy|funny|unknown)\s+(?:payments?|transactions?|charges?|spending)\b", re.IGNORECASE)
# "where's my money gone": what went out, whatever the tone.
WHERE_MONEY_WENT = re.compile(r"\bwhere(?:'s|s| has| did| is| the hell| the f\W*\w*)?\s+(?:all\s+)?(?:my|our)\s+"
                              r"(?:\S+\s+)?money\s+(?:gone|go|went|going)\b", re.IGNORECASE)
_SHOW_PAYMENTS = re.compile(r"^\s*(?:(?:can|could) you\s+|please\s+)?(?:show|list|give|display|see)\b(?:\s+(?:me|us|my|"
                            r"all|all of|the|of|our))*\s+(?:card\s+)?(?:payments?|transactions?|purchases?|spending|"
                            r"outgoings?|debits?|everything(?=\s+(?:over|above|under|below|more than|less than|"
                            r"bigger than|since|from|in|on)\b))\b", re.IGNORECASE)

# Payments narrowed by when, how much or which card or account ("any payments over fifty quid in november",
# "amazon purchases on my premier card", "what did i put on my credit card in october"): the list, filtered.
# Both parts are needed: "payments" alone is as often a question about how they work.
_WENT_OUT = re.compile(r"\b(?:payments?|purchases?|spending|spent|bought|put on|went (?:out|on)|going out|"
                       r"gone (?:out|on)|transactions?|outgoings?|did (?:i|we) (?:ever )?pay|(?:have|had) (?:i|we) "
                       r"(?:ever )?paid)\b", re.IGNORECASE)
_NARROWED = re.compile(r"\b(?:in|during|since|for|from)\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)"
                       r"[a-z]*\b|\b(?:last|this|past)\s+(?:week|month|year|fortnight)\b|\b(?:over|above|under|below|"
                       r"more than|less than|bigger than)\s+(?:£|\$|€|\d|a (?:tenner|fiver|hundred|grand)|"
                       r"(?:ten|twenty|thirty|forty|fifty|hundred)\b)|\bon (?:my|our|the)\s+(?:\w+\s+){0,2}?"
                       r"(?:card|account|acc|acct)\b", re.IGNORECASE)
# How payments work, what they cost or what their limits are is for the documents, a wrong one is a dispute, and
# what is left is the balance ("I've spent too much this month, what's my balance?").
_ABOUT_PAYMENTS = re.compile(r"\b(?:balance|left|fees?|cost\w*|limits?|interest|allowed|abroad|foreign|overseas|"
                             r"currency|cashback|protect\w*|safe|how|why|can (?:i|we|you)|could (?:i|we)|will|would|"
                             r"should|do you|does it|is it|are there|take to)\b", re.IGNORECASE)


# "anything over 50 quid in november?": what went, narrowed, with no word for payments.
_ANYTHING = re.compile(r"^\W*(?:(?:and|so|ok)\W+)?(?:any|anything)\b", re.IGNORECASE)


def lists_payments(text: str) -> bool:
    """Whether the message asks for its own payments narrowed by date, amount or card: a list to show, not a
    question about payments and not a problem with one."""
    return (bool(_WENT_OUT.search(text) or _ANYTHING.match(text)) and _NARROWED.search(text) is not None
            and not _ABOUT_PAYMENTS.search(text) and not _PAYMENT_PROBLEM.search(text))


# A way of paying named: "how much is CHAPS" is a question, not a balance.
_PAYMENT_SCHEME = re.compile(r"\b(?:chaps|swift|sepa|bacs|faster payments?)\b", re.IGNORECASE)
# "can daniel close our joint account without me agreeing?", "whats the minimum payment on my credit card":
# questions about an account or card, not its balance or payments.
_ABOUT_AN_ACCOUNT = re.compile(r"\bclos(?:e|ed|es|ing)\b|\bminimum (?:re)?payments?\b|"
                               r"\bwhat (?:do|would|will|does) (?:i|we|you|one) (?:actually |really )?get (?:with|for|"
                               r"from|out of)\b|\b(?:benefits|perks) of\b", re.IGNORECASE)
# "if i go overdrawn by like 80 quid how much interest will i pay": what it would cost, not the balance now.
_IF_OVERDRAWN = re.compile(r"\bif (?:i|we) (?:go|went|am|'m|were|get|got|end up|ever go)\s+(?:\w+\s+){0,2}?"
                           r"(?:overdrawn|into (?:my |an |the |our )?(?:overdraft|red|arranged|unarranged))",
                           re.IGNORECASE)
# "how much interest would I get on 10k in the 1 year fixed": what a product pays, for the documents.
_WOULD_EARN = re.compile(r"\bhow much interest (?:would|will|could|do|does|might)\b|\binterest (?:would|will|could) "
                         r"(?:i|we) (?:get|earn|make)\b", re.IGNORECASE)

# "do I get the money back?" (after a stolen card's report): whether and when, for the documents (unauthorised
# payments are refunded by the next working day); naming a payment ("... back from amazon") is a dispute.
MONEY_BACK_ASKED = re.compile(r"^\W*(?:(?:and|so|ok|okay|but)\W+)?(?:do|will|would|can|could|shall|when will|how "
                              r"(?:do|can|will|long (?:will|does it take for)))\s+(?:i|we)\s+(?:\w+\s+){0,2}?"
                              r"(?:get|be)\s+(?:my\s+|the\s+|our\s+|that\s+|it\s+)?(?:money\s+back|refund(?:ed)?|"
                              r"reimbursed|paid back)(?:\s+(?:please|pls|then|now))?\W*$", re.IGNORECASE)

# A charge of our own said to be wrong ("charged me overdraft interest wrongly, i want it refunded"): no card
# payment to dispute, a complaint about us.
OUR_CHARGE = re.compile(r"\b(?:overdraft (?:interest|fees?|charges?)|interest (?:charges?|charged)|bank charges?|"
                        r"(?:monthly|account|late payment|over-?limit|unpaid item) fees?|you(?:'ve| have)? charged me|"
                        r"the bank (?:charged|took)|"
                        # "I was charged a fee I shouldn't have been": a fee with no merchant named is ours
                        r"(?:charged|took) (?:me )?an? fee(?!\s+(?:by|from|at|on|for)\b))\b", re.IGNORECASE)
