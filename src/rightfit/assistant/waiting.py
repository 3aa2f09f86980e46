"""What a message means while an action waits for the customer's yes: more of the same ("and my credit
card"), a sibling action instead ("no wait, it was stolen"), another action with the yes or no ("ok block my
card then"), or a question asked on the way ("is the replacement free?", "has it been done?"). Each answer is
None when the message is not that, and the assistant reads it as usual.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from rightfit.assistant.acting import MAX_OWN_WORDS, ActionTaker
from rightfit.assistant.app import AssistantApp, siblings
from rightfit.assistant.documents import DocumentAnswers
from rightfit.assistant.reading import FieldReader
from rightfit.assistant.replies import STILL_WAITING, after_no, after_yes, asked_again, corrects, yes_or_no
from rightfit.assistant.reply import ChatReply
from rightfit.assistant.sessions import SessionState
from rightfit.tools.registry import ToolContext

# A question in the middle of an action ("actually first, how long does a new card take?"): answered, and the
# action waits. Requests phrased as questions ("can you freeze it?") are not asides.
LEAD_IN = re.compile(r"^(?:(?:actually|ok|okay|oh|but|and|first|wait|so|sorry|quick question|hang on|before that|"
                     r"before i (?:say yes|confirm|agree|go ahead)|before (?:you|we) (?:do|go ahead with) (?:that|it|"
                     r"this)|one (?:more )?(?:thing|question)|just (?:checking|wondering))[\s,.!:-]+)+", re.IGNORECASE)
ASIDE = re.compile(r"^(?:how|what|whats|what's|hows|how's|when|whens|where|wheres|why|who|which|is|are|does|do i|"
                   r"do you|will|would i|should|can i|could i|am i|tell me|let me know)\b", re.IGNORECASE)
_WHAT_ABOUT = re.compile(r"^(?:what|how)\s+about\b", re.IGNORECASE)  # "what about the credit one?": a correction
_OWN_QUESTION = 4  # words
# "and my credit card", "the premier card too": more of the same, not something else.
_ADDS = re.compile(r"^\s*(?:and|also|plus|&)\b|\b(?:too|as well)\W*$", re.IGNORECASE)
# "has it been done?", "did both change?": whether the action happened, asked while it waits for a yes.
_DONE_YET = re.compile(r"^(?:did|has|have|is|are)\b(?:\s+\w+){0,3}?\s+(?:changed?|done|work(?:ed)?|gone through|go "
                       r"through|happen(?:ed)?|frozen|blocked|updated|cancell?ed|sorted|opened)\W*(?:yet|now)?\W*$",
                       re.IGNORECASE)

# "what's my current one?", "what have you got on file?" while a change waits: what is held now.
_HELD_NOW = re.compile(r"\b(?:current|existing|present|old)\s+(?:one|number|address|e-?mail|details)\b|"
                       r"\bon (?:file|record)\b|\bwhat (?:do )?you (?:have|got)\b", re.IGNORECASE)


# After a "no": words that call the waiting action off, or put it off ("let me ring them first"), rather than
# say what went wrong.
_CALLS_OFF = re.compile(r"\b(?:cancel|forget|don'?t|do not|never ?mind|stop|leave it|it was me|was mine|remember\w*|"
                        r"found|changed my mind|not (?:now|yet)|no need|mistake|my bad|wrong (?:one|payment|card)|"
                        r"let me|i'?ll|first|later|hang on|hold on|wait|think|check|call|ring|phone|contact|speak|"
                        r"ask)\b", re.IGNORECASE)


# The words of a confirmation question before what it acts on: "Block and replace" (your card ...), "Open"
# (a dispute ...), "Freeze" (your card ...).
_QUESTION_VERBS = re.compile(r"^.*?(?=\s+(?:your|a|an|the)\b)", re.IGNORECASE)
# "Open a dispute ...": the thing the question makes, which "can you dispute it" asks for by name.
_QUESTION_MAKES = re.compile(r"^\w+\s+an?\s+(\w+)", re.IGNORECASE)
# "can you just block it" to "Block and replace your card ...?": the question's own verb asked for is a yes.
_DO_IT = re.compile(r"^(?:(?:yes|yeah|ok|okay|please|pls|just|can you|could you|will you|go on and|then)\W+)*"
                    r"(?P<verb>[a-z]+)\s+(?:it|that|this|the card|my card)(?:\s+(?:then|now|please|pls|for me))*\W*$",
                    re.IGNORECASE)
# How far the classifier must lean to a sibling action for a message without a no to switch to it; set by hand
# on the two messages in `WaitingAction.switched`.
LEAN_WITHOUT_NO = 0.35


@dataclass(frozen=True, slots=True)
class Reading:
    """A message's intent as the assistant reads it."""

    prediction: Any  # the classifier's, with its probability and top labels
    intent: str  # its label as the app's own words refine it
    settled: bool  # the app's words decided the intent: the classifier's confidence no longer matters
    unsure: bool  # neither settled nor confident enough to act on


