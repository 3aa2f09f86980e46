"""What an application plugs into the assistant: its tools, intents, routes and replies.

The reference application is examples/bank/app; `load_app` imports such a package from a path in the
settings and calls its `build(data_dir)`.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from rightfit.core.errors import ConfigError
from rightfit.tools.executor import ToolOutcome
from rightfit.tools.registry import ToolRegistry


@dataclass(frozen=True, slots=True)
class Ask:
    """Ask the customer for a missing field. `options` are the choices the question lists, in its order, each
    written so the field's parser reads it ("8120", "£22.08 on 2026-11-14"): "the second one" picks one."""

    field: str
    question: str
    options: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Call:
    """Call a tool. For tools that change state, `confirm` is the question the customer says yes or no to.

    `also` are further arguments for the same tool ("block both my cards"): each call is authorized and
    audited on its own, and one yes confirms them all."""

    tool: str
    arguments: Mapping[str, Any]
    confirm: str = ""
    also: tuple[Mapping[str, Any], ...] = ()


@dataclass(frozen=True, slots=True)
class Say:
    """Reply without calling anything (e.g. nothing matched what the customer described)."""

    text: str


Step = Ask | Call | Say
# Runs a read-only tool for the route's planning, authorized and audited like any other call.
Lookup = Callable[[str, Mapping[str, Any]], ToolOutcome]


@dataclass(frozen=True, slots=True)
class ActionRoute:
    """An account action: the fields to extract, how they become a tool call, how the result is worded."""

    intent: str
    slots: type[BaseModel]
    plan: Callable[[Mapping[str, Any], Lookup], Step]
    render: Callable[[ToolOutcome], str]
    # Per slot, the values it can only take from the customer's own records (their merchants ...): a name from
    # that list written anywhere in the message fills the slot when the parsers found nothing ("my trainline
    # payments"). Looked up only while the slot is empty.
    known: Mapping[str, Callable[[Lookup], Sequence[str]]] = field(default_factory=dict)
    # Known slots filled from the app's own words, not the customer's records ("on fuel", "someone's been using
    # it"): they narrow a request, but are no evidence that a message the classifier is unsure of makes one.
    hints: frozenset[str] = frozenset()
    # Fields that describe one thing between them (a card by its digits or by its kind): when a message gives
    # one, the others' values from earlier messages are dropped, so "freeze 8120" then "no, the credit one"
    # means the credit card, not a disagreement between the two.
    together: tuple[frozenset[str], ...] = ()
    # The route only looks amounts up among the customer's own payments (a dispute), so an amount written
    # without a currency ("a payment of 18.99") is read in the app's currency and one with a minus sign
    # ("-£23.50", as statements show payments out) as that payment: the confirmation names the payment found.
    # Elsewhere a bare amount is asked about and a negative one refused.
    amounts_on_record: bool = False
    # A field that keeps the request in the customer's own words (a dispute's reason: "the parcel never came"),
    # filled, redacted, with the message that asked for the action; never parsed, never the model's words.
    in_own_words: str | None = None
    # The route only reads records (a balance, transactions): asked about the holder of a joint account with the
    # customer ("Daniel's transactions", "my husband's balance, it's a joint account"), it shows what the
    # customer may see anyway, the joint account included. A route that changes something never is.
    reads_only: bool = False
    # The items a reply of this route lists, in order, each as the customer could name it ("TfL Travel -£6.84 on
    # 2026-11-19"), so "the second one is wrong, dispute it" right after names that one.
    listed: Callable[[ToolOutcome], tuple[str, ...]] | None = None
    # What each listed item was made with ("on your debit card ending 8120, from your Everyday Account"), in the
    # same order: added to the item only when the customer points at that ("can you block the card" after one
    # payment shown), never read as part of a reason, and said when asked ("which card was that on?").
    made_with: Callable[[ToolOutcome], tuple[str, ...]] | None = None


def siblings(a: ActionRoute, b: ActionRoute) -> bool:
    """Actions on the same thing, one's fields a part of the other's (a freeze and a lost-card report, which
    also asks how the new card is sent): a request for one while the other is under way is a switch."""
    return issubclass(a.slots, b.slots) or issubclass(b.slots, a.slots)


