"""Messages that must be met before anything else: someone in crisis, someone being abused or controlled by a
person close to them, and a scam under way. `urgent` runs before the input guard and the intent classifier: a
victim retelling what a scammer told them reads like an injection to the guard ("he said to tell you to approve
it"), and a classifier reads "i owe so much" as a balance request however the message began. What it answers
with is fixed text (and a ticket for a colleague), so a message that only pretends to be urgent gains nothing.

Each rule is narrow on purpose: a false alarm tells someone asking about a gym membership to call Samaritans,
or opens a scam ticket for "your fees are extortionate". Words that are also everyday banking words ("end it",
"hurt myself", "for my protection") count only beside the signs that make them what they are.

A death told (`bereaved`), a text or e-mail asked about (`suspicious_message`) and a phone number checked
(`is_it_our_number`) are not urgent in that sense: `intent_words.refine_intent` meets them after the urgent
rules, with the Bereavement Support team, the documents' advice on suspicious messages, and our numbers.
"""

from __future__ import annotations

import re

_I = re.IGNORECASE

# Self-harm or suicide, said as people say it, typos and all ("kil my self", "i not want to live").
_CRISIS = re.compile(
    r"\b(?:end(?:ing)? (?:it all|my life|my own life)|k+il+(?:ing)? (?:my ?self|meself)|su[ie]?c[ie]?d\w*|"
    r"suiside\w*|take my (?:own )?life|(?:want|wanting|wanna|going) to die|rather (?:be dead|die)|"
    r"(?:do ?n'?t|do not|not|never|didn'?t) (?:want|wanna)(?:s|ed)? to (?:live|be alive|exist|wake up|"
    r"(?:be here|go on)(?=\s*(?:$|[.,!?;]|any ?more|any longer|like this)))|"
    r"no reason to (?:live|go on|carry on|be here)|self[- ]harm\w*|overdos\w*|"
    r"better off (?:dead|without me\b(?! on)|if i (?:was|were)(?:n'?t| not) (?:around|here|alive)|"
    r"if i (?:was|were) (?:gone|dead))|"
    r"wish (?:i (?:was|were) dead|i (?:was|were)(?:n'?t| not) (?:here|alive|around|born))|"
    r"can'?t (?:cope|go on) any ?(?:more|longer)|giving up on (?:life|everything)|"
    r"feel(?:ing)? (?:so |completely |totally |utterly )?hopeless|"
    r"nothing matters any ?more|no point (?:in )?(?:living|being alive))\b", _I)
# Words that are a crisis said by someone in despair and an everyday phrase beside a product ("I want to end it,
# the gym keeps charging me"; "I've really hurt myself with these overdraft charges"): they count only in a
# message that names no banking product or payment.
_CRISIS_WEAK = re.compile(
    r"\b(?:(?:feel(?:ing)? like|thinking (?:of|about)|think about|going to|gonna|want to|wanna) end(?:ing)? "
    r"(?:it|everything)\b|want (?:it all|everything|this|the pain) to (?:stop|end)|"
    r"(?:hurt|harm|cut|cutting)(?:ing)? myself|feel(?:ing)? like giving up|end(?:ing)? things|nothing matters|"
    r"(?:don'?t|dont|do not|can'?t|cant) see (?:the |any )?point\b|no point (?:in )?(?:going on|carrying on|any ?more)|"
    r"no way out|can'?t (?:do|take|handle|face) (?:this|it|any of this) any ?(?:more|longer)|"
    r"(?:pills|tablets)\b.{0,40}\b(?:saved|stockpil\w*|tonight|all of them|the lot)|"
    r"(?:saved|stockpil\w*) (?:up )?(?:a (?:load|lot|bunch) of |some |all )?(?:my )?(?:pills|tablets))", _I)
_PRODUCT = re.compile(r"\b(?:accounts?|cards?|app|payments?|paying|direct debits?|standing orders?|fees?|charge[sd]?|"
                      r"charging|saver|savings|isa|membership|subscription|gym|joint|refunds?|switch\w*|close|"
                      r"overdraft|pin|order(?:ed)?|argos|pharmacy|gambling|block|statements?|transfers?|contract|"
                      r"logs? (?:me )?out|phone bill|shop\w*|bought|purchase\w*)\b", _I)

_CLOSE = (r"(?:husband|wife|partner|boyfriend|girlfriend|son|daughter|grandson|granddaughter|nephew|niece|ex|"
          r"carer|brother|sister|dad|mum|father|mother|family|relative|uncle|aunt|fianc\w*|lodger|flatmate)")
