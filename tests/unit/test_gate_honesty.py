"""Honest gates, with fake runs and no model: `fit` and `eval gate` never pass on items that did not run, on
suites that were not run or on no checks at all; a saved baseline keeps the suites it was not given; drift
refuses runs with nothing in common; output paths and suite options are refused before anything runs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from rightfit.cli import app
from rightfit.core.errors import ConfigError, InvalidInputError
from rightfit.core.settings import EvalSettings, FitTask, Gate, Settings
from rightfit.evals.ladder import fit
from rightfit.evals.run import ERROR_OUTPUT, ItemResult, Run, SuiteRun, run_suites, summarize
from rightfit.evals.suites import load_suites

TASK = '[evals.tasks.extraction]\nsuites = ["extraction"]\nsetting = "assistant.extract_model"\n'
UNKNOWN_MODEL = "error: ModelError: unknown model 'gpt-17'; install a catalog model @ store.py:201"


def _items(n_ok: int, n_wrong: int = 0, n_error: int = 0, metric: str = "exact") -> list[ItemResult]:
    out = []
    for i in range(n_ok + n_wrong + n_error):
        if i < n_ok + n_wrong:
            ok = i < n_ok
            out.append(ItemResult(f"q{i}", 0, ok, ok, {metric: float(ok)}, "yes" if ok else "no", "", 5.0, 5.0, {},
                                  1e-6))
        else:
            out.append(ItemResult(f"q{i}", 0, False, False, {}, ERROR_OUTPUT, UNKNOWN_MODEL, 5.0, 5.0, {}, 1e-6))
    return out


def _suite(name: str, items: list[ItemResult], kind: str | None = None) -> SuiteRun:
    return SuiteRun(name, kind or name, "sha-" + name, [], items, summarize(items, bootstrap=200, confidence=0.95))


def _run(*suites: SuiteRun) -> Run:
    return Run(0.0, "hardware: test", "USD", {}, "x", {s.name: s for s in suites})


def _extraction(n_ok: int = 80, n_wrong: int = 12, n_error: int = 0) -> SuiteRun:
    return _suite("extraction", _items(n_ok, n_wrong, n_error))


def _answers(n_ok: int = 40, n_wrong: int = 10) -> SuiteRun:
    return _suite("answers", _items(n_ok, n_wrong, metric="accuracy"))


def invoke(*args: str) -> Any:
    return CliRunner().invoke(app, list(args))


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A config with suites answers and extraction, gates on both and a baseline path (no index needed:
    every command here gates or compares saved runs, or refuses before running)."""
    suites = tmp_path / "suites"
    suites.mkdir()
    (suites / "qa.jsonl").write_text('{"id": "a", "question": "q?", "answer": "x", "doc_ids": ["d"]}\n')
    (suites / "cases.jsonl").write_text('{"id": "c", "now": "2024-01-01T00:00:00", "intent": "complaint", '
                                        '"text": "t", "expected": {}, "split": "holdout"}\n')
    (suites / "suites.toml").write_text('[answers]\nkind = "answers"\nfile = "qa.jsonl"\n'
                                        '[extraction]\nkind = "extraction"\nfile = "cases.jsonl"\n')
    return tmp_path


def config(root: Path, gates: str = "answers.accuracy>=0.5 extraction.exact>=0.75", tasks: str = "") -> Path:
    text = f'data_dir = "{root / "data"}"\n[evals]\nsuites = "{root / "suites"}"\n' \
           f'baseline = "{root / "baseline.json"}"\nbootstrap = 200\n'
    for gate in gates.split():
        target, bound = gate.split(">=")
        suite, metric = target.split(".")
        text += f'[[evals.gates]]\nsuite = "{suite}"\nmetric = "{metric}"\nmin = {bound}\n'
    path = root / "rightfit.toml"
    path.write_text(text + tasks)
    return path


# 1. fit: items that failed to run are failures, and a rung with any is rejected with the first error ----------

