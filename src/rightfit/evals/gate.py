"""`rightfit eval gate`: a run checked against the configured thresholds and against a saved baseline.

Thresholds are specifications: the measured value must meet them. The baseline comparison is about noise:
a quality metric fails only when the paired bootstrap interval of its change lies wholly on the bad side
and the drop is larger than the configured margin, so re-running an unchanged configuration passes and a
real regression does not. Latency and cost are judged by thresholds only, since they move with the machine.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from rightfit.core.errors import ConfigError
from rightfit.core.settings import EvalSettings, Gate
from rightfit.evals.run import Run
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


def threshold_checks(run: Run, gates: Sequence[Gate]) -> list[Check]:
    """Checks for the gates whose suite is in the run; a gate naming an unknown metric is a config error."""
    out = []
    for gate in gates:
        suite = run.suites.get(gate.suite)
        if suite is None:
            continue
        est = suite.metrics.get(gate.metric)
        if est is None:
            raise ConfigError(f"gate on {gate.suite}.{gate.metric}: suite {gate.suite} has no metric "
                              f"{gate.metric!r}; it has {', '.join(sorted(suite.metrics))}")
        problems = []
        if gate.min is not None and not est.value >= gate.min:
            problems.append(f"{est.value:.4g} is below the minimum {gate.min:g} by {gate.min - est.value:.4g}")
        if gate.max is not None and not est.value <= gate.max:
            problems.append(f"{est.value:.4g} is above the maximum {gate.max:g} by {est.value - gate.max:.4g}")
        limit = " and ".join(x for x in (f">= {gate.min:g}" if gate.min is not None else "",
                                         f"<= {gate.max:g}" if gate.max is not None else "") if x)
        out.append(Check(gate.suite, gate.metric, "threshold", est, limit or "(none)", not problems,
                         "; ".join(problems) or "ok"))
    return out


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
            limit = f"no drop > {settings.regression_margin:g} beyond noise"
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
    lines = [f"{'suite':<14}{'metric':<20}{'check':<10}{'value [interval]':<30}{'held to':<34}result"]
    for c in rows:
        lines.append(f"{c.suite:<14}{c.metric:<20}{c.kind:<10}{c.value.text('.4g'):<30}{c.limit:<34}"
                     f"{'PASS' if c.passed else 'FAIL: ' + c.message}")
    return "\n".join(lines)