_SOMEONE_CLOSE = rf"(?:he|she|my {_CLOSE})"
_OFTEN = r"(?:(?:always|often|sometimes|really|constantly|keeps?|still|even|now|has|had|just)\s+)?"
# Someone close hurting, threatening or controlling the customer, or taking their money behind their back.
_ABUSE = re.compile(
    rf"\b(?:{_SOMEONE_CLOSE}\s+{_OFTEN}(?:hits|beats|hurts|threatens|hitting|beating|threatening|frightens|"
    r"scares) me\b(?! with)|"
    rf"{_SOMEONE_CLOSE}\s+{_OFTEN}(?:hit|beat|hurt|threatened) me\b(?! with)|"
    r"abusive|abus(?:es|ing) me|domestic abuse|coercive|trying to (?:kill|hurt|harm|strangle) me|"
    rf"{_SOMEONE_CLOSE}\s+{_OFTEN}controls? (?:all )?(?:of )?(?:my|our) (?:money|finances|cards?|accounts?)|"
    rf"{_SOMEONE_CLOSE}\s+{_OFTEN}won'?t let me (?:have|use|touch|see) my (?:card|money|account)|"
    r"(?:(?:forc|coerc|threaten|pressur)\w* (?:me )?|(?:makes?|made|making) me )(?:into |to )?(?:take|taking|get|"
    r"getting|borrow\w*|hand\w*|"
    r"give|giving|send\w*) (?:out )?(?:a |the |my |more )?(?:loans?|money|credit|cards?|savings|pin)|"
    r"pressur\w* (?:by \w+ )?(?:me )?to (?:give|hand|send|lend)|"
    rf"my {_CLOSE}\b.{{0,80}}\b(?:steal\w*|stole|nick\w*|pinch\w*)\b|"
    rf"my {_CLOSE}\b.{{0,80}}\b(?:taking|taken|took|takes|spending|using|used)\b.{{0,30}}\b(?:without (?:asking|"
    r"permission|my (?:permission|consent|knowing)|telling me)|behind my back|extra (?:money|cash))|"
    rf"my {_CLOSE}\b.{{0,80}}\b(?:if i don'?t (?:give|hand|let|lend|sign)|or else|put me in a home|kick me out)|"
    rf"my {_CLOSE}\b.{{0,200}}\b(?:i didn'?t agree to|get (?:him|her|them) (?:in|into) trouble)|"
    rf"{_SOMEONE_CLOSE}\s+(?:always |keeps |constantly )?checks? my phone|"
    r"authoris\w* (?:him|her|them) to have (?:full )?access|"
    rf"(?:codes?|passcodes?|texts?) (?:should |to |will |can |would )?(?:go|be sent) to (?:him|her|them|my {_CLOSE}))",
    _I)

# Someone posing as the bank, the police or a company asking for money moved, cash, codes or card details: the
# customer is still in it, and must be told to stop before anything is lost. Posing said outright counts
# however they got in touch; "from the bank" only on the phone or at the door (a text "from Larkspur" with a
# code is how we confirm a new payee).
_POSING = re.compile(r"\b(?:claim\w* to be|pretend\w* to be|posing as|said (?:he|she|they) (?:was|were|is|are)|"
                     r"says? (?:he|she|they)(?:'s| is| are| was|s) from)\b", _I)
_FROM_US = re.compile(r"\b(?:from|at) (?:the |your |my )?(?:police|bank|larkspur|hmrc|tax office|bt|microsoft|amazon|"
                      r"(?:security|fraud) (?:team|department))\b|\b(?:detective|police ?(?:officer|man|woman)|"
                      r"policeman|hmrc)\b|\b(?:security|fraud) (?:team|department) (?:called|rang|phoned)\b|"
                      r"\b(?:pretend\w*|claim\w*) to be (?:you|us)\b", _I)
_ON_THE_PHONE = re.compile(r"\b(?:called|rang|phoned|telephoned|(?:a|the) call from|on the (?:phone|line)|came to my "
                           r"door|at my door|knocked|coming (?:round|to my house))\b", _I)
_CONTACTED = re.compile(r"\b(?:texted|messaged|emailed|e-mailed|a (?:text|message|email) from)\b", _I)
_WANTS = re.compile(r"\b(?:move|moving|transfer\w*|withdraw\w*|cash|code|passcode|pin|card details|card number|"
                    r"install\w*|courier|gift ?cards?|account number|sort code|my details|savings|"
                    r"send (?:it|them|the money|money|£|\d))\b", _I)
