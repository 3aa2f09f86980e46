"""Small trained heads (intent classifier, injection detector) saved as a folder: weights.npz plus manifest.json.

The manifest carries one sha256 over its own fields and the weights' bytes, checked on every load before anything
is used: a threshold, a label name or the embedder id change what a model predicts as much as its weights do, so a
hand-edited manifest is refused like a corrupted weights file. A folder is written beside its target and renamed
into place when complete: a full disk or a crash leaves the previous artifact, never half of a new one.
"""

from __future__ import annotations

import errno
import hashlib
import io
import json
import os
import secrets
import shutil
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
from pydantic import BaseModel, ValidationError

from rightfit.core.errors import InvalidInputError, ModelIntegrityError
from rightfit.core.jsonio import loads as loads_json

WEIGHTS = "weights.npz"
MANIFEST = "manifest.json"
DIGEST = "artifact_sha256"
_FILES = (WEIGHTS, MANIFEST)

M = TypeVar("M", bound=BaseModel)


def artifact_digest(manifest: Mapping[str, Any], weights: bytes) -> str:
    """sha256 over the manifest (every field but the digest, as canonical JSON) and the weights' bytes."""
    fields = {k: v for k, v in manifest.items() if k != DIGEST}
    text = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    outer = hashlib.sha256(b"rightfit artifact\n")
    outer.update(hashlib.sha256(text.encode("ascii")).digest())
    outer.update(hashlib.sha256(weights).digest())
    return outer.hexdigest()


def check_artifact_folder(directory: Path) -> None:
    """Refuse, before any training work, an output path that cannot become an artifact folder: a file, or a
    folder holding anything else (the folder is replaced as a whole, which would delete those files)."""
    if directory.exists() and not directory.is_dir():
        raise InvalidInputError(f"{directory} is a file, not a folder; choose another output folder")
    if directory.is_dir():
        other = sorted(p.name for p in directory.iterdir() if p.name not in _FILES)
        if other:
            raise InvalidInputError(f"{directory} holds other files ({', '.join(other[:3])}); an artifact folder is "
                                    "replaced as a whole, so write it to a new or empty folder")


def write_weights(directory: Path, arrays: Mapping[str, np.ndarray], manifest: Mapping[str, Any], *,
                  compressed: bool = False) -> str:
    """Write the arrays and the manifest (with the artifact digest added), all or nothing; returns the digest."""
    check_artifact_folder(directory)
    buf = io.BytesIO()
    named: dict[str, Any] = dict(arrays)
    (np.savez_compressed if compressed else np.savez)(buf, **named)
    raw = buf.getvalue()
    # Hash what a reader will parse back (lists, not tuples; plain floats), so the digest matches at load.
    plain = loads_json(json.dumps({k: v for k, v in manifest.items() if k != DIGEST}))
    digest = artifact_digest(plain, raw)
    text = json.dumps({**plain, DIGEST: digest}, indent=2)
    _write_folder(directory, {WEIGHTS: raw, MANIFEST: text.encode("utf-8")})
    return digest