def test_items_that_failed_to_run_count_as_failures_in_every_quality_metric() -> None:
    items = _items(12, 0, 80)  # 12 right, 80 crashed: the 12 alone would say exact = 1.0
    metrics = summarize(items, bootstrap=200, confidence=0.95, lower_is_better={"hallucination"})
    assert metrics["exact"].value == pytest.approx(12 / 92)
    wrong = [ItemResult("h0", 0, True, True, {"hallucination": 0.0}, "ok", "", 1, 1, {}, 0),
             ItemResult("h1", 0, False, False, {}, ERROR_OUTPUT, UNKNOWN_MODEL, 1, 1, {}, 0)]
    assert summarize(wrong, bootstrap=200, confidence=0.95,
                     lower_is_better={"hallucination"})["hallucination"].value == pytest.approx(0.5)


def _ladder_settings(rungs: list[str]) -> Settings:
    return Settings(evals=EvalSettings(bootstrap=200, gates=[Gate(suite="extraction", metric="exact", min=0.75)],
                                       tasks={"extraction": FitTask(suites=["extraction"],
                                                                    setting="assistant.extract_model",
                                                                    rungs=rungs)}))


def _fake_ladder(monkeypatch: pytest.MonkeyPatch) -> None:
    """parsers: 80 of 92 right; gpt-17: 80 of 92 crash, the 12 that ran are right."""
    def run_suites(settings: Settings, names: list[str], **_: Any) -> Run:
        model = settings.assistant.extract_model
        return _run(_extraction(80, 12) if model is None else _extraction(12, 0, 80))
    monkeypatch.setattr("rightfit.evals.ladder.run_suites", run_suites)
    # Past the check that a rung's models can load: the items crash as they run.
    monkeypatch.setattr("rightfit.evals.ladder._cannot_run", lambda *_: None)


