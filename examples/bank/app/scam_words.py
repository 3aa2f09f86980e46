"""The bank's words for scams and for secrets handed over: the customer tricked into sending money, someone
holding their PIN or card details, a hacked account, and whether the bank would ever ask for a secret.
`intent_words.refine_intent` applies them."""

from __future__ import annotations

import re

# The secrets a customer may be talked into handing over.
_SECRET = (r"(?:(?:full|whole|online|card|bank|app|security|banking)\s+)?(?:pin|passcode|password|one[- ]time "
           r"(?:pass)?code|code (?:from (?:a|the) text|(?:you|we|they) (?:just )?(?:texted|sent))|security code|"
           r"card details|card number|login details)\b")
# Tricked into sending money (an authorised push payment scam): urgent, and no card dispute. The fraud team
# must hear at once, so the reply gives its number and a colleague gets the conversation.
_SCAMMED = re.compile(r"\b(?:scam(?:med)?|scammers?|fraudsters?|conned|con artist|tricked|duped|"
                      r"pretend\w* to be|posing as|impersonat\w*|safe account|remote access|(?:anydesk|teamviewer)|"
                      r"identity theft|stole my identity|stolen my identity|(?:opened|taken out|applied for) (?:an? )?"
                      r"(?:account|loan|credit card|card) in my name|(?:card|account)s? (?:has been |have been |was |"
                      r"were |got |is )?cloned|cloned (?:my )?card|phishing|gift ?cards?|courier)\b"
                      # Details typed in after following a link in a message: the account is at risk now.
                      r"|\b(?:clicked|tapped|followed|opened)\b.{0,40}\blink\b.{0,60}\b(?:entered|typed|put in|gave)\b"
                      # Money being taken by someone the customer can name or not.
                      r"|\b(?:has been|have been|is|keeps?) (?:taking|stealing) (?:money )?from (?:me|my account)\b"
                      # Money sent by transfer, then the payee gone: "sent 2000 by bank transfer ... now he blocked
                      # me" (a card payment's seller gone quiet is a dispute).
                      r"|\b(?:transferred|(?:sent|paid)\b.{0,60}\b(?:bank transfer|transfer|faster payment))\b.{0,100}"
                      r"\b(?:blocked me|stopped (?:replying|answering|responding)|disappeared|vanished|ghosted me|"
                      r"(?:won'?t|doesn'?t|will not|does not) (?:reply|answer|respond))\b", re.IGNORECASE)
# Whether the money can come back, asked of a scam told: the scam reply says how (the fraud team, reimbursement).
_GET_IT_BACK = re.compile(r"\bget (?:it|them|my money|the money|that|this) back\b|\breimburs\w*|\brefund\w*",
                          re.IGNORECASE)
# Someone else had, asked for or holds the customer's PIN, password or card details: the fraud team at once,
# even asked as a question ("a caller asked for my PIN, is that ok?"); "tell me my card details" asks us.
_HANDED_OVER = re.compile(r"\b(?:gave|give|given|told|tell|shared|share|sent|read out)\b(?!\s+me\b).{0,25}\b"
                          rf"(?:my|the)\s+{_SECRET}|\basked (?:me )?(?:for|to (?:read(?: out)?|tell|give|share)"
                          rf"(?: them| him| her)?) (?:my|the) {_SECRET}|"
                          rf"\b(?:has|have|got|knows?) (?:all )?my {_SECRET}", re.IGNORECASE)

# Card details given to pay or book ("I gave my card details to Netflix for a free trial", "the hotel wants my
# card number to hold a room") are how cards are used, not details handed to a fraudster.
_TO_PAY = re.compile(r"\b(?:hotel|shop|store|netflix|amazon|spotify|free trial|subscription|booking|to (?:book|buy|"
                     r"pay for|hold|reserve|order))\b", re.IGNORECASE)
_HACKED = re.compile(r"\bhack(?:ed|er|ers|ing)?\b|\b(?:got|get|broke|broken) into my (?:account|app|online banking)\b",
                     re.IGNORECASE)
# Whether the bank would ask for a secret (PIN, passcode, password): answered with the whole list of what it never
# asks, since the documents' sentences nearest the question ("we can't tell you your PIN over the phone", "we may
# ask you to approve some payments with a one-time passcode") read as the opposite. Other things on the list
# ("will you ask me to move my money to a safe account?") are quoted from the documents, with their citation.
_NEVER_ASKED = re.compile(r"\b(?:pin|passcode|password|pass code|one[- ]time (?:pass)?code|otp|security code|"
                          r"memorable word)\b", re.IGNORECASE)
_WOULD_WE_ASK = re.compile(r"\b(?:will|would|do|does|can|could|might)\s+(?:you|larkspur|the bank|a bank)\s+"
                           r"(?:ever\s+)?(?:ask|call|text|phone|ring)\b", re.IGNORECASE)
