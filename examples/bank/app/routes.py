"""Intents, the fields each account action needs, how those become tool calls, and how results are worded."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import BaseModel, Field

from rightfit.assistant.app import ActionRoute, Ask, Call, Lookup, Say, Step
from rightfit.assistant.fields import mentioned
from rightfit.extract.types import AccountId, DateSpan, Money, Slot
from rightfit.tools.executor import ToolOutcome

from .card_plans import card_name, card_plan, card_state, express_words, hurry_words, misuse_words, render_declined
from .categories import WORDS, category_words
from .contact_plans import contact_plan, held_contact_plan, render_contact_update, render_held_contact
from .disputes import dispute_plan, listed_dispute, render_dispute
from .lookups import aliases, pounds
from .lookups import listed as _listed

CardSlot = Annotated[str | None, Slot("card_last4", model=False),
                     Field(None, description="Last four digits of the customer's card")]
AccountSlot = Annotated[AccountId | None, Slot("account_id", model=False),
                        Field(None, description="The account id, like ACC-104233")]
# Every kind named: "my savings and my current account" asks for both, so for all accounts.
AccountKindsSlot = Annotated[list[str] | None, Slot("account_kind", model=False),
                             Field(None, description="savings or current")]
MerchantSlot = Annotated[str | None, Slot("merchant"), Field(None, description="Shop or company paid")]
# Filled only from the customer's own account names ("my premier account"), never by a parser or the model.
AccountNameSlot = Annotated[str | None, Slot("text", model=False),
                            Field(None, description="One of the customer's accounts, by its name")]


class AccountFields(BaseModel):
    account: AccountSlot = None
    account_name: AccountNameSlot = None
    account_kinds: AccountKindsSlot = None


class DetailsFields(AccountFields):
    # "what's my IBAN?", "your BIC": filled only by those words, never by a parser or the model.
    international: Annotated[str | None, Slot("text", model=False),
                             Field(None, description="IBAN, BIC or SWIFT, when asked for")] = None


class BalanceFields(AccountFields):
    # "what's my credit card balance?": the bank's data here holds no card accounts to read it from.
    card_kind: Annotated[str | None, Slot("card_kind", model=False),
                         Field(None, description="debit or credit")] = None


class TransactionFields(BaseModel):
    account: AccountSlot = None
    account_name: AccountNameSlot = None
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
    order: Annotated[str | None, Slot("order", model=False),
                     Field(None, description="largest or smallest amounts first")] = None
    # "what was the £1200 payment": that amount exactly, unless a bound ("over £50") is given.
    amount: Annotated[Money | None, Slot("money", pick="first", model=False),
                      Field(None, description="The exact amount")] = None
    # "how much did Daniel spend": filled only from the first names of the customer's joint account holders.
    holder: Annotated[str | None, Slot("text", model=False),
                      Field(None, description="A joint account holder, by first name")] = None
    # "on my card": filled only by those words, so the payments are those made with the customer's own cards.
    own_card: Annotated[str | None, Slot("text", model=False),
                        Field(None, description="'my card', when said")] = None
    # "how much have I spent on fuel": filled only by the words for a spending category (categories.py).
    category: Annotated[str | None, Slot("text", model=False),
                        Field(None, description="A spending category, by the customer's word for it")] = None
    # "on my credit card", "with card 4417": payments made with the customer's own cards.
    card_last4: CardSlot = None
    card_kind: Annotated[str | None, Slot("card_kind", model=False),
                         Field(None, description="debit or credit")] = None


class CardFields(BaseModel):
    card_last4: CardSlot = None
    account_name: AccountNameSlot = None
    card_kind: Annotated[str | None, Slot("card_kind", model=False),
                         Field(None, description="debit or credit")] = None
    # "block my card someones been taking money off it": filled only by such words, for a freeze (see its known
    # words), which then says the fraud line. One class for every card action keeps them siblings.
    misused: Annotated[str | None, Slot("text", model=False),
                       Field(None, description="when someone else is using the card")] = None
    # "someone paid WWW.XBPAY with it": one of the customer's payees, which tells which card was used.
    paid: Annotated[str | None, Slot("text", model=False),
                    Field(None, description="A payee paid with the card")] = None


class ReportFields(CardFields):
    # "send the new one express": filled only by those words, never by a parser or the model.
    delivery: Annotated[str | None, Slot("text", model=False),
                        Field(None, description="express, when asked for")] = None
    # "i need the new one tomorrow": filled only by those words; express is then offered, not ordered.
    hurry: Annotated[str | None, Slot("text", model=False),
                     Field(None, description="when the customer needs it soon")] = None


class DisputeFields(BaseModel):
    merchant: MerchantSlot = None
    # The customer's message, kept as they wrote it (redacted): the case handler reads why they dispute it.
    reason: Annotated[str | None, Slot("text", model=False), Field(None, description="In the customer's words")] = None
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


def _account_args(values: Mapping[str, Any], lookup: Lookup) -> dict[str, Any]:
    """The account asked about: by id, by its name ("my premier account"), or by kind when exactly one kind
    was named ("my savings")."""
    account = values.get("account")
    value = account.value if isinstance(account, AccountId) else (account or {}).get("value")
    if value:
        return {"account_id": value}
    if name := values.get("account_name"):
        for a in _listed(lookup, "account_details", "accounts"):
            if name.lower() in {n.lower() for n in aliases(a["name"])}:
                return {"account_id": a["account_id"]}
    kinds = set(values.get("account_kinds") or ())
    return {"kind": kinds.pop()} if len(kinds) == 1 else {}


def _merchants(lookup: Lookup) -> list[str]:
    """The payees on the customer's own accounts, so "my trainline payments" is read without a cue word."""
    return _listed(lookup, "customer_merchants", "merchants")


