"""Disputes: finding the payment the customer means among their own, and what the bank's rules say before a
dispute is opened (a payment the customer didn't make is the fraud team's; "charged twice" is checked)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from rightfit.assistant.app import Ask, Call, Lookup, Say, Step
from rightfit.extract.types import DateSpan, Money
from rightfit.tools.executor import ToolOutcome

from .lookups import listed, pounds


def dispute_plan(values: Mapping[str, Any], lookup: Lookup) -> Step:
    merchant, amount, when = values.get("merchant"), values.get("amount"), values.get("date")
    if not (merchant or amount):
        # "there's a payment I don't recognise": what to do first, then which payment if it is a dispute after all.
        if NOT_MINE.search(str(values.get("reason") or "")):  # not asked "which payment to dispute?" as well
            return Ask("merchant", f"{UNAUTHORISED_FIRST}If it is a dispute after all, tell me who the payment was "
                                   "to and the amount.")
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
    found = listed(lookup, "find_transactions", "transactions", query)
    missed = ""
    if not found and "merchant" in query:
        # "it was 25 quid" when the Tesco payment was £22.08: the customer's other details still narrow it
        # down, so show what they match rather than ask again for what was just given.
        for looser in ({k: v for k, v in query.items() if k != "amount"}, {"merchant": merchant}):
            if looser != query and (found := listed(lookup, "find_transactions", "transactions", looser)):
                names = {t["merchant"] for t in found}  # "tesco" as the statement spells it: "Tesco"
                said = {**query, "merchant": names.pop()} if len(names) == 1 else query
                missed = f"I can't find a payment {_described(said)}. "
                break
    if missed and len(found) > 1 and "amount" in query and len(close := _close_to(found, query["amount"])) == 1:
        found = close  # "about a tenner" for £10.46: the one payment near the amount said is the one meant
    if not found:
        # The amount and day looked for are said, so a payment that isn't there is plainly not there; the payee
        # is not repeated: a name that is some other customer's payee never appears in a reply.
        looked_for = _described({k: v for k, v in query.items() if k != "merchant"})
        return Ask("merchant", f"I can't find a card payment {looked_for + ' ' if looked_for else ''}matching that on "
                               "your accounts. What's the merchant name as it shows on your statement, and the amount?")
    if len(found) > 1:
        shown = "; ".join(f"{t['amount']} to {t['merchant']} on {t['date']}" for t in found[:4])
        latest = ", the latest 4" if len(found) > 4 else ""  # the question lists four: say which four
        options = tuple(f"{t['amount'].lstrip('-')} on {t['date']}" for t in found[:4])
        return Ask("amount", f"{missed}I found {len(found)} payments{latest}: {shown}. Which one? Tell me the amount "
                             "or the date.", options=options)
    t = found[0]
    if t.get("dispute_id"):
        return Say(f"{missed}Dispute {t['dispute_id']} is already open for the payment of {t['amount'].lstrip('-')} "
                   f"to {t['merchant']} on {t['date']}; we'll be in touch about it, so there's nothing more to do.")
    what = f"payment of {t['amount'].lstrip('-')} to {t['merchant']} on {t['date']}"
    payment = f"the {what}"
    reason = f"customer said: {values['reason']}" if values.get("reason") else "disputed by the customer in chat"
    # The bank's own rule (disputes page): a payment the customer didn't make is no dispute but an unauthorised
    # payment, for the fraud team. Said first, so a customer who never made it knows where to turn.
    words = str(values.get("reason") or "")
    card = f"your {t['card_kind']} card ending {t['card']}" if t.get("card") else "your card"
    fraud = UNAUTHORISED_FIRST.format(card=card) if NOT_MINE.search(words) else ""
    if _TWICE.search(words) and not missed:  # "charged twice": say what the account shows before disputing
        return Call("open_dispute", {"transaction_id": t["transaction_id"], "reason": reason[:500]},
                    confirm=f"{fraud}I can see only one {what}, not two; if a second one appears later, tell "
                            "me. Open a dispute for this one anyway?")
    return Call("open_dispute", {"transaction_id": t["transaction_id"], "reason": reason[:500]},
                confirm=f"{fraud}{missed}The one I found is {payment}: dispute it?" if missed else
                f"{fraud}Open a dispute for {payment}?")


def _close_to(found: list[dict[str, Any]], amount: float) -> list[dict[str, Any]]:
    """The payments within a tenth of the amount said (an amount told from memory is rounded)."""
    return [t for t in found if abs(abs(pounds(t["amount"])) - amount) <= amount / 10]


_TWICE = re.compile(r"\b(?:twice|double[\s-]?charged|charged double|two times|duplicate)\b", re.IGNORECASE)


NOT_MINE = re.compile(r"\b(?:didn'?t|did not|never) (?:make|made|authori[sz]e\w*|do|buy|bought|agree\w*|pay|paid|"
                      r"order\w*|spen[dt])\b|"
                      # "there's a £23.50 payment i dont know", "i don't know this charge"
                      r"\b(?:payment|charge|transaction)s? (?:that )?i (?:don'?t|do not) know\b|"
                      r"\b(?:don'?t|do not) know (?:this|that|these|the) (?:payment|charge|transaction|company|shop)|"
                      r"\bdon'?t recogni[sz]e|\bdo not recogni[sz]e|\bnot recogni[sz]ed?|\bnot (?:me|mine)\b|"
                      r"\bunauthori[sz]ed|\bfraudulent\b|\bnever (?:heard of|used)\b|"
                      r"\b(?:don'?t|do not|can'?t|cannot) remember (?:it|this|that|making|paying|buying|ordering)\b",
                      re.IGNORECASE)
UNAUTHORISED_FIRST = ("If you didn't make this payment at all, it isn't a dispute: freeze {card} and call our fraud "
                      "team on 0808 157 0247, 24 hours a day, and we'll refund it by the end of the next working "
                      "day. If you made it but something went wrong with it, a dispute is right. ")


def _described(query: Mapping[str, Any]) -> str:
    """'of £25.00 to Tesco around 2026-11-02', from what the customer said."""
    parts = []
    if "amount" in query:
        parts.append(f"of £{query['amount']:,.2f}")
    if "merchant" in query:
        parts.append(f"to {query['merchant']}")
    if "on_date" in query:
        parts.append(f"around {query['on_date']}")
    return " ".join(parts)


def render_dispute(o: ToolOutcome) -> str:
    r = o.result
    return (f"I've opened dispute {r['dispute_id']} for {r['amount'].lstrip('-')} to {r['merchant']}. We'll update "
            "you as the claim progresses.")


def listed_dispute(o: ToolOutcome) -> tuple[str, ...]:
    """The payment just disputed, so "and how much was it again?" is answered from it."""
    r = o.result
    return (f"{r['merchant']} {r['amount']} on {r['date']}",) if r.get("merchant") and r.get("date") else ()


def not_made(rest: str, slots: Mapping[str, Any]) -> tuple[str, dict[str, Any]] | None:
    """"no, I definitely didn't make it" to a dispute's confirmation, which said a payment not made at all is no
    dispute (unauthorised-payments.md): the card it was made with is frozen instead, the fraud line said."""
    if NOT_MINE.search(rest) is None:
        return None
    return "freeze_card", {"paid": slots.get("merchant"), "misused": "didn't make it"}
