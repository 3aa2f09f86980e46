"""The eval report opens in a real browser (Debian's Chromium) and shows its plots, offline."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest

from rightfit.evals.gate import threshold_checks
from rightfit.evals.report import html_report
from rightfit.evals.run import ItemResult, Run, SuiteRun, summarize

pytestmark = pytest.mark.e2e

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]


def _run(seed: int, latency: float) -> Run:
    rng = random.Random(seed)
    suites = {}
    for name in ("answers", "intents"):
        items = [ItemResult(f"{name}-{i}", 0, ok, ok, {"accuracy": float(ok)}, "", "" if ok else "wrong answer",
                            latency * (1 + rng.random()), latency, {}, latency * 1e-8)
                 for i, ok in enumerate(rng.random() < 0.8 for _ in range(60))]
        suites[name] = SuiteRun(name, name, "x", [], items, summarize(items, bootstrap=200, confidence=0.95))
    return Run(0, "hardware: test", "USD", {"answer.rung": "extractive"}, "x", suites)


def test_report_shows_both_plots_with_a_point_per_suite_and_run(tmp_path: Path) -> None:
    if CHROMIUM is None:
        pytest.fail("chromium is not installed; `bash scripts/install dev` installs it")
    from playwright.sync_api import sync_playwright

    from rightfit.core.settings import Gate

    current, baseline = _run(1, 40.0), _run(2, 900.0)
    checks = threshold_checks(current, [Gate(suite="answers", metric="accuracy", min=0.95)])
    report = tmp_path / "report.html"
    report.write_text(html_report("gate", {"this run": current, "baseline": baseline}, checks=checks))
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page()
        page.goto(report.as_uri())
        plots = page.locator("svg.plot")
        assert plots.count() == 2
        for k in range(2):
            plot = plots.nth(k)
            assert plot.is_visible()
            box = plot.bounding_box()
            assert box is not None and box["width"] > 300 and box["height"] > 200
            assert plot.locator("circle.point").count() == 4  # 2 suites x 2 runs
        assert "FAILED" in page.inner_text("h2")
        assert page.locator("tr.fail").count() == 1
        browser.close()
