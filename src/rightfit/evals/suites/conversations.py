"""Scripted conversations: each turn's expected route, intent, tool call, fields and answer facts.

JSONL: id, customer, optional now (ISO time), turns: [{user, expect: {route, intent, tool, status, fields,
reply_contains, reply_excludes, cites}}]. The app's data is reset to its seed before each conversation.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rightfit.core.errors import InvalidInputError
from rightfit.evals.suites.base import EvalEnv, Judgement, SuiteItem, read_jsonl

if TYPE_CHECKING:
    from rightfit.assistant.reply import ChatReply

EXPECT_KEYS = frozenset({"route", "intent", "tool", "status", "fields", "reply_contains", "reply_excludes", "cites"})


def check_turn(reply: ChatReply, expect: Mapping[str, Any]) -> list[str]:
    """What the reply got wrong; empty when it meets every expectation."""
    problems = []
    routes = expect.get("route")
    if routes is not None and reply.route not in ([routes] if isinstance(routes, str) else routes):
        problems.append(f"route {reply.route}, expected {routes}")
    if "intent" in expect and reply.intent != expect["intent"]:
        problems.append(f"intent {reply.intent or '-'}, expected {expect['intent']}")
    tool = reply.tool.tool if reply.tool is not None else None
    if "tool" in expect and tool != expect["tool"]:
        problems.append(f"tool {tool}, expected {expect['tool']}")
    if "status" in expect and (reply.tool.status if reply.tool else None) != expect["status"]:
        problems.append(f"tool status {reply.tool.status if reply.tool else None}, expected {expect['status']}")
    for name, want in (expect.get("fields") or {}).items():
        got = reply.fields.get(name)
        if got is None or str(want).lower() not in str(got).lower():
            problems.append(f"field {name}={got!r}, expected {want!r}")
    text = reply.reply.lower()
    problems += [f"reply lacks {s!r}" for s in expect.get("reply_contains") or () if str(s).lower() not in text]
    problems += [f"reply contains {s!r}" for s in expect.get("reply_excludes") or () if str(s).lower() in text]
    if "cites" in expect and expect["cites"] not in {c.doc_id for c in reply.citations}:
        problems.append(f"does not cite {expect['cites']}")
    return problems


@dataclass(frozen=True)
class ConversationSuite:
    path: Path
    kind: str = "conversations"
    lower_is_better: frozenset[str] = frozenset()

    def items(self) -> Sequence[SuiteItem]:
        items = read_jsonl(self.path, ["customer", "turns"])
        for item in items:
            turns = item.data["turns"]
            if not isinstance(turns, list) or not turns or not all(
                    isinstance(t, dict) and isinstance(t.get("user"), str) for t in turns):
                raise InvalidInputError(f"{self.path} item {item.id}: turns must be a list of {{user, expect}}")
            for t in turns:
                unknown = set(t.get("expect") or {}) - EXPECT_KEYS
                if unknown:
                    raise InvalidInputError(f"{self.path} item {item.id}: unknown expect keys {sorted(unknown)}; "
                                            f"use {sorted(EXPECT_KEYS)}")
        return items

    def judge(self, env: EvalEnv, item: SuiteItem) -> Judgement:
        assistant = env.assistant
        if assistant.app.reset is not None:
            assistant.app.reset()
        now = datetime.fromisoformat(item.data["now"]) if item.data.get("now") else None
        session: str | None = None
        outputs, problems = [], []
        tool_turns = tool_right = right_turns = 0
        for n, turn in enumerate(item.data["turns"], start=1):
            expect = turn.get("expect") or {}
            try:
                reply = assistant.run(customer_id=str(item.data["customer"]), message=turn["user"],
                                      session_id=session, now=now)
            except InvalidInputError as exc:
                outputs.append(f"rejected: {exc}")
                problems.append(f"turn {n}: rejected ({exc})")
                continue
            session = reply.session_id
            called = f"{reply.tool.tool}:{reply.tool.status}" if reply.tool else "-"
            outputs.append(f"{reply.route}/{reply.intent}/{called}")
            wrong = check_turn(reply, expect)
            right_turns += not wrong
            problems += [f"turn {n}: {p}" for p in wrong]
            if "tool" in expect or "status" in expect:
                tool_turns += 1
                tool_right += not any(p.startswith(("tool ", "tool status")) for p in wrong)
        turns = len(item.data["turns"])
        scores = {"turns": right_turns / turns}
        if tool_turns:
            scores["tool_calls"] = tool_right / tool_turns
        return Judgement(passed=not problems, output=" | ".join(outputs), scores=scores, detail="; ".join(problems))