def _write_folder(directory: Path, files: Mapping[str, bytes]) -> None:
    target = directory.resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = _sibling(target, "tmp")
    try:
        for name, data in files.items():
            with (tmp / name).open("wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())  # a full disk can fail here rather than at write(); before the swap
        _swap_in(tmp, target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _sibling(target: Path, suffix: str) -> Path:
    """A new empty folder beside `target`: on the same file system, so moving it is a rename; hidden, so the
    lock file's classifier listing never picks up a half-written one; made by mkdir, not mkdtemp, so it gets
    the usual permissions (mkdtemp's 0700 would end up on the artifact)."""
    path = target.with_name(f".{target.name}.{os.getpid()}.{secrets.token_hex(4)}.{suffix}")
    path.mkdir()
    return path


def _swap_in(new: Path, target: Path) -> None:
    try:
        os.replace(new, target)  # no target yet, or an empty folder: one atomic rename
    except OSError as exc:
        if exc.errno not in (errno.ENOTEMPTY, errno.EEXIST):
            raise
    else:
        return
    # A folder cannot be renamed over a non-empty one: move the old artifact aside, put the new one in its
    # place (restoring the old one if that fails), then delete the old one.
    old = _sibling(target, "old")
    os.replace(target, old)
    try:
        os.replace(new, target)
    except OSError:
        os.replace(old, target)
        raise
    shutil.rmtree(old, ignore_errors=True)


def read_weights(directory: Path, *, what: str, train: str, kind: str,
                 version: int) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """The manifest and the arrays of an artifact of this kind and version whose digest matched (bytes read
    once, then checked). `what` names the artifact in errors ("intent classifier"); `train` is the command
    that makes one."""
    try:
        manifest = loads_json((directory / MANIFEST).read_text(encoding="utf-8"))
        raw = (directory / WEIGHTS).read_bytes()
    except (OSError, ValueError) as exc:
        raise InvalidInputError(f"{directory} is not an artifact folder ({exc}); train one with `{train}`") from None
    if not isinstance(manifest, dict):
        raise InvalidInputError(f"{directory}/{MANIFEST} is not a JSON object; retrain it with `{train}`")
    found = manifest.get("kind")
    if found is not None and found != kind:
        raise InvalidInputError(f"{directory} holds the wrong kind of artifact ({found}, expected {kind}); pass a "
                                f"folder written by `{train}`")
    if manifest.get("version") != version:
        raise InvalidInputError(f"{what} in {directory} was written by another version of rightfit (artifact "
                                f"version {manifest.get('version')!r}, this one reads {version}); retrain it with "
                                f"`{train}`, or delete the folder if the assistant cached it (it retrains it on "
                                "first use)")
    digest = artifact_digest(manifest, raw)
    if digest != manifest.get(DIGEST):
        raise ModelIntegrityError(f"{what} hash mismatch in {directory}: expected {manifest.get(DIGEST)}, got "
                                  f"{digest} (the hash covers the weights and every manifest field, so an edited "
                                  f"threshold or label counts too); retrain it with `{train}`")
    try:
        with np.load(io.BytesIO(raw)) as data:
            return manifest, {name: data[name] for name in data.files}
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as exc:
        raise InvalidInputError(f"{directory}/{WEIGHTS} cannot be read ({exc}); retrain it with `{train}`") from None


def validate_manifest(model: type[M], manifest: Mapping[str, Any], *, directory: Path, what: str, train: str) -> M:
    """The manifest as a validated model; an invalid one (missing field, `"threshold": "abc"`) is one error line."""
    try:
        return model.model_validate(manifest)
    except ValidationError as exc:
        problems = [f"{'.'.join(map(str, e['loc'])) or 'manifest'}: {e['msg']}" for e in exc.errors()]
        more = f" (and {len(problems) - 2} more)" if len(problems) > 2 else ""
        raise InvalidInputError(f"{what} manifest in {directory} is not valid: {'; '.join(problems[:2])}{more}; "
                                f"retrain it with `{train}`") from None


def check_array(arrays: Mapping[str, np.ndarray], name: str, shape: tuple[int | None, ...], *, directory: Path,
                what: str, train: str) -> np.ndarray:
    """The named array, if it is finite floats of this shape (None: any length on that axis)."""
    arr = arrays.get(name)
    ok = (arr is not None and np.issubdtype(arr.dtype, np.floating) and arr.ndim == len(shape)
          and all(want is None or got == want for got, want in zip(arr.shape, shape, strict=True))
          and bool(np.isfinite(arr).all()))
    if arr is None or not ok:
        got = "missing" if arr is None else f"{arr.dtype} of shape {arr.shape}"
        want = "x".join("n" if s is None else str(s) for s in shape)
        raise InvalidInputError(f"{what} in {directory}: weights {name!r} should be finite floats of shape "
                                f"({want}), got {got}; retrain it with `{train}`")
    return arr
