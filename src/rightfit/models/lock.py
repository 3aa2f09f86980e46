"""The lock file: the exact hashes of everything a deployment serves (models, index, classifiers), checked
at start-up, and the rung chosen per task by `rightfit fit` with its evidence.

Write it where the configuration was evaluated (`rightfit fit`, or `rightfit lock` for the configuration as
it is); serve with `--lock`: the locked rungs are applied, and a model file, index, classifier or setting that
differs from the locked one stops the server instead of serving something untested.
"""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path
from typing import Any

from rightfit.core.errors import ConfigError
from rightfit.core.files import write_text_atomic
from rightfit.core.jsonio import loads as loads_json
from rightfit.core.settings import Settings, rung_models, settings_sha256
from rightfit.models.catalog import MINILM_ONNX, MINILM_TOKENIZER, sha256_file
from rightfit.retrieval.stores.embedded import current_generation

LOCK_VERSION = 1


def _index_hashes(settings: Settings) -> dict[str, str]:
    gen = current_generation(settings.data_dir)
    if gen is None:
        raise ConfigError(f"no index in {settings.data_dir} to lock; run `rightfit index` first")
    return {"generation": gen.name, "chunks.sqlite": sha256_file(gen / "chunks.sqlite"),
            "vectors.npy": sha256_file(gen / "vectors.npy")}


def _classifier_hashes(settings: Settings) -> dict[str, str]:
    """Every cached classifier artifact (intent classifier, injection detector) by folder, hashed."""
    folder = settings.data_dir / "classifiers"
    if not folder.is_dir():
        return {}
    out = {}
    for artifact in sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")):
        out[artifact.name] = _folder_digest(artifact)
    return out


def _folder_digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for f in sorted(folder.rglob("*")):
        if f.is_file():
            digest.update(f.relative_to(folder).as_posix().encode() + b"\0" + sha256_file(f).encode())
    return digest.hexdigest()


def _reranker_hash(settings: Settings) -> str | None:
    """Every file of the served reranker (model, tokenizer, manifest with its fused weight) hashed together;
    None when no reranker is served."""
    if not settings.rerank.enabled or settings.rerank.model is None:
        return None
    model = Path(settings.rerank.model)
    if not model.is_dir():
        return None if settings.rerank.if_missing == "skip" else "missing"
    return _folder_digest(model)


def build_lock(settings: Settings, *, choices: dict[str, dict[str, str]] | None = None,
               evidence: dict[str, Any] | None = None) -> dict[str, Any]:
    from rightfit.models.store import ModelStore

    models = {MINILM_ONNX.name: MINILM_ONNX.sha256, MINILM_TOKENIZER.name: MINILM_TOKENIZER.sha256}
    store = ModelStore()
    for model in (*rung_models(settings.answer.rung), settings.assistant.extract_model):
        if model is not None and not model.startswith("openai:"):
            store.resolve(model)  # refuse to lock a model that does not verify
            models[model] = store.expected_sha256(model)
    lock: dict[str, Any] = {
        "version": LOCK_VERSION, "created": time.time(), "rung": settings.answer.rung,
        "extract_model": settings.assistant.extract_model, "models": models, "index": _index_hashes(settings),
        "classifiers": _classifier_hashes(settings), "reranker": _reranker_hash(settings),
        "settings_sha256": settings_sha256(settings)}
    if choices is not None:
        lock["choices"] = choices
    if evidence is not None:
        lock["evidence"] = evidence
    return lock


