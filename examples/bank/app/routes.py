"""Intents, the fields each account action needs, how those become tool calls, and how results are worded."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import BaseModel, Field

from rightfit.assistant.app import ActionRoute, Ask, Call, Lookup, Say, Step
from rightfit.extract import ALL_CARDS
from rightfit.extract.types import AccountId, DateSpan, Money, Slot
from rightfit.tools.executor import ToolOutcome

CardSlot = Annotated[str | None, Slot("card_last4", model=False),
                     Field(None, description="Last four digits of the customer's card")]
AccountSlot = Annotated[AccountId | None, Slot("account_id", model=False),
                        Field(None, description="The account id, like ACC-104233")]
# Every kind named: "my savings and my current account" asks for both, so for all accounts.
AccountKindsSlot = Annotated[list[str] | None, Slot("account_kind", model=False),
                             Field(None, description="savings or current")]
MerchantSlot = Annotated[str | None, Slot("merchant"), Field(None, description="Shop or company paid")]


class AccountFields(BaseModel):
    account: AccountSlot = None
    account_kinds: AccountKindsSlot = None


class BalanceFields(AccountFields):
    # "what's my credit card balance?": the bank's data here holds no card accounts to read it from.
    card_kind: Annotated[str | None, Slot("card_kind", model=False),
                         Field(None, description="debit or credit")] = None


class TransactionFields(BaseModel):
    account: AccountSlot = None
    account_kinds: AccountKindsSlot = None
    merchant: MerchantSlot = None
    period: Annotated[DateSpan | None, Slot("date_range", prefer="past"),
                      Field(None, description="The days asked about")] = None
    count: Annotated[int | None, Slot("count", model=False), Field(None, description="How many to show")] = None
    direction: Annotated[str | None, Slot("direction", model=False),
                         Field(None, description="out (spent) or in (received)")] = None
    over: Annotated[Money | None, Slot("money_over", model=False),
                    Field(None, description="Only amounts above this")] = None
    under: Annotated[Money | None, Slot("money_under", model=False),
                     Field(None, description="Only amounts below this")] = None


class CardFields(BaseModel):
    card_last4: CardSlot = None
    card_kind: Annotated[str | None, Slot("card_kind", model=False),
                         Field(None, description="debit or credit")] = None


class DisputeFields(BaseModel):
    merchant: MerchantSlot = None
    amount: Annotated[Money | None, Slot("money"), Field(None, description="Amount of the payment")] = None
    date: Annotated[DateSpan | None, Slot("date", prefer="past"), Field(None, description="When it was paid")] = None


class AddressFields(BaseModel):
    address: Annotated[str | None, Slot("address"), Field(None, description="New street address and town")] = None
    postcode: Annotated[str | None, Slot("postcode"), Field(None, description="New UK postcode")] = None


class ContactFields(BaseModel):
    phone: Annotated[str | None, Slot("phone"), Field(None, description="New phone number")] = None
    email: Annotated[str | None, Slot("email"), Field(None, description="New e-mail address")] = None


class NoFields(BaseModel):
    pass


class HandoffFields(BaseModel):
    card_last4: CardSlot = None
    account: AccountSlot = None
    merchant: MerchantSlot = None
    amount: Annotated[Money | None, Slot("money", pick="first"), Field(None)] = None
    date: Annotated[DateSpan | None, Slot("date", pick="first", prefer="past"), Field(None)] = None


def _account_args(values: Mapping[str, Any]) -> dict[str, Any]:
    """The account asked about: by id, or by kind when exactly one kind was named ("my savings")."""
    account = values.get("account")
    value = account.value if isinstance(account, AccountId) else (account or {}).get("value")
    if value:
        return {"account_id": value}
    kinds = set(values.get("account_kinds") or ())
    return {"kind": kinds.pop()} if len(kinds) == 1 else {}


def _card_plan(tool: str, verb: str, done: str, usable: tuple[str, ...], **extra: Any) -> Any:
    # "as stolen" / "as lost": the two reports are confirmed in the same words otherwise.
    reported = f" as {extra['reason']}" if "reason" in extra else ""

    def plan(values: Mapping[str, Any], lookup: Lookup) -> Step:
        last4, kind = values.get("card_last4"), values.get("card_kind")
        every = kind == ALL_CARDS  # "both my cards": each usable card, confirmed with one yes
        kind = None if every else kind
        if last4 is None:
            cards = (lookup("customer_cards", {}).result or {}).get("cards", [])
            candidates = [c for c in cards if c["status"] in usable and kind in (None, c["kind"])]
            if not candidates:
                states = "; ".join(f"your {c['kind']} card ending {c['last4']} is {c['status']}" for c in cards
                                   if kind in (None, c["kind"]))
                why = f": {states}." if states else "."
                return Say(f"None of your {kind + ' ' if kind else ''}cards can be {done} right now{why}")
            if every and len(candidates) > 1:
                digits = " and ".join(c["last4"] for c in candidates)
                unusable = " ".join(f"Your {c['kind']} card ending {c['last4']} is {c['status']}." for c in cards
                                    if c["status"] not in usable)
                return Call(tool, {"card_last4": candidates[0]["last4"], **extra},
                            also=tuple({"card_last4": c["last4"], **extra} for c in candidates[1:]),
                            confirm=f"{unusable + ' ' if unusable else ''}{verb.capitalize()} your cards ending "
                                    f"{digits}{reported}?")
            if len(candidates) > 1:
                listed = " or ".join(f"the {c['kind']} card ending {c['last4']}" for c in candidates)
                return Ask("card_last4", f"Which card: {listed}?", options=tuple(c["last4"] for c in candidates))
            last4 = candidates[0]["last4"]
            # "Freeze it again" right after a freeze: the one card left is not the card the customer meant,
            # so the question says why it is the only one offered.
            others = [c for c in cards if c["status"] in ("active", "frozen") and c["status"] not in usable
                      and kind in (None, c["kind"])]
            if others:
                note = " ".join(f"Your {c['kind']} card ending {c['last4']} is {c['status']}." for c in others)
                return Call(tool, {"card_last4": last4, **extra}, confirm=f"{note} {verb.capitalize()} your "
                                                                          f"{candidates[0]['kind']} card ending "
                                                                          f"{last4}{reported}?")
        return Call(tool, {"card_last4": last4, **extra},
                    confirm=f"{verb.capitalize()} your card ending {last4}{reported}?")
    return plan


_UNFREEZE = re.compile(r"\b(?:un-?freez\w*|unblock\w*|unlock\w*|defrost\w*|reactivat\w*|turn\w* (?:it|my card) "
                       r"back on)", re.IGNORECASE)
_FREEZE = re.compile(r"\b(?:freez\w*|lock\w*|put a (?:freeze|block) on|temporar(?:il)?y block|"
                     r"block\w*\b.{0,30}\btemporar)", re.IGNORECASE)
# "Take the freeze off", "lift the temporary block", "cancel the freeze": the freeze is the object, not the verb.
_LIFT = re.compile(r"\b(?:take|lift|remove|cancel|override|undo|get rid of)\w*\s+(?:the\s+|my\s+|that\s+|this\s+)?"
                   r"(?:temporary\s+)?(?:freeze|block|lock)\b(?:\s+off\b)?", re.IGNORECASE)


# "What number do I call if my card is stolen?" asks about the action, it does not ask for it: answered from
# the documents, not met with an offer to block a card. A request in the same words ("can you", "please") is one.
_ASKS_ABOUT = re.compile(r"^\s*(?:what|how|is there|are there|does|do you|when|why|which|where|who)\b", re.IGNORECASE)
_REQUESTS = re.compile(r"\b(?:please|can you|could you|would you|will you|for me|i want|i need|i'd like|"
                       r"right now|straight away)\b", re.IGNORECASE)
_CHANGES = ("freeze_card", "unfreeze_card", "report_lost_card", "report_stolen_card", "dispute_transaction")


# "What cards do I have?", "is my card frozen?": the customer's own cards and their state, read with the
# customer_cards tool. The classifier has no label for it (its nearest are freeze and policy questions), so
# the words decide, unless the message also asks to act on a card.
_MY_CARDS = re.compile(
    r"\b(?:what|which|how many) cards? (?:do i have|have i got|i have|i've got|are on my)\b"
    r"|\b(?:status|state) of (?:all )?my cards?\b|\bmy cards?(?:'s)? status(?:es)?\b"
    r"|\b(?:list|show)(?: me)? (?:all )?my cards\b"
    r"|\b(?:is|are) my (?:debit |credit )?cards? (?:still )?(?:frozen|blocked|active|locked|working)\b", re.IGNORECASE)
_CARD_ACTS = re.compile(r"\b(?:un)?(?:freeze|block|lock)\b|\bcancel\w*|\breport\w*|\bdisput\w*|\breplac\w*|"
                        r"\blost\b|\bstolen\b", re.IGNORECASE)


# An explicit request for a person wins over whatever else the message asks for ("card 4539 was charged twice,
# get me an agent"): the hand-off ticket still carries the card, amount and merchant the message gives.
_WANTS_PERSON = re.compile(
    r"\b(?:speak|talk|chat) (?:to|with) (?:a |an |your )?(?:real |actual )?(?:human|person|agent|advis[eo]r|"
    r"operator|someone|somebody|manager|colleague|member of (?:your|the) team)\b"
    r"|\b(?:get|put) me (?:through to |in touch with )?(?:a |an )?(?:real |actual )?(?:agent|person|human|advis[eo]r|"
    r"someone|somebody|manager)\b|\btransfer (?:me )?to (?:an? )?(?:agent|advis[eo]r|human|person)\b"
    r"|\bhuman agent\b", re.IGNORECASE)


# Requests to move money or change an overdraft: no tool does either here, and the classifier, with no label for
# them, sends them to the balance or refuses them as off-topic. They get a reply saying where it can be done.
# A question about them ("how do I send money abroad?") stays a policy question.
_MOVE_MONEY = re.compile(r"^(?:(?:please|pls|can you|could you|would you|will you|i want to|i'd like to|i need to|"
                         r"help me|i wanna)\s+)*(?:send|transfer|move|pay)\b(?!\s+(?:in|into|me)\b)"
                         r".{0,40}?(?:[£$€]|\d|\b(?:money|funds|cash|bill|savings|account|to (?:my|his|her|their|a|an|"
                         r"the)\b))", re.IGNORECASE)
_SENT_CARD = re.compile(r"\bcard\b(?!\s+(?:bill|balance|payment))", re.IGNORECASE)


def _moves_money(text: str) -> bool:
    """A request to send, pay, transfer or move money ("send £50 to my mum"); not "send my new card to ..."."""
    found = _MOVE_MONEY.search(text.strip())
    return found is not None and not _SENT_CARD.search(found.group())


_CHANGE_OVERDRAFT = re.compile(r"\b(?:increase|raise|extend|up|higher|bigger|larger|lower|reduce|decrease|smaller|"
                               r"remove|cancel)\b.{0,30}\boverdraft|\boverdraft\b.{0,20}\b(?:increase|raised|higher|"
                               r"bigger|extended|lowered|reduced|removed)\b", re.IGNORECASE)


# A dispute is about something wrong with a payment. A question that names a merchant but no problem ("can i
# get cashback at tesco?") is a policy question, however close it embeds to the customer's Tesco disputes.
_PAYMENT_PROBLEM = re.compile(
    r"disput|chargeback|charg|challeng|revers|refund|money back|get it back|back for|never|didn'?t|don'?t recogni|"
    r"no idea|not mine|wrong|twice|double|took|taken|cancel|investigat|look into|claw|kept|broken|damaged|"
    r"weird|unknown|fraud|scam|overcharg|query", re.IGNORECASE)


# A damaged card, or a new card wanted with nothing said about losing it, is replaced from the app (the
# documents say how), never blocked and replaced as lost or stolen, which changes the card number.
_DAMAGED = re.compile(r"\b(?:damaged|broken|snapped|cracked|bent|worn|scratched|chip (?:has )?(?:stopped|isn'?t|"
                      r"doesn'?t|not|won'?t)|(?:new|replacement) card)\b", re.IGNORECASE)
_LOST = re.compile(r"\b(?:lost|lose|losing|stolen|stole|steal|missing|can'?t find|cannot find|misplaced|left (?:it|my)|"
                   r"dropped|nicked|pickpocket\w*|took|taken|theft|robbed|mugged|someone|fraud|where)\b", re.IGNORECASE)


# The customer's own sort code or account number, which the bank's records hold (an IBAN they do not).
_MY_DETAILS = re.compile(r"\b(?:my|our)\b(?:\s+\w+){0,3}?\s+(?:sort\s*code|account\s+(?:number|no\b|details)|bank "
                         r"details)|\b(?:sort\s*code|account\s+number)\s+(?:for|of|on)\s+my\b", re.IGNORECASE)

# "Why has my sort code changed?" asks about the details, it does not ask for them.
_DETAILS_CHANGE = re.compile(r"\b(?:chang\w*|new|different|switch\w*|why|keep)\b", re.IGNORECASE)
_DETAILS_NAMED = re.compile(r"\b(?:account\s+(?:number|no\b)|sort\s*code)", re.IGNORECASE)
_CONTACT_NAMED = re.compile(r"\b(?:phone|mobile|e-?mail|landline|contact)\b", re.IGNORECASE)
# A rate on one's own account is the product's rate, which the documents give.
_RATE = re.compile(r"\b(?:interest rates?|rates? of interest|rate|aer|apr|ear)\b", re.IGNORECASE)

# Money already gone is in the transactions, not the balance ("how much did I spend last week?").
# Asked about, not said in passing ("I've spent too much, what's my balance?").
_SPENT = re.compile(r"\b(?:how much|what)\b.{0,25}\b(?:spent|did (?:i|we) (?:spend|pay|buy)|paid out|bought|"
                    r"went out)\b", re.IGNORECASE)

# The customer's own overdraft limit: the bank's data here has none, so a balance is no answer to it.
_MY_OVERDRAFT = re.compile(r"\b(?:my|our)\s+(?:arranged\s+)?overdraft\s+limit\b|\boverdraft\s+limit\s+(?:on|for)\s+"
                           r"(?:my|our)\b|\bhow (?:much|big) (?:of an )?overdraft (?:do|have|can) (?:i|we)\b|"
                           r"\bhow (?:much|big) is (?:my|our) overdraft\b", re.IGNORECASE)


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
                        r"\bcard\b.{0,20}\b(?:lost|stolen|missing|gone|nicked)\b", re.IGNORECASE)
_STOLEN = re.compile(r"\b(?:stolen|nicked)\b", re.IGNORECASE)
# "it wasn't stolen, I lost it": the word the classifier keys on, denied.
_NOT_STOLEN = re.compile(r"\b(?:not|wasn'?t|isn'?t|never|hasn'?t|no one|nobody)\s+(?:been\s+|actually\s+|really\s+)?"
                         r"(?:stolen|nicked|stole it|took it)\b", re.IGNORECASE)
_CARD_ROUTES = ("report_lost_card", "report_stolen_card", "freeze_card", "unfreeze_card")
_CARD_INTENTS = (*_CARD_ROUTES, "out_of_scope")


# How a card looks: the classifier, knowing no such label, takes "change my card design" for a freeze.
_CARD_LOOKS = re.compile(r"\b(?:design|colou?r|picture|photo|image|artwork)\b", re.IGNORECASE)

# A hello or a plea for help with nothing else in it ("hi, can you help me?") is met with what the assistant
# can do, not told it is off-topic.
_JUST_HELP = re.compile(r"^(?:(?:hi|hello|hey|hiya|good (?:morning|afternoon|evening))(?:\s+there)?[\s,!.]*)?"
                        r"(?:(?:can|could|would) you (?:please )?help(?: me)?(?: out)?(?: please)?|"
                        r"i need (?:some )?help|help(?: me)?(?: please)?)?[\s?!.]*$", re.IGNORECASE)


# Tricked into sending money (an authorised push payment scam): urgent, and no card dispute. The fraud team
# must hear at once, so the reply gives its number and a colleague gets the conversation.
_COMPLAINS = re.compile(r"\bcomplain", re.IGNORECASE)
_DISPUTES = re.compile(r"\b(?:dispute|chargeback|charge back)", re.IGNORECASE)
_SCAMMED = re.compile(r"\b(?:scam(?:med)?|scammers?|fraudsters?|conned|con artist|tricked|duped|"
                      r"pretend\w* to be|posing as|impersonat\w*)\b", re.IGNORECASE)


def refine_intent(text: str, intent: str) -> str:
    """Freeze or unfreeze is settled by the verb the customer wrote, whatever the classifier made of it; the
    word alone is enough even when the classifier found no intent ("found it, unfreeze it please"). A question
    about one of the card or dispute actions is a policy question. Asking what cards one has, or whether one's
    card is frozen, lists the customer's cards; asking for one's sort code or account number gives them; a
    forgotten or blocked PIN is a policy question; asking for a person hands the conversation over; a request
    to move money or change an overdraft is told where that can be done; a card a cash machine kept is lost;
    being scammed goes to the fraud team, while a question about scams is a policy question."""
    if intent not in ("human_handoff", "complaint") and _WANTS_PERSON.search(text):
        return "human_handoff"
    if intent == "out_of_scope" and text.strip() and _JUST_HELP.match(text.strip()):
        return "greeting"
    if _MY_CARDS.search(text) and not _CARD_ACTS.search(text):
        return "list_cards"
    if _MY_DETAILS.search(text) and not _DETAILS_CHANGE.search(text):
        return "account_details"
    # Only a question and nothing after it: "what cards do I have? freeze the credit one" asks for an action.
    asks_about = bool(_ASKS_ABOUT.match(text)) and not _REQUESTS.search(text) and not re.search(r"\?\W*\w", text)
    request = not text.rstrip().endswith("?") or bool(_REQUESTS.search(text))
    if (_SCAMMED.search(text) and not _COMPLAINS.search(text) and intent not in _CARD_ROUTES
            and not _DISPUTES.search(text)):
        # "how do I report a scam?" is answered from the documents; a report of one goes to the fraud team.
        # Asked for a card action or a dispute ("freeze my card, I think it's a scam"), that is what is done.
        asks = asks_about or (text.rstrip().endswith("?") and not _REQUESTS.search(text))  # "is this a scam?"
        return "policy_question" if asks else "scam"
    if not asks_about and (_moves_money(text) or (request and _CHANGE_OVERDRAFT.search(text))):
        return "not_in_chat"
    if asks_about and _CHANGE_OVERDRAFT.search(text):
        return "policy_question"  # "how do I increase my overdraft?" is no balance request
    if intent == "check_balance" and _MY_OVERDRAFT.search(text):
        return "overdraft_limit"
    if intent == "update_phone_or_email" and _DETAILS_NAMED.search(text) and not _CONTACT_NAMED.search(text):
        return "policy_question"  # "how do I change my account number?" is no new phone number
    if intent == "check_balance" and _SPENT.search(text):
        return "recent_transactions"  # "what did I spend over £100 in november": what went out, not what is left
    if intent == "check_balance" and _RATE.search(text):
        return "policy_question"  # "what's the interest rate on my easy saver?": the rates are in the documents
    if intent in _CHANGES and asks_about:
        return "policy_question"
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
    if (intent in ("report_lost_card", "report_stolen_card", "out_of_scope") and _DAMAGED.search(text)
            and not _LOST.search(text)):
        return "policy_question"
    if intent not in ("freeze_card", "unfreeze_card", "out_of_scope"):
        return intent
    verbs = _LIFT.sub(" unfreeze ", text)
    unfreeze, freeze = bool(_UNFREEZE.search(verbs)), bool(_FREEZE.search(verbs))
    if intent != "out_of_scope" and not (freeze or unfreeze) and _CARD_LOOKS.search(text):
        return "policy_question"  # "I want to change my card design" is no freeze
    if unfreeze and not freeze:
        return "unfreeze_card"
    if freeze and not unfreeze:
        return "freeze_card"
    return intent


def _merchants(lookup: Lookup) -> list[str]:
    """The payees on the customer's own accounts, so "my trainline payments" is read without a cue word."""
    return list((lookup("customer_merchants", {}).result or {}).get("merchants", []))


