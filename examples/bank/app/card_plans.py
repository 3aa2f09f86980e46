"""How a card action is planned: which of the customer's cards it can act on, the question when more than one
could be meant, and the confirmation (with express delivery and its fee for a lost or stolen card's
replacement)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from rightfit.assistant.app import Ask, Call, Lookup, Say, Step
from rightfit.extract import ALL_CARDS
from rightfit.tools.executor import ToolOutcome

from .lookups import listed, short_name


def card_name(card: Mapping[str, Any]) -> str:
    """"debit card ending 8120": a card as replies name it."""
    return f"{card['kind']} card ending {card['last4']}"


def _on_its_way(cards: list[dict[str, Any]]) -> str:
    """Said when express delivery is asked for cards whose replacement was already ordered; "" when any of them
    has none on its way."""
    if not cards or not all(c.get("replacement_ordered") for c in cards):
        return ""
    named = " and ".join(f"your {card_name(c)}" for c in cards)
    return (f"A replacement for {named} has already been ordered, and I can't change how it's sent from here. "
            "Customer Services on 03069 990100 can tell you whether it can still go by express delivery (£15, "
            "free for Premier customers; next working day if ordered before 2pm).")


def card_state(card: Mapping[str, Any]) -> str:
    """A card's status as the customer needs it: "why is it blocked?" was answered with the bare word."""
    status = str(card.get("status"))
    if status == "frozen":
        return "frozen (you can unfreeze it here or in the app)"
    if status in ("lost", "stolen"):
        new = ("; a replacement has been ordered" if card.get("replacement_ordered") else "")
        return f"blocked for good, as it was reported {status}{new}"
    return status


def render_declined(o: ToolOutcome) -> str:
    """"my card got declined at tesco just now": a card of theirs frozen or blocked is the likely reason, said
    with what to do about it; with every card working, the limits are (atm-and-spending-limits.md)."""
    cards = o.result.get("cards", [])
    stopped = [c for c in cards if c.get("status") != "active"]
    if not cards:
        return "I can't find any cards on your profile."
    if not stopped:
        working = " and ".join(card_name(c) for c in cards)
        return (f"Your {working} {'is' if len(cards) == 1 else 'are'} active, so it wasn't a freeze or a block. If "
                "a payment is declined because you've reached a limit, you'll see a notification in the app; you "
                "can check how much of today's limits you've used under Cards, then Card limits.")
    frozen = [card_name(c) for c in stopped if c.get("status") == "frozen"]
    said = [f"Your {card_name(c)} is {card_state(c)}, so payments with it are declined."
            for c in stopped if c.get("status") != "frozen"]
    if frozen:
        said.append(f"Your {' and '.join(frozen)} {'is' if len(frozen) == 1 else 'are'} frozen, so payments with "
                    f"{'it' if len(frozen) == 1 else 'them'} are declined: say unfreeze and I'll turn "
                    f"{'it' if len(frozen) == 1 else 'them'} back on.")
    return " ".join(said)


def said_states(cards: list[dict[str, Any]]) -> str:
    """"Your credit card ending 4417 is frozen." for each card, so a confirmation says why it offers fewer."""
    return " ".join(f"Your {card_name(c)} is {c['status']}." for c in cards)


