"""What every eval suite is: items read from a file, each run against the assembled assistant and judged.

A suite judges one item at a time and says, for that item, whether it passed, whether the request counts as
resolved, and its contribution to each of the suite's metrics (a metric an item does not bear on is absent).
Every suite metric is the mean of those contributions, so one bootstrap serves every metric.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from rightfit.core.errors import InvalidInputError
from rightfit.core.jsonio import loads as loads_json
from rightfit.core.settings import Settings

if TYPE_CHECKING:
    from rightfit.assistant.chat import ChatAssistant
    from rightfit.assistant.qa import QAPipeline


@dataclass(frozen=True, slots=True)
class Judgement:
    passed: bool
    scores: dict[str, float]  # per-item contributions to the suite's metrics
    output: str  # what the system produced, in a canonical form, for drift comparisons
    detail: str = ""  # why it failed, for the report
    # A request is resolved when it passed and the customer was not handed off or refused; a suite that knows
    # better (an expected hand-off) says so.
    resolved: bool | None = None


@dataclass(frozen=True, slots=True)
class SuiteItem:
    id: str
    data: dict[str, Any]


class Suite(Protocol):
    kind: str
    # Metrics where smaller is better (false positives, hallucinations); all others are higher-is-better.
    lower_is_better: frozenset[str]

    def items(self) -> Sequence[SuiteItem]: ...

    def judge(self, env: EvalEnv, item: SuiteItem) -> Judgement: ...


@dataclass
class EvalEnv:
    """The assembled system under evaluation, built lazily so a suite only pays for the parts it uses."""

    settings: Settings

    @cached_property
    def qa(self) -> QAPipeline:
        from rightfit.assistant.qa import QAPipeline

        return QAPipeline(settings=self.settings)

    @cached_property
    def assistant(self) -> ChatAssistant:
        from rightfit.assistant.service import build_assistant

        return build_assistant(self.settings, qa=self.qa)

    @cached_property
    def first_customer(self) -> str:
        customers = self.assistant.app.customers()
        if not customers:
            raise InvalidInputError("the assistant app has no customers to run messages as")
        return customers[0][0]


def read_jsonl(path: Path, required: Sequence[str]) -> list[SuiteItem]:
    """JSONL items with an "id" and the required keys; every problem names the file and the line."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInputError(f"eval suite file {path} cannot be read: {exc}") from None
    items: list[SuiteItem] = []
    seen: set[str] = set()
    for lineno, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            obj = loads_json(line)
        except json.JSONDecodeError as exc:
            raise InvalidInputError(f"{path} line {lineno}: not JSON ({exc.msg})") from None
        if not isinstance(obj, dict):
            raise InvalidInputError(f"{path} line {lineno}: expected a JSON object")
        missing = [k for k in ("id", *required) if k not in obj]
        if missing:
            raise InvalidInputError(f"{path} line {lineno}: missing {', '.join(missing)}")
        item_id = str(obj["id"])
        if item_id in seen:
            raise InvalidInputError(f"{path} line {lineno}: duplicate id {item_id!r}")
        seen.add(item_id)
        items.append(SuiteItem(item_id, obj))
    if not items:
        raise InvalidInputError(f"eval suite file {path} has no items")
    return items


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