def _card_digits(lookup: Lookup) -> list[str]:
    """The last four digits of the customer's own cards, so a bare "8120 after all" names one of them."""
    return [c["last4"] for c in (lookup("customer_cards", {}).result or {}).get("cards", [])]


def _balance_plan(values: Mapping[str, Any], _lookup: Lookup) -> Step:
    if values.get("card_kind") == "credit":  # what is owed on a credit card is no current-account balance
        return Say("I can't see credit card balances from this chat. Your credit card statement in the Larkspur "
                   "app shows your balance, your minimum payment and your payment due date.")
    return Call("get_balance", _account_args(values))


def _details_plan(values: Mapping[str, Any], _lookup: Lookup) -> Step:
    return Call("account_details", _account_args(values))


def _cards_plan(_values: Mapping[str, Any], _lookup: Lookup) -> Step:
    return Call("customer_cards", {})


def _transactions_plan(values: Mapping[str, Any], _lookup: Lookup) -> Step:
    args = _account_args(values)
    if values.get("merchant"):  # every payment to them the tool shows, so the total is theirs
        args.update(merchant=values["merchant"], limit=20)
    period = values.get("period")
    if isinstance(period, DateSpan):  # "last week", "since the 1st", "yesterday"
        args.update(since=period.start.isoformat(), until=period.end.isoformat(), limit=20)
    for name, bound in (("over", "min_amount"), ("under", "max_amount")):  # "payments over £50"
        amount = values.get(name)
        if isinstance(amount, Money):
            if amount.currency != "GBP":
                return Say(f"Your transactions are in pounds, so I can't compare them with {amount.currency} "
                           f"{amount.amount}. Ask again with the amount in pounds.")
            args.update({bound: float(amount.amount), "limit": 20})
    if values.get("direction") in ("in", "out"):  # "what did I spend": money out only
        args.update(direction=values["direction"], limit=20)
    if isinstance(values.get("count"), int):  # "my last 3 payments"; the tool shows 20 at most
        args["limit"] = max(1, min(values["count"], 20))
    return Call("recent_transactions", args)


