"""The only way a tool runs: validate, authorize, confirm if it changes state, call, audit."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from rightfit.core.errors import InvalidInputError, RightfitError
from rightfit.telemetry.tracing import stage_span
from rightfit.tools.audit import AuditLog
from rightfit.tools.policy import OwnershipPolicy
from rightfit.tools.registry import ToolContext, ToolRegistry

logger = logging.getLogger(__name__)

Status = Literal["ok", "denied", "invalid", "needs_confirmation", "error"]


@dataclass(frozen=True, slots=True)
class ToolOutcome:
    tool: str
    status: Status
    arguments: Mapping[str, Any]
    result: Any = None
    message: str = ""


class ToolError(RightfitError):
    """Raised by a tool for a business refusal the customer should hear (e.g. the card is already frozen)."""


class ToolExecutor:
    def __init__(self, *, registry: ToolRegistry, policy: OwnershipPolicy, audit: AuditLog) -> None:
        self.registry = registry
        self.policy = policy
        self.audit = audit

    def run(self, *, ctx: ToolContext, tool: str, arguments: Mapping[str, Any], confirmed: bool = False) -> ToolOutcome:
        with stage_span("tool", tool=tool) as span:
            outcome = self._run(ctx, tool, arguments, confirmed)
            span.set_attribute("tool.status", outcome.status)
            return outcome

    def _run(self, ctx: ToolContext, tool: str, arguments: Mapping[str, Any], confirmed: bool) -> ToolOutcome:
        raw = dict(arguments) if isinstance(arguments, Mapping) else {"arguments": repr(arguments)[:200]}

        def log(decision: str, reason: str, result: str = "") -> None:
            self.audit.record(customer_id=ctx.customer_id, tool=tool, arguments=raw, decision=decision,
                              reason=reason, result=result, trace_id=ctx.trace_id)

        try:
            spec = self.registry.get(tool)
            args = spec.validate(arguments)
        except InvalidInputError as exc:
            log("invalid", str(exc))
            return ToolOutcome(tool, "invalid", raw, message=str(exc))
        decision = self.policy.check(ctx, spec, args)
        if not decision.allowed:
            log("denied", decision.reason)
            return ToolOutcome(tool, "denied", args, message=decision.reason)
        if spec.mutates and not confirmed:
            log("needs_confirmation", "changes state; waiting for the customer's confirmation")
            return ToolOutcome(tool, "needs_confirmation", args)
        try:
            result = spec.fn(ctx, **args)
        except ToolError as exc:
            log("refused", str(exc))
            return ToolOutcome(tool, "error", args, message=str(exc))
        except Exception as exc:
            logger.exception("tool %s failed", tool)
            log("error", type(exc).__name__)
            return ToolOutcome(tool, "error", args, message="the action failed; nothing was changed")
        log("allowed", decision.reason, json.dumps(result, ensure_ascii=False, default=str))
        return ToolOutcome(tool, "ok", args, result=result)
