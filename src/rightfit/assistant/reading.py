"""Reading an action's fields from a message: the parsers (with cue words for a bare reply to our own
question, and the app's currency where amounts are only looked up), the values a route can only take from
the customer's own records (`known`), and a follow-up's period next to the one just shown."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any, Protocol

from pydantic import BaseModel

from rightfit.assistant.app import ActionRoute, AssistantApp, Lookup
from rightfit.assistant.fields import (
    CUES,
    jsonable,
    mentioned,
    mentioned_all,
    newest_wins,
    rest_kept,
    said_beside,
    slot_kind,
)
from rightfit.assistant.sessions import SessionState
from rightfit.core.errors import ConfigError
from rightfit.extract.dates import scan_dates, shift_period
from rightfit.extract.money import assume_currency, unsigned
from rightfit.extract.types import DateSpan
from rightfit.telemetry.tracing import stage_span
from rightfit.tools.executor import ToolExecutor, ToolOutcome
from rightfit.tools.registry import ToolContext


class Extractor(Protocol):
    def run(self, *, text: str, schema: type[BaseModel], now: datetime,
            filled: Mapping[str, Any] | None = None) -> Any: ...


# A value taken back in the same breath: "4417, no sorry, 8120", "4417 I mean 8120", "4417 or rather 8120".
_TAKEN_BACK = re.compile(r"\b(?:no,?\s+sorry|sorry,?\s+no|no,?\s+wait|wait,?\s+no|no,?\s+actually|actually,?\s+no|"
                         r"(?:sorry,?\s+|no,?\s+)?i\s+mean[t]?|"
                         r"or\s+rather|scratch\s+that|correction)\b[\s,:;.!-]*", re.IGNORECASE)
# A message that goes on from the action just done ("and at tesco?", "what about last month?"): the fields it
# does not give are the ones that action was done with.
FOLLOW_UP = re.compile(r"^\s*(?:and|what about|how about|same for|same again for|also|plus)\b", re.IGNORECASE)
# What such a follow-up points back to: "on that one", "for it", "the same account".
_THAT_ONE = re.compile(r"\b(?:that|this|the same)(?: one| account| acc| card)?\b|\b(?:on|for|of|in) it\b",
                       re.IGNORECASE)
# The opening of such a follow-up, with the preposition before its value: "and at Pret?" -> "Pret".
_FOLLOW_ON = re.compile(FOLLOW_UP.pattern + r"[\s,]*(?:(?:at|for|on|in)\s+)?", re.IGNORECASE)
# A reply this short may be just the value asked for ("5531", "tesco express", "the 4417 one", "last tuesday").
_BARE_WORDS = 4


class FieldReader:
    """The assistant's reading of fields, for one app: what a message gives an action, and whether it gives any."""

    def __init__(self, *, app: AssistantApp, extractor: Extractor, executor: ToolExecutor) -> None:
        self.app = app
        self.extractor = extractor
        self.executor = executor

    def carried(self, route: ActionRoute, text: str, state: SessionState) -> dict[str, Any]:
        """The fields a read keeps from the read just done: all of them for the same read asked again ("and at
        tesco?"), and the ones it shares with another read the message points back to ("and the balance on
        that one too" after the Premier account's details). A change never repeats the last one's values ("and
        my email too" after a new phone number is no second change of the phone)."""
        if not route.reads_only or not FOLLOW_UP.match(text) or state.last is None:
            return {}
        if state.last == route.intent:
            return dict(state.last_fields)
        last = self.app.actions.get(state.last)
        if last is None or not last.reads_only or not _THAT_ONE.search(text):
            return {}
        return {k: v for k, v in state.last_fields.items() if k in route.slots.model_fields}

    def next_to_last(self, route: ActionRoute, extraction: Any, text: str, state: SessionState,
                     now: datetime) -> Any:
        """Right after `route` ran over a period, "and the week before?" means the week before that period."""
        if state.last != route.intent:
            return extraction
        for name in route.slots.model_fields:
            previous = state.last_fields.get(name)
            if slot_kind(route.slots, name) != "date_range" or not isinstance(previous, dict):
                continue
            span = shift_period(text, DateSpan.model_validate(previous), now)
            if span is not None:
                extraction = replace(extraction, values={**extraction.values, name: span},
                                     sources={**extraction.sources, name: "parser"})
        return extraction

    def bare_follow_up(self, ctx: ToolContext, route: ActionRoute, text: str, now: datetime,
                       filled: Mapping[str, Any]) -> Any | None:
        """"and Pret?" right after the Boots payments: what follows "and" is a value as a bare reply gives it,
        read with its field's cue ("paid to Pret"). A field the route only takes from the customer's records
        (`known`: their payees) must open one of them, and becomes its whole name ("Pret A Manger"); "and in
        total?" names no payee. None when the rest is long or gives no field."""
        rest = _FOLLOW_ON.sub("", text).strip(" ?.!")
        if not rest or len(rest.split()) > _BARE_WORDS:
            return None
        for name in route.slots.model_fields:
            cue = CUES.get(slot_kind(route.slots, name) or "")
            if cue is None:
                continue
            extraction = self.extractor.run(text=f"{cue} {rest}", schema=route.slots, now=now, filled=filled)
            value = extraction.values.get(name)
            if value is None or extraction.sources.get(name) == "previous":
                continue
            if name in route.known:
                said = str(value).lower().split()
                whole = [o for o in route.known[name](self.lookup(ctx)) if o.lower().split()[:len(said)] == said]
                if len(whole) != 1:
                    continue
                extraction = replace(extraction, values={**extraction.values, name: whole[0]})
            return newest_wins(route, extraction)
        return None

    def gives_field(self, ctx: ToolContext, intent: str, text: str, now: datetime, *,
                    besides: Sequence[object] = ()) -> bool:
        """Whether the message gives a field of the action `intent` (a card, an amount, one of the customer's
        merchants...); with `besides`, a value other than those."""
        route = self.app.actions.get(intent)
        if route is None:
            return False
        extraction, gave = self.with_known(ctx, route, text, self.extract(route, text, now, {}))
        if not besides:
            return gave
        known = {str(v).lower() for v in besides}
        return any(str(v).lower() not in known for k, v in jsonable(extraction.values).items()
                   if extraction.sources.get(k) != "previous")

    def with_known(self, ctx: ToolContext, route: ActionRoute, text: str, extraction: Any) -> tuple[Any, bool]:
        """The extraction with the route's known values the message names added ("tesco" answering "who was it
        paid to?" is one of the customer's merchants), and whether the message gave any field at all."""
        # A value named now replaces one carried from earlier turns ("8120 after all" when 4417 was asked about).
        found = self.known_in(ctx, route, text, extraction, replace_previous=True)
        if found:  # added here, so the action does not look them up a second time; named now, so newest
            extraction = newest_wins(route, replace(extraction, values={**extraction.values, **found},
                                                    sources={**extraction.sources, **dict.fromkeys(found, "known")}))
        return extraction, bool(found) or any(src != "previous" for src in extraction.sources.values())

    def extract(self, route: ActionRoute, text: str, now: datetime, filled: Mapping[str, Any], *,
                answer_to: str | None = None) -> Any:
        """The route's fields in the message, the `filled` ones kept unless it gives them anew; `answer_to` is the
        field our last question asked for."""
        with stage_span("extract", intent=route.intent):
            extraction = self.extractor.run(text=text, schema=route.slots, now=now, filled=filled)
            if route.amounts_on_record and self.app.currency and any(
                    slot_kind(route.slots, name) == "money" for name in extraction.problems or {}):
                # Amounts matched against the customer's own statement may be written as it shows them:
                # "18.99" in its currency, "-£23.50" for a payment out.
                extraction = self.extractor.run(text=assume_currency(unsigned(text), self.app.currency),
                                                schema=route.slots, now=now, filled=filled)
            kind = slot_kind(route.slots, answer_to) or ""
            # A bare "44.22" answering our own question about an amount is in the app's currency (the question
            # listed the payments in it); beyond that and `amounts_on_record` above, a currency is never assumed.
            cue = self.app.currency if kind == "money" and self.app.currency else CUES.get(kind)
            # "25 october" answering "the amount or the date?" is the date: no currency is put before its day.
            dated = kind == "money" and bool(scan_dates(text, now).candidates)
            if (answer_to and cue and not dated and extraction.values.get(answer_to) is None
                    and len(text.split()) <= _BARE_WORDS):
                # A bare reply to our own question ("5531" after "which card?") has no context words for the
                # parser; read it again as the answer to that question. Only a short one: after "paid to", the
                # first word of "actually can you just get someone to call me" would read as a payee.
                retry = self.extractor.run(text=f"{cue} {text}", schema=route.slots, now=now, filled=filled)
                # Two values ("4417 and 8120") are an answer too: the route decides whether both are meant.
                if retry.values.get(answer_to) is not None or answer_to in (retry.ambiguous or {}):
                    extraction = retry
            extraction = newest_wins(route, self._taken_back(route, text, now, extraction))
            given = {k: v for k, v in extraction.values.items() if extraction.sources.get(k) != "previous"}
            if kept := rest_kept(route.slots, given, filled):  # "make that 11 Downing St": the town stays
                extraction = replace(extraction, values={**extraction.values, **kept})
            if answer_to and len(text.split()) <= _BARE_WORDS + 2 and (
                    beside := said_beside(route.slots, text, answer_to, given, filled)):
                extraction = replace(extraction, values={**extraction.values, **beside})  # "Manchester M20 2AB"
            return extraction

    def _taken_back(self, route: ActionRoute, text: str, now: datetime, extraction: Any) -> Any:
        """"the one ending 4417, no sorry, 8120": a value corrected in the same message. What follows the
        correction (a few words) replaces what the message gave before it, for each field it gives again; read
        as a bare reply would be ("card ending 8120"), since the correction is only the value."""
        m = _TAKEN_BACK.search(text)
        tail = text[m.end():].strip(" ,.!-") if m else ""
        if not tail or len(tail.split()) > _BARE_WORDS:
            return extraction
        given = [k for k, v in extraction.values.items() if v is not None and extraction.sources.get(k) != "previous"]
        mates = [k for group in route.together if group & set(given) for k in sorted(group)]  # "4417, I mean debit"
        fixed: dict[str, Any] = {}
        for name in dict.fromkeys([*given, *mates, *(extraction.ambiguous or {})]):
            cue = CUES.get(slot_kind(route.slots, name) or "")
            for attempt in (tail, f"{cue} {tail}") if cue else (tail,):
                value = self.extractor.run(text=attempt, schema=route.slots, now=now).values.get(name)
                if value is not None:
                    fixed[name] = value
                    break
        if not fixed:
            return extraction
        # The other fields that describe the same thing ("the debit one" after "4417") go with the corrected one.
        gone = {k for group in route.together if group & set(fixed) for k in group - set(fixed)}
        values = {k: v for k, v in extraction.values.items() if k not in gone}
        return replace(extraction, values={**values, **fixed}, model=None,
                       sources={**{k: v for k, v in extraction.sources.items() if k not in gone},
                                **dict.fromkeys(fixed, "corrected")},
                       ambiguous={k: v for k, v in (extraction.ambiguous or {}).items() if k not in fixed})

    def known_in(self, ctx: ToolContext, route: ActionRoute, text: str, extraction: Any, *,
                 values: Mapping[str, Any] | None = None, replace_previous: bool = False) -> dict[str, str]:
        """The route's known-value slots that the message names: empty ones (a slot already filled costs no
        lookup) or, with `replace_previous`, ones carried from earlier turns. A field the message itself made
        ambiguous or invalid ("card 5531 and also card 8120") stays for the customer to settle, unless only one
        of the payees it could be is one of the customer's own."""
        values = extraction.values if values is None else values
        taken = {k for k, v in values.items()
                 if v is not None and not (replace_previous and extraction.sources.get(k) == "previous")}
        taken |= set(extraction.ambiguous or {}) | set(extraction.problems or {})
        # Corrected in the message ("4417, I mean the debit one"): the value taken back is not looked up again.
        corrected = {k for k, src in extraction.sources.items() if src == "corrected"}
        taken |= {k for group in route.together if group & corrected for k in group}
        found = {}
        for name, candidates in (extraction.ambiguous or {}).items():
            # "i cancelled it ... they still took it. dispute it: SP DIGITAL -£18.99": of the payees the message
            # could mean ("still", "SP DIGITAL"), the one that is theirs, when only one is. Payees only: another
            # customer's card named beside one's own goes to the policy, which refuses it on the record.
            if name in route.known and slot_kind(route.slots, name) == "merchant" and values.get(name) is None \
                    and name not in (extraction.problems or {}):
                names = route.known[name](self.lookup(ctx))
                own = {hit for c in candidates if (hit := mentioned(str(c), names))}
                if len(own) == 1:
                    found[name] = own.pop()
        for name, options in route.known.items():
            if name not in taken and text and (hit := mentioned(text, names := options(self.lookup(ctx)))):
                # "my tesco and boots payments": both payees, for the route's plan to take one at a time.
                several = mentioned_all(text, names) if slot_kind(route.slots, name) == "merchant" else []
                found[name] = " and ".join(several) if len(several) > 1 else hit
        return found

    def lookup(self, ctx: ToolContext) -> Lookup:
        """Runs read-only tools as the customer, for a route's planning and its known values."""

        def lookup(tool: str, arguments: Mapping[str, Any]) -> ToolOutcome:
            if self.executor.registry.get(tool).mutates:  # planning may read, never write
                raise ConfigError(f"route planning called {tool}, which changes state; return a Call instead")
            return self.executor.run(ctx=ctx, tool=tool, arguments=arguments)
        return lookup
