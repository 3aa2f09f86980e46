"""The lock file: the exact hashes of everything a deployment serves (models, index), checked at start-up.

Write it where the configuration was evaluated (`rightfit lock`); serve with `--lock` and a model file,
index or setting that differs from the locked one stops the server instead of serving something untested.
"""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path
from typing import Any

from rightfit.core.errors import ConfigError
from rightfit.core.settings import Settings
from rightfit.models.catalog import MINILM_ONNX, MINILM_TOKENIZER, sha256_file
from rightfit.retrieval.stores.embedded import current_generation

LOCK_VERSION = 1


def _index_hashes(settings: Settings) -> dict[str, str]:
    gen = current_generation(settings.data_dir)
    if gen is None:
        raise ConfigError(f"no index in {settings.data_dir} to lock; run `rightfit index` first")
    return {"generation": gen.name, "chunks.sqlite": sha256_file(gen / "chunks.sqlite"),
            "vectors.npy": sha256_file(gen / "vectors.npy")}


def _settings_hash(settings: Settings) -> str:
    data = settings.model_dump(mode="json", exclude={"data_dir"})
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def build_lock(settings: Settings) -> dict[str, Any]:
    from rightfit.models.store import ModelStore

    models = {MINILM_ONNX.name: MINILM_ONNX.sha256, MINILM_TOKENIZER.name: MINILM_TOKENIZER.sha256}
    rung = settings.answer.rung
    if rung != "extractive" and not rung.startswith("openai:"):
        store = ModelStore()
        store.resolve(rung)  # refuse to lock a model that does not verify
        models[rung] = store.expected_sha256(rung)
    return {"version": LOCK_VERSION, "created": time.time(), "rung": rung, "models": models,
            "index": _index_hashes(settings), "settings_sha256": _settings_hash(settings)}


def write_lock(settings: Settings, path: Path) -> dict[str, Any]:
    lock = build_lock(settings)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(lock, indent=2) + "\n")
    tmp.replace(path)
    return lock


def check_lock(settings: Settings, path: Path) -> None:
    """Raise ConfigError listing every difference between what would be served and the lock."""
    try:
        locked = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise ConfigError(f"lock file {path} is unreadable ({exc}); write it with `rightfit lock`") from None
    current = build_lock(settings)
    problems = []
    if locked.get("rung") != current["rung"]:
        problems.append(f"rung is {current['rung']!r}, locked {locked.get('rung')!r}")
    for name, digest in current["models"].items():
        if locked.get("models", {}).get(name) != digest:
            problems.append(f"model {name} hash {digest[:12]}... is not the locked one")
    for key in ("chunks.sqlite", "vectors.npy"):
        if locked.get("index", {}).get(key) != current["index"][key]:
            problems.append(f"index {key} differs from the locked index")
    if locked.get("settings_sha256") != current["settings_sha256"]:
        problems.append("settings differ from the locked settings")
    if problems:
        raise ConfigError(f"this deployment does not match {path}: " + "; ".join(problems)
                          + ". Re-evaluate and run `rightfit lock`, or serve without --lock")
