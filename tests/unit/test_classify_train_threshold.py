"""`rightfit classify train` on too little data says that its out-of-scope threshold means nothing, why, and
what to add (fast fake embedder, no model loads)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from rightfit.cli.classify import classify_app
from tests.fakes import COOKING, WEATHER, HashingEmbedder


@pytest.fixture(autouse=True)
def fake_embedder(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("rightfit.models.embedding.MiniLMEmbedder", HashingEmbedder)


def train(tmp_path: Path, rows: list[tuple[str, str]]):  # noqa: ANN201
    data = tmp_path / "intents.csv"
    data.write_text("text,label\n" + "".join(f"{t},{lab}\n" for t, lab in rows), encoding="utf-8")
    result = CliRunner().invoke(classify_app, ["train", str(data), "-o", str(tmp_path / "model")])
    assert result.exit_code == 0, result.output
    return result


def copies(texts: list[str], label: str, n: int) -> list[tuple[str, str]]:
    return [(f"{t} {i}", label) for i in range(n) for t in texts]


def test_a_threshold_of_zero_is_a_warning_that_says_why_and_what_to_add(tmp_path: Path) -> None:
    # The one held-out message cannot be told from the other label's: none is classified correctly.
    result = train(tmp_path, [("what about this", "a"), ("what about this", "a"), ("what about this", "b"),
                              ("what about this", "b"), ("what about this", "b")])

    assert "out-of-scope threshold 0.000; wrote" in result.stdout
    (warning,) = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert warning.startswith("warning: the out-of-scope threshold is 0.000: 0 of the 1 held-out messages were "
                              "classified correctly, too few to choose it from, so no message will ever be out of "
                              "scope; add labelled messages, at least 100 per intent")


def test_a_threshold_from_a_handful_of_held_out_messages_is_a_warning(tmp_path: Path) -> None:
    result = train(tmp_path, copies(WEATHER, "weather", 3) + copies(COOKING, "cooking", 3))  # 48: 5 held out

    (warning,) = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert "was chosen from only 5 correctly classified held-out messages (of 5), too few for --max-rejected 5%" \
        in warning
    assert "add labelled messages, at least 100 per intent, so that 20 or more of the held-out tenth" in warning


def test_enough_held_out_messages_give_no_warning(tmp_path: Path) -> None:
    result = train(tmp_path, copies(WEATHER, "weather", 15) + copies(COOKING, "cooking", 15))  # 240: 24 held out

    assert "warning" not in result.stderr
    assert "out-of-scope threshold 0.000" not in result.stdout
