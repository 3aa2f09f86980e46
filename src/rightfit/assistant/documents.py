"""Answering a customer's question from the documents, with what it was asked beside: the question before it
("and if I'm premier?"), or the action just done or under way ("will the old one still work if I find it?").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from dataclasses import replace
from typing import Protocol

from rightfit.answer.extractive import content_terms
from rightfit.assistant.app import AssistantApp
from rightfit.assistant.reply import ChatReply
from rightfit.assistant.sessions import SessionState
from rightfit.tools.registry import ToolContext
from rightfit.types import Answer, Citation

NOT_FOUND = "I can't find that in our policies."
CANT_FIND = f"{NOT_FOUND} I can pass you to a colleague if you'd like."
# A question that leans on the one before: opens with "and" / "what about", or points back ("does it cost
# anything?"). Short ones only: a long question says what it is about.
_DOCS_FOLLOW_UP = re.compile(r"^\s*(?:and|or|but|what about|how about|what if|same for)\b|"
                             r"\b(?:it|that|this|they|them|those|there|the (?:new|old|other) one)\b|"
                             r"\b(?:then|instead)\W*$", re.IGNORECASE)  # "whats the number to call then"
MAX_FOLLOW_UP_WORDS = 10
MAX_TOPIC_CHARS = 300
# A question with the customer's situation told after a comma: "how do i complain about the app, its crashed 5
# times today". The situation's words are in no document and lower every sentence's score ("I can't find that").
_TOLD_AFTER = re.compile(r"^(?P<asked>(?:how|what|whats|what's|when|where|why|which|who|can|could|do|does|is|are|will|"
                         r"would|should)\b[^,?]{8,}?)\s*,\s*(?P<told>(?:it'?s|its|it has|it is|it was|i'?ve|ive|"
                         r"i'?m|im|i have|i am|i was|we'?ve|we'?re|we have|we are|they'?ve|they'?re|they have|they "
                         r"are|cos|coz|because|as|since)\b[^?]*)$", re.IGNORECASE)
# ... or with a request for us to deal with it after it: "my card keeps getting declined, can you sort it".
_SORT_IT = re.compile(r"^(?P<asked>.{12,}?)[\s,.!]+(?:(?:so|and)\s+)?(?:can|could|will|would|pls|please)\s+"
                      r"(?:you\s+|u\s+)?(?:please\s+|pls\s+)?(?:sort|fix|help|look into|check|have a look)"
                      r"(?:\s+(?:it|this|that|me|out|at it|with (?:it|this|that)))*(?:\s+(?:please|pls))?\W*$",
                      re.IGNORECASE)


def without_request(text: str) -> str:
    """The message without a request for us to deal with it, whose words ("sort it") only match sentences
    about sorting things out."""
    m = _SORT_IT.match(text.strip())
    return m.group("asked") if m else text


def told_apart(text: str) -> str | None:
    """The question without the situation told after it, or None when the message tells none."""
    m = _TOLD_AFTER.match(text.strip())
    return m.group("asked") if m else None


# How much surer an answer asked with the context must be to be taken: its words alone lift a sentence that
# repeats them by about 0.05 ("report stolen card is the replacement free?" quoted the no-reactivation rule).
# Set by hand on a few exploratory conversations, none from the eval suites.
CONTEXT_MARGIN = 0.1


def quote_key(citation: Citation) -> str:
    return f"{citation.doc_id}:{citation.start}-{citation.end}"


def says_again(answer: Answer, said: tuple[str, ...], question: str) -> bool:
    """Whether the answer quotes exactly what the last answer quoted, without the words the follow-up asks about:
    the ATM limits' table again for "and on premier?" answers it (Premier is in the table), the data retention
    sentence again for "and do you sell it?" does not."""
    if not said or tuple(quote_key(c) for c in answer.citations) != said:
        return False
    return not content_terms(question) <= content_terms(answer.text or "")


class Answerer(Protocol):
    def ask(self, *, question: str) -> Answer: ...


class DocumentAnswers:
    """The assistant's reading of the documents: every answer passes the output guard when there is one."""

    def __init__(self, *, app: AssistantApp, answerer: Answerer,
                 output_guard: Callable[[str, list[str], str], str] | None, redact: Callable[[str], str],
                 own_names: Collection[str] = ()) -> None:
        self.app = app
        # The bank's own name, in every page title ("Larkspur Student Account"), says nothing of the page: left
        # out of the title a follow-up is asked with, where it lifted the page's opening sentence.
        self._own_names = re.compile(r"\b(?:" + "|".join(map(re.escape, own_names)) + r")\b\s*",
                                     re.IGNORECASE) if own_names else None
        self.answerer = answerer
        self.output_guard = output_guard
        self.redact = redact

    @staticmethod
    def points_back(text: str) -> bool:
        """Whether a short question leans on what came before ("and if I'm premier?", "does it cost anything?")."""
        return len(text.split()) <= MAX_FOLLOW_UP_WORDS and _DOCS_FOLLOW_UP.search(text) is not None

    def context(self, before: SessionState, text: str) -> str | None:
        """What a follow-up question leans on: the last question for the documents ("and if I'm premier?" after
        asking about express delivery), the action just done ("will the old one still work if I find it?"
        after reporting a card lost), or, for any short question, the hand-off just made ("how long will you take
        to respond?" after a complaint was logged got the data-request rule). None for a question that stands
        alone."""
        handed = self.app.topics.get(before.handed) if before.handed else None
        if handed and not before.topic and len(text.split()) <= MAX_FOLLOW_UP_WORDS:
            return handed  # right after a hand-off, "you" and "it" are the colleague and the case
        if not self.points_back(text):
            return None
        return before.topic or self.action_words(before.last)

    def action_words(self, intent: str | None, *, asked: str | None = None) -> str | None:
        """An action's words, as context for a question asked beside it: the question it waits on, `asked`,
        without its numbers ("Block and replace your card as lost", which says what "the new one" is), or
        else the app's words for its topic ("stolen card"), or its name ("freeze card")."""
        if asked and (last := [q for q in re.split(r"(?<=[.?!])\s+", asked.strip()) if q.endswith("?")]):
            words = " ".join(re.sub(r"\b(?:ending\s+)?\d[\d,.:/-]*\b|[£$€]", " ", last[-1]).rstrip("?").split())
            if words:
                return words
        if not intent or intent not in self.app.actions:
            return None
        return self.app.topics.get(intent) or intent.replace("_", " ")

    def topic_after(self, before: SessionState, text: str, context: str | None, reply: ChatReply) -> SessionState:
        """The state after a question for the documents: its topic is the question that started the thread; what
        the last answer quoted, and from which page, are kept for the next follow-up."""
        quoted = tuple(quote_key(c) for c in reply.citations)
        page = reply.citations[0].title if reply.citations else None
        if page and self._own_names is not None:
            page = self._own_names.sub("", page).strip() or None
        if context and before.topic:
            return SessionState(topic=before.topic, quoted=quoted or before.quoted, page=page or before.page)
        return SessionState(topic=self.redact(f"{context} {text}" if context else text)[:MAX_TOPIC_CHARS],
                            quoted=quoted, page=page)

    def answer(self, ctx: ToolContext, sid: str, text: str, intent: str, confidence: float, *,
                offer: bool = True, context: str | None = None, follows: bool = False,
                said: tuple[str, ...] = (), page: str | None = None) -> ChatReply:
        """`offer`: whether "I can't find that" offers a colleague; not when a yes would mean something else.
        `context`: what the question is asked beside. A question that `follows` it, pointing back ("how much
        does it cost?"), means nothing without it: it is asked with the context and, when the last answer came
        from a `page`, with that page's title, a narrower context that lets the question's own words count ("can
        I pay cash straight into it?" after the saver's interest dates, asked with the whole question before, got
        another sentence about interest). The title's answer is taken when clearly surer, and neither is taken
        when it quotes again just what the last answer quoted (`said`) without the words now asked about: "and
        do you sell it?" asks something more. Any other question is asked with the context and without it:
        "will my direct debits still go out?" while a freeze waits is about freezing, "how much cash can I take
        out?" while an address change waits is not about addresses. The context's own words raise the score of
        any sentence that repeats them, so the answer with it is taken only when clearly surer. A question with a
        situation told after a comma ("..., its crashed 5 times today") is also asked without it, and that answer
        taken when clearly surer; a request to deal with it ("..., can you sort it") is left out."""
        if context and follows:
            drafts = [self.answerer.ask(question=f"{context} {text}")]
            if page:
                drafts.append(self.answerer.ask(question=f"{page}: {text}"))
            fresh = [a for a in drafts if not a.abstained and a.text and not says_again(a, said, text)]
            # "Card fees: and if I'm premier?" quoted the fees table, a little surer than "Express delivery is free
            # for Premier customers" asked with the express delivery question.
            first = drafts[0]
            answer = (max(fresh, key=lambda a: a.confidence + (CONTEXT_MARGIN if a is first else 0.0)) if fresh
                      else replace(first, text=None, abstained=True))
        else:
            text = without_request(text)
            answer = self.answerer.ask(question=text)
            if context is None and (asked := told_apart(text)) is not None:
                alone = self.answerer.ask(question=asked)
                # Clearly surer, as with a context: what was told may qualify the question ("..., im premier"
                # is why express delivery is free), and the question alone is usually a little surer anyway.
                if not alone.abstained and (answer.abstained or alone.confidence > answer.confidence + CONTEXT_MARGIN):
                    answer = alone
            if context:
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
                   leaning: str, context: str | None = None, refuse_from: float = 0.0,
                   said: tuple[str, ...] = (), page: str | None = None) -> ChatReply:
        """Not confidently any intent: answer it if the documents do. Otherwise, a message the classifier
        leaned towards reading as a policy question ("can I buy an annuity from you?") or as one of the app's
        requests ("the cash machine kept my card"), or towards off-topic below `refuse_from` ("can he get his
        statements in large print?"), gets "I can't find that", which offers a person, and anything else is
        told what we can help with."""
        reply = self.answer(ctx, sid, text, intent, confidence, context=context, follows=True, said=said,
                            page=page)
        if reply.route == "answer" or self.app.serves(leaning) or confidence < refuse_from:
            return reply
        return ChatReply(sid, self.app.replies.get("out_of_scope", CANT_FIND), "refuse", "out_of_scope", confidence,
                         ctx.trace_id)