def _account_names(lookup: Lookup) -> list[str]:
    """The names of the customer's own accounts, whole, short and as said ("the joint one"), so "on my premier
    account" picks that one."""
    accounts = _listed(lookup, "account_details", "accounts")
    return list(dict.fromkeys(alias for a in accounts for alias in aliases(a["name"])))


def _card_digits(lookup: Lookup) -> list[str]:
    """The last four digits of the customer's own cards, so a bare "8120 after all" names one of them."""
    return [c["last4"] for c in _listed(lookup, "customer_cards", "cards")]


def _balance_plan(values: Mapping[str, Any], lookup: Lookup) -> Step:
    if values.get("card_kind") == "credit":  # what is owed on a credit card is no current-account balance
        return Say("I can't see credit card balances from this chat. Your credit card statement in the Larkspur "
                   "app shows your balance, your minimum payment and your payment due date.")
    args = _account_args(values, lookup)
    if args.get("account_id") and (kinds := sorted(set(values.get("account_kinds") or ()))):
        # "the joint account and my savings": the account named, and those of the other kind named beside it.
        more = tuple({"kind": k} for k in kinds
                     if args["account_id"] not in {a["account_id"] for a in _listed(lookup, "account_details",
                                                                                   "accounts", {"kind": k})})
        return Call("get_balance", args, also=more)
    return Call("get_balance", args)


def _details_plan(values: Mapping[str, Any], lookup: Lookup) -> Step:
    international = {"international": True} if values.get("international") else {}  # "what's my IBAN?"
    return Call("account_details", {**_account_args(values, lookup), **international})


def _international_words(_lookup: Lookup) -> list[str]:
    return ["IBAN", "BIC", "SWIFT"]


def _cards_plan(_values: Mapping[str, Any], _lookup: Lookup) -> Step:
    return Call("customer_cards", {})


def _flat(name: str) -> str:
    return re.sub(r"[\s'’]", "", name).lower()


def _payees_named(merchant: str, payees: list[str]) -> list[str]:
    """"Tesco and Boots" read as one name: two or more of the customer's own `payees` joined by "and", "&" or
    commas, each under its own name; empty when the whole is one name (or any part is no payee of theirs)."""
    key = {_flat(m): m for m in payees}
    parts = [p for p in re.split(r"\s*(?:,|\band\b|&)\s*", merchant) if p.strip()]
    if _flat(merchant) in key or len(parts) < 2:
        return []
    named = [key.get(_flat(p)) for p in parts]
    return [n for n in named if n] if all(named) else []


