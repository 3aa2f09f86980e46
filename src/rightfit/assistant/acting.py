"""Carrying out an account action: the route's plan for the fields read so far becomes a question (which
card?), a reply (nothing to do), or tool calls; a call that changes something waits for the customer's yes, and
is authorized again when the yes comes (`confirmed`). Several records named together ("freeze 8120 and 4417")
become one confirmation for all of them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from rightfit.assistant.app import ActionRoute, Ask, AssistantApp, Call, Say, Step
from rightfit.assistant.fields import as_free_text, free_text, jsonable
from rightfit.assistant.reading import FieldReader
from rightfit.assistant.replies import GO_AHEAD, REPLY_YES_OR_NO, STOPPED, one_question, said_once
from rightfit.assistant.reply import ChatReply
from rightfit.assistant.sessions import SessionState
from rightfit.core.errors import ConfigError
from rightfit.tools.executor import ToolExecutor, ToolOutcome
from rightfit.tools.registry import ToolContext

_OR = re.compile(r"\bor\b|\beither\b", re.IGNORECASE)
MAX_OWN_WORDS = 300


def _statement(problem: str) -> str:
    """A problem as said in passing, without the question it asks when its field is the one asked for:
    "'before the 10th' is a period; which day was it ...?" -> "'before the 10th' is a period"."""
    said = re.sub(r";[^;]*\?\s*$", "", problem)
    return f"{said[:1].upper()}{said[1:]}"


def _puts_right(problem: str) -> bool:
    """Whether a problem ends by saying how to write the value ("...; write it like name@example.com")."""
    return ";" in problem and not problem.rstrip().endswith("?")


def _done(route: ActionRoute, outcome: ToolOutcome, fields: Mapping[str, Any]) -> SessionState:
    """What a completed action leaves for the next turn: what it was done with, and the items its reply listed with
    what each was made with ("dispute the second one", "block the card")."""
    if outcome.status != "ok":
        return SessionState(last=route.intent, last_fields=fields)
    return SessionState(last=route.intent, last_fields=fields,
                        options=route.listed(outcome) if route.listed is not None else (),
                        made_with=route.made_with(outcome) if route.made_with is not None else ())


def _route_of(outcome: ToolOutcome) -> str:
    """A tool call the policy denied is a refusal to the customer, whatever route asked for it."""
    return "refuse" if outcome.status == "denied" else "action"


class ActionTaker:
    """The assistant's hands: every tool call goes through the executor, which authorizes it for the customer."""

    def __init__(self, *, app: AssistantApp, fields: FieldReader, executor: ToolExecutor,
                 redact: Callable[[str], str] = lambda s: s) -> None:
        self.app = app
        self.fields = fields
        self.executor = executor
        self.redact = redact

    def act(self, ctx: ToolContext, sid: str, route: ActionRoute, extraction: Any, confidence: float, *,
            answer_to: str | None = None, text: str = "") -> tuple[ChatReply, SessionState]:
        """The route's next step for the fields read (`answer_to`: the field our last question asked for,
        which a free-text reply fills as written) and the state the conversation then waits in."""
        values, step = self._step(ctx, route, extraction, answer_to=answer_to, text=text)
        slots = jsonable(values)
        problems = dict(extraction.problems or {})
        asked = step.field if isinstance(step, Ask) else None
        # What the customer wrote but could not be used ("since 31/02"): said, not silently dropped.
        unused = {k: m for k, m in problems.items() if values.get(k) is None and k != asked}
        note = "".join(f"{_statement(m)}, so I went without it. " for m in unused.values())
        if isinstance(step, Ask):
            # Before a question, a problem that says how to put it right ("That e-mail address looks incomplete;
            # write it like name@example.com.") is said as it is: the customer is about to write it again.
            note = "".join(f"{_statement(m).rstrip('.')}. " if _puts_right(m) else f"{_statement(m)}, so I went "
                           "without it. " for m in unused.values())
            text = note + step.question
            if step.field in problems:
                text = f"{note}{problems[step.field][:1].upper()}{problems[step.field][1:]}. {step.question}"
            state = SessionState(intent=route.intent, slots=slots, asked=step.field, options=step.options)
            return ChatReply(sid, text, "ask", route.intent, confidence, ctx.trace_id, fields=slots), state
        if isinstance(step, Say):
            # What it was asked with is kept, so "no sorry i meant 4417" after "your card ending 8120 can't be
            # unfrozen: it is active" is the same action on that card.
            return ChatReply(sid, note + step.text, "action", route.intent, confidence, ctx.trace_id,
                             fields=slots), SessionState(last=route.intent, last_fields=slots)
        if not isinstance(step, Call):
            raise ConfigError(f"route {route.intent} planned {step!r}; plan() must return Ask, Say or Call")
        # A field the plan settled from the customer's records ("the debit one" is the card ending 8120); none
        # when it planned several calls ("both my cards"), where the first call's card is not the one meant.
        settled = {k: v for k, v in jsonable(step.arguments).items()
                   if k in route.slots.model_fields and slots.get(k) is None and not step.also}
        slots.update(settled)
        outcomes = [self.executor.run(ctx=ctx, tool=step.tool, arguments=args)
                    for args in (step.arguments, *step.also)]
        waiting = [o for o in outcomes if o.status == "needs_confirmation"]
        if waiting:  # calls that could not go ahead (denied ...) are said now; the rest wait for one yes
            # A field that only served to find what the confirmation names ("in October" beside a dispute whose
            # payment was found anyway) is no part of the change left out: the confirmation shows what was found.
            # A value for the change itself (an invalid number beside a valid e-mail) is still said.
            params = self.executor.registry.get(step.tool).params.model_fields
            note = "".join(f"{_statement(m)}, so I went without it. " for k, m in unused.items() if k in params)
            said = said_once(self.render(route, o) for o in outcomes if o.status != "needs_confirmation")
            question = step.confirm or GO_AHEAD
            pending = {"tool": step.tool, "arguments": dict(waiting[0].arguments), "intent": route.intent,
                       "settled": sorted(settled), "also": [dict(o.arguments) for o in waiting[1:]],
                       "question": question}
            text = f"{note}{said + ' ' if said else ''}{question} {REPLY_YES_OR_NO}"
            return (ChatReply(sid, text, "confirm", route.intent, confidence, ctx.trace_id, tool=waiting[0],
                              fields=slots), SessionState(intent=route.intent, slots=slots, pending=pending))
        text = said_once(self.render(route, o) for o in outcomes)
        return (ChatReply(sid, note + text, _route_of(outcomes[0]), route.intent, confidence, ctx.trace_id,
                          tool=outcomes[0], fields=slots),
                _done(route, outcomes[0], slots))

    def at_once(self, ctx: ToolContext, route: ActionRoute, extraction: Any, *, text: str) -> bool:
        """Whether `act` would be done with now: neither a question nor a change waiting for a yes. Plans
        without calling the tool, so nothing is proposed (and audited) that the customer will not see."""
        _, step = self._step(ctx, route, extraction, answer_to=None, text=text)
        return not isinstance(step, Ask) and not (isinstance(step, Call)
                                                  and self.executor.registry.get(step.tool).mutates)

    def _step(self, ctx: ToolContext, route: ActionRoute, extraction: Any, *, answer_to: str | None,
              text: str) -> tuple[dict[str, Any], Step]:
        """The fields read, with what the customer's records settle, and the route's next step for them."""
        values = dict(extraction.values)
        if answer_to and values.get(answer_to) is None and free_text(route.slots, answer_to):
            # The reply to "what is your new address?" is the address, if it can be one; if not, asked again.
            values[answer_to] = as_free_text(route.slots, answer_to, text)
        values.update(self.fields.known_in(ctx, route, text, extraction, values=values))
        if route.in_own_words and not values.get(route.in_own_words) and text.strip():
            values[route.in_own_words] = self.redact(text.strip())[:MAX_OWN_WORDS]
        unsure = {k: v for k, v in (extraction.ambiguous or {}).items() if values.get(k) is None}
        if unsure:  # the customer named two cards (or amounts ...): never pick one for them
            name, options = next(iter(unsure.items()))
            each = self._each_of(ctx, route, text, values, name=name, options=options)
            if each is None:
                listed = " or ".join(str(o) for o in options)
                question = f"You mentioned {listed}. Which {name.replace('_', ' ').replace('last4', '')}?".replace(
                    "  ", " ").replace(" ?", "?")
                return values, Ask(name, question)
            return values, each
        return values, route.plan(values, self.fields.lookup(ctx))

    def _each_of(self, ctx: ToolContext, route: ActionRoute, text: str, values: Mapping[str, Any], *, name: str,
                 options: Sequence[Any]) -> Call | None:
        """"freeze 8120 and 4417": two of the customer's own records joined by "and", not offered as
        alternatives, are both meant. The route's plan for each, merged into one call confirmed by one yes;
        None (so the customer is asked which) when any is not theirs, the message says "or", or the plans
        differ in what they would do."""
        if name not in route.known or _OR.search(text):
            return None
        own = {str(o).lower() for o in route.known[name](self.fields.lookup(ctx))}
        if not all(str(o).lower() in own for o in options):
            return None
        steps = [route.plan({**values, name: o}, self.fields.lookup(ctx)) for o in options]
        calls = [s for s in steps if isinstance(s, Call)]
        if len(calls) != len(steps) or len({c.tool for c in calls}) != 1:
            return None
        return Call(calls[0].tool, calls[0].arguments, confirm=one_question([c.confirm or '' for c in calls]),
                    also=tuple(c.arguments for c in calls[1:]))

    def also(self, ctx: ToolContext, sid: str, state: SessionState, route: ActionRoute, extraction: Any, *,
             text: str) -> tuple[ChatReply, SessionState] | None:
        """"and my credit card" while a freeze of the debit card waits for a yes: the waiting action on that
        record too, both confirmed by one yes. None when the plan for the message is not the same tool on
        another record (a question, a reply, another tool, or the record already waiting)."""
        pending = state.pending or {}
        _, step = self._step(ctx, route, extraction, answer_to=None, text=text)
        if not isinstance(step, Call) or step.tool != pending.get("tool"):
            return None

        def key(arguments: Mapping[str, Any]) -> dict[str, str]:
            return {k: str(v) for k, v in jsonable(dict(arguments)).items()}

        held = [key(pending.get("arguments") or {}), *(key(a) for a in pending.get("also") or ())]
        new = [a for a in (step.arguments, *step.also) if key(a) not in held]
        if not new:
            return None
        outcomes = [self.executor.run(ctx=ctx, tool=step.tool, arguments=a) for a in new]
        said = said_once(self.render(route, o) for o in outcomes if o.status != "needs_confirmation")
        waiting = [dict(o.arguments) for o in outcomes if o.status == "needs_confirmation"]
        question = one_question([str(pending.get("question") or ""), step.confirm or ""]) if waiting else str(
            pending.get("question") or GO_AHEAD)
        after = replace(state, pending={**pending, "also": [*(pending.get("also") or ()), *waiting],
                                        "question": question, "settled": []})
        reply = f"{said + ' ' if said else ''}{question} {REPLY_YES_OR_NO}"
        return (ChatReply(sid, reply, "confirm", route.intent, 1.0, ctx.trace_id, tool=outcomes[0],
                          fields=dict(state.slots)), after)

    def confirmed(self, ctx: ToolContext, sid: str, state: SessionState,
                  decision: bool) -> tuple[ChatReply, SessionState]:
        """The customer's yes or no to the waiting action."""
        pending = state.pending or {}
        intent = str(pending.get("intent", ""))
        if not decision:
            withdrawn = {"intent": state.intent, "slots": dict(state.slots), "pending": dict(pending)}
            return ChatReply(sid, STOPPED, "cancelled", intent, 1.0, ctx.trace_id,
                             fields=dict(state.slots)), SessionState(withdrawn=withdrawn)
        # Authorized again at this moment, on the arguments stored by code when the action was proposed.
        outcomes = [self.executor.run(ctx=ctx, tool=str(pending.get("tool")), arguments=args, confirmed=True)
                    for args in (pending.get("arguments") or {}, *(pending.get("also") or ()))]
        route = self.app.actions.get(intent)
        text = said_once(self.render(route, o) if route else o.message for o in outcomes)
        # What was done, as the customer could name it ("and how much was it again?" after a dispute).
        after = (_done(route, outcomes[0], dict(state.slots)) if route is not None
                 else SessionState(last=intent, last_fields=dict(state.slots)))
        return ChatReply(sid, text, _route_of(outcomes[0]), intent, 1.0, ctx.trace_id, tool=outcomes[0],
                         fields=dict(state.slots)), after

    def render(self, route: ActionRoute, outcome: ToolOutcome) -> str:
        if outcome.status == "denied":
            return ("I can't do that: it isn't one of your accounts or cards. I can only act on what is on your own "
                    "profile.")
        if outcome.status == "invalid":
            return "I couldn't do that with the details given. Could you check them and try again?"
        if outcome.status == "error":
            return f"I couldn't do that: {outcome.message}."
        # The wording is the app's own template filled with this customer's records: nothing to guard here.
        return route.render(outcome)
