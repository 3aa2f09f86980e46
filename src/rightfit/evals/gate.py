"""`rightfit eval gate`: a run checked against the configured thresholds and against a saved baseline.

Thresholds are specifications: the measured value must meet them. The baseline comparison is about noise:
a quality metric fails only when the paired bootstrap interval of its change lies wholly on the bad side
and the drop is larger than the configured margin, so re-running an unchanged configuration passes and a
real regression does not. Latency and cost are judged by thresholds only, since they move with the machine.

A gate never passes on what it did not check: a gated suite missing from the run, a suite with items that
failed to run, and a suite that nothing checks are failures, each saying why.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from rightfit.core.errors import ConfigError
from rightfit.core.settings import EvalSettings, Gate
from rightfit.evals.run import Run, SuiteRun
from rightfit.evals.stats import Estimate, paired_difference


@dataclass(frozen=True, slots=True)
class Check:
    suite: str
    metric: str
    kind: str  # "threshold" or "baseline"
    value: Estimate  # the metric (threshold) or its change from the baseline (baseline)
    limit: str  # what it was held to, in words
    passed: bool
    message: str


NAN = Estimate(float("nan"), float("nan"), float("nan"))


def _limit(gate: Gate) -> str:
    return " and ".join(x for x in (f">= {gate.min:g}" if gate.min is not None else "",
                                    f"<= {gate.max:g}" if gate.max is not None else "") if x) or "(none)"


def failed_to_run(suite: SuiteRun) -> str | None:
    """'80 of 92 items failed to run: <the first error>', or None when every item ran."""
    errored = [r for r in suite.items if r.errored]
    if not errored:
        return None
    ids = {r.id for r in suite.items}
    first = errored[0].detail.removeprefix("error: ")
    return f"{len({r.id for r in errored})} of {len(ids)} items failed to run: {first}"


def error_checks(run: Run) -> list[Check]:
    """A failed check per suite with items that failed to run: an item that crashed was not measured."""
    out = []
    for name, suite in run.suites.items():
        problem = failed_to_run(suite)
        if problem is not None:
            share = sum(r.errored for r in suite.items) / len(suite.items)
            out.append(Check(name, "errors", "run", Estimate(share, share, share), "every item runs", False,
                             problem))
    return out


def threshold_checks(run: Run, gates: Sequence[Gate]) -> list[Check]:
    """A check per gate. A gate whose suite is not in the run fails (it checked nothing); a gate naming a
    metric the suite does not have is a config error."""
    out = []
    for gate in gates:
        suite = run.suites.get(gate.suite)
        if suite is None:
            held = ", ".join(run.suites) or "no suite"
            out.append(Check(gate.suite, gate.metric, "threshold", NAN, _limit(gate), False,
                             f"suite {gate.suite} was not run (this run has {held}); run it with `rightfit eval "
                             f"run {gate.suite}` or gate only the suites run"))
            continue
        est = suite.metrics.get(gate.metric)
        if est is None and any(r.errored for r in suite.items):  # no item that ran bore on it
            errored = len({r.id for r in suite.items if r.errored})
            out.append(Check(gate.suite, gate.metric, "threshold", NAN, _limit(gate), False,
                             f"not measured: no item that ran bears on it ({errored} of "
                             f"{len({r.id for r in suite.items})} items failed to run)"))
            continue
        if est is None:
            raise ConfigError(f"gate on {gate.suite}.{gate.metric}: suite {gate.suite} has no metric "
                              f"{gate.metric!r}; it has {', '.join(sorted(suite.metrics))}")
        problems = []
        if gate.min is not None and not est.value >= gate.min:
            problems.append(f"{est.value:.4g} is below the minimum {gate.min:g} by {gate.min - est.value:.4g}")
        if gate.max is not None and not est.value <= gate.max:
            problems.append(f"{est.value:.4g} is above the maximum {gate.max:g} by {est.value - gate.max:.4g}")
        out.append(Check(gate.suite, gate.metric, "threshold", est, _limit(gate), not problems,
                         "; ".join(problems) or "ok"))
    return out


def unchecked(run: Run, checks: Sequence[Check], why: str) -> list[Check]:
    """A failed check for each suite of the run that no check covers: a gate must not pass on nothing."""
    covered = {c.suite for c in checks}
    return [Check(name, "*", "coverage", NAN, "a threshold or a baseline", False, f"nothing checked it: {why}")
            for name in run.suites if name not in covered]


def merge_baseline(existing: Run | None, run: Run) -> Run:
    """The baseline to save: the run's suites replace theirs in the existing baseline; the others are kept."""
    if existing is None:
        return run
    suites = {**existing.suites, **run.suites}  # existing order, new suites at the end
    return Run(run.created, run.hardware, run.currency, run.configuration, run.settings_sha256, suites)


def baseline_checks(run: Run, baseline: Run, settings: EvalSettings) -> list[Check]:
    """Every quality metric of every suite in both runs, compared item by item."""
    out = []
    for name, suite in run.suites.items():
        base = baseline.suites.get(name)
        if base is None:
            continue
        if base.file_sha256 != suite.file_sha256:
            nan = float("nan")
            out.append(Check(name, "*", "baseline", Estimate(nan, nan, nan), "same items", False,
                             "the suite file changed since the baseline was saved; review the change and save a "
                             "new baseline with `rightfit eval gate --save-baseline`"))
            continue
        for metric in suite.quality_metrics():
            diff, n = paired_difference(suite.per_item(metric), base.per_item(metric), n=settings.bootstrap,
                                        confidence=settings.confidence)
            if n == 0 or math.isnan(diff.value):
                continue
            worse = -diff.value if not suite.lower_better(metric) else diff.value  # > 0: got worse
            bad_side = diff.high < 0 if not suite.lower_better(metric) else diff.low > 0
            failed = bad_side and worse > settings.regression_margin
            change = "rise" if suite.lower_better(metric) else "drop"  # hallucination gets worse as it rises
            limit = f"no {change} > {settings.regression_margin:g} beyond noise"
            if failed:
                msg = f"got worse by {worse:.3f} on {n} items (interval {diff.low:+.3f} to {diff.high:+.3f})"
            elif bad_side:
                msg = f"worse by {worse:.3f}, within the margin"
            else:
                msg = "ok"
            out.append(Check(name, metric, "baseline", diff, limit, not failed, msg))
    return out


def table(checks: Sequence[Check], *, only_failed: bool = False) -> str:
    rows = [c for c in checks if not (only_failed and c.passed)]
    w = max([14, *(len(c.suite) + 2 for c in rows)])  # a long suite name ("conversations_2") keeps a gap
    # A baseline check's value is the change against the baseline; a long interval keeps one space before the
    # next column.
    lines = [f"{'suite':<{w}}{'metric':<20}{'check':<10}{'value or change [interval]':<32}{'held to':<34}result"]
    for c in rows:
        lines.append(f"{c.suite:<{w}}{c.metric:<20}{c.kind:<10}{c.value.text('.4g'):<31} {c.limit:<34}"
                     f"{'PASS' if c.passed else 'FAIL: ' + c.message}")
    return "\n".join(lines)
