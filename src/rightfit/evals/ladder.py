"""`rightfit fit`: for each task, run its suites on every configured rung and pick the cheapest rung that
passes every gate of those suites; the choice and its evidence go into the lock file `rightfit serve` loads.

Tasks are independent (intents, FAQ answers and field extraction may each need a different rung), so each
task's rungs are tried with every other setting as configured. A rung with items that failed to run (an
unknown or uninstalled model, a crash) is rejected whatever its metrics say: those items were not measured.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from rightfit.core.errors import ConfigError, RightfitError
from rightfit.core.settings import FitTask, Settings
from rightfit.evals.gate import Check, error_checks, threshold_checks
from rightfit.evals.run import Run, run_suites
from rightfit.evals.stats import Estimate


def apply_rung(settings: Settings, setting: str, rung: str) -> Settings:
    """Settings with one task's rung in place."""
    if setting == "answer.rung":
        return settings.model_copy(update={"answer": settings.answer.model_copy(update={"rung": rung})})
    if setting == "assistant.extract_model":
        model = None if rung == "parsers" else rung
        return settings.model_copy(update={"assistant": settings.assistant.model_copy(
            update={"extract_model": model})})
    raise ConfigError(f"unknown ladder setting {setting!r}; use answer.rung or assistant.extract_model")


@dataclass
class RungResult:
    task: str
    rung: str
    run: Run | None  # None: not run (`skipped` says why)
    checks: list[Check]
    skipped: str | None = None

    @property
    def passed(self) -> bool:
        return self.skipped is None and all(c.passed for c in self.checks)

    @property
    def cost_per_resolved(self) -> float:
        """Over all the task's suites: total cost over resolved requests."""
        items = [r for s in self.run.suites.values() for r in s.items] if self.run is not None else []
        resolved = sum(r.resolved for r in items)
        return sum(r.cost for r in items) / resolved if resolved else math.inf

    @property
    def p95_ms(self) -> float:
        return max(s.metrics["p95_ms"].value for s in self.run.suites.values()) if self.run is not None else math.nan

    def quality(self) -> dict[str, Estimate]:
        return {name: s.metrics["pass_rate"] for name, s in self.run.suites.items()} if self.run is not None else {}

    def why_not(self) -> str:
        if self.skipped is not None:
            return f"not run: {self.skipped}"
        failed = [c for c in self.checks if not c.passed]
        return "; ".join(f"{c.suite}: {c.message}" if c.kind == "run" else f"{c.suite}.{c.metric} {c.message}"
                         for c in failed) or "passes"


@dataclass
class FitResult:
    rungs: dict[str, list[RungResult]] = field(default_factory=dict)
    choice: dict[str, RungResult] = field(default_factory=dict)

    def chosen_settings(self, settings: Settings, tasks: dict[str, FitTask]) -> Settings:
        for name, result in self.choice.items():
            settings = apply_rung(settings, tasks[name].setting, result.rung)
        return settings

    def evidence(self) -> dict[str, Any]:
        """What the lock records per task: the choice, its metrics with intervals, and every rejection."""
        out: dict[str, Any] = {}
        for task, results in self.rungs.items():
            chosen = self.choice.get(task)
            out[task] = {
                "rung": chosen.rung if chosen else None,
                "rungs": {r.rung: {
                    "passed": r.passed, "cost_per_resolved": r.cost_per_resolved, "p95_ms": r.p95_ms,
                    "pass_rate": {s: e.as_list() for s, e in r.quality().items()},
                    "metrics": {s: {k: v.as_list() for k, v in sr.metrics.items()}
                                for s, sr in (r.run.suites.items() if r.run is not None else ())},
                    "why_not": None if r.passed else r.why_not()} for r in results},
            }
        return out


Progress = Callable[[str, str, str, int, int], None]  # task, rung, suite, done, total


def _cannot_run(trial: Settings, setting: str) -> str | None:
    """Why a rung's models cannot load (not installed, unknown, no endpoint), or None."""
    from rightfit.models.generators import check_rung

    rung = trial.answer.rung if setting == "answer.rung" else trial.assistant.extract_model
    try:
        if rung is not None:
            check_rung(trial, rung)
    except RightfitError as exc:
        return str(exc)
    return None


def fit(settings: Settings, *, tasks: list[str] | None = None, progress: Progress | None = None) -> FitResult:
    configured = settings.evals.tasks
    if not configured:
        raise ConfigError("no ladder tasks configured; add [evals.tasks.NAME] with suites, setting and rungs "
                          "(the bank example's rightfit.toml has them)")
    names = tasks or list(configured)
    unknown = [n for n in names if n not in configured]
    if unknown:
        raise ConfigError(f"no task named {', '.join(unknown)}; tasks: {', '.join(configured)}")
    for name in names:  # before any rung runs: a task no gate judges would pass every rung untested
        ungated = [s for s in configured[name].suites if not any(g.suite == s for g in settings.evals.gates)]
        if ungated:
            raise ConfigError(f"task {name}: suite {', '.join(ungated)} has no [[evals.gates]], so every rung "
                              "would pass it unchecked; add a gate (suite, metric, min or max) for it")
    result = FitResult()
    for name in names:
        task = configured[name]
        result.rungs[name] = []
        for rung in task.rungs:
            trial = apply_rung(settings, task.setting, rung)
            if (why := _cannot_run(trial, task.setting)) is not None:
                # A model that is not installed is said, not measured: its items would all fail to run, and
                # the pass rate of the items that never needed it would read like a measurement.
                result.rungs[name].append(RungResult(name, rung, None, [], skipped=why))
                continue
            report = None if progress is None else (
                lambda suite, done, total, name=name, rung=rung: progress(name, rung, suite, done, total))
            run = run_suites(trial, task.suites, progress=report)
            gates = [g for g in settings.evals.gates if g.suite in task.suites]
            checks = error_checks(run) + threshold_checks(run, gates)
            result.rungs[name].append(RungResult(name, rung, run, checks))
        passing = [r for r in result.rungs[name] if r.passed]
        if passing:  # cheapest measured, earlier in the list on a tie
            result.choice[name] = min(passing, key=lambda r: r.cost_per_resolved)
    return result
