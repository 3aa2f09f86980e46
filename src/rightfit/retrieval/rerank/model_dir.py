"""A reranker on disk: its files, the manifest that pins their sha256, and what kind of model it is.

A directory is one of:
- ONNX: model.onnx (or onnx/model.onnx, the Hugging Face layout) + tokenizer.json (what `rightfit tune
  reranker` writes, int8), served by onnxruntime;
- a Hugging Face / sentence-transformers cross-encoder: config.json + model.safetensors or pytorch_model.bin +
  tokenizer.json, converted once to int8 ONNX (needs the `tune` extra) into the rightfit cache.
Either way nothing loads until every file matches the sha256 recorded in rightfit-reranker.json beside it;
`rightfit tune pin DIR` writes that manifest for a model a user brings.

The manifest may also carry `fused_weight`: the stage then orders hits by
(1 - w) * z(cross-encoder score) + w * z(fused retrieval score), both standardized over the reranked hits,
instead of by the cross-encoder score alone. `rightfit tune reranker` picks w on its own held-out synthetic
questions, `rightfit tune blend` on labelled questions of the user's; a model pinned without it is trusted on
its own.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from rightfit.core.errors import ModelError, ModelIntegrityError
from rightfit.core.jsonio import loads as loads_json
from rightfit.models.catalog import sha256_file, verify_file

MANIFEST = "rightfit-reranker.json"
FORMAT = "rightfit-reranker/1"
_WEIGHTS = ("model.safetensors", "pytorch_model.bin")
_ONNX = ("model.onnx", "onnx/model.onnx")  # ours; a Hugging Face repository's export


@dataclass(frozen=True, slots=True)
class RerankerFiles:
    """A verified reranker directory."""

    directory: Path
    kind: Literal["onnx", "hf"]
    files: dict[str, str]  # file name -> sha256
    max_length: int = 256
    provenance: dict[str, Any] = field(default_factory=dict)
    fused_weight: float | None = None  # see the module docstring

    def path(self, name: str) -> Path:
        return self.directory / name

    @property
    def model_file(self) -> Path:
        if self.kind == "onnx":
            return self.directory / next(n for n in _ONNX if n in self.files)
        return next(self.directory / n for n in _WEIGHTS if n in self.files)


def detect_kind(directory: Path) -> Literal["onnx", "hf"]:
    if not directory.is_dir():
        raise ModelError(f"reranker model directory {directory} does not exist; train one with "
                         "`rightfit tune reranker` or set [rerank] model to a cross-encoder directory")
    if any((directory / n).is_file() for n in _ONNX):  # preferred over a checkpoint: no conversion, no torch
        kind: Literal["onnx", "hf"] = "onnx"
    elif (directory / "config.json").is_file() and any((directory / n).is_file() for n in _WEIGHTS):
        kind = "hf"
    else:
        raise ModelError(f"reranker model directory {directory} has neither model.onnx (or onnx/model.onnx) nor "
                         "config.json with "
                         f"{' or '.join(_WEIGHTS)}; point [rerank] model at a cross-encoder directory")
    if not (directory / "tokenizer.json").is_file():
        raise ModelError(f"reranker model directory {directory} has no tokenizer.json; copy the model's "
                         "tokenizer.json (Hugging Face tokenizers format) next to it")
    return kind


def model_files(directory: Path, kind: Literal["onnx", "hf"]) -> list[str]:
    if kind == "onnx":
        names = [next(n for n in _ONNX if (directory / n).is_file()), "tokenizer.json"]
    else:
        names = ["config.json", next(n for n in _WEIGHTS if (directory / n).is_file()), "tokenizer.json"]
    return names


def write_manifest(directory: Path, *, max_length: int = 256, provenance: dict[str, Any] | None = None,
                   fused_weight: float | None = None) -> Path:
    """Pin every file the reranker loads by sha256."""
    kind = detect_kind(directory)
    body: dict[str, Any] = {"format": FORMAT, "kind": kind, "max_length": max_length,
                            "files": {n: sha256_file(directory / n) for n in model_files(directory, kind)},
                            "provenance": provenance or {}}
    if fused_weight is not None:
        body["fused_weight"] = check_fused_weight(fused_weight, where=str(directory / MANIFEST))
    return _write(directory, body)


def set_fused_weight(directory: Path, fused_weight: float, *, chosen: dict[str, Any]) -> Path:
    """Change the weight a verified reranker serves with, keeping its pinned hashes (a file changed since it
    was pinned is refused, not re-pinned); `chosen` records how the weight was picked, in the provenance."""
    open_model_dir(directory)
    body = read_manifest(directory)
    body["fused_weight"] = check_fused_weight(fused_weight, where=str(directory / MANIFEST))
    body.setdefault("provenance", {})["fused_weight_choice"] = chosen
    return _write(directory, body)


def _write(directory: Path, body: dict[str, Any]) -> Path:
    """Atomic: a reader sees the old manifest or the new one, never half of one."""
    tmp = directory / f".{MANIFEST}.{os.getpid()}.tmp"
    tmp.write_text(json.dumps(body, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(tmp, directory / MANIFEST)
    return directory / MANIFEST


def check_fused_weight(value: object, *, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0.0 <= float(value) <= 1.0:
        raise ModelError(f"{where}: fused_weight must be a number from 0 to 1, got {value!r}")
    return float(value)


def read_manifest(directory: Path) -> dict[str, Any]:
    path = directory / MANIFEST
    if not path.is_file():
        raise ModelError(f"reranker model directory {directory} has no {MANIFEST}, so its files cannot be "
                         f"verified; check where they came from, then pin them with `rightfit tune pin {directory}`")
    try:
        body = loads_json(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise ModelError(f"{path} is not valid JSON ({exc}); re-pin with `rightfit tune pin {directory}`") from None
    if not isinstance(body, dict) or body.get("format") != FORMAT or not isinstance(body.get("files"), dict):
        raise ModelError(f"{path} is not a {FORMAT} manifest; re-pin with `rightfit tune pin {directory}`")
    return body


def open_model_dir(directory: Path) -> RerankerFiles:
    """Verify a reranker directory against its manifest: every pinned file present with the pinned sha256."""
    directory = Path(directory)
    kind = detect_kind(directory)
    body = read_manifest(directory)
    files: dict[str, str] = body["files"]
    for needed in model_files(directory, kind):
        if needed not in files:
            raise ModelError(f"{directory / MANIFEST} does not pin {needed}; re-pin with "
                             f"`rightfit tune pin {directory}`")
    for name, sha in files.items():
        if not (directory / name).is_file():
            raise ModelError(f"reranker model file {directory / name} is missing (pinned in {MANIFEST}); "
                             "retrain with `rightfit tune reranker` or restore the file")
        try:
            verify_file(directory / name, sha, name=f"reranker {directory.name}/{name}")
        except ModelIntegrityError as exc:
            raise ModelIntegrityError(
                f"{exc}. For a reranker: retrain it with `rightfit tune reranker`, or, if you changed it on "
                f"purpose, re-pin with `rightfit tune pin {directory}`") from None
    max_length = body.get("max_length", 256)
    if isinstance(max_length, bool) or not isinstance(max_length, int) or not 8 <= max_length <= 4096:
        raise ModelError(f"{directory / MANIFEST}: max_length must be a whole number of tokens from 8 to 4096, got "
                         f"{max_length!r}; re-pin with `rightfit tune pin {directory}`")
    weight = body.get("fused_weight")
    if weight is not None:
        weight = check_fused_weight(weight, where=str(directory / MANIFEST))
    return RerankerFiles(directory=directory, kind=kind, files=files, max_length=max_length,
                         provenance=dict(body.get("provenance") or {}), fused_weight=weight)
