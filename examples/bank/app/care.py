"""Messages that must be met before anything else: someone in crisis, someone being abused or controlled by a
person close to them, and a scam under way. `urgent` runs before the input guard and the intent classifier: a
victim retelling what a scammer told them reads like an injection to the guard ("he said to tell you to approve
it"), and a classifier reads "i owe so much" as a balance request however the message began. What it answers
with is fixed text (and a ticket for a colleague), so a message that only pretends to be urgent gains nothing.
"""

from __future__ import annotations

import re

# Self-harm or suicide, said as people say it, typos and all ("kil my self", "i not want to live").
_CRISIS = re.compile(
    r"\b(?:end(?:ing)? (?:it all|my life|my own life)|k+il+(?:ing)? (?:my ?self|meself)|su[ie]?c[ie]?d\w*|"
    r"suiside\w*|take my (?:own )?life|(?:want|wanting|wanna|going) to die|rather (?:be dead|die)|"
    r"(?:not|n'?t|never) (?:want|wanna)(?:s|ed)? to (?:live|be alive|be here|exist|wake up|go on)|"
    r"no (?:reason|point) (?:to|in) (?:live|living|go(?:ing)? on|carry(?:ing)? on|being here)|"
    r"(?:hurt|harm|cut|cutting)(?:ing)? myself|self[- ]harm\w*|"
    r"better off (?:dead|without me|if i (?:was|were)(?:n'?t| not) (?:around|here|alive)|"
    r"if i (?:was|were) (?:gone|dead))|"
    r"wish (?:i (?:was|were) dead|i (?:was|were)(?:n'?t| not) (?:here|alive|around|born))|"
    r"(?:feel(?:ing)? like|thinking (?:of|about)|think about|going to|gonna|want to|wanna) end(?:ing)? "
    r"(?:it|everything)(?: all)?\b(?!\s+(?:early|with|for|on|by|before)\b)|"
    r"(?:don'?t|dont|do not|can'?t|cant) see (?:the |any )?point (?:any ?more|in (?:living|life|going on|anything))|"
    r"want (?:it all|everything|this|the pain) to (?:stop|end)|overdos\w*|"
    r"(?:pills|tablets)\b.{0,40}\b(?:saved|stockpil\w*|tonight|all of them|the lot)|"
    r"(?:saved|stockpil\w*) (?:up )?(?:a (?:load|lot|bunch) of |some |all )?(?:my )?(?:pills|tablets)|"
    r"can'?t (?:cope|go on) any ?(?:more|longer)|giving up on (?:life|everything)|"
    r"(?:i feel|i'?m feeling|feeling|i am|i'?m) (?:so |completely |totally )?hopeless|"
    r"nothing matters any ?more|no point (?:in )?(?:living|going on|carrying on|any ?more)|no way out)\b",
    re.IGNORECASE)
# "I can't do this anymore" is a crisis beside debts or despair, and frustration beside the app.
_AT_THE_END = re.compile(r"\bcan'?t (?:do|take|handle|face) (?:this|it|any of this) any ?(?:more|longer)\b",
                         re.IGNORECASE)
_DESPAIR = re.compile(r"\b(?:owe|debts?|money|bills|sad|alone|lonely|tired|exhausted|hopeless|depress\w*|life|"
                      r"everything|cry\w*)\b", re.IGNORECASE)

_CLOSE = (r"(?:husband|wife|partner|boyfriend|girlfriend|son|daughter|grandson|granddaughter|nephew|niece|ex|"
          r"carer|brother|sister|dad|mum|father|mother|family|relative|uncle|aunt|fianc\w*|lodger|flatmate)")
# Someone close hurting, threatening or controlling the customer, or taking their money: safety first.
_ABUSE = re.compile(
    rf"\b(?:(?:he|she|they|my {_CLOSE})\s+(?:\w+\s+)?(?:hits?|beats?|hurts?|threatens?|hitting|beating|"
    r"threatening|frightens?|scares?) me|abusive|abus(?:es|ing) me|domestic abuse|coercive|"
    r"controls? (?:all )?(?:of )?(?:my|our) money|won'?t let me (?:have|use|touch|see) my (?:card|money|account)|"
    r"(?:forc|coerc|threaten|pressur|mak)\w* (?:me )?(?:into |to )?(?:take|taking|get|getting|borrow\w*|hand\w*|"
    r"give|giving|send\w*) (?:out )?(?:a |the |my |more )?(?:loans?|money|credit|cards?|savings|pin)|"
    r"pressur\w* (?:by \w+ )?(?:me )?to (?:give|hand|send|lend)|"
    rf"my {_CLOSE}\b.{{0,80}}\b(?:taking|taken|took|takes|spending|using) (?:extra |more |my |all my |the )?"
    r"(?:money|cash|savings|card)|"
    rf"my {_CLOSE}\b.{{0,80}}\b(?:if i don'?t|or else|put me in a home|kick me out|won'?t let me)|"
    r"checks? my phone|authoris\w* (?:him|her|them) to have (?:full )?access|"
    rf"(?:codes?|passcodes?|texts?) (?:should |to |will |can |would )?(?:go|be sent) to (?:him|her|them|my {_CLOSE})|"
    r"money (?:going|coming) out (?:of my account )?that i (?:didn'?t|did not|never) (?:agree|authoris|approv)\w*)",
    re.IGNORECASE)

