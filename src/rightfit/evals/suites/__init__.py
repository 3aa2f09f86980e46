"""Eval suites as files: a folder with suites.toml naming each suite, its kind and its data file.

    [answers]
    kind = "answers"          # retrieval | answers | intents | extraction | guard | conversations
    file = "../eval/qa.jsonl" # relative to suites.toml
    split = "test"            # kind-specific options

Each kind is a class in this package; `load_suites` returns them by name, in file order.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rightfit.core.errors import ConfigError
from rightfit.core.settings import read_toml
from rightfit.evals.suites.base import EvalEnv, Judgement, Suite, SuiteItem
from rightfit.evals.suites.conversations import ConversationSuite
from rightfit.evals.suites.documents import AnswerSuite, RetrievalSuite
from rightfit.evals.suites.extraction import ExtractionSuite
from rightfit.evals.suites.messages import GuardSuite, IntentSuite

KINDS: dict[str, Any] = {"retrieval": RetrievalSuite, "answers": AnswerSuite, "intents": IntentSuite,
                         "extraction": ExtractionSuite, "guard": GuardSuite, "conversations": ConversationSuite}

__all__ = ["KINDS", "EvalEnv", "Judgement", "Suite", "SuiteItem", "load_suites"]


def load_suites(folder: Path | None) -> dict[str, Suite]:
    if folder is None:
        raise ConfigError("no eval suites configured; set [evals] suites to a folder with suites.toml "
                          "(the bank example: examples/bank/evals)")
    manifest = folder / "suites.toml"
    spec = read_toml(manifest, label=str(manifest), fix="[evals] suites must name a folder with suites.toml")
    suites: dict[str, Suite] = {}
    for name, table in spec.items():
        if not isinstance(table, dict):
            raise ConfigError(f"{manifest}: [{name}] must be a table with kind and file")
        options = dict(table)
        kind, file = options.pop("kind", None), options.pop("file", None)
        if kind not in KINDS:
            raise ConfigError(f"{manifest}: [{name}] kind must be one of {', '.join(KINDS)}, got {kind!r}")
        if not isinstance(file, str):
            raise ConfigError(f"{manifest}: [{name}] needs file = \"PATH\" (relative to suites.toml)")
        path = (folder / file).resolve()
        if not path.is_file():
            raise ConfigError(f"{manifest}: [{name}] file {path} does not exist")
        try:
            suites[name] = KINDS[kind](path=path, **options)
        except TypeError:
            raise ConfigError(f"{manifest}: [{name}] has options {sorted(options)} that kind {kind!r} "
                              "does not take") from None
        except ConfigError as exc:  # an option the kind takes, with a value it does not
            raise ConfigError(f"{manifest}: [{name}] {exc}") from None
    return suites