def _dispute_plan(values: Mapping[str, Any], lookup: Lookup) -> Step:
    merchant, amount, when = values.get("merchant"), values.get("amount"), values.get("date")
    if not (merchant or amount):
        return Ask("merchant", "Which payment would you like to dispute? Tell me who it was paid to and the amount.")
    query: dict[str, Any] = {}
    if merchant:
        query["merchant"] = merchant
    if isinstance(amount, Money) and amount.currency == "GBP":
        query["amount"] = float(amount.amount)
    elif isinstance(amount, Money) and not merchant:
        # Payments in another currency reach the account converted, so "$18.99" matches no amount on it.
        return Ask("merchant", f"Payments show on your account in pounds, so I can't look up {amount.currency} "
                               f"{amount.amount}. Who was it paid to, or what was the amount in pounds?")
    if isinstance(when, DateSpan):
        query["on_date"] = when.start.isoformat()
    found = (lookup("find_transactions", query).result or {}).get("transactions", [])
    if not found:
        return Ask("merchant", "I can't find a card payment matching that on your accounts. What's the merchant name "
                               "as it shows on your statement, and the amount?")
    if len(found) > 1:
        listed = "; ".join(f"{t['amount']} to {t['merchant']} on {t['date']}" for t in found[:4])
        return Ask("amount", f"I found {len(found)} payments: {listed}. Which one? Tell me the amount or the date.",
                   options=tuple(f"{t['amount'].lstrip('-')} on {t['date']}" for t in found[:4]))
    t = found[0]
    if t.get("dispute_id"):
        return Say(f"Dispute {t['dispute_id']} is already open for the payment of {t['amount'].lstrip('-')} to "
                   f"{t['merchant']} on {t['date']}; we'll be in touch about it, so there's nothing more to do.")
    return Call("open_dispute", {"transaction_id": t["transaction_id"], "reason": "disputed by the customer in chat"},
                confirm=f"Open a dispute for the payment of {t['amount'].lstrip('-')} to {t['merchant']} on "
                        f"{t['date']}?")


