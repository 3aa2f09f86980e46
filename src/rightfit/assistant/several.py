"""Several requests in one message: two sentences, or one joined by "and" or a comma, are taken one after the
other ("freeze my card and what's my balance"); a question for the documents beside a request is answered
first; a request held back is taken up once nothing waits on the customer."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime

from rightfit.assistant.acting import ActionTaker
from rightfit.assistant.app import AssistantApp, siblings
from rightfit.assistant.documents import DocumentAnswers
from rightfit.assistant.handoff import HandOff
from rightfit.assistant.reading import FieldReader
from rightfit.assistant.replies import STILL_WAITING, and_joined, asked_again, two_sentences
from rightfit.assistant.reply import ChatReply
from rightfit.assistant.sessions import SessionState
from rightfit.assistant.third_party import ThirdPartyCheck
from rightfit.assistant.waiting import ASIDE, LEAD_IN, Reading
from rightfit.extract import every_card
from rightfit.tools.registry import ToolContext

THEN_NOTE = "Once that's settled, I'll turn to your other request."
# A sentence telling of the customer's situation, not asking for anything: "I'm about £40 overdrawn at the
# moment", "I've got about 12k in cash". It reads like a balance request, but asks for none.
_CIRCUMSTANCE = re.compile(r"(?:i'?m|i am|i'?ve|i have|i'?ve got|we'?re|we are|we'?ve|we have)\b(?![^?]*\?\s*$)",
                           re.IGNORECASE)
_FIRST_PERSON = re.compile(r"\b(?:i|i'?m|i'?ve|i'?d|me|my|mine|myself|we|our|us)\b", re.IGNORECASE)
# A second sentence that takes the first back: "wait no, ...", "actually ...", "sorry, I mean ...".
_TAKEN_BACK = re.compile(r"^\W*(?:(?:wait|hang on|hold on|sorry|oh|erm|um)[\s,.!]+)*(?:no|nah|actually|scratch "
                         r"that|i mean|on second thoughts?)\b", re.IGNORECASE)
# What a request is about, said last: "... for the savings", "... on my credit card".
_ABOUT = re.compile(r"\b(?:for|on|of|in)\s+(?:my|the|our)\s+[\w' -]+$", re.IGNORECASE)
_PLEASE = re.compile(r"\b(?:please|pls|can you|could you|show|tell me|check)\b", re.IGNORECASE)


class SeveralRequests:
    """Part of the chat assistant (`ChatAssistant`), which provides reading a message and taking one turn."""

    app: AssistantApp
    docs: DocumentAnswers
    fields: FieldReader
    actions: ActionTaker
    others: ThirdPartyCheck
    handoff: HandOff

    def _read(self, text: str) -> Reading:
        raise NotImplementedError

    def _turn(self, ctx: ToolContext, sid: str, state: SessionState, text: str, now: datetime,
              *, reading: Reading | None = None, own_part: bool = False) -> tuple[ChatReply, SessionState]:
        raise NotImplementedError

    def _two_actions(self, ctx: ToolContext, sid: str, text: str,
                     now: datetime) -> tuple[ChatReply, SessionState] | None:
        """Two sentences asking for two different actions are both carried out, one after the other, rather
        than one silently dropped. One done at once goes first; one that needs more from the customer (which
        card? shall I?) goes last, so its question ends the reply and the conversation waits on it; if both
        would, the second is held, untried, and taken up once the first is settled. Two requests joined by
        "and" in one sentence are split only when one is done at once ("what's my balance and my sort code") or
        each half gives its own details ("change my phone to ... and my address to ..."): such an "and" as
        often joins two halves of one request ("I lost my card and need a new one"). Each half is planned
        before anything runs, so nothing is proposed (and audited) that the customer will not see. A question
        for the documents beside a request is answered first (`_question_beside`)."""
        parts, joined = two_sentences(text), False
        if parts is None and not every_card(text):  # "freeze my debit and credit cards" is one request
            parts, joined = and_joined(text), True
        if parts is None:
            return None
        reads = [self._read(p) for p in parts]
        if not all(_FIRST_PERSON.search(p) for p in parts) and any(  # once per intent: it may look records up
                self.others.who(ctx, text, intent) is not None for intent in dict.fromkeys(r.intent for r in reads)):
            # "can you freeze Daniel's card? he lost it": one request about someone else, refused whole; split, "he
            # lost it" blocked the caller's own card. ("whats my balance and show my husband's transactions" is
            # two: the caller's half is met beside the other's refusal.)
            return None
        if (asked := self._question_beside(ctx, sid, parts, reads, now)) is not None:
            return asked
        if (logged := self._logged_beside(ctx, sid, parts, reads, now)) is not None:
            return logged
        if any(r.unsure or r.intent not in self.app.actions for r in reads) or reads[0].intent == reads[1].intent:
            return None
        routes = [self.app.actions[r.intent] for r in reads]
        if siblings(routes[0], routes[1]) and _TAKEN_BACK.match(parts[1]):
            # "lost my card. wait no, just freeze it for now": the second takes the first back (both were done,
            # the card blocked for good and then found not freezable).
            return self._turn(ctx, sid, SessionState(), parts[1], now, reading=reads[1])
        plans = [self.fields.extract(route, p, now, {}) for route, p in zip(routes, parts, strict=True)]
        at_once = [self.actions.at_once(ctx, route, plan, text=p) for route, plan, p in zip(routes, plans, parts,
                                                                                            strict=True)]
        details = [any(v is not None for v in plan.values.values()) for plan in plans]
        # Two unrelated actions, one with its own details, are two requests as well: "freeze my card and change my
        # email to ..." dropped the e-mail. Siblings are halves of one ("I lost my card and need a new one").
        unrelated = any(details) and not siblings(routes[0], routes[1])
        if joined and not (any(at_once) or all(details) or unrelated):
            return None
        first, second = (0, 1) if at_once[0] or not at_once[1] else (1, 0)
        r1, s1 = self._turn(ctx, sid, SessionState(), parts[first], now, reading=reads[first])
        if s1.pending or s1.intent:
            # The first waits on the customer: one question at a time, the other request held until it is settled
            # (see `_then`).
            return replace(r1, reply=f"{r1.reply}\n\n{THEN_NOTE}"), replace(s1, queued=parts[second])
        r2, s2 = self._turn(ctx, sid, SessionState(), parts[second], now, reading=reads[second])
        return replace(r2, reply=f"{r1.reply}\n\n{r2.reply}", citations=r1.citations + r2.citations), s2

    def _question_beside(self, ctx: ToolContext, sid: str, parts: tuple[str, str], reads: list[Reading],
                         now: datetime) -> tuple[ChatReply, SessionState] | None:
        """"freeze my card and also what's the fee for a replacement": a policy question beside a request. The
        question is answered first, then the request is taken up, so its question or confirmation ends the
        reply. None unless one half is confidently one of the app's actions and the other a question for the
        documents."""
        acts = [not r.unsure and r.intent in self.app.actions for r in reads]
        if acts.count(True) != 1:
            return None
        i = acts.index(True)
        question, read = LEAD_IN.sub("", parts[1 - i]), reads[1 - i]
        # Unsure of it, but leaning to a question for the documents, is a question too ("how do i get a cheque
        # book" beside "whats my sort code" leaned to one at 0.46, and was dropped).
        leaning = read.prediction.top[0][0] if read.unsure and read.prediction.top else read.intent
        if leaning not in self.app.answer_intents or not ASIDE.match(question):
            return None
        if self.app.actions[reads[i].intent].reads_only and _CIRCUMSTANCE.match(parts[i].strip()) \
                and not _PLEASE.search(parts[i]):
            # "does it cost anything to close my account? I'm about £40 overdrawn at the moment": the statement
            # tells the question's circumstances and asks for no balance; the question is asked beside it, and
            # only beside it when it points back ("I've got 12k in cash. can I pay it in?").
            told = self.docs.answer(ctx, sid, question, read.intent, float(read.prediction.probability),
                                    context=parts[i], follows=self.docs.points_back(question))
            return told, self.docs.topic_after(SessionState(), question, None, told)
        # Asked about what the request is about ("my sort code ... for the savings and also tell me the interest
        # rate": the savings' rate, not the fixed savers' table the question alone gets); alone if that finds none.
        about, sure = _ABOUT.search(parts[i]), float(read.prediction.probability)
        answer = self.docs.answer(ctx, sid, question, leaning, sure, offer=False, context=about.group(),
                                  follows=True) if about else None
        if answer is None or answer.route != "answer":
            answer = self.docs.answer(ctx, sid, question, leaning, sure, offer=False)
        done, state = self._turn(ctx, sid, SessionState(), parts[i], now, reading=reads[i])
        return replace(done, reply=f"{answer.reply}\n\n{done.reply}",
                       citations=answer.citations + done.citations), state

    def _logged_beside(self, ctx: ToolContext, sid: str, parts: tuple[str, str], reads: list[Reading],
                       now: datetime) -> tuple[ChatReply, SessionState] | None:
        """"freeze my card and i want to make a complaint about the staff": a hand-off the app logs and goes on
        from (`AssistantApp.logged`) beside a request. The ticket is opened first, then the request is taken up,
        so its question or confirmation ends the reply. None unless one half is confidently one of the app's
        actions and the other such a hand-off."""
        acts = [not r.unsure and r.intent in self.app.actions for r in reads]
        logs = [not r.unsure and r.intent in self.app.logged for r in reads]
        if sorted(acts) != [False, True] or sorted(logs) != [False, True] or acts == logs:
            return None
        i = acts.index(True)
        ticket, _ = self._turn(ctx, sid, SessionState(), parts[1 - i], now, reading=reads[1 - i])
        if ticket.ticket_id:  # the rest of the message on the ticket too: it is often what the complaint is about
            self.handoff.note(ctx, sid, ticket.ticket_id, parts[i])
        done, state = self._turn(ctx, sid, SessionState(), parts[i], now, reading=reads[i])
        return replace(done, reply=f"{ticket.reply}\n\n{done.reply}", ticket_id=ticket.ticket_id), state

    def _then(self, ctx: ToolContext, sid: str, before: SessionState, turn: tuple[ChatReply, SessionState],
              now: datetime) -> tuple[ChatReply, SessionState]:
        """A request held back by `_two_actions` is taken up as soon as nothing waits on the customer (the
        first action was done, cancelled or dropped), its reply following this turn's; the route is the later
        reply's, since that is what the conversation now waits on (a "confirm" shows the page's buttons)."""
        reply, after = self._resumed(before, turn)
        queued = before.queued
        if queued is None or after.queued is not None:
            return reply, after
        if after.pending or after.intent:
            return reply, replace(after, queued=queued)
        # A fresh state: the held request is a request of its own, not a follow-up to the action just done.
        further, state = self._turn(ctx, sid, SessionState(), queued, now)
        return replace(further, reply=f"{reply.reply}\n\n{further.reply}",
                       citations=reply.citations + further.citations), state

    def _resumed(self, before: SessionState, turn: tuple[ChatReply, SessionState]) -> tuple[ChatReply, SessionState]:
        """An action set aside for one the app lets come first (`SessionState.held`) is asked again as soon as
        nothing else waits on the customer, its question ending the reply, so the next yes means it."""
        reply, after = turn
        held = after.held if after.held is not None else before.held
        if held is None:
            return turn
        if after.pending or after.intent:
            return reply, replace(after, held=held)
        pending = dict(held.get("pending") or {})
        again = f"{reply.reply}\n\n{STILL_WAITING}{asked_again(pending)}"
        return (replace(reply, reply=again, route="confirm", intent=str(pending.get("intent"))),
                SessionState(intent=held.get("intent"), slots=held.get("slots") or {}, pending=pending,
                             queued=after.queued))