class WaitingAction:
    """The readings of a message that only make sense while an action waits for a yes."""

    def __init__(self, *, app: AssistantApp, fields: FieldReader, actions: ActionTaker, docs: DocumentAnswers,
                 read: Callable[[str], Reading]) -> None:
        self.app = app
        self.fields = fields
        self.actions = actions
        self.docs = docs
        self._read = read

    def also(self, ctx: ToolContext, sid: str, state: SessionState, text: str,
              now: datetime) -> tuple[ChatReply, SessionState] | None:
        """"and my credit card", "the premier card too" while a card action waits for a yes: the same action on
        the record named as well (`ActionTaker.also`). None unless the message adds ("and", "also", "too") and
        names a field of the waiting action."""
        route = self.app.actions.get(str((state.pending or {}).get("intent")))
        if route is None or not _ADDS.search(text):
            return None
        extraction, gave = self.fields.with_known(ctx, route, text, self.fields.extract(route, text, now, {}))
        return self.actions.also(ctx, sid, state, route, extraction, text=text) if gave else None

    def first(self, state: SessionState, text: str) -> Reading | None:
        """The reading of a request the app lets come before the waiting action (`AssistantApp.done_first`):
        "actually wait, send it to my new address ..." while a lost card's report waits; "what's my current
        one?" while a phone number's change waits, the one read the app lets come first. None for any other
        message."""
        allowed = self.app.done_first.get(str((state.pending or {}).get("intent")), frozenset())
        if not allowed:
            return None
        read = self._read(text)
        if not read.unsure and read.intent in allowed:
            return read
        reads = [i for i in sorted(allowed) if (r := self.app.actions.get(i)) is not None and r.reads_only]
        if len(reads) == 1 and _HELD_NOW.search(text) and read.intent not in self.app.actions:
            return replace(read, intent=reads[0], settled=True, unsure=False)
        return None

    @staticmethod
    def asks_of_its_own(text: str) -> bool:
        """A question of four words or more that names a card or account but asks about something else ("whats my
        atm limit on premier" while the everyday card's freeze waits): asked aside, no correction of the card.
        "what about the credit one?" is one."""
        question = LEAD_IN.sub("", text)
        return (bool(ASIDE.match(question)) and not _WHAT_ABOUT.match(question)
                and len(question.split()) >= _OWN_QUESTION)

    def looked_up(self, state: SessionState, text: str) -> Reading | None:
        """The reading of a message that names a card or an account but asks plainly to look at records ("is my
        premier account ok? how much is in it" while the everyday card's report waits): no correction of the
        waiting action (the premier card was reported lost instead), but a look first. None for a message that
        opens with a yes or a no ("no, the credit one"), or reads as no look at records."""
        read = self._read(text)
        route = self.app.actions.get(read.intent)
        if read.unsure or route is None or not route.reads_only or corrects(text):
            return None
        return read if read.intent != str((state.pending or {}).get("intent")) else None

    def switched(self, state: SessionState, text: str, *,
                 said_no: bool = True) -> tuple[SessionState, str, Reading] | None:
        """A no to the waiting action that asks for a sibling one instead ("no wait, it was just lost" when asked
        to report the card stolen), or a message that confidently asks for one without a no ("actually it was
        stolen, not lost"): the other action, a route with the same fields, keeping those the customer gave; it
        is planned and confirmed afresh; "no wait, stolen" is enough. The classifier's lean counts when it is
        unsure: beside a waiting card report, leaning to its sibling is evidence enough, after a no; without one
        only from LEAN_WITHOUT_NO ("actually I think it was stolen, not lost" leans to stolen at 0.44; "send it
        express" to a stolen card's report leaned to the lost one at 0.24, and the card was reported lost). After
        a no, the app may name another action meant instead (`AssistantApp.no_instead`: "no i definitely didnt
        make it" to a dispute is a freeze). None when the message (what follows the no) asks for neither."""
        pending = state.pending or {}
        route = self.app.actions.get(str(pending.get("intent")))
        rest = after_no(text, min_words=1) if said_no else text
        if route is None or rest is None:
            return None
        if said_no and (meant := self.app.no_instead.get(route.intent)) is not None and (
                found := meant(rest, state.slots)) is not None and found[0] in self.app.actions:
            # "no i definitely didnt make it" to a dispute: what the app says is meant instead.
            return (SessionState(intent=found[0], slots=found[1]), rest,
                    replace(self._read(rest), intent=found[0], unsure=False, settled=True))
        read = self._read(rest)
        if read.unsure and read.prediction.top and (said_no or read.prediction.top[0][1] >= LEAN_WITHOUT_NO):
            read = replace(read, intent=str(read.prediction.top[0][0]), unsure=False)
        other = self.app.actions.get(read.intent)
        if other is None or other is route or not siblings(other, route):
            return None
        settled = set(pending.get("settled") or ())
        kept = {k: v for k, v in state.slots.items() if k not in settled}
        return SessionState(intent=other.intent, slots=kept), rest, read

    def agrees(self, state: SessionState, text: str) -> bool:
        """Whether the message asks for the waiting action by its question's own verb ("can you just block it" to
        "Block and replace your card ending 7764 as stolen?"), which is a yes, not a request for a sibling (it
        was read as a freeze, and the stolen card was only frozen), or by what it makes ("can you dispute it" to
        "Open a dispute for ...?", which was added to the dispute's reason)."""
        said = _DO_IT.match(text.strip())
        # The question is its last sentence: what goes before it tells ("If you didn't make this payment ...").
        question = re.split(r"(?<=[.!])\s+", str((state.pending or {}).get("question") or ""))[-1]
        asked = _QUESTION_VERBS.match(question)
        verbs = set(asked.group().lower().split()) - {"and", "or"} if asked else set()
        if (makes := _QUESTION_MAKES.match(question)) is not None:
            verbs.add(makes.group(1).lower())
        return said is not None and said.group("verb").lower() in verbs

    def instead(self, state: SessionState, text: str, decision: bool) -> tuple[str, Reading] | None:
        """The rest of a yes or no that confidently asks for another of the app's actions than the waiting one,
        with its reading; None when there is no such rest."""
        rest = after_yes(text) if decision else after_no(text)
        if rest is None:
            return None
        read = self._read(rest)
        waiting = str((state.pending or {}).get("intent"))
        if read.unsure or read.intent == waiting or read.intent not in self.app.actions:
            return None
        # "fine, yes block it" to "Block and replace your card ending 3390 as lost?": the question's own verb,
        # said back, agrees with it; it asks for no other action.
        verb = re.match(r"(?:(?:yes|yeah|yep|ok|okay|please|just)\W+)*(\w+)", rest, re.IGNORECASE)
        asked = _QUESTION_VERBS.match(str((state.pending or {}).get("question") or ""))
        if decision and verb and asked and verb.group(1).lower() in asked.group().lower().split():
            return None
        return rest, read

    def taken_back(self, ctx: ToolContext, sid: str, state: SessionState, text: str) -> tuple[ChatReply,
                                                                                            SessionState] | None:
        """"actually yes do it", "ok yes freeze it" right after a no called the action off: the same action, asked
        again (asked, not done: the no came between), or None for any other message, and for a yes with another
        request ("yes, what's my balance")."""
        w = state.withdrawn
        if not w or state.pending or state.intent or yes_or_no(text) is not True:
            return None
        if (rest := after_yes(text)) is not None and not (read := self._read(rest)).unsure \
                and read.intent != w.get("intent"):
            return None
        pending = dict(w.get("pending") or {})
        return (ChatReply(sid, f"OK. {asked_again(pending)}", "confirm",
                          str(pending.get("intent")), 1.0, ctx.trace_id, fields=dict(w.get("slots") or {})),
                SessionState(intent=w.get("intent"), slots=w.get("slots") or {}, pending=pending))

    def again_with(self, ctx: ToolContext, state: SessionState, text: str, now: datetime) -> SessionState | None:
        """"ok the debit then" right after a no to freezing the credit card: the same action, for the value the
        message names now, to be planned afresh from the state returned; None when it names none (`taken_back`
        asks the same again)."""
        w = state.withdrawn
        if not w or state.pending or state.intent or yes_or_no(text) is not True:
            return None
        pending, intent = dict(w.get("pending") or {}), str(w.get("intent"))
        agreed = list((pending.get("arguments") or {}).values())
        if not self.fields.gives_field(ctx, intent, text, now, besides=agreed):
            return None
        settled = set(pending.get("settled") or ())
        return SessionState(intent=intent, slots={k: v for k, v in (w.get("slots") or {}).items() if k not in settled})

    def for_a_field(self, ctx: ToolContext, sid: str, state: SessionState, text: str,
                    confidence: float) -> ChatReply:
        """A question asked while an action waits for a field ("which card?"): answered from the documents, then
        what is still needed said again; the action keeps its fields."""
        intent = next(iter(self.app.answer_intents), "")
        reply = self.docs.answer(ctx, sid, LEAD_IN.sub("", text), intent, confidence, offer=False,
                                 context=self.docs.action_words(state.intent))
        if state.asked:
            field = state.asked.replace("_", " ").replace("last4", "number")
            still = (f"to know which one: {' or '.join(state.options)}." if state.options  # our question's choices
                     else f"your {field}.")
            reply = replace(reply, reply=f"{reply.reply}\n\nTo carry on with your request, I still need {still}")
        return reply

    def aside(self, ctx: ToolContext, sid: str, state: SessionState, text: str) -> ChatReply | None:
        """A question asked while an action waits for a yes ("how long will the new one take?"): answered from
        the documents, then the waiting question asked again, so the yes that follows still means the action.
        None when the message is not a question, or asks for another action or a person."""
        question = LEAD_IN.sub("", text)
        waiting = asked_again(state.pending)
        if _DONE_YET.match(question):  # "did both change?" while the second change still waits for its yes
            return ChatReply(sid, f"Not yet: {waiting}", "confirm",
                             str((state.pending or {}).get("intent")), 1.0, ctx.trace_id)
        if not ASIDE.match(question):
            return None
        read = self._read(text)
        # A question about the waiting action itself ("will that change my card address too?") is still a
        # question; another action or a person is not.
        other = read.intent in self.app.actions and read.intent != (state.pending or {}).get("intent")
        if other or read.intent in self.app.handoff_intents:
            return None
        intent = next(iter(self.app.answer_intents), "")
        reply = self.docs.answer(ctx, sid, question, intent, float(read.prediction.probability), offer=False,
                                 context=self.docs.action_words(str((state.pending or {}).get("intent")),
                                                               asked=str((state.pending or {}).get("question") or "")))
        return replace(reply, reply=f"{reply.reply}\n\n{STILL_WAITING}{waiting}")

    def in_own_words(self, ctx: ToolContext, sid: str, state: SessionState, text: str) -> tuple[ChatReply,
                                                                                                 SessionState] | None:
        """"food never arrived" while a dispute waits for its yes: more of the customer's own words for the
        waiting action (`ActionRoute.in_own_words`), added to what it will send, redacted, and the question asked
        again. None for a route without such a field, a question, or another request."""
        pending = state.pending or {}
        route = self.app.actions.get(str(pending.get("intent")))
        arguments = dict(pending.get("arguments") or {})
        field = route.in_own_words if route is not None else None
        if field is None or not isinstance(arguments.get(field), str) or ASIDE.match(LEAD_IN.sub("", text)):
            return None
        read = self._read(text)
        if (read.intent in self.app.actions and read.intent != pending.get("intent")) or \
                read.intent in self.app.handoff_intents:
            return None
        said = self.actions.redact(text.strip())
        arguments[field] = f"{arguments[field]} {said}"[:MAX_OWN_WORDS]
        after = replace(state, pending={**pending, "arguments": arguments})
        return (ChatReply(sid, f"Thanks, I've added that. {asked_again(pending)}",
                          "confirm", str(pending.get("intent")), 1.0, ctx.trace_id), after)

    def reason_after_no(self, ctx: ToolContext, sid: str, state: SessionState,
                        text: str) -> tuple[ChatReply, SessionState] | None:
        """"no, I never received the goods" at a dispute's confirmation: a "no" that answers what went wrong,
        not whether to go ahead. Its words join the action (`in_own_words`) and the question is asked again,
        so the customer says yes or no to it plainly. None when what follows the no calls the action off ("no,
        it was me after all") or is too short to be a reason."""
        rest = after_no(text, min_words=3)
        if rest is None or _CALLS_OFF.search(rest):
            return None
        return self.in_own_words(ctx, sid, state, rest)
