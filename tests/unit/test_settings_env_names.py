"""A RIGHTFIT_ variable no setting reads is named with the spelling that works, once, instead of being ignored
without a word; the variables the project itself uses are left alone."""

from __future__ import annotations

import logging
import subprocess
from pathlib import Path

import pytest

from rightfit.core import settings as settings_module
from rightfit.core.settings import load_settings
from tests.conftest import EXE

USED_BY_THE_PROJECT = ("RIGHTFIT_CONFIG", "RIGHTFIT_MODEL_DIR", "RIGHTFIT_RERANKER", "RIGHTFIT_FAST_START",
                       "RIGHTFIT_WHEEL_CACHE", "RIGHTFIT_DATA_DIR", "RIGHTFIT_ANSWER__ABSTAIN_THRESHOLD",
                       "RIGHTFIT_ANSWER__JUDGE__CANDIDATES", "RIGHTFIT_RETRIEVAL__TOP_K")


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    for name in list(os.environ):
        if name.upper().startswith("RIGHTFIT_"):
            monkeypatch.delenv(name)
    monkeypatch.setattr(settings_module, "_WARNED", set(), raising=False)


def warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "rightfit.core.settings"
            and r.levelno == logging.WARNING]


def test_a_single_underscore_after_the_section_is_named_once_with_the_spelling_that_works(
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setenv("RIGHTFIT_ANSWER_ABSTAIN_THRESHOLD", "0.9")

    settings = load_settings()
    load_settings()  # settings load several times in one command: said once

    assert settings.answer.abstain_threshold == 0.5  # still ignored, as pydantic-settings does
    assert warnings(caplog) == ["environment variable RIGHTFIT_ANSWER_ABSTAIN_THRESHOLD matches no setting and is "
                                "ignored; write RIGHTFIT_ANSWER__ABSTAIN_THRESHOLD (two underscores between section "
                                "and key)"]


@pytest.mark.parametrize(("variable", "fix"), [
    ("RIGHTFIT_RETRIEVAL_TOPK", "did you mean RIGHTFIT_RETRIEVAL__TOP_K?"),
    ("RIGHTFIT_MODELS_DIR", "did you mean RIGHTFIT_MODEL_DIR?"),
    ("RIGHTFIT_DATA_DIR__X", "did you mean RIGHTFIT_DATA_DIR?"),
    ("RIGHTFIT_COLOUR", "a setting is RIGHTFIT_SECTION__KEY, with two underscores between section and key"),
])
def test_other_unknown_names_get_the_closest_name_or_the_pattern(monkeypatch: pytest.MonkeyPatch,
                                                                 caplog: pytest.LogCaptureFixture,
                                                                 variable: str, fix: str) -> None:
    monkeypatch.setenv(variable, "1")
    load_settings()
    (message,) = warnings(caplog)
    assert message.startswith(f"environment variable {variable} matches no setting and is ignored; {fix}")


def test_the_projects_own_variables_and_the_api_key_variable_are_not_warned_about(
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, tmp_path: Path) -> None:
    for name in USED_BY_THE_PROJECT:
        monkeypatch.setenv(name, "0.7" if "THRESHOLD" in name else "3" if name.endswith(("CANDIDATES", "TOP_K"))
                           else str(tmp_path / "x"))
    monkeypatch.setenv("RIGHTFIT_ENDPOINT_KEY", "secret")  # named by [endpoint] api_key_env
    config = tmp_path / "rightfit.toml"
    config.write_text('[endpoint]\nbase_url = "http://127.0.0.1:8080/v1"\napi_key_env = "RIGHTFIT_ENDPOINT_KEY"\n')

    settings = load_settings(config)

    assert settings.answer.abstain_threshold == 0.7
    assert warnings(caplog) == []


def test_the_user_sees_the_warning_on_stderr(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RIGHTFIT_ANSWER_ABSTAIN_THRESHOLD", "0.9")
    r = subprocess.run([EXE, "search", "fees", "--data-dir", str(tmp_path / "none")], capture_output=True,
                       text=True, timeout=120, check=False, cwd=tmp_path)
    assert "RIGHTFIT_ANSWER_ABSTAIN_THRESHOLD matches no setting and is ignored; write " \
           "RIGHTFIT_ANSWER__ABSTAIN_THRESHOLD" in r.stderr
    assert r.stderr.count("RIGHTFIT_ANSWER_ABSTAIN_THRESHOLD") == 1
