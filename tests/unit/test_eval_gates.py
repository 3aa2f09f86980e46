"""The eval machinery without models: bootstrap intervals, gates against thresholds and a baseline, the
reports, suite files and conversation checks."""

from __future__ import annotations

import random
from pathlib import Path
from types import SimpleNamespace
from xml.etree import ElementTree as ET

import pytest

from rightfit.core.errors import ConfigError, InvalidInputError
from rightfit.core.settings import EvalSettings, Gate
from rightfit.evals.gate import baseline_checks, threshold_checks
from rightfit.evals.report import html_report, junit_checks, junit_items
from rightfit.evals.run import ItemResult, Run, SuiteRun, summarize
from rightfit.evals.stats import paired_difference
from rightfit.evals.suites import load_suites
from rightfit.evals.suites.conversations import check_turn

EVALS = EvalSettings(bootstrap=500)


def _items(correct: list[bool], latency: float = 10.0, cost: float = 1e-6) -> list[ItemResult]:
    return [ItemResult(f"q{i}", 0, ok, ok, {"accuracy": float(ok)}, "yes" if ok else "no", "" if ok else "wrong",
                       latency + i % 7, latency, {}, cost) for i, ok in enumerate(correct)]


def _run(correct: list[bool], **kw: float) -> Run:
    items = _items(correct, **kw)
    suite = SuiteRun("answers", "answers", "abc", [], items, summarize(items, bootstrap=500, confidence=0.95))
    return Run(0.0, "hardware: test", "USD", {"answer.rung": "extractive"}, "x", {"answers": suite})


def _sample(n: int, rate: float, seed: int) -> list[bool]:
    rng = random.Random(seed)
    return [rng.random() < rate for _ in range(n)]


def test_interval_covers_the_estimate_and_narrows_with_more_items() -> None:
    small = _run(_sample(40, 0.7, 1)).suites["answers"].metrics["accuracy"]
    large = _run(_sample(400, 0.7, 1)).suites["answers"].metrics["accuracy"]
    for est in (small, large):
        assert est.low <= est.value <= est.high
    assert (large.high - large.low) < (small.high - small.low)


def test_cost_per_resolved_divides_by_resolved_requests_only() -> None:
    m = _run([True, False, False, True], cost=2e-6).suites["answers"].metrics
    assert m["cost_per_request"].value == pytest.approx(2e-6)
    assert m["cost_per_resolved"].value == pytest.approx(4e-6)  # 4 requests paid, 2 resolved


def test_thresholds_fail_with_the_shortfall() -> None:
    run = _run([True] * 6 + [False] * 4)
    checks = threshold_checks(run, [Gate(suite="answers", metric="accuracy", min=0.8),
                                    Gate(suite="answers", metric="p95_ms", max=1000)])
    assert [c.passed for c in checks] == [False, True]
    assert "below the minimum 0.8 by 0.2" in checks[0].message


def test_a_gate_on_a_metric_the_suite_lacks_names_the_metrics_it_has() -> None:
    with pytest.raises(ConfigError, match="has no metric 'acuracy'.*accuracy"):
        threshold_checks(_run([True]), [Gate(suite="answers", metric="acuracy", min=0.5)])


def test_an_unchanged_run_passes_the_baseline_and_a_real_regression_fails() -> None:
    base = _sample(200, 0.8, 3)
    same = baseline_checks(_run(base), _run(base), EVALS)
    assert same and all(c.passed for c in same)
    worse = [ok and i % 4 != 0 for i, ok in enumerate(base)]  # a quarter of the right answers now wrong
    failed = [c for c in baseline_checks(_run(worse), _run(base), EVALS) if not c.passed]
    assert {c.metric for c in failed} >= {"accuracy", "pass_rate"}


def test_a_metric_where_lower_is_better_is_held_to_no_rise() -> None:
    items = [ItemResult(f"q{i}", 0, True, True, {"hallucination": float(i % 10 == 0)}, "x", "", 10.0, 10.0, {}, 0.0)
             for i in range(100)]
    suite = SuiteRun("answers", "answers", "abc", ["hallucination"], items,
                     summarize(items, bootstrap=200, confidence=0.95))
    run = Run(0.0, "hardware: test", "USD", {}, "x", {"answers": suite})
    (check,) = [c for c in baseline_checks(run, run, EVALS) if c.metric == "hallucination"]
    assert check.limit.startswith("no rise > ")  # it said "no drop", where a rise is the regression


def test_noise_below_the_margin_does_not_fail_the_build() -> None:
    base = _sample(200, 0.8, 3)
    flipped = list(base)
    flipped[base.index(True)] = False  # one item of 200 changed: 0.005, inside the 0.02 margin
    assert all(c.passed for c in baseline_checks(_run(flipped), _run(base), EVALS))


def test_paired_difference_of_identical_runs_is_exactly_zero() -> None:
    values = {f"q{i}": float(i % 2) for i in range(50)}
    diff, n = paired_difference(values, values, n=200, confidence=0.95)
    assert (diff.value, diff.low, diff.high, n) == (0.0, 0.0, 0.0, 50)


def test_a_saved_run_loads_back_the_same(tmp_path: Path) -> None:
    run = _run(_sample(30, 0.6, 5))
    run.save(tmp_path / "run.json")
    again = Run.load(tmp_path / "run.json")
    assert again.suites["answers"].items == run.suites["answers"].items
    assert again.suites["answers"].metrics["accuracy"] == run.suites["answers"].metrics["accuracy"]


