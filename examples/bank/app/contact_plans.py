"""How the customer's contact details are read back and changed: a number of the bank's own is never set as
theirs, a value already held is no change, and a UK number is kept as the bank's records write one."""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from rightfit.assistant.app import Ask, Call, Lookup, Say, Step
from rightfit.extract import parse_phone
from rightfit.tools.executor import ToolOutcome


def held_contact_plan(_values: Mapping[str, Any], _lookup: Lookup) -> Step:
    return Call("contact_details", {})


def render_held_contact(o: ToolOutcome) -> str:
    held = o.result or {}
    if not held:
        return "I can't find your contact details."
    waiting = (f" (the change to {held['email_waiting']} happens when you click the link we sent there)"
               if held.get("email_waiting") else "")
    return (f"We have your address as {held.get('address')}, {held.get('postcode')}, your mobile number as "
            f"{held.get('phone')} and your e-mail address as {held.get('email')}{waiting}. If any of them has "
            "changed, tell me the new one.")


def render_contact_update(o: ToolOutcome) -> str:
    """What changed now and what waits: a new e-mail address only once its link is clicked, and payments to new
    payees held for a day after a new number (changing-your-personal-details.md)."""
    said = []
    if "phone" in o.result.get("updated", []):
        said.append("Done: your mobile number is updated. For the next 24 hours, payments to new payees will be "
                    "held; payments to people you've paid before aren't affected.")
    if o.result.get("link_sent_to"):
        said.append(f"We've sent a confirmation link to {o.result['link_sent_to']}. It's valid for 24 hours, and "
                    "your e-mail address changes when you click it.")
    return " ".join(said)


def _contact_key(kind: str, value: object) -> str:
    """A phone number or e-mail as compared: "07700 900101" is "+447700900101"; e-mail addresses ignore case."""
    if kind == "email":
        return str(value).strip().lower()
    digits = re.sub(r"\D", "", str(value))
    return "44" + digits[1:] if digits.startswith("0") else digits


@functools.cache
def _our_numbers() -> frozenset[str]:
    """The phone numbers the bank's own documents give (its lines, and those it points to), as compared."""
    docs = Path(__file__).resolve().parent.parent / "docs"
    text = "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in sorted(docs.iterdir()) if p.is_file())
    return frozenset(_contact_key("phone", c.value) for c in parse_phone(text))


def contact_plan(values: Mapping[str, Any], lookup: Lookup) -> Step:
    given = {k: values[k] for k in ("phone", "email") if values.get(k)}
    if not given:
        return Ask("phone", "What's the new mobile number or e-mail address?")
    if given.get("phone") and _contact_key("phone", given["phone"]) in _our_numbers():
        # "is 0808 157 0247 really your number?" read as a new number: ours is never set as the customer's.
        return Say(f"{given['phone']} is one of our own numbers, not yours, so I haven't changed anything. If "
                   "someone called you saying they're from us and you're unsure, hang up and call our fraud team "
                   "on 0808 157 0247, 24 hours a day.")
    held = lookup("contact_details", {})
    current = held.result if held.status == "ok" and held.result else {}
    # A value we already hold is no change to propose: "my email is ..." said in passing, or said twice.
    args = {k: v for k, v in given.items()
            if not current.get(k) or _contact_key(k, current[k]) != _contact_key(k, v)}
    if not args:
        same = " and ".join("e-mail address" if k == "email" else "mobile number" for k in given)
        return Say(f"That's already the {same} we have for you, so there's nothing to change.")
    if "phone" in args:  # kept as the bank keeps numbers ("07700 900999"; it was stored as "+447700900999")
        args["phone"] = _uk_style(str(args["phone"]))
    listed = " and ".join(f"{k if k == 'email' else 'phone number'} to {v}" for k, v in args.items())
    link = " (we'll send a link to the new address to confirm it)" if "email" in args else ""
    return Call("update_contact", args, confirm=f"Change your {listed}{link}?")


def _uk_style(phone: str) -> str:
    """A UK number as the bank's records write one, "07700 900999"; any other number as given."""
    digits = _contact_key("phone", phone)
    if digits.startswith("44") and len(digits) == 12:
        local = "0" + digits[2:]
        return f"{local[:5]} {local[5:]}"
    return phone
