"""Small trained heads (intent classifier, injection detector) saved as weights.npz plus manifest.json, the
manifest carrying the weights' sha256, which every load checks before the weights are used."""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from rightfit.core.errors import InvalidInputError, ModelIntegrityError

WEIGHTS = "weights.npz"
MANIFEST = "manifest.json"


def write_weights(directory: Path, arrays: Mapping[str, np.ndarray], manifest: Mapping[str, Any], *,
                  compressed: bool = False) -> str:
    """Write the arrays and the manifest (with the weights' sha256 added); returns that sha256."""
    directory.mkdir(parents=True, exist_ok=True)
    buf = io.BytesIO()
    named: dict[str, Any] = dict(arrays)
    (np.savez_compressed if compressed else np.savez)(buf, **named)
    raw = buf.getvalue()
    (directory / WEIGHTS).write_bytes(raw)
    digest = hashlib.sha256(raw).hexdigest()
    (directory / MANIFEST).write_text(json.dumps({**manifest, "weights_sha256": digest}, indent=2))
    return digest


def read_weights(directory: Path, *, what: str, train: str) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """The manifest and the arrays, from bytes whose sha256 matched the manifest (read once, then checked).

    `what` names the artifact in errors ("intent classifier"); `train` is the command that makes one.
    """
    try:
        manifest = json.loads((directory / MANIFEST).read_text())
        raw = (directory / WEIGHTS).read_bytes()
    except (OSError, ValueError) as exc:
        raise InvalidInputError(f"{directory} is not an artifact of a {what} ({exc}); "
                                f"train one with `{train}`") from None
    digest = hashlib.sha256(raw).hexdigest()
    if digest != manifest.get("weights_sha256"):
        raise ModelIntegrityError(f"{what} weights hash mismatch in {directory}: expected "
                                  f"{manifest.get('weights_sha256')}, got {digest}; retrain it with `{train}`")
    with np.load(io.BytesIO(raw)) as data:
        return manifest, {name: data[name] for name in data.files}