def _address_plan(values: Mapping[str, Any], _lookup: Lookup) -> Step:
    if not values.get("postcode"):
        return Ask("postcode", "What's the postcode of your new address?")
    if not values.get("address"):
        return Ask("address", "What's the new street address and town?")
    address = str(values["address"]).replace(str(values["postcode"]), "").strip(" ,.")
    return Call("update_address", {"address": address, "postcode": values["postcode"]},
                confirm=f"Change your address to {address}, {values['postcode']}?")


def _contact_plan(values: Mapping[str, Any], _lookup: Lookup) -> Step:
    args = {k: values[k] for k in ("phone", "email") if values.get(k)}
    if not args:
        return Ask("phone", "What's the new mobile number or e-mail address?")
    listed = " and ".join(f"{k if k == 'email' else 'phone number'} to {v}" for k, v in args.items())
    return Call("update_contact", args, confirm=f"Change your {listed}?")


def _no_account(o: ToolOutcome) -> str:
    kind = o.arguments.get("kind")
    return f"You don't have a {kind} account with us." if kind else "I couldn't find that account on your profile."


def _render_balance(o: ToolOutcome) -> str:
    accounts = o.result.get("accounts", [])
    if not accounts:
        return _no_account(o)
    return " ".join(f"Your {a['name']} ({a['account_id']}) balance is {a['balance']}." for a in accounts)