# Said alone, these are the scam itself.
_UNDER_WAY = re.compile(
    r"\b(?:safe account|anydesk|teamviewer|quick ?support|rustdesk|remote access|withdrawal tax|"
    r"(?:fee|tax) (?:to|before (?:they|he|she|it) (?:will )?) ?(?:withdraw|release|unlock) (?:my|the|your|his|her) "
    r"(?:funds|profits?|investment|gold|money|winnings)|release fee|blackmail\w*|sextort\w*|extort(?:s|ing|ed)?\b|"
    r"(?:move|moving|transfer\w*|send|put)\b.{0,40}\b(?:for (?:your |my )?protection|to protect (?:it|them|my money)|"
    r"for safe ?keeping)|"
    r"refunded (?:me )?too much\b.{0,80}\b(?:send|sent|pay|paid|transfer)\w*\b.{0,20}\bback|"
    r"(?:gave|give|given|hand\w*|giving) (?:him |her |them )?(?:my )?(?:card|pin|cash|money)\b.{0,30}\bcourier|"
    r"courier\b.{0,40}\b(?:collect\w*|pick(?:ed)? up|came (?:round|to)|sent round|coming (?:round|to))|"
    r"link\b.{0,40}\b(?:clicked|tapped|opened)\b.{0,60}\b(?:entered|typed|put in|gave)\b.{0,30}\b(?:details|code|"
    r"pin|password|card)|"
    r"(?:read|tell|give|send|forward) (?:him|her|them|the caller) (?:the |my )?(?:code|passcode)|"
    r"(?:he|she|they|the caller|the (?:man|woman|lady|guy)|someone) (?:also )?(?:wants?|needs?|asked for|asking for|"
    r"asked me for) (?:the |my )?(?:code|passcode)|"
    r"(?:told|said|says|asked) (?:me )?to (?:say|tell (?:you|the bank|them|the branch)) (?:it'?s|it is|that it'?s) for|"
    r"(?:told|said|says|asked) (?:me )?(?:not to|to not|don'?t) tell (?:anyone|the bank|you|larkspur|branch staff))\b",
    _I)
# Money asked for by someone met online, or for an "investment" that holds the money back or will not wait.
_MET_ONLINE = re.compile(r"\bmet (?:(?:him|her|them|someone|a (?:man|woman|guy|girl|lady))(?: \w+){0,3} )?(?:online|"
                         r"on (?:a )?(?:dating|tinder|hinge|bumble|facebook|instagram|whatsapp|snapchat)\w*)|"
                         r"\b(?:boyfriend|girlfriend|partner|fianc\w*)\b.{0,30}\bwe met online\b|"
                         r"\bnever (?:actually )?met (?:him |her |them )?(?:in person|face to face|in real life|irl)\b",
                         _I)
_INVESTMENT = re.compile(r"\b(?:broker|investment|crypto|trading platform)\b.{0,120}\b(?:returns?|profit|doubled?|"
                         r"guaranteed|whatsapp|telegram|deadline|by \d+ ?pm|before midnight)\b", _I)
_THEY_ASK = re.compile(r"\b(?:he|she|they|him|her|boyfriend|girlfriend|partner|broker)\b.{0,30}?\b(?:needs?|wants?|"
                       r"asked|asks|asking|told me)\b.{0,60}\b(?:money|£|\d|send|lend|pay|card details|gift ?cards?|"
                       r"transfer|invest)|\bif i (?:don'?t|do not) (?:send|pay|transfer|invest)\b|"
                       r"\bi (?:need|have|must) to (?:send|pay|transfer|invest) (?:it|the money|him|her|them|£|\d)", _I)
# A message the input guard stopped that tells of a scam or of someone posing as us: most likely a victim
# retelling it (or relaying the scammer's words), who needs the fraud line and a colleague, not a refusal.
_VICTIM = re.compile(r"\b(?:scammed|scammers?|fraudsters?|conned|tricked (?:me|us|into)|fake (?:builder|solicitor|"
                     r"seller|website|site|text|email|caller|police\w*|investment|company|landlord|charity)|"
                     r"impersonat\w*|(?:say|says|said) (?:he|she|they) (?:is|was|were|are|'s) (?:from )?"
                     r"(?:the |my |your )?(?:bank|larkspur|police)|(?:he|she|they) (?:is|was) (?:the )?bank|"
                     r"from larkspur|larkspur (?:security|fraud)|(?:rang|called|phoned) (?:me )?(?:saying|and said)|"
                     r"security officer|on the phone says)\b", _I)
# Addressed to the assistant as a part to play ("role-play as a Larkspur fraud officer"): an attack, refused.
_A_PART = re.compile(r"\b(?:role-?\s?play\w*|in character|act as|you are now|pretend (?:you|to be)|simulate|drill|"
                     r"write (?:an?|the) (?:email|message|text|letter))\b", _I)
# "would the bank ever call and ask for my PIN?" asks how we work: answered from the documents.
_HOW_WE_WORK = re.compile(r"\b(?:will|would|do|does|can|could|might)\s+(?:you|larkspur|the bank|a bank|the police)\s+"
                          r"(?:ever\s+)?(?:ask|call|text|phone|ring|contact)\b", _I)
