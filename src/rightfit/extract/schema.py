"""Reading a user's pydantic schema: which fields are slots of which kind, and validating partial values.

A bank schema is a plain pydantic model:

    class Dispute(BaseModel):
        amount: Annotated[Money, Slot("money"), Field(description="the disputed amount")]
        merchant: Annotated[str | None, Slot("merchant")] = None
        when: Annotated[date | None, Slot("date")] = None

Fields without a Slot are free text for the model to copy out (validated by their own type).
"""

from __future__ import annotations

import copy
import functools
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError, create_model

from rightfit.core.errors import ConfigError
from rightfit.extract.kinds import KINDS, Kind
from rightfit.extract.types import DateSpan, Slot

MODEL_PROBLEM = "_model"  # key in Extraction.problems for a check across fields (a model validator)


@dataclass(frozen=True, slots=True)
class FieldPlan:
    name: str
    kind: Kind
    slot: Slot
    many: bool  # a list/tuple field takes every value found
    required: bool
    description: str
    adapter: TypeAdapter[Any]


@dataclass(frozen=True, slots=True)
class SchemaPlan:
    schema: type[BaseModel]
    fields: tuple[FieldPlan, ...]
    partial: type[BaseModel]  # every field optional: runs field validators on the values present


def _is_many(annotation: Any) -> bool:
    origin = typing.get_origin(annotation)
    if origin in (list, tuple, set, frozenset):
        return True
    if origin in (typing.Union, types.UnionType):
        return any(_is_many(a) for a in typing.get_args(annotation) if a is not type(None))
    return False


@functools.lru_cache(maxsize=256)
def plan_schema(schema: type[BaseModel]) -> SchemaPlan:
    if not (isinstance(schema, type) and issubclass(schema, BaseModel)):
        raise ConfigError(f"extract: schema must be a pydantic BaseModel class, got {schema!r}")
    plans: list[FieldPlan] = []
    partial_fields: dict[str, Any] = {}
    for name, info in schema.model_fields.items():
        slots = [m for m in info.metadata if isinstance(m, Slot)]
        slot = slots[0] if slots else Slot("text")
        if slot.kind not in KINDS:
            raise ConfigError(f"extract: field {schema.__name__}.{name} has unknown slot kind {slot.kind!r}; "
                              f"use one of {', '.join(sorted(KINDS))}")
        kind = KINDS[slot.kind]
        annotation = info.annotation if info.annotation is not None else Any
        plans.append(FieldPlan(
            name=name, kind=kind, slot=slot, many=_is_many(annotation), required=info.is_required(),
            description=info.description or kind.description, adapter=TypeAdapter(annotation)))
        optional = copy.copy(info)
        optional.default = None
        optional.default_factory = None
        partial_fields[name] = (info.annotation | None, optional)  # type: ignore[operator]
    partial = create_model(f"Partial{schema.__name__}", __base__=schema, **partial_fields)
    return SchemaPlan(schema=schema, fields=tuple(plans), partial=partial)


def coerce(value: Any, adapter: TypeAdapter[Any]) -> Any:
    """Fit a parser value to the field's type: an AccountId into a `str` field, a day into a DateSpan field..."""
    tries: list[Any] = [value]
    if isinstance(value, DateSpan) and not value.is_range:
        tries.append(value.start)
    if isinstance(value, date) and not isinstance(value, DateSpan):
        tries.append(DateSpan(start=value, end=value))
    if not isinstance(value, str | list | tuple):
        tries.append(str(value))
    for v in tries:
        try:
            adapter.validate_python(v)
        except ValidationError:
            continue
        return v
    return value  # let the schema's own validation report it


def _message(plan: SchemaPlan, err: Mapping[str, Any]) -> str:
    msg = str(err.get("msg", ""))
    if msg.startswith("Value error, "):
        return msg.removeprefix("Value error, ")
    loc = err.get("loc") or ()
    name = str(loc[0]).replace("_", " ") if loc else plan.schema.__name__
    return f"the {name} doesn't look right ({msg[:1].lower() + msg[1:]})"


def validate_partial(plan: SchemaPlan, values: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """Validate the values present; a field that fails is dropped with a problem. Checks across fields
    (model validators) are left to `validate_full`, since they may need fields not given yet."""
    current = dict(values)
    problems: dict[str, str] = {}
    while True:
        try:
            inst = plan.partial.model_validate(current)
        except ValidationError as exc:
            bad = {str(e["loc"][0]): e for e in exc.errors() if e["loc"] and str(e["loc"][0]) in current}
            if not bad:
                return current, problems  # only a cross-field check failed: judged when complete
            for name, err in bad.items():
                problems.setdefault(name, _message(plan, err))
                current.pop(name)
            continue
        return {k: getattr(inst, k) for k in current}, problems


def validate_full(plan: SchemaPlan, values: Mapping[str, Any]) -> tuple[BaseModel | None, dict[str, str]]:
    try:
        return plan.schema.model_validate(dict(values)), {}
    except ValidationError as exc:
        problems: dict[str, str] = {}
        for err in exc.errors():
            key = str(err["loc"][0]) if err["loc"] else MODEL_PROBLEM
            problems.setdefault(key, _message(plan, err))
        return None, problems
