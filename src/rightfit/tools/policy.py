"""Authorization by code: a call may only touch resources the authenticated customer owns.

The model and the message can put any identifier into a tool's arguments; this check runs on the
validated arguments right before the call, whatever produced them.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any

from rightfit.tools.registry import ToolContext, ToolSpec

# (kind, identifier) -> the customer ids owning it (empty when unknown). Unknown and not-yours get the same
# answer, so a denial never tells a caller whether someone else's account exists.
OwnerLookup = Callable[[str, str], Collection[str]]


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    reason: str


class OwnershipPolicy:
    def __init__(self, owners: OwnerLookup) -> None:
        self._owners = owners

    def check(self, ctx: ToolContext, spec: ToolSpec, arguments: Mapping[str, Any]) -> Decision:
        if not ctx.customer_id:
            return Decision(False, "no authenticated customer")
        for param, kind in spec.owned.items():
            value = arguments.get(param)
            if value is None:
                continue
            if ctx.customer_id not in self._owners(kind, str(value)):
                return Decision(False, f"{kind} {value} is not on customer {ctx.customer_id}'s profile")
        return Decision(True, "every named resource belongs to the caller")