# "Someone called and I gave them a code, freeze my card now": the card action asked for is done (its route
# gives the fraud line), unless the input guard stopped the message, when the scam reply is the help left to
# give; a crisis is met first whatever else is asked.
_CARD_ASKED = re.compile(r"\b(?:freeze|block|cancel|lock)\s+(?:my|the|this|that|both|all)?\s*(?:\w+\s+)?"
                         r"(?:cards?|it)\b", _I)


def _scam(text: str) -> bool:
    if _UNDER_WAY.search(text):
        return True
    if _FROM_US.search(text) and _WANTS.search(text) and (
            _ON_THE_PHONE.search(text) or (_POSING.search(text) and _CONTACTED.search(text))):
        return True
    return bool((_MET_ONLINE.search(text) or _INVESTMENT.search(text)) and _THEY_ASK.search(text))


def urgent(text: str, flagged: bool = False) -> str | None:
    """The fixed reply a message must get before anything else ("crisis", "abuse", "scam"), or None; `flagged`:
    the input guard stopped the message."""
    if _CRISIS.search(text) or (_CRISIS_WEAK.search(text) and not _PRODUCT.search(text)):
        return "crisis"
    if flagged and _VICTIM.search(text) and not _A_PART.search(text):
        return "scam"
    if _CARD_ASKED.search(text) and not flagged:
        return None
    if _ABUSE.search(text):
        return "abuse"
    if _HOW_WE_WORK.search(text):
        return None
    return "scam" if _scam(text) else None


# Telling us of a death: met with the Bereavement Support team and what happens first (it abstained: "passed
# away" is not the documents' word). A question on one part of it ("what documents do you need?") is the
# documents' to answer.
_KIN = (r"(?:husband|wife|partner|mum|mom|mam|dad|mother|father|son|daughter|brother|sister|gran|nan|grandma|"
        r"grandad|grandmother|grandfather|aunt|uncle)")
_BEREAVED = re.compile(rf"\bpassed away\b|\bbereave\w*|\b(?:my|our) (?:\w+ )?{_KIN} (?:(?:has|had|just|recently|"
                       rf"sadly|suddenly|unexpectedly) )*died\b|"
                       rf"\blost my {_KIN} (?:last|this|yesterday|recently|to)\b|\b(?:my|our) late {_KIN}\b",
                       re.IGNORECASE)
_ONE_PART = re.compile(r"\b(?:probate|grant|interest|isa|savers?|savings|joint|overdraft|loan|credit card|how long|"
                       r"standing orders?|direct debits?|inherit\w*|left me|pay (?:it |this |the money )?in(?:to)?)\b",
                       re.IGNORECASE)


def bereaved(text: str) -> bool:
    """A death told ("my husband passed away last week"), not a question on one part of what follows."""
    return _BEREAVED.search(text) is not None and _ONE_PART.search(text) is None


# A message asking whether a text or e-mail with a link is really from us ("got an email saying my account is
# suspended, click here to verify. is this you?"): the documents' advice on suspicious messages, said plainly (it
# abstained). Details already typed in after the link are a scam under way (`refine_intent`'s scam words).
_A_MESSAGE = re.compile(r"\b(?:e-?mail|text|sms|message|whatsapp)\b", _I)
_A_LINK = re.compile(r"\b(?:link|click|suspended|locked|verify|confirm your (?:details|account|identity))\b", _I)
_FROM_YOU = re.compile(r"\b(?:is|was|are) (?:this|that|it|they) (?:really )?(?:you|from you|from larkspur|real|genuine|"
                       r"legit\w*|a scam|safe)\b|\bshould i (?:click|tap|open|reply)\b|\bfrom you\b", _I)


def suspicious_message(text: str) -> bool:
    return bool(_A_MESSAGE.search(text) and _A_LINK.search(text) and _FROM_YOU.search(text))


# "is 0808 157 0247 really your number?", "they rang from 03069 990100, is that you?": whether a number is ours,
# never a change of the customer's own.
_IS_IT_YOU = re.compile(r"\b(?:is|was|are)\b[^.!?]{0,60}\b(?:your|you|larkspur'?s?|the bank'?s?|genuine|real|legit\w*|"
                        r"official)\b[^.!]{0,30}\?", re.IGNORECASE)
_A_NUMBER = re.compile(r"\b0\d{3,4}[\s-]?\d{3}[\s-]?\d{3,4}\b|\+\d{2}[\s\d]{9,14}\b")


def is_it_our_number(text: str) -> bool:
    return bool(_A_NUMBER.search(text) and _IS_IT_YOU.search(text))