# Someone posing as the bank, the police or a company, on the phone or at the door, asking for money, cash,
# codes or card details: the customer is still in it, and must be told to stop before anything is lost.
_POSER = re.compile(r"\b(?:(?:from|claim\w* to be(?: from)?|pretend\w* to be(?: from)?|posing as|"
                    r"said (?:he|she|they) (?:was|were|is|are)(?: from)?) (?:the |your |my |a )?(?:police|bank|"
                    r"larkspur|hmrc|tax office|bt|microsoft|amazon|(?:security|fraud) (?:team|department))|"
                    r"(?:pretend\w*|claim\w*) to be (?:you|us)|"
                    r"detective|police ?(?:officer|man|woman)|policeman|hmrc|"
                    r"(?:security|fraud) (?:team|department) (?:called|rang|phoned|texted)|"
                    r"(?:bank|police|hmrc) (?:called|rang|phoned))\b", re.IGNORECASE)
_CALLED = re.compile(r"\b(?:called|rang|phoned|telephoned|texted|messaged|emailed|(?:a|the) call from|"
                     r"on the (?:phone|line)|came to my door|at my door|knocked)\b", re.IGNORECASE)
_WANTS = re.compile(r"\b(?:move|moving|transfer\w*|withdraw\w*|send|sending|pay|paying|cash|code|passcode|pin|"
                    r"card details|card number|install\w*|courier|gift ?cards?|account number|sort code|"
                    r"my details|savings)\b", re.IGNORECASE)
# Money asked for by someone met online, or for an investment that promises returns or holds funds back.
_LURE = re.compile(r"\b(?:met (?:him|her|them|someone|a (?:man|woman|guy|girl|lady))(?: \w+)? (?:online|on (?:a )?"
                   r"(?:dating|tinder|hinge|bumble|facebook|instagram|whatsapp|snapchat)\w*)|dating (?:app|site)|"
                   r"(?:on|from) (?:tinder|hinge|bumble)|we met (?:online|on \w+)|"
                   r"(?:broker|investment|crypto|trading platform)\b.{0,120}"
                   r"\b(?:returns?|profit|doubled?|guaranteed|whatsapp|telegram|lose|deadline|by \d+ ?pm))\b",
                   re.IGNORECASE)
_ASKS_MONEY = re.compile(r"\b(?:send|sent|sending|lend|pay|paying|transfer\w*|invest\w*|fees?|card details|"
                         r"gift ?cards?|wants? (?:me to|£|\d)|needs? £|asked (?:me )?(?:for|to))\b", re.IGNORECASE)
# Said alone, these are the scam itself.
_UNDER_WAY = re.compile(
    r"\b(?:safe account|(?:for|to) (?:safe ?keeping|protect (?:it|them|my money))|anydesk|teamviewer|quick ?support|"
    r"rustdesk|remote access|withdrawal tax|(?:fee|tax) to (?:withdraw|release|unlock)|"
    r"release (?:fee|my (?:funds|gold|money))|customs fees?|"
    r"refunded (?:me )?too much|blackmail\w*|sextort\w*|extort\w*|for (?:your |my )?protection|"
    r"(?:gave|give|given|hand\w*|giving) (?:him |her |them )?(?:my )?(?:card|pin|cash|money)\b.{0,30}\bcourier|"
    r"courier\b.{0,40}\b(?:collect\w*|pick(?:ed)? up|came (?:round|to)|sent round|coming (?:round|to))|"
    r"link\b.{0,40}\b(?:clicked|tapped|opened)\b.{0,60}\b(?:entered|typed|put in|gave)|"
    r"(?:read|tell|give|send|forward) (?:him|her|them|the caller) (?:the |my )?(?:code|passcode)|"
    r"(?:wants?|needs?|asked for|asking for) (?:the |my )?(?:code|passcode) (?:you|that you|from the text)|"
    r"(?:to|i should|i must|i need to) (?:say|tell (?:you|the bank|them)) (?:it'?s|it is|that it'?s) for|"
    r"(?:not to|don'?t|do not) tell (?:anyone|the bank|you|larkspur|branch staff))\b",
    re.IGNORECASE)
# "would the bank ever call and ask for my PIN?" asks how we work: answered from the documents.
_HOW_WE_WORK = re.compile(r"\b(?:will|would|do|does|can|could|might)\s+(?:you|larkspur|the bank|a bank|the police)\s+"
                          r"(?:ever\s+)?(?:ask|call|text|phone|ring|contact)\b", re.IGNORECASE)


# "Someone called and I gave them a code, freeze my card now": the card action asked for is done (its route
# gives the fraud line), unless the input guard stopped the message, when the scam reply is the help left to
# give; a crisis is met first whatever else is asked.
_CARD_ASKED = re.compile(r"\b(?:freeze|block|cancel|lock)\s+(?:my|the|this|that|both|all)?\s*(?:\w+\s+)?"
                         r"(?:cards?|it)\b", re.IGNORECASE)


def urgent(text: str, flagged: bool = False) -> str | None:
    """The fixed reply a message must get before anything else ("crisis", "abuse", "scam"), or None; `flagged`:
    the input guard stopped the message."""
    if _CRISIS.search(text) or (_AT_THE_END.search(text) and _DESPAIR.search(text)):
        return "crisis"
    if _CARD_ASKED.search(text) and not flagged:
        return None
    if _ABUSE.search(text):
        return "abuse"
    if _HOW_WE_WORK.search(text):
        return None
    if _UNDER_WAY.search(text) or (_POSER.search(text) and _CALLED.search(text) and _WANTS.search(text)) or (
            _LURE.search(text) and _ASKS_MONEY.search(text)):
        return "scam"
    return None
