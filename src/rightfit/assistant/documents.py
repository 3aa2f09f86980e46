"""Answering a customer's question from the documents, with what it was asked beside: the question before it
("and if I'm premier?"), or the action just done or under way ("will the old one still work if I find it?").
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Protocol

from rightfit.assistant.app import AssistantApp
from rightfit.assistant.reply import ChatReply
from rightfit.assistant.sessions import SessionState
from rightfit.tools.registry import ToolContext
from rightfit.types import Answer

NOT_FOUND = "I can't find that in our policies."
CANT_FIND = f"{NOT_FOUND} I can pass you to a colleague if you'd like."
# A question that leans on the one before: opens with "and" / "what about", or points back ("does it cost
# anything?"). Short ones only: a long question says what it is about.
_DOCS_FOLLOW_UP = re.compile(r"^\s*(?:and|or|but|what about|how about|what if|same for)\b|"
                             r"\b(?:it|that|this|they|them|those|there)\b", re.IGNORECASE)
MAX_FOLLOW_UP_WORDS = 10
MAX_TOPIC_CHARS = 300
# How much surer an answer asked with the context must be to be taken: its words alone lift a sentence that
# repeats them by about 0.05 ("report stolen card is the replacement free?" quoted the no-reactivation rule).
# Set by hand on a few exploratory conversations, none from the eval suites.
CONTEXT_MARGIN = 0.1


class Answerer(Protocol):
    def ask(self, *, question: str) -> Answer: ...


class DocumentAnswers:
    """The assistant's reading of the documents: every answer passes the output guard when there is one."""

    def __init__(self, *, app: AssistantApp, answerer: Answerer,
                 output_guard: Callable[[str, list[str], str], str] | None, redact: Callable[[str], str]) -> None:
        self.app = app
        self.answerer = answerer
        self.output_guard = output_guard
        self.redact = redact

    def context(self, before: SessionState, text: str) -> str | None:
        """What a follow-up question leans on: the last question for the documents ("and if I'm premier?" after
        asking about express delivery), or the action just done ("will the old one still work if I find it?"
        after reporting a card lost). None for a question that stands alone."""
        if len(text.split()) > MAX_FOLLOW_UP_WORDS or not _DOCS_FOLLOW_UP.search(text):
            return None
        return before.topic or self.action_words(before.last)

    def action_words(self, intent: str | None) -> str | None:
        """An action's words, as context for a question asked beside it ("freeze card")."""
        return intent.replace("_", " ") if intent and intent in self.app.actions else None

    def topic_after(self, before: SessionState, text: str, context: str | None) -> SessionState:
        """The state after a question for the documents: its topic is the question that started the thread."""
        if context and before.topic:
            return SessionState(topic=before.topic)
        return SessionState(topic=self.redact(f"{context} {text}" if context else text)[:MAX_TOPIC_CHARS])

    def answer(self, ctx: ToolContext, sid: str, text: str, intent: str, confidence: float, *,
                offer: bool = True, context: str | None = None, follows: bool = False) -> ChatReply:
        """`offer`: whether "I can't find that" offers a colleague; not when a yes would mean something else.
        `context`: what the question is asked beside. A question that `follows` it, pointing back ("how much
        does it cost?"), means nothing without it and is asked with it. Any other is asked with it and without
        it: "will my direct debits still go out?" while a freeze waits is about freezing, "how much cash can I
        take out?" while an address change waits is not about addresses. The context's own words raise the
        score of any sentence that repeats them, so the answer with it is taken only when clearly surer."""
        answer = self.answerer.ask(question=f"{context} {text}" if context and follows else text)
        if context and not follows:
            beside = self.answerer.ask(question=f"{context} {text}")
            if beside.confidence > answer.confidence + CONTEXT_MARGIN:
                answer = beside
        if answer.abstained or not answer.text:
            return ChatReply(sid, CANT_FIND if offer else NOT_FOUND, "abstain", intent, confidence, ctx.trace_id)
        reply = answer.text
        if self.output_guard is not None:
            reply = self.output_guard(reply, [c.quote for c in answer.citations], text)
        return ChatReply(sid, reply, "answer", intent, confidence, ctx.trace_id, citations=tuple(answer.citations))

    def uncertain(self, ctx: ToolContext, sid: str, text: str, intent: str, confidence: float, *,
                   leaning: str, context: str | None = None, refuse_from: float = 0.0) -> ChatReply:
        """Not confidently any intent: answer it if the documents do. Otherwise, a message the classifier
        leaned towards reading as a policy question ("can I buy an annuity from you?") or as one of the app's
        requests ("the cash machine kept my card"), or towards off-topic below `refuse_from` ("can he get his
        statements in large print?"), gets "I can't find that", which offers a person, and anything else is
        told what we can help with."""
        reply = self.answer(ctx, sid, text, intent, confidence, context=context, follows=True)
        if reply.route == "answer" or self.app.serves(leaning) or confidence < refuse_from:
            return reply
        return ChatReply(sid, self.app.replies.get("out_of_scope", CANT_FIND), "refuse", "out_of_scope", confidence,
                         ctx.trace_id)
