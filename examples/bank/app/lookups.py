"""Reading the customer's own records while an action is planned: every read goes through the executor as the
customer (a route's `Lookup`)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from rightfit.assistant.app import Lookup


def listed(lookup: Lookup, tool: str, key: str, arguments: Mapping[str, Any] | None = None) -> list[Any]:
    """The list a read tool returns under `key` (empty when the call did not succeed)."""
    return list((lookup(tool, dict(arguments or {})).result or {}).get(key, []))


def short_name(name: str) -> str:
    """"Premier Account" is also "Premier"; "Easy Saver" has no shorter name."""
    short = re.sub(r"\s+account$", "", name, flags=re.IGNORECASE)
    return short if short.strip() else name


_JOINT = ("joint account", "joint acct", "joint acc", "joint one", "joint")


def aliases(name: str) -> tuple[str, ...]:
    """What a customer calls one of their accounts: its name, its short name, and for a joint account "the joint
    account" or "the joint one" ("Joint Everyday Account" is rarely said in full)."""
    joint = _JOINT if name.lower().startswith("joint ") else ()
    return tuple(dict.fromkeys((name, short_name(name), *joint)))


def pounds(amount: str) -> float:
    """An amount as the bank's tools write it ("-£1,234.50") as a number of pounds."""
    return float(amount.replace("£", "").replace(",", ""))