def card_plan(tool: str, verb: str, done: str, usable: tuple[str, ...], *, delivers: bool = False,
              **extra: Any) -> Any:
    # "as stolen" / "as lost": the two reports are confirmed in the same words otherwise.
    reported = f" as {extra['reason']}" if "reason" in extra else ""

    def plan(values: Mapping[str, Any], lookup: Lookup) -> Step:
        step = planned(values, lookup)
        if values.get("misused") and isinstance(step, Call):
            # Freezing stops new card payments; the money already taken is the fraud team's to refund.
            step = replace(step, confirm=f"{MISUSED} {step.confirm}")
        if delivers and values.get("hurry") and not values.get("delivery") and isinstance(step, Call):
            # "i need the new one tomorrow": express offered, not charged for unasked (see `express_words`).
            standard = (f"{step.confirm.removesuffix('?')}, with the new one sent by standard delivery (3 to 5 "
                        "working days)?")
            step = replace(step, confirm=f"{standard} {express_offer(lookup)}")
        return step

    def planned(values: Mapping[str, Any], lookup: Lookup) -> Step:
        # "and send the new one express": the delivery and its fee are said in the confirmation.
        fast = delivers and values.get("delivery")
        args, how = ({**extra, "delivery": "express"}, express(lookup)) if fast else (extra, "")
        last4, kind = values.get("card_last4"), values.get("card_kind")
        every = kind == ALL_CARDS  # "both my cards": each usable card, confirmed with one yes
        kind = None if every else kind
        if last4 is not None:
            # "unfreeze my 8120 card" when 8120 is lost: said now, not after a yes the tool then turns down. A
            # card not among the customer's own goes to the tool, whose ownership policy refuses it on the record.
            named = [c for c in listed(lookup, "customer_cards", "cards") if c["last4"] == last4]
            if named and all(c["status"] not in usable for c in named):
                if fast and (sent := _on_its_way(named)):
                    return Say(sent)
                card, status = f"Your {card_name(named[0])}", named[0]["status"]
                return Say(f"{card} is already {done}." if status == done else
                           f"{card} can't be {done}: it is {status}.{_gone_for_good(named, done)}")
        if last4 is None:
            cards = listed(lookup, "customer_cards", "cards")
            if name := values.get("account_name"):  # "my premier card": the card on that account
                on_it = [c for c in cards if name in (c.get("account"), short_name(c.get("account") or ""))]
                cards = on_it or cards
            candidates = [c for c in cards if c["status"] in usable and kind in (None, c["kind"])]
            if not candidates:
                meant = [c for c in cards if kind in (None, c["kind"])]
                if fast and (sent := _on_its_way(meant)):
                    return Say(sent)  # "can you send it express" after the report: the new card, not a new report
                if meant and all(c["status"] == done for c in meant):  # "freeze my premier card" twice
                    return Say(" ".join(f"Your {card_name(c)} is already {done}." for c in meant))
                states = "; ".join(f"your {card_name(c)} is "
                                   f"{'already ' if c['status'] == done else ''}{c['status']}" for c in meant)
                why = f": {states}.{_gone_for_good(meant, done)}" if states else "."
                if name and on_it:  # "my everyday card" when that one is lost: the others may well be usable
                    return Say(f"Your {short_name(name)} card can't be {done} right now{why}")
                return Say(f"None of your {kind + ' ' if kind else ''}cards can be {done} right now{why}")
            if every and len(candidates) > 1:
                digits = " and ".join(c["last4"] for c in candidates)
                unusable = said_states([c for c in cards if c["status"] not in usable])
                return Call(tool, {"card_last4": candidates[0]["last4"], **args},
                            also=tuple({"card_last4": c["last4"], **args} for c in candidates[1:]),
                            confirm=f"{unusable + ' ' if unusable else ''}{verb.capitalize()} your cards ending "
                                    f"{digits}{reported}{how}?")
            if len(candidates) > 1 and (paid := values.get("paid")):
                # "my card was stolen and someone paid WWW.XBPAY with it": the card that payment was made with.
                used = {t.get("card") for t in listed(lookup, "recent_transactions", "transactions",
                                                      {"merchant": paid, "limit": 20})}
                candidates = [c for c in candidates if c["last4"] in used] or candidates
            if len(candidates) > 1:
                # Two debit cards are told apart by their accounts too, so "the premier one" can answer.
                alike = len({c["kind"] for c in candidates}) < len(candidates)
                named = [f"{c['last4']} on your {c['account']}" if alike and c.get("account") else c["last4"]
                         for c in candidates]
                choices = " or ".join(f"the {c['kind']} card ending {n}"
                                      for c, n in zip(candidates, named, strict=True))
                return Ask("card_last4", f"Which card: {choices}?", options=tuple(named))
            last4 = candidates[0]["last4"]
            # "Freeze it again" right after a freeze: the one card left is not the card the customer meant,
            # so the question says why it is the only one offered.
            # "Both my cards" when one is lost: the lost one is named too, so "both" is not silently one.
            others = [c for c in cards if (every or c["status"] in ("active", "frozen")) and c["status"] not in usable
                      and kind in (None, c["kind"])]
            if others:
                note = said_states(others)
                return Call(tool, {"card_last4": last4, **args}, confirm=f"{note} {verb.capitalize()} your "
                                                                          f"{candidates[0]['kind']} card ending "
                                                                          f"{last4}{reported}{how}?")
        return Call(tool, {"card_last4": last4, **args},
                    confirm=f"{verb.capitalize()} your card ending {last4}{reported}{how}?")
    return plan


def _gone_for_good(cards: list[dict[str, Any]], done: str) -> str:
    """Said of a card reported lost or stolen that the customer wants to use again (`done` "unfrozen"): "actually
    i found it can i unfreeze it" got only its status."""
    if done != "unfrozen" or not any(c["status"] in ("lost", "stolen") for c in cards):
        return ""
    return (" A card reported lost or stolen can't be used again, even if you find it: cut it up and use the "
            "replacement.")


def express_offer(lookup: Lookup) -> str:
    """Express delivery offered to a customer in a hurry, with its fee."""
    return f"To have it the next working day instead, say express ({_express_fee(lookup)})."


def _express_fee(lookup: Lookup) -> str:
    premier = any(a["name"] == "Premier Account" for a in listed(lookup, "account_details", "accounts"))
    return "free for Premier customers" if premier else "£15 fee"


def express(lookup: Lookup) -> str:
    """How the confirmation names express delivery, with its fee (free for Premier customers)."""
    return f", with the new one sent by express delivery ({_express_fee(lookup)})"


def express_words(_lookup: Lookup) -> list[str]:
    # Only words that ask for it by name: a fee is not charged on "I need it asap" (a no at the confirmation
    # would leave the lost card unblocked).
    return ["express", "next day", "next working day", "next-day"]


MISUSED = ("If someone else has been using your card, call our fraud team on 0808 157 0247, 24 hours a day (+44 20 "
           "7946 0247 from abroad), or tap the payment in the app and choose I don't recognise this: we'll refund a "
           "payment you didn't make by the end of the next working day.")


def misuse_words(_lookup: Lookup) -> list[str]:
    # Someone else using the card, said beside a freeze (unauthorised-payments.md: freeze it, then call us).
    return ["someone", "someones", "someone's", "somebody", "taking money", "taken money", "took money", "not me",
            "wasn't me", "wasnt me", "didn't make", "didnt make", "don't recognise", "dont recognise", "fraud",
            "cloned", "skimmed", "hacked"]


def hurry_words(_lookup: Lookup) -> list[str]:
    # A need told by when, not a request for express by name: express is offered, not charged.
    return ["tomorrow", "asap", "as soon as possible", "urgently", "urgent", "straight away", "right away",
            "quickly", "in a hurry", "fast"]
