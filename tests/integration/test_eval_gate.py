"""The eval gate, drift and the ladder on the bank example, through the real CLI: an unchanged configuration
passes, a planted regression fails with what failed and by how much, and the reports are usable."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from tests.conftest import BANK, EXE, ROOT, copy_tree

pytestmark = pytest.mark.integration

SHARED_INJECTIONS = ROOT.parent / "shared" / "data" / "injection" / "train.csv"


def rightfit(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([EXE, *args], capture_output=True, text=True, timeout=900, check=False)


@pytest.fixture(scope="module")
def workspace(assistant_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory with the bank index and classifiers, and suites over a slice of the bank eval sets."""
    root = tmp_path_factory.mktemp("gate")
    copy_tree(assistant_template, root / "data")
    qa = [json.loads(line) for line in (BANK / "eval" / "qa.jsonl").read_text().splitlines() if line.strip()]
    (root / "qa-slice.jsonl").write_text("".join(json.dumps(q) + "\n" for q in qa[::5]))  # 1 in 5, both kinds
    (root / "suites.toml").write_text(f"""
[retrieval]
kind = "retrieval"
file = "{BANK / 'eval' / 'qa.jsonl'}"
[answers]
kind = "answers"
file = "qa-slice.jsonl"
split = "all"
[extraction]
kind = "extraction"
file = "{BANK / 'extract' / 'cases.jsonl'}"
split = "holdout"
""")
    return root


def config(root: Path, name: str, *, fusion: str = "rrf", threshold: float = 0.465,
           tasks: str = "") -> Path:
    path = root / f"{name}.toml"
    path.write_text(f"""
data_dir = "{root / 'data'}"
[retrieval]
fusion = "{fusion}"
top_k = 5
[answer]
abstain_threshold = {threshold}
passages = 5
[assistant]
app = "{BANK / 'app'}"
[guard]
training_data = ["{SHARED_INJECTIONS}"]
[evals]
suites = "{root}"
baseline = "{root / 'baseline.json'}"
bootstrap = 300
[[evals.gates]]
suite = "retrieval"
metric = "recall@5"
min = 0.9
[[evals.gates]]
suite = "answers"
metric = "accuracy"
min = 0.3
[[evals.gates]]
suite = "retrieval"
metric = "p95_ms"
max = 5000
[[evals.gates]]
suite = "extraction"
metric = "exact"
min = 0.5
{tasks}""")
    return path


def test_unchanged_configuration_passes_and_writes_reports(workspace: Path) -> None:
    good = config(workspace, "good")
    saved = rightfit("eval", "gate", "--config", str(good), "--save-baseline")
    assert saved.returncode == 0, saved.stderr
    assert (workspace / "baseline.json").is_file()

    junit, report = workspace / "gate.xml", workspace / "gate.html"
    again = rightfit("eval", "gate", "--config", str(good), "--junit", str(junit), "--html", str(report))
    assert again.returncode == 0, again.stdout + again.stderr
    assert "gate passed" in again.stderr
    assert "FAIL" not in again.stdout
    root = ET.parse(junit).getroot()
    assert root.tag == "testsuites" and root.get("failures") == "0"
    assert {s.get("name") for s in root.findall("testsuite")} >= {"retrieval", "answers", "extraction"}
    assert "<svg" in report.read_text()
    # A mistyped --baseline is an error before any suite runs, not a gate without its regression check.
    typo = rightfit("eval", "gate", "--config", str(good), "--baseline", str(workspace / "basline.json"))
    assert typo.returncode == 2 and "does not exist" in typo.stderr and "Traceback" not in typo.stderr


def test_a_worse_retriever_fails_the_gate_with_the_drop(workspace: Path) -> None:
    if not (workspace / "baseline.json").is_file():
        pytest.skip("needs the baseline saved by the test above")
    worse = config(workspace, "bm25-only", fusion="bm25")
    result = rightfit("eval", "gate", "retrieval", "--config", str(worse))
    assert result.returncode == 1, result.stdout + result.stderr
    failed = [line for line in result.stdout.splitlines() if "FAIL" in line]
    assert any(line.startswith("retrieval") and "mrr@10" in line and "got worse by" in line for line in failed)
    assert "gate FAILED" in result.stderr


