"""Model files are verified before they load; a changed byte or an unknown file is refused."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from rightfit.core.errors import ModelError, ModelIntegrityError
from rightfit.models.catalog import GGUF_CATALOG
from rightfit.models.store import ModelStore


@pytest.fixture
def model_file(tmp_path: Path) -> tuple[Path, str]:
    path = tmp_path / "tiny.gguf"
    path.write_bytes(b"GGUF" + bytes(range(256)) * 64)
    return path, hashlib.sha256(path.read_bytes()).hexdigest()


def test_registered_model_resolves_then_one_changed_byte_is_refused(tmp_path: Path, monkeypatch,
                                                                    model_file) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    path, digest = model_file
    store = ModelStore(tmp_path / "models")
    store.register("mine", path, digest)
    assert store.resolve("mine") == path.resolve()
    data = bytearray(path.read_bytes())
    data[100] ^= 0x01
    path.write_bytes(bytes(data))
    with pytest.raises(ModelIntegrityError) as err:
        store.resolve("mine")
    assert f"expected {digest}" in str(err.value)
    assert "mine" in str(err.value)


def test_register_refuses_a_wrong_hash_and_catalog_names(tmp_path: Path, model_file) -> None:
    path, _ = model_file
    store = ModelStore(tmp_path / "models")
    with pytest.raises(ModelIntegrityError, match="hash mismatch"):
        store.register("mine", path, "0" * 64)
    with pytest.raises(ModelError, match="catalog model name"):
        store.register("smollm2-135m", path, "0" * 64)
    with pytest.raises(ModelError, match="not a sha256"):
        store.register("mine", path, "abc")


@pytest.mark.parametrize("name", ["", "../evil name", "extractive", "Parsers", "openai:x", "a+b", "x" * 65])
def test_register_refuses_names_that_are_not_plain_or_are_rungs(tmp_path: Path, model_file, name: str) -> None:
    path, digest = model_file
    store = ModelStore(tmp_path / "models")
    with pytest.raises(ModelError, match="cannot name a model"):
        store.register(name, path, digest)
    assert store.installed() == {}


@pytest.mark.parametrize("content", ["[]", '{"x": 5}', '{"x": {"name": "x"}}'])
def test_a_registry_of_the_wrong_shape_names_the_fix(tmp_path: Path, content: str) -> None:
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "registry.json").write_text(content)
    with pytest.raises(ModelError, match="registry.json is unreadable .*delete it"):
        ModelStore(tmp_path / "models").installed()


def test_unknown_and_uninstalled_models_name_the_fix(tmp_path: Path) -> None:
    store = ModelStore(tmp_path / "models")
    with pytest.raises(ModelError, match="rightfit models register"):
        store.resolve("no-such-model")
    with pytest.raises(ModelError, match="rightfit models install smollm2-135m"):
        store.resolve("smollm2-135m")


def test_catalog_pins_versions_and_hashes() -> None:
    for model in GGUF_CATALOG.values():
        assert len(model.sha256) == 64
        assert all("==" in p for p in model.packages)
        assert len(model.parts) == len(model.packages) or len(model.packages) == 1


def test_register_with_the_wrong_hash_names_both_hashes_and_records_nothing(tmp_path: Path, monkeypatch,
                                                                            model_file) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    path, digest = model_file
    store = ModelStore(tmp_path / "models")
    with pytest.raises(ModelIntegrityError) as err:
        store.register("mine", path, "0" * 64)
    assert f"has sha256 {digest}, not the {'0' * 64} you gave" in str(err.value)
    assert "install" not in str(err.value)
    assert store.installed() == {}