def _render_details(o: ToolOutcome) -> str:
    accounts = o.result.get("accounts", [])
    if not accounts:
        return _no_account(o)
    return " ".join(f"Your {a['name']} ({a['account_id']}): sort code {a['sort_code']}, account number "
                    f"{a['account_number']}." for a in accounts)


def _render_cards(o: ToolOutcome) -> str:
    cards = o.result.get("cards", [])
    if not cards:
        return "I can't find any cards on your profile."
    listed = "; ".join(f"{c['kind']} card ending {c['last4']}: {c['status']}" for c in cards)
    return f"Your cards: {listed}."


def _pounds(amount: str) -> float:
    return float(amount.replace("£", "").replace(",", ""))


def _render_transactions(o: ToolOutcome) -> str:
    rows = o.result.get("transactions", [])
    since, until = o.arguments.get("since"), o.arguments.get("until")
    period = "" if since is None else f" on {since}" if since == until else f" from {since} to {until}"
    bounds = [f"{word} £{o.arguments[key]:,.2f}" for key, word in (("min_amount", "over"), ("max_amount", "under"))
              if o.arguments.get(key) is not None]
    period = f" of {' and '.join(bounds)}{period}" if bounds else period
    if o.arguments.get("direction"):
        period = f" ({'money out' if o.arguments['direction'] == 'out' else 'money in'}){period}"
    merchant = o.arguments.get("merchant")
    if not rows:
        return f"I couldn't find any matching {merchant + ' ' if merchant else ''}transactions{period}."
    listed = "; ".join(f"{t['date']} {t['merchant']} {t['amount']}" for t in rows)
    filtered = bool(period or merchant)
    names = {t["merchant"] for t in rows}
    whose = f"{names.pop() if len(names) == 1 else merchant} " if merchant else ""
    whose += f"{o.arguments['kind']} account " if o.arguments.get("kind") else ""
    more = " (the latest 20)" if filtered and len(rows) == 20 else ""
    head = (f"Your {whose}transactions{period}{more}: {listed}." if filtered
            else f"Your latest {whose}transactions: {listed}.")
    if not filtered:
        return head
    # "How much did I spend at Tesco last month?": the sum of what is listed, money out and in apart.
    amounts = [_pounds(t["amount"]) for t in rows]
    out, into = -sum(a for a in amounts if a < 0), sum(a for a in amounts if a > 0)
    totals = [f"£{v:,.2f} {word}" for v, word in ((out, "out"), (into, "in")) if v]
    return f"{head} In all: {' and '.join(totals)}." if totals else head


