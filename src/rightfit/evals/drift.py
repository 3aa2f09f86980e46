"""`rightfit eval drift`: two configurations on the same suites, item by item.

For a quantized model against a higher-precision one, a new model against the serving one, or a re-built
index against the old: how often they give the same output, how each quality metric moved (with a paired
bootstrap interval), and exactly which items changed.
"""

from __future__ import annotations

from dataclasses import dataclass

from rightfit.core.settings import EvalSettings
from rightfit.evals.gate import Check, baseline_checks
from rightfit.evals.run import Run


@dataclass(frozen=True, slots=True)
class Changed:
    item: str
    reference: str
    candidate: str
    reference_passed: bool
    candidate_passed: bool


@dataclass(frozen=True, slots=True)
class SuiteDrift:
    suite: str
    items: int
    agreement: float  # share of items with the same output (first repeat)
    changed: list[Changed]
    checks: list[Check]  # metric deltas, failing on a real regression


def compare(reference: Run, candidate: Run, settings: EvalSettings) -> list[SuiteDrift]:
    checks = baseline_checks(candidate, reference, settings)
    out = []
    for name, cand in candidate.suites.items():
        ref = reference.suites.get(name)
        if ref is None:
            continue
        before = {r.id: r for r in ref.items if r.repeat == 0}
        after = {r.id: r for r in cand.items if r.repeat == 0}
        shared = [i for i in after if i in before]
        changed = [Changed(i, before[i].output, after[i].output, before[i].passed, after[i].passed)
                   for i in shared if before[i].output != after[i].output]
        agreement = 1 - len(changed) / len(shared) if shared else float("nan")
        out.append(SuiteDrift(name, len(shared), agreement, changed, [c for c in checks if c.suite == name]))
    return out