def test_fit_rejects_a_rung_whose_items_failed_to_run_with_the_first_error(monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_ladder(monkeypatch)
    result = fit(_ladder_settings(["gpt-17"]))
    assert "extraction" not in result.choice
    (rung,) = result.rungs["extraction"]
    assert not rung.passed
    assert rung.why_not().startswith("extraction: 80 of 92 items failed to run: ModelError: unknown model 'gpt-17'")
    both = fit(_ladder_settings(["parsers", "gpt-17"]))
    assert both.choice["extraction"].rung == "parsers"


def test_fit_does_not_run_a_rung_whose_model_cannot_load(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # It ran every item, showed the pass rate of those that never needed the model as if measured, and locked
    # that as the evidence.
    monkeypatch.setenv("RIGHTFIT_MODEL_DIR", str(tmp_path / "models"))  # nothing installed
    ran: list[str | None] = []
    monkeypatch.setattr("rightfit.evals.ladder.run_suites", lambda settings, names, **_: ran.append(
        settings.assistant.extract_model) or _run(_extraction(80, 12)))
    result = fit(_ladder_settings(["parsers", "gpt-17", "qwen2.5-0.5b"]))
    assert ran == [None]  # the parsers only
    unknown, uninstalled = result.rungs["extraction"][1:]
    assert unknown.run is None and unknown.why_not().startswith("not run: unknown rung 'gpt-17'")
    assert uninstalled.why_not() == ("not run: model qwen2.5-0.5b is not installed; run `rightfit models install "
                                     "qwen2.5-0.5b`")
    assert result.choice["extraction"].rung == "parsers"
    assert result.evidence()["extraction"]["rungs"]["gpt-17"]["metrics"] == {}


def test_fit_cli_locks_nothing_when_the_only_rung_crashed(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_ladder(monkeypatch)
    tasks = TASK + 'rungs = ["gpt-17"]\n'
    lock = project / "rightfit.lock"
    result = invoke("fit", "--config", str(config(project, tasks=tasks)), "--out", str(lock))
    assert result.exit_code == 1, result.output
    assert "rejected: extraction: 80 of 92 items failed to run: ModelError: unknown model" in result.stdout
    assert "CHOSEN" not in result.stdout and "nothing locked" in result.stderr
    assert not lock.exists()


# 5. fit: output paths are checked before the ladder runs ---------------------------------------------------

@pytest.mark.parametrize("option", ["--out", "--html"])
def test_fit_refuses_a_directory_output_before_running_any_rung(project: Path, monkeypatch: pytest.MonkeyPatch,
                                                                option: str) -> None:
    def never(*_: Any, **__: Any) -> Run:
        raise AssertionError("the ladder ran before the output path was checked")
    monkeypatch.setattr("rightfit.evals.ladder.run_suites", never)
    tasks = TASK + 'rungs = ["parsers"]\n'
    folder = project / "reports"
    folder.mkdir()
    args = ["--out", str(folder)] if option == "--out" else ["--out", str(project / "x.lock"), "--html", str(folder)]
    result = invoke("fit", "--config", str(config(project, tasks=tasks)), *args)
    assert isinstance(result.exception, InvalidInputError)
    assert f"{option} {folder} is a directory; give a file path such as {folder}/" in str(result.exception)


# 2. eval gate: nothing passes unchecked --------------------------------------------------------------------

def _save(run: Run, path: Path) -> Path:
    run.save(path)
    return path


def test_gating_an_unknown_suite_is_the_same_error_as_running_it(project: Path) -> None:
    saved = _save(_run(_extraction()), project / "run.json")
    result = invoke("eval", "gate", "nosuch", "--config", str(config(project)), "--run", str(saved))
    assert isinstance(result.exception, InvalidInputError)
    assert str(result.exception) == "no suite named nosuch; suites: answers, extraction"
    result = invoke("eval", "gate", "answers", "--config", str(config(project)), "--run", str(saved))
    assert isinstance(result.exception, InvalidInputError)
    assert f"the saved run {saved} has no answers (it holds extraction)" in str(result.exception)


def test_a_gate_whose_suite_is_not_in_the_run_fails_saying_so(project: Path) -> None:
    saved = _save(_run(_extraction()), project / "run.json")  # extraction only; answers is gated too
    result = invoke("eval", "gate", "--config", str(config(project)), "--run", str(saved))
    assert result.exit_code == 1, result.output
    failed = [line for line in result.stdout.splitlines() if "FAIL" in line]
    assert len(failed) == 1 and failed[0].startswith("answers") and "suite answers was not run" in failed[0]
    assert "gate FAILED: 1 of" in result.stderr and "gate passed" not in result.stderr
    # Naming the suites gates those only.
    only = invoke("eval", "gate", "extraction", "--config", str(config(project)), "--run", str(saved))
    assert only.exit_code == 0, only.output
    assert "gate passed: 1 checks" in only.stderr


def test_no_gates_and_no_baseline_is_an_error_not_a_pass(project: Path) -> None:
    saved = _save(_run(_extraction()), project / "run.json")
    result = invoke("eval", "gate", "--config", str(config(project, gates="")), "--run", str(saved))
    assert isinstance(result.exception, InvalidInputError)
    assert str(result.exception).startswith("no gates configured")
    assert "gate passed" not in result.output


def test_a_suite_nothing_checks_fails_the_gate(project: Path) -> None:
    saved = _save(_run(_answers(), _extraction()), project / "run.json")
    result = invoke("eval", "gate", "--config", str(config(project, gates="answers.accuracy>=0.5")),
                    "--run", str(saved))
    assert result.exit_code == 1, result.output
    failed = [line for line in result.stdout.splitlines() if "FAIL" in line]
    assert len(failed) == 1 and failed[0].startswith("extraction") and "nothing checked it" in failed[0]


def test_items_that_failed_to_run_fail_the_gate(project: Path) -> None:
    saved = _save(_run(_suite("extraction", _items(88, 0, 4))), project / "run.json")  # exact 0.957 passes
    result = invoke("eval", "gate", "extraction", "--config", str(config(project)), "--run", str(saved))
    assert result.exit_code == 1, result.output
    assert "4 of 92 items failed to run: ModelError: unknown model 'gpt-17'" in result.stdout


# 3. the baseline: saving some suites keeps the others; a missing entry is said --------------------------------

def test_saving_one_suite_as_baseline_keeps_the_other_suites(project: Path) -> None:
    cfg = config(project)
    baseline = _save(_run(_answers(), _extraction(70, 22)), project / "baseline.json")
    new = _save(_run(_extraction(85, 7)), project / "run.json")
    result = invoke("eval", "gate", "extraction", "--config", str(cfg), "--run", str(new), "--save-baseline")
    assert result.exit_code == 0, result.output
    assert f"saved the baseline to {baseline}: updated extraction; kept answers" in result.stderr
    saved = Run.load(baseline)
    assert list(saved.suites) == ["answers", "extraction"]
    assert saved.suites["extraction"].items == Run.load(new).suites["extraction"].items
    assert saved.suites["answers"].items == _answers().items
    # The kept suite is still compared afterwards.
    again = invoke("eval", "gate", "--config", str(cfg), "--run",
                   str(_save(_run(_answers(), _extraction(85, 7)), project / "both.json")))
    assert again.exit_code == 0, again.output
    assert any(line.startswith("answers") and "baseline" in line for line in again.stdout.splitlines())


def test_a_suite_missing_from_the_baseline_is_named(project: Path) -> None:
    _save(_run(_answers()), project / "baseline.json")
    saved = _save(_run(_answers(), _extraction()), project / "run.json")
    result = invoke("eval", "gate", "--config", str(config(project)), "--run", str(saved))
    assert result.exit_code == 0, result.output
    assert f"the baseline {project / 'baseline.json'} has no extraction: no regression check" in result.stderr


# 4. drift: runs with no suite in common --------------------------------------------------------------------

def test_drift_between_runs_of_different_suites_is_an_error_naming_both(project: Path) -> None:
    ref = _save(_run(_extraction()), project / "a.json")
    cand = _save(_run(_answers()), project / "b.json")
    result = invoke("eval", "drift", "--reference", str(ref), "--candidate", str(cand), "--min-agreement", "0.99")
    assert isinstance(result.exception, InvalidInputError)
    assert f"share no suite: {ref} has extraction, {cand} has answers" in str(result.exception)
    named = invoke("eval", "drift", "answers", "--reference", str(ref), "--candidate", str(cand))
    assert isinstance(named.exception, InvalidInputError)
    assert f"the saved run {ref} has no answers" in str(named.exception)


# 6. suite options ----------------------------------------------------------------------------------------

def test_a_bad_split_is_refused_when_the_suites_load(project: Path) -> None:
    manifest = project / "suites" / "suites.toml"
    manifest.write_text('[answers]\nkind = "answers"\nfile = "qa.jsonl"\nsplit = "bogus"\n')
    with pytest.raises(ConfigError, match=r"\[answers\] split = 'bogus' is not one of test, calibration, all"):
        load_suites(project / "suites")
    manifest.write_text('[r]\nkind = "retrieval"\nfile = "qa.jsonl"\nk = 0\n')
    with pytest.raises(ConfigError, match=r"\[r\] k = 0 must be a whole number"):
        load_suites(project / "suites")
    manifest.write_text('[x]\nkind = "extraction"\nfile = "cases.jsonl"\nsplit = "holdot"\n')
    with pytest.raises(ConfigError, match="split = 'holdot' matches no case .* its splits are holdout"):
        load_suites(project / "suites")["x"].items()


def test_eval_run_refuses_an_empty_suite_before_running(project: Path) -> None:
    from rightfit.core.settings import load_settings

    # The only question lands in the test split, so the calibration split is empty.
    (project / "suites" / "suites.toml").write_text('[answers]\nkind = "answers"\nfile = "qa.jsonl"\n'
                                                    'split = "calibration"\n')
    with pytest.raises(InvalidInputError, match="eval suite answers has no items to run"):
        run_suites(load_settings(config(project)))  # refused before it looks for an index


def test_a_saved_run_with_an_empty_suite_is_refused(project: Path) -> None:
    path = _save(_run(_extraction()), project / "run.json")
    data = json.loads(path.read_text())
    data["suites"]["extraction"].update(items=[], metrics={})
    path.write_text(json.dumps(data))
    with pytest.raises(InvalidInputError, match="suite extraction has no items"):
        Run.load(path)


def test_fit_refuses_a_task_whose_suite_no_gate_judges(tmp_path: Path) -> None:
    from rightfit.core.errors import ConfigError
    from rightfit.core.settings import FitTask, Settings
    from rightfit.evals.ladder import fit

    settings = Settings(data_dir=tmp_path, evals={"tasks": {"extraction": FitTask(
        suites=["extraction"], setting="assistant.extract_model", rungs=["parsers"])}})
    with pytest.raises(ConfigError, match="suite extraction has no \\[\\[evals.gates\\]\\]"):
        fit(settings)
