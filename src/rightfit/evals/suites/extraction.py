"""Field extraction cases, run through the assistant's own extractor (parsers, plus its model if configured).

JSONL: id, now (ISO time), intent, text, expected {field: [values]}, optional split. Each case's intent picks
a schema of list fields, so every value found is scored against the expected ones.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, create_model

from rightfit.core.errors import ConfigError, InvalidInputError
from rightfit.evals.suites.base import EvalEnv, Judgement, SuiteItem, read_jsonl
from rightfit.extract import AccountId, DateSpan, Money, Slot
from rightfit.extract.text import loose

Prefer = Literal["past", "future", "nearest"]
PAST: Prefer = "past"
FUTURE: Prefer = "future"
NEAREST: Prefer = "nearest"
ACCOUNT_FIELDS = ("money", "merchant", "date", "card_last4", "account_id")
SCHEMAS: dict[str, tuple[tuple[str, ...], Prefer]] = {
    "dispute_transaction": (ACCOUNT_FIELDS, PAST),
    "recent_transactions": (ACCOUNT_FIELDS, PAST),
    "complaint": (ACCOUNT_FIELDS, PAST),
    "check_balance": (("account_id", "card_last4", "money"), NEAREST),
    "freeze_card": (("card_last4", "date"), PAST),
    "unfreeze_card": (("card_last4", "date"), PAST),
    "report_lost_card": (("card_last4", "date"), PAST),
    "report_stolen_card": (("card_last4", "date"), PAST),
    "update_address": (("address", "postcode", "date"), FUTURE),
    "update_phone_or_email": (("phone", "email"), NEAREST),
}


@cache
def schema_for(intent: str) -> type[BaseModel]:
    if intent not in SCHEMAS:
        raise InvalidInputError(f"extraction case intent {intent!r} is not one of {sorted(SCHEMAS)}")
    fields, prefer = SCHEMAS[intent]
    spec: dict[str, Any] = {}
    for name in fields:
        kind = "date_range" if name == "date" else name
        spec[name] = (Annotated[list[Any], Slot(kind, prefer=prefer)], [])  # type: ignore[valid-type]
    return create_model(f"Case_{intent}", **spec)


def canonical(field: str, value: Any) -> str:
    if isinstance(value, Money):
        return f"{value.amount:.2f} {value.currency}"
    if isinstance(value, DateSpan | AccountId):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if field == "address":  # compared without the postcode (its own field), punctuation or case
        text = re.sub(r"\b[a-z]{1,2}\d[a-z\d]?\s*\d[a-z]{2}\b", "", loose(str(value)))
        return re.sub(r"\s+", " ", re.sub(r"[^\w ]", "", text)).strip()
    return str(value)


def compare(schema: type[BaseModel], values: dict[str, Any],
            expected: dict[str, Any]) -> dict[str, tuple[set[str], set[str]]]:
    """Per field: (values found, values expected), canonical."""
    return {name: ({canonical(name, v) for v in values.get(name, [])},
                   {canonical(name, v) for v in expected.get(name, [])}) for name in schema.model_fields}


@dataclass(frozen=True)
class ExtractionSuite:
    path: Path
    split: str = "all"
    kind: str = "extraction"
    lower_is_better: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        if not isinstance(self.split, str) or not self.split:
            raise ConfigError(f"split = {self.split!r} must name a split of the cases (such as dev or holdout) "
                              "or be \"all\"")

    def items(self) -> Sequence[SuiteItem]:
        items = read_jsonl(self.path, ["now", "intent", "text", "expected"])
        chosen = [i for i in items if self.split == "all" or i.data.get("split", "dev") == self.split]
        if not chosen:
            splits = sorted({str(i.data.get("split", "dev")) for i in items})
            raise ConfigError(f"extraction suite split = {self.split!r} matches no case in {self.path}; its "
                              f"splits are {', '.join(splits)} (or use \"all\")")
        return chosen

    def judge(self, env: EvalEnv, item: SuiteItem) -> Judgement:
        schema = schema_for(str(item.data["intent"]))
        out = env.assistant.extractor.run(text=str(item.data["text"]), schema=schema,
                                          now=datetime.fromisoformat(str(item.data["now"])))
        fields = compare(schema, out.values, item.data["expected"])
        wrong = {n: gw for n, gw in fields.items() if gw[0] != gw[1]}
        found = sum(len(g) for g, _ in fields.values())
        want = sum(len(w) for _, w in fields.values())
        tp = sum(len(g & w) for g, w in fields.values())
        scores = {"exact": float(not wrong)}
        if found:
            scores["precision"] = tp / found
        if want:
            scores["recall"] = tp / want
        output = "; ".join(f"{n}={sorted(g)}" for n, (g, _) in fields.items() if g)
        detail = "; ".join(f"{n}: got {sorted(g)} want {sorted(w)}" for n, (g, w) in wrong.items())
        return Judgement(passed=not wrong, output=output, scores=scores, detail=detail)