def _a_joint_holder(name: str, holders: list[str]) -> str | None:
    """"Daniel's" in "show me Daniel's transactions" names one of the customer's joint account `holders`, not a
    payee: their first name, or None. Only a possessive counts: a bare name may well be a payee ("transfers
    from Daniel")."""
    owner = re.fullmatch(r"(.+?)['’]s", name.strip())
    first = {n.lower(): n for n in holders}
    return first.get(owner.group(1).lower()) if owner else None


def _transactions_plan(values: Mapping[str, Any], lookup: Lookup) -> Step:
    args = _account_args(values, lookup)
    # Each of the customer's lists is read once (every read is an audited tool call), and only when needed.
    holders = _joint_first_names(lookup) if values.get("merchant") or values.get("holder") else []
    payees = _merchants(lookup) if values.get("merchant") else []
    if values.get("merchant") and (holder := _a_joint_holder(str(values["merchant"]), holders)):
        values = {**values, "merchant": None, "holder": holder}  # "Daniel's transactions": made with his cards
    if values.get("holder"):
        holder = str(values["holder"])
        args["holder"] = holder[:-1] if holder.endswith("s") and holder[:-1] in holders else holder
    if values.get("card_last4"):  # "what did I spend on card 4417"
        args["card_last4"] = values["card_last4"]
    elif values.get("card_kind") in ("debit", "credit"):  # "my credit card spending"
        args["card_kind"] = values["card_kind"]
    elif values.get("own_card") and not args.get("holder"):  # "what did I spend on my card": not the joint holder's
        args["mine"] = True
    # "on fuel": the category's payees, all of them; money in is no spending ("how much did i get paid" right
    # after the fuel bill kept the category).
    if values.get("category") and not values.get("merchant") and values.get("direction") != "in":
        args.update(category=WORDS[str(values["category"]).lower()], limit=20)
    if values.get("merchant"):  # every payment to them the tool shows, so the total is theirs
        # "traineline" as written is no payee of theirs; one slip from "Trainline" it is that one.
        said = str(values["merchant"])
        if not any(_flat(said) in _flat(m) for m in payees) and not _payees_named(said, payees):
            said = mentioned(said, payees) or said
        args.update(merchant=said, limit=20)
    period = values.get("period")
    if isinstance(period, DateSpan):  # "last week", "since the 1st", "yesterday"
        # "this month" ends today, as far as payments go ("from 2026-12-01 to 2026-12-31" was said on the 8th).
        today = datetime.now(UTC).date()
        until = min(period.end, today) if period.start <= today else period.end
        args.update(since=period.start.isoformat(), until=until.isoformat(), limit=20)
    exact = {} if values.get("over") or values.get("under") else {"over": values.get("amount"),
                                                                   "under": values.get("amount")}
    for name, bound in (("over", "min_amount"), ("under", "max_amount")):  # "payments over £50"
        amount = values.get(name) or exact.get(name)
        if isinstance(amount, Money):
            if amount.currency != "GBP":
                return Say(f"Your transactions are in pounds, so I can't compare them with {amount.currency} "
                           f"{amount.amount}. Ask again with the amount in pounds.")
            args.update({bound: float(amount.amount), "limit": 20})
    if values.get("direction") in ("in", "out"):  # "what did I spend": money out only
        args.update(direction=values["direction"], limit=20)
    if values.get("order") in ("largest", "smallest"):  # "my biggest payments": the top five unless counted
        args.update(order=values["order"], limit=5)
    if isinstance(values.get("count"), int):  # "my last 3 payments"; the tool shows 20 at most
        args["limit"] = max(1, min(values["count"], 20))
    if (named := _payees_named(str(values.get("merchant") or ""), payees)):  # "my Tesco and Boots payments"
        each = [{**args, "merchant": payee} for payee in named]
        return Call("recent_transactions", each[0], also=tuple(each[1:]))
    return Call("recent_transactions", args)