def _render_card(o: ToolOutcome) -> str:
    r = o.result
    if r.get("status") == "frozen":
        return f"Done: your card ending {r['card']} is frozen. You can unfreeze it any time in the app or here."
    if r.get("status") == "active":
        return f"Done: your card ending {r['card']} is unfrozen and ready to use."
    return (f"Done: your card ending {r['card']} is blocked as {r['status']} and a replacement is on its way "
            f"(3-5 working days). If you see payments you don't recognise, call 0808 157 0247, 24/7.")


def _render_dispute(o: ToolOutcome) -> str:
    r = o.result
    return (f"I've opened dispute {r['dispute_id']} for {r['amount'].lstrip('-')} to {r['merchant']}. We'll update "
            "you as the claim progresses.")


def _render_update(o: ToolOutcome) -> str:
    return "Done: your " + " and ".join(o.result.get("updated", [])) + " details are updated."


# A card is named by its last four digits or by its kind; the newer description replaces the older.
_A_CARD = (frozenset({"card_last4", "card_kind"}),)
_OWN_CARDS = {"card_last4": _card_digits}

ACTIONS = {
    "check_balance": ActionRoute("check_balance", BalanceFields, _balance_plan, _render_balance),
    "recent_transactions": ActionRoute("recent_transactions", TransactionFields, _transactions_plan,
                                       _render_transactions, known={"merchant": _merchants}),
    "list_cards": ActionRoute("list_cards", NoFields, _cards_plan, _render_cards),
    "account_details": ActionRoute("account_details", AccountFields, _details_plan, _render_details),
    "freeze_card": ActionRoute("freeze_card", CardFields,
                               _card_plan("freeze_card", "freeze", "frozen", ("active",)), _render_card,
                               together=_A_CARD, known=_OWN_CARDS),
    "unfreeze_card": ActionRoute("unfreeze_card", CardFields,
                                 _card_plan("unfreeze_card", "unfreeze", "unfrozen", ("frozen",)), _render_card,
                                 together=_A_CARD, known=_OWN_CARDS),
    "report_lost_card": ActionRoute("report_lost_card", CardFields,
                                    _card_plan("report_card", "block and replace", "blocked", ("active", "frozen"),
                                               reason="lost"), _render_card, together=_A_CARD, known=_OWN_CARDS),
    "report_stolen_card": ActionRoute("report_stolen_card", CardFields,
                                      _card_plan("report_card", "block and replace", "blocked", ("active", "frozen"),
                                                 reason="stolen"), _render_card, together=_A_CARD, known=_OWN_CARDS),
    "dispute_transaction": ActionRoute("dispute_transaction", DisputeFields, _dispute_plan, _render_dispute,
                                       known={"merchant": _merchants}, amounts_on_record=True),
    "update_address": ActionRoute("update_address", AddressFields, _address_plan, _render_update),
    "update_phone_or_email": ActionRoute("update_phone_or_email", ContactFields, _contact_plan, _render_update),
}