def test_a_file_that_is_not_a_run_gets_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "x.json").write_text('{"suites": 3}')
    with pytest.raises(InvalidInputError, match="not a saved eval run"):
        Run.load(tmp_path / "x.json")
    with pytest.raises(InvalidInputError, match="does not exist"):
        Run.load(tmp_path / "missing.json")


def test_junit_files_parse_and_count_failures() -> None:
    run = _run([True, False, True])
    checks = threshold_checks(run, [Gate(suite="answers", metric="accuracy", min=0.9)])
    for text, failures in ((junit_checks(checks), 1), (junit_items(run), 1)):
        root = ET.fromstring(text.split("?>", 1)[1])
        assert root.tag == "testsuites" and root.get("failures") == str(failures)
        cases = root.findall("./testsuite/testcase")
        assert cases and all(c.get("classname") and c.get("name") for c in cases)
        assert len(root.findall("./testsuite/testcase/failure")) == failures


def test_html_report_escapes_item_text() -> None:
    items = _items([False])
    items[0] = ItemResult("q0", 0, False, False, {}, "<script>alert(1)</script>", "<b>bad</b>", 5, 5, {}, 0)
    suite = SuiteRun("answers", "answers", "abc", [], items, summarize(items, bootstrap=100, confidence=0.9))
    page = html_report("t", {"run": Run(0, "hw", "USD", {}, "x", {"answers": suite})})
    assert "<b>bad</b>" not in page and "&lt;b&gt;bad&lt;/b&gt;" in page
    assert page.count("<svg") == 2


def _manifest(tmp_path: Path, text: str) -> Path:
    (tmp_path / "suites.toml").write_text(text)
    (tmp_path / "qa.jsonl").write_text('{"id": "a", "question": "q?", "answer": "x", "doc_ids": ["d"]}\n')
    return tmp_path


@pytest.mark.parametrize(("text", "message"), [
    ('[a]\nkind = "answerz"\nfile = "qa.jsonl"\n', "kind must be one of"),
    ('[a]\nkind = "answers"\nfile = "nope.jsonl"\n', "does not exist"),
    ('[a]\nkind = "answers"\nfile = "qa.jsonl"\ncolour = "red"\n', "options \\['colour'\\]"),
    ('[a]\nkind = "answers"\n', "needs file"),
    ("[a\n", "not valid TOML"),
])
def test_suite_file_mistakes_are_named(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_suites(_manifest(tmp_path, text))


def test_suite_items_with_problems_name_the_line(tmp_path: Path) -> None:
    folder = _manifest(tmp_path, '[a]\nkind = "intents"\nfile = "i.jsonl"\n')
    (folder / "i.jsonl").write_text('{"id": "1", "text": "hi", "intent": "greeting"}\n{"id": "1", "text": "x"}\n')
    with pytest.raises(InvalidInputError, match="line 2: missing intent"):
        load_suites(folder)["a"].items()


def _reply(**kw: object) -> SimpleNamespace:
    base = {"route": "action", "intent": "check_balance", "tool": SimpleNamespace(tool="get_balance", status="ok"),
            "fields": {"card_last4": "8120"}, "reply": "Your balance is £1,842.50.", "citations": ()}
    return SimpleNamespace(**{**base, **kw})


def test_turn_checks_report_each_mismatch() -> None:
    assert check_turn(_reply(), {"route": ["action", "ask"], "tool": "get_balance", "status": "ok",
                                 "fields": {"card_last4": "8120"}, "reply_contains": ["£1,842.50"]}) == []
    problems = check_turn(_reply(route="refuse", tool=None), {
        "route": "action", "tool": "get_balance", "reply_excludes": ["balance"], "cites": "fees"})
    assert problems == ["route refuse, expected action", "tool None, expected get_balance",
                        "reply contains 'balance'", "does not cite fees"]


def test_an_item_that_crashes_is_a_failed_item_with_its_place_not_a_lost_run() -> None:
    from rightfit.core.settings import Settings
    from rightfit.evals.run import _judge
    from rightfit.evals.suites import SuiteItem

    class Broken:
        kind = "broken"
        lower_is_better = frozenset()

        def judge(self, env: object, item: SuiteItem) -> None:
            raise RuntimeError("kaput")

    result = _judge(None, Broken(), "broken", SuiteItem("a", {}), repeat=0, settings=Settings())  # type: ignore[arg-type]
    assert not result.passed and not result.resolved
    assert "RuntimeError: kaput @ test_eval_gates.py:" in result.detail


def test_gate_table_keeps_a_long_suite_name_apart_from_its_metric() -> None:
    from rightfit.evals.gate import Check, table
    from rightfit.evals.stats import Estimate

    checks = [Check("conversations_2", "pass_rate", "baseline", Estimate(0.0, 0.0, 0.0), "no drop", True, ""),
              Check("guard", "pass_rate", "baseline", Estimate(-0.009009, -0.02703, 0.009009), "no drop", True, "")]
    row, wide = table(checks).splitlines()[1:3]
    assert row.split()[:2] == ["conversations_2", "pass_rate"]
    assert "0.009009] " in wide  # a long interval no longer runs into the next column ("0.009009]no drop")
