"""Passing a conversation to a colleague: a ticket with a redacted summary and the fields read so far, what the
customer adds afterwards noted on it, and the ticket's reference said again when the customer asks for it."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from rightfit.assistant.app import AssistantApp
from rightfit.assistant.fields import jsonable
from rightfit.assistant.reading import Extractor
from rightfit.assistant.replies import STOP, THANKS, asks_for_something, bare_yes
from rightfit.assistant.reply import ChatReply
from rightfit.assistant.sessions import SessionState, SessionStore, Turn
from rightfit.assistant.waiting import ASIDE, LEAD_IN, Reading
from rightfit.core.errors import NotFoundError
from rightfit.tools.executor import ToolExecutor
from rightfit.tools.registry import ToolContext

_DETAIL_WORDS = 3  # words: anything shorter after a hand-off ("ok", "cool") is no detail for its ticket
# "actually never mind, what's the premier line number" right after a hand-off: the colleague is told it may no
# longer be needed, and the question is met (it was only added to the ticket).
_NEVER_MIND = re.compile(r"^\W*(?:(?:actually|oh|ok|okay|sorry)\W+)*(?:never ?mind|forget (?:it|that)|don'?t worry)\b"
                         r"[\s,.!:-]*", re.IGNORECASE)
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

    def after(self, ctx: ToolContext, sid: str, state: SessionState, text: str, read: Reading) -> ChatReply | None:
        """Details told right after a hand-off ("it was £40 at Tesco on Tuesday") go on its ticket; a question,
        a thanks or a new request does not. Where the app has follow-up words for the hand-off (the bank's
        after a scam: "what should I do?" is told again not to move money), anything but a request of its own
        goes on the ticket and is met with them."""
        follow_up = self.app.replies.get(f"{state.handed}_follow_up")
        if THANKS.search(text) or bare_yes(text) or STOP.match(text.strip()):
            return None
        if follow_up and not (read.intent in self.app.actions and (asks_for_something(text) or not read.unsure)):
            return self.said_again(ctx, sid, state, text, follow_up)
        if "?" in text or ASIDE.match(LEAD_IN.sub("", text)) or len(text.split()) < _DETAIL_WORDS:
            return None  # a question, or "ok", "cool": no detail for the colleague
        if (read.intent in self.app.actions and asks_for_something(text)) or (
                read.intent in self.app.replies and read.intent not in (*self.app.handoff_intents, "out_of_scope")):
            return None  # a request of its own, or one the app meets with its own words (a greeting, a goodbye)
        return self.note(ctx, sid, str(state.ticket), text)

    def never_mind(self, ctx: ToolContext, sid: str, state: SessionState, text: str) -> str | None:
        """"actually never mind, what's the premier line number" right after a hand-off: the words go on its
        ticket, so the colleague knows it may no longer be needed, and what follows them is returned, to be met
        as a message of its own. None for any other message."""
        m = _NEVER_MIND.match(text)
        if m is None or not text[m.end():].strip():
            return None
        self.note(ctx, sid, str(state.ticket), text)
        return text[m.end():].strip()

    def said_again(self, ctx: ToolContext, sid: str, state: SessionState, text: str, words: str) -> ChatReply:
        """After a hand-off, the message added to its ticket and the app's follow-up `words` said with its
        reference."""
        ticket = str(state.ticket)
        self.note(ctx, sid, ticket, text)
        return ChatReply(sid, f"{words} Your reference is {ticket}.", "handoff", str(state.handed), 1.0, ctx.trace_id,
                         ticket_id=ticket)

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
