"""The project's own CI gate: the bank example against its thresholds and its committed baseline
(examples/bank/evals/baseline.json), through the CLI."""

from __future__ import annotations

import subprocess
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from tests.conftest import BANK, EXE, copy_tree

pytestmark = [pytest.mark.integration, pytest.mark.slow]

# Every bank suite, on the served configuration (extractive answers, parsers only).
PASSING = ["retrieval", "answers", "extraction", "intents", "guard", "conversations", "tools", "conversations_2"]


def gate(data: Path, out: Path, suites: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([EXE, "eval", "gate", *suites, "--config", str(BANK / "rightfit.toml"), "--data-dir",
                           str(data), "--junit", str(out / "gate.xml"), "--html", str(out / "gate.html")],
                          capture_output=True, text=True, timeout=1800, check=False)


def test_bank_example_passes_its_gate(assistant_template: Path, tmp_path: Path) -> None:
    result = gate(copy_tree(assistant_template, tmp_path / "data"), tmp_path, PASSING)
    print(result.stdout)  # the suite table and every check, in the test log
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "no baseline" not in result.stderr
    assert {s.get("name") for s in ET.parse(tmp_path / "gate.xml").getroot().findall("testsuite")} == set(PASSING)
    assert (tmp_path / "gate.html").stat().st_size > 0
