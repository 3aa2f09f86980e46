"""Tool specs built from Python signatures and docstrings.

A tool is a plain function whose first parameter is the `ToolContext` (the authenticated caller, filled in
by code, never by the model or the message); its other parameters become the JSON schema. Parameters that
name something a customer owns carry an `Owned("kind")` marker, which the policy checks before every call.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any, get_args, get_origin, get_type_hints

from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model

from rightfit.core.errors import ConfigError, InvalidInputError


@dataclass(frozen=True, slots=True)
class Owned:
    """Marks a parameter whose value names a resource of this kind (account, card ...) owned by a customer."""

    kind: str


@dataclass(frozen=True, slots=True)
class ToolContext:
    """What code, not the model, knows about the call: who is asking, in which request."""

    customer_id: str
    trace_id: str = ""


@dataclass(frozen=True, slots=True)
class ToolSpec:
    name: str
    description: str
    fn: Callable[..., Any]
    params: type[BaseModel]
    mutates: bool
    owned: Mapping[str, str] = field(default_factory=dict)  # parameter -> resource kind

    def json_schema(self) -> dict[str, Any]:
        """The OpenAI 'function' tool format."""
        schema = self.params.model_json_schema()
        schema.pop("title", None)
        return {"type": "function", "function": {"name": self.name, "description": self.description,
                                                 "parameters": schema}}

    def validate(self, arguments: Mapping[str, Any]) -> dict[str, Any]:
        """Arguments checked against the signature; raises InvalidInputError naming the bad field."""
        if not isinstance(arguments, Mapping):
            raise InvalidInputError(f"tool {self.name}: arguments must be an object")
        try:
            return self.params.model_validate(dict(arguments)).model_dump()
        except ValidationError as exc:
            problems = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'arguments'}: {e['msg']}"
                                 for e in exc.errors())
            raise InvalidInputError(f"tool {self.name}: {problems}") from None


def _doc_parts(fn: Callable[..., Any]) -> tuple[str, dict[str, str]]:
    """Summary and per-parameter descriptions from a Google-style docstring ("Args:" section)."""
    doc = inspect.getdoc(fn) or ""
    summary, _, rest = doc.partition("\nArgs:")
    params: dict[str, str] = {}
    for m in re.finditer(r"^\s+(\w+)(?: \([^)]*\))?:\s*(.+(?:\n\s{8,}.+)*)", rest, flags=re.M):
        params[m.group(1)] = " ".join(m.group(2).split())
    return " ".join(summary.split()), params


def _owned_kind(hint: Any) -> str | None:
    """The Owned marker of a hint, also when it sits inside Optional[...] or another union."""
    if get_origin(hint) is Annotated:
        for meta in get_args(hint)[1:]:
            if isinstance(meta, Owned):
                return meta.kind
        return _owned_kind(get_args(hint)[0])
    for arg in get_args(hint):
        kind = _owned_kind(arg)
        if kind is not None:
            return kind
    return None


def build_spec(fn: Callable[..., Any], *, name: str | None = None, mutates: bool = False) -> ToolSpec:
    """A ToolSpec from the function's signature. The first parameter must be the ToolContext."""
    tool_name = name if name is not None else fn.__name__
    hints = get_type_hints(fn, include_extras=True)
    params = list(inspect.signature(fn).parameters.values())
    if not params or hints.get(params[0].name) is not ToolContext:
        raise ConfigError(f"tool {tool_name}: its first parameter must be `ctx: ToolContext`")
    summary, described = _doc_parts(fn)
    if not summary:
        raise ConfigError(f"tool {tool_name}: add a docstring; it is the description the model reads")
    fields: dict[str, Any] = {}
    owned: dict[str, str] = {}
    for p in params[1:]:
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            raise ConfigError(f"tool {tool_name}: *args/**kwargs cannot be described by a schema")
        hint = hints.get(p.name)
        if hint is None:
            raise ConfigError(f"tool {tool_name}: parameter {p.name} needs a type annotation")
        kind = _owned_kind(hint)
        if kind is not None:
            owned[p.name] = kind
        default = ... if p.default is inspect.Parameter.empty else p.default
        fields[p.name] = (hint, Field(default, description=described.get(p.name)))
    if stray := sorted(set(described) - set(fields)):
        # A description of a parameter the tool does not take would tell the model about an argument it
        # cannot pass, and is usually a stale or misplaced docstring line.
        raise ConfigError(f"tool {tool_name}: its docstring describes {', '.join(stray)}, which it does not take; "
                          "describe only its parameters")
    model = create_model(  # type: ignore[call-overload]
        f"{tool_name}_arguments", __config__=ConfigDict(extra="forbid", strict=False), **fields)
    return ToolSpec(name=tool_name, description=summary, fn=fn, params=model, mutates=mutates, owned=owned)


class ToolRegistry:
    """The tools one application offers, by name."""

    def __init__(self) -> None:
        self._tools: dict[str, ToolSpec] = {}

    def add(self, fn: Callable[..., Any], *, name: str | None = None, mutates: bool = False) -> ToolSpec:
        spec = build_spec(fn, name=name, mutates=mutates)
        if spec.name in self._tools:
            raise ConfigError(f"tool {spec.name} is registered twice")
        self._tools[spec.name] = spec
        return spec

    def get(self, name: str) -> ToolSpec:
        try:
            return self._tools[name]
        except KeyError:
            raise InvalidInputError(f"unknown tool {name!r}; known tools: {', '.join(sorted(self._tools))}") from None

    def __contains__(self, name: object) -> bool:
        return name in self._tools

    def names(self) -> list[str]:
        return sorted(self._tools)

    def schemas(self) -> list[dict[str, Any]]:
        return [self._tools[n].json_schema() for n in self.names()]