def _address_plan(values: Mapping[str, Any], _lookup: Lookup) -> Step:
    if not values.get("postcode"):
        return Ask("postcode", "What's the postcode of your new address?")
    if not values.get("address"):
        return Ask("address", "What's the new street address and town?")
    address = str(values["address"]).replace(str(values["postcode"]), "").strip(" ,.")
    return Call("update_address", {"address": address, "postcode": values["postcode"]},
                confirm=f"Change your address to {address}, {values['postcode']}?")


def _no_account(o: ToolOutcome) -> str:
    kind = o.arguments.get("kind")
    return f"You don't have a {kind} account with us." if kind else "I couldn't find that account on your profile."


def _render_balance(o: ToolOutcome) -> str:
    accounts = o.result.get("accounts", [])
    if not accounts:
        return _no_account(o)
    said = " ".join(f"Your {a['name']} ({a['account_id']}) balance is {a['balance']}." for a in accounts)
    if len(accounts) < 2:
        return said
    # "how much have i got in total across everything": the sum, said once several are listed.
    total = sum(pounds(a["balance"]) for a in accounts)
    return f"{said} In all: {'-' if total < 0 else ''}£{abs(total):,.2f}."


def _listed_accounts(o: ToolOutcome) -> tuple[str, ...]:
    """The accounts a balance or details reply named, so "and the other one?" is the account not shown."""
    return tuple(a["name"] for a in o.result.get("accounts", []))


def _render_details(o: ToolOutcome) -> str:
    accounts = o.result.get("accounts", [])
    if not accounts:
        return _no_account(o)
    lines = " ".join(f"Your {a['name']} ({a['account_id']}): sort code {a['sort_code']}, account number "
                     f"{a['account_number']}{', IBAN ' + a['iban'] if a.get('iban') else ''}." for a in accounts)
    return f"{lines} Our BIC (SWIFT code) is {accounts[0]['bic']}." if accounts[0].get("bic") else lines


def _render_cards(o: ToolOutcome) -> str:
    cards = o.result.get("cards", [])
    if not cards:
        return "I can't find any cards on your profile."
    listed = "; ".join(f"{card_name(c)}: {card_state(c)}" for c in cards)
    return f"Your cards: {listed}."


def _listed_transactions(o: ToolOutcome) -> tuple[str, ...]:
    """The payments a transactions reply listed, as a dispute reads one ("TfL Travel -£6.84 on 2026-11-19")."""
    return tuple(f"{t['merchant']} {t['amount']} on {t['date']}" for t in o.result.get("transactions", []))


def _paid_with(o: ToolOutcome) -> tuple[str, ...]:
    """What each listed payment was made with ("on your debit card ending 8120, from your Everyday Account"), so
    "block the card" after one payment shown means that card, and "which card was that on?" is answered. A
    credit card's payments are not said to come from the account it is kept on here."""
    def made(t: Mapping[str, Any]) -> str:
        kind = f"{t['card_kind']} " if t.get("card_kind") else ""
        card = f"on your {kind}card ending {t['card']}" if t.get("card") else ""
        account = f"from your {t['account']}" if t.get("account") and t.get("card_kind") != "credit" else ""
        return ", ".join(p for p in (card, account) if p)
    return tuple(made(t) for t in o.result.get("transactions", []))