@dataclass(frozen=True, slots=True)
class AssistantApp:
    name: str
    intents_csv: Path
    registry: ToolRegistry
    owners: Callable[[str, str], Collection[str]]
    customers: Callable[[], list[tuple[str, str]]]
    actions: Mapping[str, ActionRoute]
    answer_intents: frozenset[str]
    handoff_intents: frozenset[str]
    replies: Mapping[str, str]  # fixed replies by intent (greeting, goodbye, out of scope ...) and "blocked"
    handoff_slots: type[BaseModel] | None = None  # fields worth putting on a hand-off ticket
    guard_data: Path | None = None  # folder with benign.csv and injections.csv for the injection detector
    ticket_tool: str = "create_ticket"
    # The tool that adds what the customer says after a hand-off to its ticket (ticket_id, note); None: not added.
    ticket_note_tool: str | None = None
    metadata: Mapping[str, Any] = field(default_factory=dict)
    # Restores the application's seeded state, so each scripted eval conversation starts from the same data.
    reset: Callable[[], None] | None = None
    # The app's corrections to the classifier's label from words that decide it (text, label) -> label:
    # "freeze" and "unfreeze" embed almost alike, but the word settles which one the customer wants. Asked with
    # an empty label, it says what the words alone decide (the empty label back when they decide nothing).
    refine_intent: Callable[[str, str], str] | None = None
    # Words that must be met before anything else, even in a message the input guard flags ((text, flagged by
    # the guard) -> an intent of `replies` or of `handoff_intents`, or None): someone in crisis, a scam under
    # way. A victim retelling a scammer's words reads like an injection to the guard, and the reply is fixed
    # text, so nothing is gained by a message that only pretends to be urgent.
    urgent: Callable[[str, bool], str | None] | None = None
    # ISO code of the currency the app's records are in: a bare number answering the assistant's own question
    # about an amount ("44.22" after "which one: -£22.08 or -£44.22?") is read in it. None: always ask.
    currency: str | None = None
    # The hand-off a yes to "I can't find that ... I can pass you to a colleague if you'd like" starts. None: the
    # offer is words only, and the customer has to ask for a person.
    offer_intent: str | None = None
    # Fixed replies (keys of `replies`) that end by offering a colleague: a yes after one takes the offer.
    offering: frozenset[str] = frozenset()
    # An action's opposite, for "undo that" right after it (freeze -> unfreeze): planned and confirmed like any
    # request, on the same fields. An action not listed is not undone from the chat.
    undo: Mapping[str, str] = field(default_factory=dict)
    # Hand-offs that log a ticket and let the conversation go on (a complaint): one beside a request in the same
    # message ("lost card. also want to complain about the app") is logged, and the request met as well.
    logged: frozenset[str] = frozenset()
    # What may come before an action waiting for a yes without calling it off (waiting intent -> intents): the
    # address changed before a new card is sent, the phone number held looked at while it is being changed. The
    # waiting action is asked again once the other is done or called off.
    done_first: Mapping[str, frozenset[str]] = field(default_factory=dict)
    # A no to a waiting action that says another is meant ((what follows the no, the waiting action's fields) ->
    # (the other intent, its fields) or None): the bank's "no, I didn't make it" to a dispute is a payment not made
    # at all, met with a freeze of the card it was made with, not added to the dispute as its reason.
    no_instead: Mapping[str, Callable[[str, Mapping[str, Any]], tuple[str, dict[str, Any]] | None]] = field(
        default_factory=dict)
    # What each action or hand-off is about in the documents' words (intent -> words), the context of a question
    # asked right after it ("how long for the new one" after a stolen card's report: "stolen card").
    # An action not listed is named by its intent.
    topics: Mapping[str, str] = field(default_factory=dict)
    # Names of the people who hold an account jointly with the customer (customer id -> names); None: no joint
    # accounts.
    joint_holders: Callable[[str], list[str]] | None = None

    def serves(self, intent: str) -> bool:
        """Whether `intent` is one the app answers, acts on or hands over (not greeting, goodbye, out of scope)."""
        return intent in self.actions or intent in self.answer_intents or intent in self.handoff_intents


def load_app(path: Path, *, data_dir: Path) -> AssistantApp:
    """Import the application package at `path` (a folder with __init__.py defining build(data_dir))."""
    init = path / "__init__.py"
    if not init.is_file():
        raise ConfigError(f"assistant app {path} has no __init__.py; point [assistant] app at the app's package folder")
    name = f"rightfit_app_{abs(hash(str(path.resolve())))}"
    module = sys.modules.get(name)
    if module is None:
        spec = importlib.util.spec_from_file_location(name, init, submodule_search_locations=[str(path)])
        if spec is None or spec.loader is None:
            raise ConfigError(f"cannot import the assistant app at {path}")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        try:
            spec.loader.exec_module(module)
        except Exception:
            del sys.modules[name]
            raise
    build = getattr(module, "build", None)
    if not callable(build):
        raise ConfigError(f"assistant app {path} must define build(data_dir) -> AssistantApp")
    app = build(data_dir)
    if not isinstance(app, AssistantApp):
        raise ConfigError(f"build() in {path} returned {type(app).__name__}, not an AssistantApp")
    return app
