"""Passing a conversation to a colleague: a ticket with a redacted summary and the fields read so far, and the
ticket's reference said again when the customer asks for it."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from rightfit.assistant.app import AssistantApp
from rightfit.assistant.fields import jsonable
from rightfit.assistant.reading import Extractor
from rightfit.assistant.reply import ChatReply
from rightfit.assistant.sessions import SessionStore, Turn
from rightfit.core.errors import NotFoundError
from rightfit.tools.executor import ToolExecutor
from rightfit.tools.registry import ToolContext

# How every ticket's reference is given, and so how it is found again in the conversation.
_REFERENCE_GIVEN = re.compile(r"\bYour reference is ([A-Z]{2,6}-[A-Z0-9]{4,12})\b")


class HandOff:
    def __init__(self, *, app: AssistantApp, extractor: Extractor, sessions: SessionStore, executor: ToolExecutor,
                 redact: Callable[[str], str]) -> None:
        self.app = app
        self.extractor = extractor
        self.sessions = sessions
        self.executor = executor
        self.redact = redact

    def open(self, ctx: ToolContext, sid: str, text: str, intent: str, *, confidence: float,
             now: datetime, reply: str | None = None) -> ChatReply:
        """A ticket for a colleague, with the customer's last messages and `text` in its summary; `reply`: what
        to tell the customer (by default the app's reply for `intent`)."""
        fields: dict[str, Any] = {}
        if self.app.handoff_slots is not None:
            extraction = self.extractor.run(text=text, schema=self.app.handoff_slots, now=now, filled={})
            fields = jsonable(extraction.values)
        history = [t.text for t in self._turns(ctx, sid) if t.role == "customer"]
        said = [*history[-3:], text]
        summary = self.redact(f"Handed to a colleague ({intent.replace('_', ' ')}). Customer said: "
                              + " / ".join(f'"{s[:200]}"' for s in said))
        outcome = self.executor.run(ctx=ctx, tool=self.app.ticket_tool, arguments={
            "session_id": sid, "intent": intent, "summary": summary[:2000],
            # A field read as a structure (an amount with its currency) is kept as JSON, not as Python's repr.
            "fields": {k: self.redact(v if isinstance(v, str) else json.dumps(v, ensure_ascii=False, default=str))
                       for k, v in fields.items()}})
        if outcome.status != "ok":
            return ChatReply(sid, "I couldn't create a ticket just now; please call us on the number on the back of "
                             "your card.", "handoff", intent, confidence, ctx.trace_id, tool=outcome)
        ticket = str(outcome.result.get("ticket_id"))
        reply = reply or self.app.replies.get(intent, "I've passed this to a colleague, who will contact you.")
        return ChatReply(sid, f"{reply} Your reference is {ticket}.", "handoff", intent, confidence, ctx.trace_id,
                         tool=outcome, fields=fields, ticket_id=ticket)

    def note(self, ctx: ToolContext, sid: str, ticket: str, text: str) -> ChatReply | None:
        """What the customer says after the hand-off ("it was £40, on Tuesday"), added to its ticket for the
        colleague who picks it up; None when the app has no tool for it or the note could not be added."""
        if self.app.ticket_note_tool is None:
            return None
        outcome = self.executor.run(ctx=ctx, tool=self.app.ticket_note_tool,
                                    arguments={"ticket_id": ticket, "note": self.redact(text)[:1000]})
        if outcome.status != "ok":
            return None
        return ChatReply(sid, f"Thank you, I've added that to your case {ticket} for the colleague who picks it up.",
                         "handoff", "ticket_note", 1.0, ctx.trace_id, tool=outcome, ticket_id=ticket)

    def reference(self, ctx: ToolContext, sid: str) -> str | None:
        """The last ticket reference this conversation gave ("what was my reference number again?")."""
        given = [m.group(1) for t in self._turns(ctx, sid) if t.role == "assistant"
                 for m in _REFERENCE_GIVEN.finditer(t.text)]
        return given[-1] if given else None

    def _turns(self, ctx: ToolContext, sid: str) -> list[Turn]:
        try:
            return self.sessions.transcript(sid, ctx.customer_id)
        except NotFoundError:  # a conversation that starts here has no history yet
            return []
