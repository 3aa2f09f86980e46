"""What one turn of the conversation returns to the customer (and the server, and the eval suites)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from rightfit.tools.executor import ToolOutcome
from rightfit.types import Citation


@dataclass(frozen=True, slots=True)
class ChatReply:
    session_id: str
    reply: str
    route: str  # answer | abstain | action | ask | confirm | cancelled | handoff | smalltalk | refuse | blocked
    intent: str
    confidence: float
    trace_id: str
    citations: tuple[Citation, ...] = ()
    tool: ToolOutcome | None = None
    fields: Mapping[str, Any] = field(default_factory=dict)
    ticket_id: str | None = None