def _render_transactions(o: ToolOutcome) -> str:
    rows = o.result.get("transactions", [])
    since, until = o.arguments.get("since"), o.arguments.get("until")
    period = "" if since is None else f" on {since}" if since == until else f" from {since} to {until}"
    bounds = [f"{word} £{o.arguments[key]:,.2f}" for key, word in (("min_amount", "over"), ("max_amount", "under"))
              if o.arguments.get(key) is not None]
    if o.arguments.get("min_amount") is not None and o.arguments.get("min_amount") == o.arguments.get("max_amount"):
        bounds = [f"£{o.arguments['min_amount']:,.2f}"]  # "what was the £1200 payment"
    period = f" of {' and '.join(bounds)}{period}" if bounds else period
    if o.arguments.get("direction"):
        period = f" ({'money out' if o.arguments['direction'] == 'out' else 'money in'}){period}"
    order = o.arguments.get("order") if o.arguments.get("order") in ("largest", "smallest") else None
    merchant = o.arguments.get("merchant")
    card = (f" with your card ending {o.arguments['card_last4']}" if o.arguments.get("card_last4") else
            f" with your {o.arguments['card_kind']} card" if o.arguments.get("card_kind") else
            " with your own cards" if o.arguments.get("mine") else "")
    holder = o.arguments.get("holder")
    period = f"{card}{period}" if card else period
    if holder:
        period = f" made with {str(holder).title()}'s cards{period}"
    if not rows:
        latest = o.result.get("latest")
        seen = f" Your latest transaction is from {latest}." if latest and since and str(latest) < str(since) else ""
        named = merchant or o.arguments.get("category")
        return f"I couldn't find any matching {named + ' ' if named else ''}transactions{period}.{seen}"
    # Rows from more than one account say which ("Transfer in £100.00" to the Easy Saver beside card payments).
    several = len({t.get("account") for t in rows}) > 1
    # A joint holder's payments say whose they are, unless the customer asked for that holder's.
    marks = [[t["account"]] if several else [] for t in rows]
    for mark, t in zip(marks, rows, strict=True):
        if t.get("holder") and not holder:
            mark.append(f"{t['holder']}'s card")
    listed = "; ".join(f"{t['date']} {t['merchant']} {t['amount']}{' (' + ', '.join(m) + ')' if m else ''}"
                       for t, m in zip(rows, marks, strict=True))
    filtered = bool(period or merchant or o.arguments.get("category"))
    names = {t["merchant"] for t in rows}
    whose = f"{names.pop() if len(names) == 1 else merchant} " if merchant else ""
    whose += f"{o.arguments['category']} " if o.arguments.get("category") else ""
    whose += f"{o.arguments['kind']} account " if o.arguments.get("kind") else ""
    whose += f"{rows[0]['account']} " if o.arguments.get("account_id") else ""  # "Your Premier Account transactions"
    limit = int(o.arguments.get("limit") or 5)
    partial = filtered and not order and len(rows) == limit  # there may be more than were shown
    more = f" (the latest {limit})" if partial else ""
    head = (f"Your {order + ' ' if order else ''}{whose}transactions{period}{more}: {listed}." if filtered or order
            else f"Your latest {whose}transactions: {listed}.")
    if not filtered or order:  # the sum of the five biggest payments is nobody's question
        return head
    if partial and limit < 20:  # the latest five of a card's payments: a sum would read as the card's total
        return head
    # "How much did I spend at Tesco last month?": the sum of what is listed, money out and in apart.
    amounts = [pounds(t["amount"]) for t in rows]
    out, into = -sum(a for a in amounts if a < 0), sum(a for a in amounts if a > 0)
    totals = [f"£{v:,.2f} {word}" for v, word in ((out, "out"), (into, "in")) if v]
    return f"{head} In all: {' and '.join(totals)}." if totals else head


def _render_card(o: ToolOutcome) -> str:
    r = o.result
    if r.get("status") == "frozen":
        return f"Done: your card ending {r['card']} is frozen. You can unfreeze it any time in the app or here."
    if r.get("status") == "active":
        return f"Done: your card ending {r['card']} is unfrozen and ready to use."
    if r.get("delivery") == "express":
        fee = f"{r['fee']} fee" if r["fee"].startswith("£") else r["fee"]
        when = f"by express delivery ({fee}): the next working day if ordered before 2pm on a working day"
    else:
        when = "(3-5 working days)"
    return (f"Done: your card ending {r['card']} is blocked as {r['status']} and a replacement is on its way "
            f"{when}. If you see payments you don't recognise, call 0808 157 0247, 24/7: we refund a payment you "
            "didn't make by the end of the next working day.")


def _render_update(o: ToolOutcome) -> str:
    return "Done: your " + " and ".join(o.result.get("updated", [])) + " details are updated."


