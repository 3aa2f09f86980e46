"""The assistant's request path: guard, classify, route, and answer, act, ask, confirm or hand off.

    message ─► urgent? (the app's words: crisis, scam under way) ─► fixed reply, or hand-off
            └► input guard ─► intent ─► policy question ─► QAPipeline (retrieval + grounded answer)
                                     ├─ account action ─► extractor ─► plan ─► ask | confirm | tool call
                                     ├─ hand-off ─► ticket with summary and fields
                                     └─ greeting, goodbye, out of scope ─► fixed reply
            ◄─ output guard ◄─┘

Tools run only through the ToolExecutor, which authorizes every call against the authenticated customer;
nothing a message or a model says can change whose data is touched.
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, Protocol

from rightfit.assistant.acting import ActionTaker
from rightfit.assistant.after_action import AfterAnAction
from rightfit.assistant.app import AssistantApp, siblings
from rightfit.assistant.documents import Answerer, DocumentAnswers
from rightfit.assistant.fields import swapped
from rightfit.assistant.handoff import HandOff
from rightfit.assistant.language import looks_foreign
from rightfit.assistant.qa import clean_query
from rightfit.assistant.reading import FOLLOW_UP, Extractor, FieldReader
from rightfit.assistant.replies import (
    NOTHING_TO_STOP,
    STOP,
    STOPPED,
    THANKS,
    after_no,
    asks_for_something,
    bare_yes,
    chosen_option,
    corrects,
    names_only,
    not_caught,
    with_item,
    yes_and_more,
    yes_or_no,
    yes_then,
)
from rightfit.assistant.reply import ChatReply
from rightfit.assistant.sessions import SessionState, SessionStore, Turn
from rightfit.assistant.several import SeveralRequests
from rightfit.assistant.third_party import ThirdPartyCheck
from rightfit.assistant.waiting import ASIDE, LEAD_IN, Reading, WaitingAction
from rightfit.classify.spelling import Speller
from rightfit.core.errors import InvalidInputError
from rightfit.core.settings import Settings
from rightfit.guard.normalize import check_length, latin_lookalikes
from rightfit.telemetry.tracing import request_span, stage_span, trace_id_of
from rightfit.tools.executor import ToolExecutor
from rightfit.tools.registry import ToolContext

logger = logging.getLogger(__name__)

OFFER = "Would you like me to pass this to a colleague? Reply yes and I will."
NOTHING_PENDING = "There's nothing waiting for your yes just now. What would you like to do?"
# The app may word its own (`replies["blocked"]`), for example with where to turn if the guard was wrong.
BLOCKED = "I can't help with that request. Ask me about your accounts, cards or our policies."
_SHORT_REPLY = 3  # words: a reply this short to our question is an attempt at an answer

# "what was my reference number again?": answered from this conversation's own replies.
_REFERENCE_ASKED = re.compile(r"\b(?:what|which)(?:'s| is| was) my (?:reference|ticket)\b|"
                              r"\bmy (?:reference|ticket)(?: number| no\.?)?(?: again)?\W*$|"
                              r"\b(?:reference|ticket) number again\b", re.IGNORECASE)
# A question opening with its question word, as one asked anew does.
ASKS = re.compile(r"^\W*(?:how|what|whats|when|why|where|who|which|is|are|can|could|do|does|will|would|should)\b",
                  re.IGNORECASE)


class Classifier(Protocol):
    def run(self, *, texts: list[str]) -> list[Any]: ...


@dataclass(frozen=True, slots=True)
class InputCheck:
    text: str
    blocked: bool = False
    reason: str = ""


class ChatAssistant(SeveralRequests, AfterAnAction):
    def __init__(self, *, settings: Settings, app: AssistantApp, answerer: Answerer, classifier: Classifier,
                 extractor: Extractor, sessions: SessionStore, executor: ToolExecutor,
                 input_guard: Callable[[str], InputCheck] | None = None,
                 output_guard: Callable[[str, list[str], str], str] | None = None,  # (reply, evidence, question)
                 redact: Callable[[str], str] | None = None, speller: Speller | None = None) -> None:
        self.settings = settings.assistant
        self.speller = speller
        self.app = app
        self.answerer = answerer
        self.classifier = classifier
        self.extractor = extractor
        self.fields = FieldReader(app=app, extractor=extractor, executor=executor)
        self.redact = redact if redact is not None else (lambda s: s)
        self.actions = ActionTaker(app=app, fields=self.fields, executor=executor, redact=self.redact)
        self.sessions = sessions
        self.executor = executor
        self.input_guard = input_guard
        self.docs = DocumentAnswers(app=app, answerer=answerer, output_guard=output_guard, redact=self.redact,
                                    own_names=settings.answer.known_terms)
        self.others = ThirdPartyCheck(app=app, fields=self.fields, executor=executor, redact=self.redact)
        self.handoff = HandOff(app=app, extractor=extractor, sessions=sessions, executor=executor,
                               redact=self.redact)
        self.waiting = WaitingAction(app=app, fields=self.fields, actions=self.actions, docs=self.docs,
                                     read=self._read)

    def run(self, *, customer_id: str, message: str, session_id: str | None = None,
            now: datetime | None = None) -> ChatReply:
        if not isinstance(message, str):
            raise InvalidInputError("message must be a string")
        check_length(message, self.settings.max_message_chars, "message")
        is_new = session_id is None
        sid = self.sessions.new_id() if session_id is None else session_id
        held = contextlib.nullcontext(SessionState()) if is_new else self.sessions.hold(sid, customer_id)
        when = now if now is not None else datetime.now(UTC)
        with held as state, request_span("chat") as span:
            trace_id = trace_id_of(span)
            ctx = ToolContext(customer_id=customer_id, trace_id=trace_id)
            check = self.input_guard(message) if self.input_guard else InputCheck(
                clean_query(message, max_chars=self.settings.max_message_chars, what="message"))
            if not check.text:
                raise InvalidInputError("message is empty; write what you need help with")
            urgent = self._urgency(ctx, sid, state, check.text, check.blocked, is_new=is_new)
            if check.blocked:
                self.executor.audit.record(customer_id=customer_id, tool="input_guard",
                                           arguments={"message": self.redact(check.text)[:500]},
                                           decision="flagged" if urgent else "blocked",
                                           reason=f"prompt injection suspected ({check.reason})"
                                           + (f"; met with the fixed {urgent!r} reply" if urgent else ""),
                                           trace_id=trace_id)
            if urgent is not None:
                reply, new_state = self._urgent(ctx, sid, state, check.text, intent=urgent, now=when)
            elif check.blocked:
                reply = ChatReply(sid, self.app.replies.get("blocked", BLOCKED), "blocked", "", 1.0, trace_id)
                new_state = replace(state, offered=False)  # a yes after this is not to an earlier offer
            elif not (state.intent and not state.pending) and (unclear := not_caught(  # (a field's question: below)
                    check.text, confirming=bool(state.pending), own=self.app.replies.get("not_caught"))) is not None:
                reply, new_state = ChatReply(sid, unclear[0], unclear[1], "not_caught", 1.0, trace_id), state
            else:
                # Words mixing scripts ("bаlance", "paymеnt" with a Cyrillic а, е) are read as the word they look
                # like, by the classifier and the parsers alike ("show me my last paymеnt" listed five).
                text = latin_lookalikes(check.text)
                reply, new_state = self._then(ctx, sid, state, self._turn(ctx, sid, state, text, when), when)
                if (reply.route == "abstain" and self.app.offer_intent is not None and not new_state.pending
                        and not new_state.intent):
                    new_state = replace(new_state, offered=True)  # "I can pass you to a colleague": a yes takes it
            if reply.ticket_id and not new_state.pending and not new_state.intent and new_state.ticket is None:
                # What the customer adds goes on it.
                new_state = replace(new_state, ticket=reply.ticket_id, handed=reply.intent)
            span.set_attribute("chat.route", reply.route)
            span.set_attribute("chat.intent", reply.intent)
            turns = [Turn("customer", self.redact(check.text), reply.route, trace_id),
                     Turn("assistant", self.redact(reply.reply), reply.route, trace_id)]
            self.sessions.save_turn(session_id=sid, customer_id=customer_id, state=new_state, turns=turns,
                                    is_new=is_new)
            return reply

    def _urgency(self, ctx: ToolContext, sid: str, state: SessionState, text: str, flagged: bool, *,
                 is_new: bool) -> str | None:
        """The app's urgent reply for this message, or for it read with the customer's message before, when
        that one alone was not urgent: a scam told over two turns ("my girlfriend is stuck abroad and needs money
        for a flight" then "we've never met in person"); not once the conversation was handed over for it."""
        if self.app.urgent is None:
            return None
        if (found := self.app.urgent(text, flagged)) is not None or is_new or state.ticket:
            return found
        said = self.sessions.last_said(sid, ctx.customer_id)
        if said is None or self.app.urgent(said, False) is not None:
            return None
        return self.app.urgent(f"{said} {text}", flagged)

    def _urgent(self, ctx: ToolContext, sid: str, state: SessionState, text: str, *, intent: str,
                now: datetime) -> tuple[ChatReply, SessionState]:
        """Someone in crisis or a scam under way: the app's fixed reply (a hand-off for a hand-off intent), before
        whatever was waiting, which is dropped. Already handed over for it, the message goes on that ticket and
        the app's follow-up is said, rather than a second ticket opened."""
        if intent in self.app.handoff_intents and state.ticket and state.handed == intent:
            again = self.app.replies.get(f"{intent}_follow_up") or self.app.replies.get(intent, "")
            said = self.handoff.said_again(ctx, sid, state, text, again)
            return said, SessionState(ticket=state.ticket, handed=intent)
        if intent in self.app.handoff_intents:
            return self.handoff.open(ctx, sid, text, intent, confidence=1.0, now=now), SessionState()
        reply = ChatReply(sid, self.app.replies.get(intent, ""), "smalltalk", intent, 1.0, ctx.trace_id)
        offered = intent in self.app.offering and self.app.offer_intent is not None
        # "I can also ask a colleague to contact you": a yes takes it, as a ticket for this.
        return reply, SessionState(offered=offered, handed=intent if offered else None)

    def _before_waiting(self, ctx: ToolContext, sid: str, state: SessionState, text: str, now: datetime, *,
                        reading: Reading) -> tuple[ChatReply, SessionState]:
        """Another request met while an action waits for its yes, which is held and asked again after it."""
        done, after = self._turn(ctx, sid, SessionState(), text, now, reading=reading)
        return done, replace(after, held={"intent": state.intent, "slots": dict(state.slots),
                                          "pending": dict(state.pending or {})})

    # one turn -----------------------------------------------------------------------------------------------
    def _turn(self, ctx: ToolContext, sid: str, state: SessionState, text: str, now: datetime,
              *, reading: Reading | None = None, own_part: bool = False) -> tuple[ChatReply, SessionState]:
        item = None
        if state.asked and (picked := chosen_option(text, state.options)) is not None:
            text = picked  # "the second one": read as the option our question listed second
        elif (state.last and state.options and not state.pending
              and (item := with_item(text, state.options, state.made_with, named=state.named))):
            text = item  # "the second one is wrong, dispute it": the second of the payments just listed
        elif (state.pending and (rest := after_no(text, min_words=1)) is not None
              and (picked := chosen_option(rest, state.options)) is not None):
            text = f"no, {picked}"  # "no the first one" at the confirmation: of the choices asked just before
        more = yes_then(text) if state.offered else None  # "yes, and what's my balance?": both
        if state.offered and self.app.offer_intent is not None and (bare_yes(text) or more is not None):
            # "yes please" to our offer of a colleague: the hand-off, with what was asked in its summary; after a
            # fixed reply with its own words for it (the bank's crisis reply), a ticket for that, so it is seen
            # for what it is.
            own = self.app.replies.get(f"{state.handed}_handoff") if state.handed and not state.ticket else None
            done = self.handoff.open(ctx, sid, text, str(state.handed) if own else self.app.offer_intent,
                                     confidence=1.0, now=now, reply=own)
            if more is None or self._read(more).intent in self.app.handoff_intents:
                return done, SessionState()  # "yes please pass me on": the same hand-off, said twice
            further, after = self._turn(ctx, sid, SessionState(), more, now)
            return replace(further, reply=f"{done.reply}\n\n{further.reply}", ticket_id=done.ticket_id), after
        # Any other reply moves on from the offer.
        state = replace(state, offered=False, handed=state.handed if state.ticket else None)
        if state.ticket and (rest := self.handoff.never_mind(ctx, sid, state, text)) is not None:
            text, reading, state = rest, None, SessionState()
        if state.ticket:
            reading = reading or self._read(text)  # read once, for the ticket and for the turn below
            if (on_ticket := self.handoff.after(ctx, sid, state, text, reading)) is not None:
                return on_ticket, SessionState(ticket=state.ticket, handed=state.handed)  # more may follow
        if not state.pending and not state.intent and (both := self._two_actions(ctx, sid, text, now)) is not None:
            return both
        if state.pending and (more := yes_and_more(text)) is not None:
            # "yes and freeze 7764 too": the yes stands for what was asked; the rest is a message of its own.
            done, after = self.actions.confirmed(ctx, sid, state, True)
            further, after = self._turn(ctx, sid, after, more, now)
            return replace(done, reply=f"{done.reply} {further.reply}"), after
        if (of_list := self._of_the_list(ctx, sid, state, text)) is not None:
            return of_list
        if (again := self._on_the_other(ctx, sid, state, text, now)) is not None:
            return again
        if (undone := self._undo(ctx, sid, state, text, now)) is not None:
            return undone
        if _REFERENCE_ASKED.search(text) and (said := self.handoff.reference(ctx, sid)) is not None:
            return ChatReply(sid, f"Your reference is {said}.", "smalltalk", "reference", 1.0, ctx.trace_id), state
        if state.pending:
            pending = state.pending
            waiting = str(pending.get("intent"))
            agreed = list((pending.get("arguments") or {}).values())
            decision = yes_or_no(text, agreed=agreed)
            if decision is False and self.fields.gives_field(ctx, waiting, text, now, besides=agreed):
                decision = None  # "no, sam@example.net": a no to the value, not to the change; corrected below
            if decision is False and (switch := self.waiting.switched(state, text)) is not None:
                state, text, reading = switch  # "no wait, it was just lost": that action instead, same card
            elif decision is not None and (instead := self.waiting.instead(state, text, decision)) is not None:
                # "no, report my card stolen instead", "ok block my card then": another action, asked for in the
                # same breath; the waiting one is dropped, not carried out, and the other is a new request.
                (text, reading), state = instead, SessionState()
            elif decision is False and (noted := self.waiting.reason_after_no(ctx, sid, state, text)) is not None:
                return noted  # "no, I never received the goods": what went wrong, then asked again
            elif decision is not None or self.waiting.agrees(state, text):  # "can you just block it"
                return self.actions.confirmed(ctx, sid, state, decision is not False)
            elif decision is None and (added := self.waiting.also(ctx, sid, state, text, now)) is not None:
                return added  # "and my credit card": the waiting action on that one too, with one yes for both
            elif decision is None and (first := self.waiting.first(state, text)) is not None:
                # "actually wait, send it to my new address ...": that first; the card's report waits for it.
                return self._before_waiting(ctx, sid, state, text, now, reading=first)
            elif decision is None and not corrects(text) and (switch := self.waiting.switched(state, text,
                                                                                   said_no=False)) is not None:
                state, text, reading = switch  # "actually I think it was stolen, not lost": that action instead
            elif ((gives := self.fields.gives_field(ctx, waiting, text, now))
                  and (look := self.waiting.looked_up(state, text)) is not None):
                # "is my premier account ok? how much is in it" while the everyday card's report waits: the
                # balance, and the report asked again; the account named corrects nothing.
                return self._before_waiting(ctx, sid, state, text, now, reading=look)
            elif corrects(text) or (gives and not self.waiting.asks_of_its_own(text)):
                # "yes, but the card ending 8120 instead", "no, the 4417 one", "the debit one": a correction to
                # the waiting action, which is planned again with the new fields (and confirmed again), never
                # carried out as it was. Fields the plan settled from the customer's records are settled again:
                # the card "the debit one" led to is not the card after "no, the credit one".
                # A part of a value put right ("its flat 4 not 3") changes that part and keeps the rest.
                settled = set(pending.get("settled") or ())
                held = {k: v for k, v in state.slots.items() if k not in settled}
                fixed = swapped(self.app.actions[waiting].slots, text, held)
                state = SessionState(intent=waiting, slots={**held, **fixed})
            elif (aside := self.waiting.aside(ctx, sid, state, text)) is not None:
                return aside, state  # "is the replacement free?": answered, and the action still waits for a yes
            elif (noted := self.waiting.in_own_words(ctx, sid, state, text)) is not None:
                return noted  # "the food never arrived": the dispute's reason, in the customer's words
            else:
                # Neither yes nor no: the customer moved on, and the unconfirmed action is dropped; a yes right
                # after ("right, go ahead") asks it again, as after a no, rather than finding nothing to agree to.
                dropped = {"intent": state.intent, "slots": dict(state.slots), "pending": dict(pending)}
                done, after = self._turn(ctx, sid, SessionState(), text, now, reading=reading)
                moved = after.pending or after.intent or after.withdrawn or after.offered
                return done, after if moved else replace(after, withdrawn=dropped)
        elif (anew := self.waiting.again_with(ctx, state, text, now)) is not None:
            state = anew  # "ok the debit then" right after a no to the credit card: that action, for the debit
        elif (back := self.waiting.taken_back(ctx, sid, state, text)) is not None:
            return back  # "actually yes do it" right after a no: asked again
        elif bare_yes(text) and not state.intent:  # nothing waits for it: done, called off or never proposed
            return ChatReply(sid, NOTHING_PENDING, "smalltalk", "yes", 1.0, ctx.trace_id), state
        if STOP.match(text.strip()):
            if state.intent is not None and state.intent in self.app.actions:
                # "no" to "which card?": the customer is giving up on the action, not answering the question.
                return ChatReply(sid, STOPPED, "cancelled", state.intent, 1.0, ctx.trace_id,
                                 fields=dict(state.slots)), SessionState()
            if not THANKS.search(text):  # "no thanks" is a goodbye, which the classifier knows
                # "forget it" with nothing under way: nothing to do, and nothing to refuse either.
                return ChatReply(sid, NOTHING_TO_STOP, "smalltalk", "stop", 1.0, ctx.trace_id), SessionState()
        read = reading if reading is not None else self._read(text)
        pred, intent, confidence = read.prediction, read.intent, float(read.prediction.probability)
        out_of_scope = pred.out_of_scope and not read.settled
        if ((read.unsure or intent == "out_of_scope") and not read.settled and not state.intent
                and (said := self.app.replies.get("not_english")) and looks_foreign(text)):
            # "chcę zablokować kartę, zgubiłam ją" was told "I can't find that in our policies".
            return ChatReply(sid, said, "refuse", "not_english", confidence, ctx.trace_id), SessionState()
        acting = state.intent in self.app.actions or intent in self.app.actions or intent in self.app.handoff_intents
        if not own_part and acting and (other := self.others.who(ctx, text, state.intent or intent)) is not None:
            if (note := self.others.own_too(ctx, text, other)) is None:
                return self.others.refuse(ctx, sid, text, other, intent=intent, confidence=confidence), state
            # "freeze my card and Daniel's card": the caller's own, and a word on the other.
            done, after = self._turn(ctx, sid, state, text, now, reading=read, own_part=True)
            return replace(done, reply=f"{note} {done.reply}"), after
        if state.intent is not None and state.intent in self.app.actions:
            route = self.app.actions[state.intent]
            extraction, gave_field = self.fields.with_known(
                ctx, route, text, self.fields.extract(route, text, now, state.slots, answer_to=state.asked))
            other_action = intent in self.app.actions and intent != state.intent
            if not gave_field and not other_action and ASIDE.match(LEAD_IN.sub("", text)):
                return self.waiting.for_a_field(ctx, sid, state, text, confidence), state
            wants_person = intent in self.app.handoff_intents and not out_of_scope
            sibling = self.app.actions.get(intent)
            if (other_action and not gave_field and not read.unsure and sibling is not None
                    and siblings(sibling, route)):
                # "freeze it for now" when asked which card to report lost: that action instead, on the fields
                # given so far, even below the switch threshold (its fields are the same; nothing is lost).
                extraction = self.fields.extract(sibling, text, now, state.slots)
                return self.actions.act(ctx, sid, sibling, extraction, confidence, text=text)
            if intent == state.intent or gave_field or (confidence < self.settings.switch_threshold
                                                        and not wants_person):
                done, after = self.actions.act(ctx, sid, route, extraction, confidence, answer_to=state.asked,
                                               text=text)
                if after.pending and state.options:
                    after = replace(after, options=state.options)  # "no, the first one" at the confirmation
                return done, after
            if state.asked and (out_of_scope or intent == "out_of_scope") and len(text.split()) <= _SHORT_REPLY:
                # "Manchester" when asked for the postcode: a short reply that is no field and asks for nothing
                # else is a miss, not a change of subject; the question stands, so the request is not lost
                # ("thanks, bye" still ends it).
                asked, waits = self.actions.act(ctx, sid, route, extraction, confidence, answer_to=state.asked,
                                                text=text)
                return replace(asked, reply=f"Sorry, I didn't catch that. {asked.reply}"), waits
        elif state.last is not None and state.last in self.app.actions and intent != state.last:
            # A follow-up to the action just done ("and for ACC-104871?", "and trainline?"): same action, new
            # fields, the others as they were.
            route = self.app.actions[state.last]
            carried = self.fields.extract(route, text, now, state.last_fields)
            extraction, gave_field = self.fields.with_known(
                ctx, route, text, self.fields.next_to_last(route, carried, text, state, now))
            if not gave_field and FOLLOW_UP.match(text) and (
                    bare := self.fields.bare_follow_up(ctx, route, text, now, state.last_fields)) is not None:
                extraction, gave_field = bare, True  # "and Pret?": a payee named as a bare reply would name it
            # Confidently another of the app's intents is a new request; "what about at sainsburys", which the
            # classifier confidently calls off-topic, is this one again.
            # The app's words asked for another action, or one item of the list just given is spoken of.
            another = (read.settled or item is not None) and intent in self.app.actions
            # A question of its own for the documents ("what happens when my fixed saver matures?" after a balance)
            # names a field in passing; a follow-up opens as one ("and my savings?") or is a bare value.
            another = another or (intent in self.app.answer_intents and ASKS.match(text) is not None
                                  and not FOLLOW_UP.match(text))
            if gave_field and not another and (confidence < self.settings.switch_threshold
                                               or (not self.app.serves(intent) and FOLLOW_UP.match(text) is not None)):
                return self.actions.act(ctx, sid, route, extraction, confidence, text=text)
        before, state = state, SessionState()
        leaning = pred.top[0][0] if pred.top else intent
        asked_off_topic = intent == "out_of_scope" and not read.settled and asks_for_something(text)
        if read.unsure or asked_off_topic:
            # "show me deliveroo", "whats SP DIGITAL 18.99", a request the classifier calls off-topic (sure of it
            # or not): any of the app's reads may be meant. Otherwise unsure: the action it leans to, or a read
            # among its next labels ("netflix payments?": a question first, payments second).
            top = ([r for i, (label, _) in enumerate(pred.top) if (r := self.app.actions.get(label)) is not None
                    and (i == 0 or (r.reads_only and self._words_allow(text, label)))] if read.unsure else [])
            others = [r for r in self.app.actions.values() if r.reads_only and r not in top] if asked_off_topic else []
            # Unsure of an off-topic reading, a read outside the classifier's guesses needs the record to be all
            # the message names ("whats the best tesco meal deal" names a payee in passing).
            for lean, bare in [*((r, False) for r in top if r.known), *((r, read.unsure) for r in others if r.known)]:
                # Not confident, but the message names one of the customer's own records that action reads (one
                # of their merchants): evidence of the action. Parsed fields alone are not: an account id fits a
                # balance request and an unsupported transfer alike.
                extraction = self.fields.extract(lean, text, now, {})
                # Named, whether or not a parser also read it ("at tesco"): the record is what is evidence.
                found = self.fields.known_in(ctx, lean, text, extraction, values={})
                if set(found) - lean.hints and (not bare or names_only(text, found.values())):
                    extraction = replace(extraction, values={**extraction.values, **found})
                    return self.actions.act(ctx, sid, lean, extraction, confidence, text=text)
        if read.unsure:
            context = self.docs.context(before, text)
            unsure = self.docs.uncertain(ctx, sid, text, intent, confidence, leaning=leaning, context=context,
                                         refuse_from=self.settings.refuse_threshold, said=before.quoted,
                                         page=before.page)
            answered = unsure.route in ("answer", "abstain")
            return unsure, self.docs.topic_after(before, text, context, unsure) if answered else state
        if intent in self.app.answer_intents:
            context = self.docs.context(before, text)
            answer = self.docs.answer(ctx, sid, text, intent, confidence, context=context, follows=True,
                                      said=before.quoted, page=before.page)
            return answer, self.docs.topic_after(before, text, context, answer)
        if intent in self.app.actions:
            route = self.app.actions[intent]
            kept = self.fields.carried(route, text, before)  # "and at tesco?", "and the balance on that one"
            extraction = self.fields.next_to_last(route, self.fields.extract(route, text, now, kept), text, before, now)
            return self.actions.act(ctx, sid, route, extraction, confidence, text=text)
        if (intent == self.app.offer_intent and not read.settled
                and confidence < self.settings.handoff_threshold):
            # A ticket is work for a colleague: "can i get a loan", read as a hand-off at 0.51, is asked first.
            return (ChatReply(sid, OFFER, "ask", intent, confidence, ctx.trace_id), SessionState(offered=True))
        if intent in self.app.handoff_intents:
            return self.handoff.open(ctx, sid, text, intent, confidence=confidence, now=now), state
        if intent == "out_of_scope" and not read.settled:
            # The classifier reads "do I need to tell you before I travel?" as chat about holidays: a question the
            # documents answer with confidence is no off-topic one (off-topic messages score well below it). Nor
            # is one it is unsure of ("my dad is partially sighted, can he get large print statements?" at 0.26;
            # off-topic ones mostly above 0.8): "I can't find that" offers a colleague, a refusal would not.
            # The same reading as a message the classifier is unsure of, leaning off-topic; its refusal is the
            # app's own, below.
            from_docs = self.docs.uncertain(ctx, sid, text, intent, confidence, leaning=intent,
                                            refuse_from=self.settings.refuse_threshold)
            if from_docs.route != "refuse":
                return from_docs, self.docs.topic_after(before, text, None, from_docs)
        reply = self.app.replies.get(intent) or self.app.replies.get("out_of_scope", "")
        kind = "refuse" if intent == "out_of_scope" else "smalltalk"
        if intent in self.app.offering and self.app.offer_intent is not None:
            state = SessionState(offered=True)  # "If you'd like, I can ask a colleague to contact you": a yes takes it
        return ChatReply(sid, reply, kind, intent, confidence, ctx.trace_id), state

    def _read(self, text: str) -> Reading:
        """The message's intent: the classifier's label as the app's own words refine it, and whether it is too
        unsure to act on (a label the app's words settled is never unsure)."""
        if self.speller is not None:
            text = self.speller.correct(text)  # "blok my crad": the classifier and the app's words read it mended
        with stage_span("classify"):
            (pred,) = self.classifier.run(texts=[text])
        label = str(pred.label)
        intent = self.app.refine_intent(text, label) if self.app.refine_intent is not None else label
        # Settled when the words changed the label, or give the same label by themselves (asked with no label):
        # "can someone ring me back" is a hand-off by its words, however unsure the classifier that agrees.
        settled = intent != label or (self.app.refine_intent is not None and self.app.refine_intent(text, "") == intent)
        threshold = self.settings.intent_threshold
        unsure = not settled and (pred.out_of_scope if threshold is None else pred.probability < threshold)
        if unsure and self.app.refine_intent is not None and pred.top:
            # The app's words settle what the classifier leaned to as they would its label: torn between a
            # balance and transactions, "how much did I spend over £100?" asks for transactions.
            leaning = pred.top[0][0]
            if (refined := self.app.refine_intent(text, leaning)) != leaning:
                return Reading(pred, refined, True, False)
        return Reading(pred, intent, settled, unsure)

    def _words_allow(self, text: str, label: str) -> bool:
        """Whether the app's words leave `label` as it is for the message ("can daniel close our joint account?"
        is no balance request, whatever the classifier's third guess)."""
        return self.app.refine_intent is None or self.app.refine_intent(text, label) == label
