"""Conversation and message suites run the real assistant: each conversation starts from the seeded bank,
and a request's CPU time is priced from its trace."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rightfit.core.settings import Settings

pytestmark = pytest.mark.integration

FREEZE = {"customer": "C001", "turns": [
    {"user": "freeze my credit card ending 4417", "expect": {"route": "confirm", "reply_contains": ["4417"]}},
    {"user": "yes", "expect": {"route": "action", "tool": "freeze_card", "status": "ok"}}]}


def test_each_conversation_starts_from_the_seed_and_is_priced(assistant_settings: Settings, tmp_path: Path) -> None:
    from rightfit.evals.run import run_suites

    lines = [{"id": "first", **FREEZE}, {"id": "again", **FREEZE},  # passes again only if the bank was reset
             {"id": "wrong", "customer": "C001", "turns": [{"user": "hello", "expect": {"route": "action"}}]}]
    (tmp_path / "conv.jsonl").write_text("".join(json.dumps(x) + "\n" for x in lines))
    (tmp_path / "intents.jsonl").write_text(json.dumps({"id": "i1", "text": "what's my balance", "intent":
                                                        "check_balance"}) + "\n")
    (tmp_path / "suites.toml").write_text('[conv]\nkind = "conversations"\nfile = "conv.jsonl"\n'
                                          '[intents]\nkind = "intents"\nfile = "intents.jsonl"\n')
    settings = assistant_settings.model_copy(update={"evals": assistant_settings.evals.model_copy(
        update={"suites": tmp_path, "bootstrap": 100})})
    run = run_suites(settings)
    conv = {r.id: r for r in run.suites["conv"].items}
    assert conv["first"].passed and conv["again"].passed
    assert not conv["wrong"].passed and "turn 1: route smalltalk, expected action" in conv["wrong"].detail
    assert run.suites["conv"].metrics["pass_rate"].value == pytest.approx(2 / 3)
    assert all(r.cpu_ms > 0 and r.cost > 0 for r in conv.values())
    assert run.suites["intents"].items[0].passed
    # the configured data directory was not touched: the eval ran on a scratch copy
    assert _card_status(assistant_settings) == "active"


def _card_status(settings: Settings) -> str:
    import sqlite3

    with sqlite3.connect(settings.data_dir / "bank.sqlite") as db:
        return db.execute("SELECT status FROM cards WHERE customer_id = 'C001' AND last4 = '4417'").fetchone()[0]
