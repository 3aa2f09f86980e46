"""`rightfit fit`, `eval gate|drift|run` through the real command line, on saved runs and bad inputs (no model,
no index): each refusal is one `error:` line with the fix and a non-zero exit, never a traceback or a pass."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from rightfit.evals.run import ItemResult, Run, SuiteRun, summarize
from tests.conftest import EXE

pytestmark = pytest.mark.integration


def rightfit(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([EXE, *args], capture_output=True, text=True, timeout=120, check=False, cwd=cwd)


def saved_run(path: Path, suite: str) -> Path:
    items = [ItemResult(f"q{i}", 0, i % 5 != 0, i % 5 != 0, {"exact": float(i % 5 != 0)}, "x", "", 3.0, 3.0, {}, 0.0)
             for i in range(40)]
    Run(0.0, "hardware: test", "USD", {}, "x", {suite: SuiteRun(suite, suite, "sha", [], items, summarize(
        items, bootstrap=200, confidence=0.95))}).save(path)
    return path


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "suites").mkdir()
    (tmp_path / "suites" / "qa.jsonl").write_text('{"id": "a", "question": "q?", "answer": "x", "doc_ids": ["d"]}\n')
    (tmp_path / "suites" / "cases.jsonl").write_text(
        '{"id": "c", "now": "2024-01-01T00:00:00", "intent": "complaint", "text": "t", "expected": {}}\n')
    (tmp_path / "suites" / "suites.toml").write_text('[answers]\nkind = "answers"\nfile = "qa.jsonl"\n'
                                                     'split = "bogus"\n'
                                                     '[extraction]\nkind = "extraction"\nfile = "cases.jsonl"\n')
    (tmp_path / "rightfit.toml").write_text(f"""data_dir = "{tmp_path / 'data'}"
[evals]
suites = "suites"
baseline = "baseline.json"
bootstrap = 200
[evals.tasks.extraction]
suites = ["extraction"]
setting = "assistant.extract_model"
rungs = ["parsers"]
""")
    return tmp_path


def refused(result: subprocess.CompletedProcess[str], code: int, *words: str) -> None:
    assert result.returncode == code, result.stdout + result.stderr
    assert "Traceback" not in result.stderr and "gate passed" not in result.stderr
    line = result.stderr.strip().splitlines()[-1]
    assert line.startswith("error: ") and all(w in line for w in words), line


def test_refusals_are_one_line_with_the_fix(project: Path) -> None:
    ex = saved_run(project / "run_ex.json", "extraction")
    other = saved_run(project / "run_an.json", "answers")
    refused(rightfit("eval", "run", "answers", cwd=project), 1, "[answers] split = 'bogus' is not one of test")
    refused(rightfit("eval", "gate", "nosuch", "--run", str(ex), cwd=project), 1, "split = 'bogus'")
    (project / "suites" / "suites.toml").write_text(
        (project / "suites" / "suites.toml").read_text().replace('split = "bogus"\n', ""))
    refused(rightfit("eval", "gate", "nosuch", "--run", str(ex), cwd=project), 2,
            "no suite named nosuch; suites: answers, extraction")
    refused(rightfit("eval", "gate", "--run", str(ex), cwd=project), 2, "no gates configured")
    typo = project / "typo.toml"  # a gate on a suite that does not exist was dropped, and the gate passed
    typo.write_text((project / "rightfit.toml").read_text()
                    + '[[evals.gates]]\nsuite = "extracton"\nmetric = "exact"\nmin = 0.5\n')
    refused(rightfit("eval", "gate", "extraction", "--run", str(ex), "--config", str(typo), cwd=project), 2,
            "[[evals.gates]] names no suite 'extracton'", "suites: answers, extraction")
    refused(rightfit("eval", "drift", "--reference", str(ex), "--candidate", str(other), "--min-agreement", "0.99",
                     cwd=project), 2, "share no suite", "has extraction", "has answers")
    # A candidate that cannot be read is named before the reference runs (it ran every suite first).
    refused(rightfit("eval", "drift", "--reference", "rightfit.toml", "--candidate", "nosuch.toml", cwd=project), 2,
            "--candidate nosuch.toml does not exist")
    (project / "out").mkdir()
    refused(rightfit("fit", "--out", "out", cwd=project), 2, "--out out is a directory", "out/rightfit.lock")
    assert not (project / "data").exists()  # refused before the ladder ran