def test_a_broken_answer_calibration_fails_thresholds_and_baseline(workspace: Path) -> None:
    if not (workspace / "baseline.json").is_file():
        pytest.skip("needs the baseline saved by the test above")
    broken = config(workspace, "over-abstaining", threshold=0.95)
    result = rightfit("eval", "gate", "answers", "--config", str(broken))
    assert result.returncode == 1
    failed = [line for line in result.stdout.splitlines() if "FAIL" in line and line.startswith("answers")]
    assert any("threshold" in line and "below the minimum 0.3" in line for line in failed)
    assert any("baseline" in line and "accuracy" in line for line in failed)


def test_drift_lists_the_items_that_changed(workspace: Path) -> None:
    good, worse = config(workspace, "good"), config(workspace, "bm25-only", fusion="bm25")
    result = rightfit("eval", "drift", "retrieval", "--reference", str(good), "--candidate", str(worse),
                      "--min-agreement", "0.99")
    assert result.returncode == 1
    assert "same output" in result.stdout and "reference:" in result.stdout and "candidate:" in result.stdout


def test_fit_locks_the_cheapest_passing_rung_and_serve_applies_it(workspace: Path) -> None:
    from rightfit.core.settings import load_settings
    from rightfit.models.lock import apply_lock, check_lock

    tasks = """
[evals.tasks.retrieval]
suites = ["extraction"]
setting = "assistant.extract_model"
rungs = ["parsers"]
[evals.tasks.answers]
suites = ["answers"]
setting = "answer.rung"
rungs = ["extractive"]
"""
    cfg = config(workspace, "ladder", tasks=tasks)
    lock = workspace / "rightfit.lock"
    result = rightfit("fit", "--config", str(cfg), "--out", str(lock))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "CHOSEN" in result.stdout
    locked = json.loads(lock.read_text())
    assert locked["choices"]["answers"] == {"setting": "answer.rung", "rung": "extractive"}
    assert locked["evidence"]["answers"]["rungs"]["extractive"]["passed"] is True
    assert locked["classifiers"] and locked["index"]["chunks.sqlite"]
    served = apply_lock(load_settings(cfg), lock)
    assert served.answer.rung == "extractive" and served.assistant.extract_model is None
    # An index run that changes nothing (as `serve --docs` does on every start) keeps the locked index.
    again = rightfit("index", str(BANK / "docs"), "--config", str(cfg))
    assert again.returncode == 0 and "nothing changed" in again.stdout, again.stdout + again.stderr
    check_lock(load_settings(cfg), lock)

    # One task at a time: --update keeps the other task's choice and evidence.
    one = workspace / "one.lock"
    assert rightfit("fit", "answers", "--config", str(cfg), "--out", str(one)).returncode == 0
    second = rightfit("fit", "retrieval", "--update", "--config", str(cfg), "--out", str(one))
    assert second.returncode == 0, second.stdout + second.stderr
    assert "kept from" in second.stderr and "answers -> extractive" in second.stderr
    merged = json.loads(one.read_text())
    assert set(merged["choices"]) == set(merged["evidence"]) == {"answers", "retrieval"}
    assert apply_lock(load_settings(cfg), one).answer.rung == "extractive"

    strict = config(workspace, "strict", tasks=tasks.replace('rungs = ["extractive"]', 'rungs = ["extractive"]')
                    + '[[evals.gates]]\nsuite = "answers"\nmetric = "accuracy"\nmin = 0.99\n')
    refused = rightfit("fit", "answers", "--config", str(strict), "--out", str(workspace / "strict.lock"))
    assert refused.returncode == 1
    assert "rejected: answers.accuracy" in refused.stdout and "nothing locked" in refused.stderr
    assert not (workspace / "strict.lock").exists()
