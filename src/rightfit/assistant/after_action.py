"""What a message means right after an action, or while one waits for a yes, by pointing at it: "no, the other
one", "and the other one?", "can you undo that?"."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime

from rightfit.assistant.acting import ActionTaker
from rightfit.assistant.app import AssistantApp
from rightfit.assistant.fields import first_word
from rightfit.assistant.reading import FieldReader
from rightfit.assistant.replies import THE_OTHER, made_with_listed, of_the_listed, total_of_listed
from rightfit.assistant.reply import ChatReply
from rightfit.assistant.sessions import SessionState
from rightfit.tools.registry import ToolContext

ALL_SHOWN = "That was all of yours: there's no other one to show."
CANT_UNDO = ("I can't undo that from here. If something needs changing back, tell me what, or I can pass you to a "
             "colleague.")
# "can you undo that?" right after an action the app can reverse.
_UNDO = re.compile(r"\b(?:undo|reverse) (?:that|it|this|what you (?:just )?did)\b|"
                   r"\bput it back\b(?!\s+(?:in|into|on|later)\b)|\bchange it back\b|\bundo\W*$", re.IGNORECASE)
# "actually no, cancel that" right after a change was made: taking it back, as "undo that" is. After a read there
# is nothing to take back, so it is not read so there.
_CALL_OFF = re.compile(r"^\W*(?:(?:actually|oh|sorry|wait|hang on|no|oops|ah)\W+)*(?:please\s+)?(?:cancel|scrap|"
                       r"stop) (?:that|it|this)(?:\s+please)?\W*$|^\W*(?:(?:actually|oh|sorry|no)\W+)*i (?:didn'?t|did "
                       r"not) mean (?:that|to do that|to)\W*$|^\W*(?:(?:actually|oh|sorry|no)\W+)*i'?ve changed my "
                       r"mind\W*$", re.IGNORECASE)


class AfterAnAction:
    """Part of the chat assistant (`ChatAssistant`), which provides the app, field reading and actions."""

    app: AssistantApp
    fields: FieldReader
    actions: ActionTaker

    def _on_the_other(self, ctx: ToolContext, sid: str, state: SessionState, text: str,
                      now: datetime) -> tuple[ChatReply, SessionState] | None:
        """"no, the other one" when a card action waits for a yes, or "and the other one" right after it was
        done: the same action on the customer's one other card or account (a value of the route's `known`
        list), planned and confirmed afresh; after a read that named no value, the one its reply did not show
        (`SessionState.options`), or, when it showed every one, a reply saying so. None when the message is not
        that, or there is no single other."""
        if not THE_OTHER.match(text):
            return None
        shown: tuple[str, ...] = ()
        if state.pending:
            intent, fields = str(state.pending.get("intent")), {**state.slots, **(state.pending.get("arguments") or {})}
        elif state.intent is None and state.last is not None:
            intent, fields, shown = state.last, dict(state.last_fields), state.options
        else:
            return None  # mid-way through an action ("which card?"), "the other one" names nothing yet
        route = self.app.actions.get(intent)
        if route is None:
            return None
        fields = {k: v for k, v in fields.items() if k in route.slots.model_fields}
        for name, options in route.known.items():
            if name in route.hints:  # "fuel" has no one other category
                continue
            current = fields.get(name)
            # Names of one thing share their first word ("Everyday Account", "Everyday"): one other thing, by
            # its longest name, however many names each has.
            first = {str(o): first_word(str(o)) for o in options(self.fields.lookup(ctx))}
            # Said by the reply rather than asked for ("balance on my current account" named the Everyday one).
            mine = {first_word(str(current))} if current is not None else {first_word(str(o)) for o in shown}
            others = [max((o for o, f in first.items() if f == g), key=len)
                      for g in dict.fromkeys(f for f in first.values() if f not in mine)]
            if (current is not None or mine & set(first.values())) and len(others) == 1:
                group = next((g for g in route.together if name in g), frozenset({name}))
                kept = {k: v for k, v in fields.items() if k not in group}
                if current is None:  # what narrowed the shown one to it ("current") would narrow the other away
                    kept = {k: v for k, v in kept.items() if k in route.known}
                extraction = self.fields.extract(route, "", now, {**kept, name: others[0]})
                return self.actions.act(ctx, sid, route, extraction, 1.0, text=text)
            if current is not None and not others:
                reply = f"There's no other one on your profile: {current} is the only one."
                return ChatReply(sid, reply, "action", route.intent, 1.0, ctx.trace_id, fields=fields), state
        if not state.pending and route.reads_only and not any(fields.values()):
            # Right after every one was shown ("whats my account number" gave both accounts'): nothing else.
            return ChatReply(sid, ALL_SHOWN, "action", route.intent, 1.0, ctx.trace_id, fields=fields), state
        return None

    def _of_the_list(self, ctx: ToolContext, sid: str, state: SessionState,
                     text: str) -> tuple[ChatReply, SessionState] | None:
        """A question about the items the last reply listed, answered from them: "which of those was the
        biggest?" (the one named is then what "dispute it" points at), "which card was that on?", "how much is
        that altogether?". None for any other message, or with nothing listed."""
        if not state.last or not state.options or state.pending:
            return None
        if named := of_the_listed(text, state.options, named=state.named):
            return (ChatReply(sid, f"That was {named}.", "action", state.last, 1.0, ctx.trace_id),
                    replace(state, named=state.options.index(named)))
        if made := made_with_listed(text, state.options, state.made_with):
            return ChatReply(sid, made, "action", state.last, 1.0, ctx.trace_id), state
        if total := total_of_listed(text, state.options):
            return (ChatReply(sid, f"Those {len(state.options)} come to {total}.", "action", state.last, 1.0,
                              ctx.trace_id), state)
        return None

    def _undo(self, ctx: ToolContext, sid: str, state: SessionState, text: str,
              now: datetime) -> tuple[ChatReply, SessionState] | None:
        """"can you undo that?" right after an action the app can reverse (a freeze): its opposite on the same
        fields, planned and confirmed afresh. None when the message is not that, or nothing reversible was just
        done."""
        if state.last is None or state.intent or state.pending:
            return None
        done = self.app.actions.get(state.last)
        if not _UNDO.search(text) and not (_CALL_OFF.search(text) and done is not None and not done.reads_only):
            return None
        route = self.app.actions.get(self.app.undo.get(state.last, ""))
        if route is None:  # a report, a dispute, a change of address: said plainly, not refused as off-topic
            return (ChatReply(sid, CANT_UNDO, "smalltalk", "undo", 1.0, ctx.trace_id),
                    SessionState(offered=self.app.offer_intent is not None))  # a yes takes the offer
        fields = {k: v for k, v in state.last_fields.items() if k in route.slots.model_fields}
        return self.actions.act(ctx, sid, route, self.fields.extract(route, "", now, fields), 1.0, text=text)