def kept_choices(settings: Settings, path: Path, fitted: set[str]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The choices and evidence in an existing lock for tasks other than `fitted`, to keep when fitting one
    task at a time; refused when the index they were measured on has changed since."""
    locked = _read(path)
    if (locked.get("index") or {}).get("chunks.sqlite") != _index_hashes(settings)["chunks.sqlite"]:
        raise ConfigError(f"the index changed since {path} was written, so its other choices were measured on "
                          "another index; fit every task again (without --update)")
    choices = {t: c for t, c in (locked.get("choices") or {}).items() if t not in fitted}
    evidence = {t: e for t, e in (locked.get("evidence") or {}).items() if t in choices}
    return choices, evidence


def _read(path: Path) -> dict[str, Any]:
    try:
        locked = loads_json(path.read_text())
    except (OSError, ValueError) as exc:
        raise ConfigError(f"lock file {path} is unreadable ({exc}); write it with `rightfit fit` or "
                          "`rightfit lock`") from None
    if not isinstance(locked, dict) or "version" not in locked:
        raise ConfigError(f"{path} is not a lock file (no \"version\"); write one with `rightfit fit` or "
                          "`rightfit lock`")
    for key in ("choices", "models", "index", "classifiers", "evidence"):
        if not isinstance(locked.get(key, {}), dict):
            raise ConfigError(f"lock file {path}: {key!r} must be an object; write the lock again with "
                              "`rightfit fit` or `rightfit lock`")
    for task, choice in (locked.get("choices") or {}).items():
        if not (isinstance(choice, dict) and isinstance(choice.get("setting"), str)
                and isinstance(choice.get("rung"), str)):
            raise ConfigError(f"lock file {path}: choice for task {task!r} needs setting and rung")
    return locked


def apply_lock(settings: Settings, path: Path) -> Settings:
    """The settings with the lock's chosen rungs in place, checked against every locked hash."""
    from rightfit.evals.ladder import apply_rung

    for choice in (_read(path).get("choices") or {}).values():
        settings = apply_rung(settings, choice["setting"], choice["rung"])
    check_lock(settings, path)
    return settings


def locked_generation(path: Path) -> str | None:
    """The index generation a lock file was written against."""
    return (_read(path).get("index") or {}).get("generation")


def write_lock(settings: Settings, path: Path, *, choices: dict[str, dict[str, str]] | None = None,
               evidence: dict[str, Any] | None = None) -> dict[str, Any]:
    lock = build_lock(settings, choices=choices, evidence=evidence)
    write_text_atomic(path, json.dumps(lock, indent=2) + "\n")
    return lock


def check_lock(settings: Settings, path: Path) -> None:
    """Raise ConfigError listing every difference between what would be served and the lock."""
    locked = _read(path)
    current = build_lock(settings)
    problems = []
    if locked.get("version") != LOCK_VERSION:
        problems.append(f"lock format version is {locked.get('version')!r}, this rightfit reads {LOCK_VERSION}")
    if locked.get("rung") != current["rung"]:
        problems.append(f"rung is {current['rung']!r}, locked {locked.get('rung')!r}")
    if locked.get("extract_model") != current["extract_model"]:
        problems.append(f"extract model is {current['extract_model']!r}, locked {locked.get('extract_model')!r}")
    for name, digest in (locked.get("classifiers") or {}).items():
        if current["classifiers"].get(name) != digest:
            problems.append(f"classifier {name} is missing or differs from the locked one")
    for name in current["classifiers"].keys() - (locked.get("classifiers") or {}).keys():
        problems.append(f"classifier {name} is in the data directory but not in the lock")
    for name, digest in current["models"].items():
        if locked.get("models", {}).get(name) != digest:
            problems.append(f"model {name} hash {digest[:12]}... is not the locked one")
    for key in ("chunks.sqlite", "vectors.npy"):
        if locked.get("index", {}).get(key) != current["index"][key]:
            problems.append(f"index {key} differs from the locked index")
    if locked.get("reranker") != current["reranker"]:
        problems.append("the reranker (its model, tokenizer or fused weight) differs from the locked one"
                        if current["reranker"] else "the locked reranker is not served")
    if locked.get("settings_sha256") != current["settings_sha256"]:
        problems.append("settings differ from the locked settings")
    if problems:
        raise ConfigError(f"this deployment does not match {path}: " + "; ".join(problems)
                          + ". Re-evaluate with `rightfit fit` (or `rightfit lock`), or serve without --lock")