REPLIES = {
    "greeting": "Hello! I can answer questions about our accounts, cards and fees, and help with your balance, "
                "sort code and account number, recent transactions, your cards, freezing a card, lost or stolen "
                "cards, disputes and your contact details.",
    "thanks_goodbye": "You're welcome. Have a good day!",
    "out_of_scope": "Sorry, I can only help with banking with us: our accounts, cards and policies, and your own "
                    "accounts and cards.",
    "human_handoff": "I've passed our conversation to a colleague, who will get back to you within 2 working days.",
    "not_in_chat": "I can't make payments or transfers, or change an overdraft, from this chat. You can make "
                   "payments and transfers in the Larkspur app or Online Banking, and apply for an overdraft or "
                   "change its limit in the app under Account settings, then Overdraft. If you'd rather talk it "
                   "through, ask me for a person.",
    "overdraft_limit": "I can't see overdraft limits from this chat. You can see and manage your arranged "
                       "overdraft in the Larkspur app under Account settings, then Overdraft, or call Customer "
                       "Services on 03069 990100.",
    # The input guard's reply: it also stops some genuine messages ("someone pretending to be the bank called
    # me" reads like role-play to it), so it says where a scam victim can turn.
    "blocked": "I can't help with that request. Ask me about your accounts, cards or our policies. If you think "
               "you've been scammed, call our fraud team straight away on 0808 157 0247, 24 hours a day.",
    "scam": "I'm sorry this has happened. Please call our fraud team straight away on 0808 157 0247, 24 hours "
            "a day: the sooner you tell us, the more likely we can stop a payment or recover your money. I've "
            "also passed our conversation to a colleague.",
    "complaint": "I'm sorry about this. I've logged your complaint: we'll acknowledge it in writing within 5 working "
                 "days and send a final response within 8 weeks, or within 15 working days if it is about a "
                 "payment (a card payment, transfer or direct debit).",
}