# A card is named by its last four digits, its kind or its account; the newer description replaces the older.
_A_CARD = (frozenset({"card_last4", "card_kind", "account_name"}),)
_OWN_ACCOUNTS = {"account_name": _account_names}


def _my_card_words(_lookup: Lookup) -> list[str]:
    return ["my card", "my cards", "my own card", "my own cards", "my own spending", "my own payments",
            "my own transactions", "just mine", "only mine"]


def _joint_first_names(lookup: Lookup) -> list[str]:
    """The first names of the customer's joint account holders, so "how much did Daniel spend" reads his; with
    the possessive written without its apostrophe ("daniels card payments"), read back as the name."""
    names = [n.split()[0] for n in _listed(lookup, "joint_holders", "names") if n.split()]
    return [*names, *(f"{n}s" for n in names)]
_OWN_CARDS = {"card_last4": _card_digits, **_OWN_ACCOUNTS}
_REPORT_WORDS = {**_OWN_CARDS, "delivery": express_words, "hurry": hurry_words, "paid": _merchants}
# Words that narrow a card action (how the new card is sent, who was paid with it) but ask for none.
_CARD_HINTS = frozenset({"delivery", "hurry", "paid", "misused"})

ACTIONS = {
    "check_balance": ActionRoute("check_balance", BalanceFields, _balance_plan, _render_balance,
                                 known=_OWN_ACCOUNTS, reads_only=True, listed=_listed_accounts),
    "recent_transactions": ActionRoute("recent_transactions", TransactionFields, _transactions_plan,
                                       _render_transactions, reads_only=True, listed=_listed_transactions,
                                       made_with=_paid_with, amounts_on_record=True,
                                       known={"merchant": _merchants, "holder": _joint_first_names,
                                              "own_card": _my_card_words, "category": category_words,
                                              **_OWN_CARDS}, hints=frozenset({"category"})),
    "list_cards": ActionRoute("list_cards", NoFields, _cards_plan, _render_cards),
    "card_declined": ActionRoute("card_declined", NoFields, _cards_plan, render_declined),
    "contact_details": ActionRoute("contact_details", NoFields, held_contact_plan, render_held_contact,
                                   reads_only=True),
    "account_details": ActionRoute("account_details", DetailsFields, _details_plan, _render_details,
                                   known={"international": _international_words, **_OWN_ACCOUNTS}, reads_only=True,
                                   listed=_listed_accounts),
    "freeze_card": ActionRoute("freeze_card", CardFields,
                               card_plan("freeze_card", "freeze", "frozen", ("active",)), _render_card,
                               together=_A_CARD, known={**_OWN_CARDS, "misused": misuse_words, "paid": _merchants},
                               hints=_CARD_HINTS),
    "unfreeze_card": ActionRoute("unfreeze_card", CardFields,
                                 card_plan("unfreeze_card", "unfreeze", "unfrozen", ("frozen",)), _render_card,
                                 together=_A_CARD, known=_OWN_CARDS),
    "report_lost_card": ActionRoute("report_lost_card", ReportFields,
                                    card_plan("report_card", "block and replace", "blocked", ("active", "frozen"),
                                               reason="lost", delivers=True), _render_card, together=_A_CARD,
                                    known=_REPORT_WORDS, hints=_CARD_HINTS),
    "report_stolen_card": ActionRoute("report_stolen_card", ReportFields,
                                      card_plan("report_card", "block and replace", "blocked", ("active", "frozen"),
                                                 reason="stolen", delivers=True), _render_card,
                                      together=_A_CARD, known=_REPORT_WORDS, hints=_CARD_HINTS),
    "dispute_transaction": ActionRoute("dispute_transaction", DisputeFields, dispute_plan, render_dispute,
                                       known={"merchant": _merchants}, amounts_on_record=True,
                                       in_own_words="reason", listed=listed_dispute),
    "update_address": ActionRoute("update_address", AddressFields, _address_plan, _render_update),
    "update_phone_or_email": ActionRoute("update_phone_or_email", ContactFields, contact_plan,
                                         render_contact_update),
}
