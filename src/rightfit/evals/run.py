"""`rightfit eval run`: every suite against the assembled assistant, with latency and cost per request.

The assistant runs on a scratch data directory that shares the index and cached classifiers with the
configured one, so an eval never changes the bank database, sessions or audit log a deployment uses.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
import traceback
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from rightfit.core.errors import ConfigError, InvalidInputError
from rightfit.core.files import write_text_atomic
from rightfit.core.jsonio import loads as loads_json
from rightfit.core.settings import Settings, settings_sha256
from rightfit.evals.cost import collector, price, usage_of
from rightfit.evals.stats import Estimate, cluster_resamples, estimate
from rightfit.evals.suites import EvalEnv, Suite, load_suites
from rightfit.evals.suites.base import file_sha256

RUN_VERSION = 1
ERROR_OUTPUT = "(error)"  # the output of an item whose judging raised: it failed to run, it was not measured
# Read-only artifacts the scratch directory borrows from the configured data directory.
SHARED_ARTIFACTS = ("index", "classifiers")


@dataclass(frozen=True, slots=True)
class ItemResult:
    id: str
    repeat: int
    passed: bool
    resolved: bool
    scores: dict[str, float]
    output: str
    detail: str
    latency_ms: float
    cpu_ms: float
    tokens: dict[str, list[int]]  # model -> [in, out]
    cost: float

    @property
    def errored(self) -> bool:
        """The item failed to run (its judge raised), so it bears no measured score."""
        return self.output == ERROR_OUTPUT and self.detail.startswith("error: ")


@dataclass
class SuiteRun:
    name: str
    kind: str
    file_sha256: str
    lower_is_better: list[str]
    items: list[ItemResult]
    metrics: dict[str, Estimate] = field(default_factory=dict)

    def per_item(self, metric: str) -> dict[str, float]:
        """One value per item (mean over repeats) of a quality metric, for paired comparisons; an item that
        failed to run counts as the worst value, as in the suite's metrics."""
        values: dict[str, list[float]] = {}
        for r in self.items:
            v = (float(r.passed) if metric == "pass_rate" else float(r.resolved) if metric == "resolved_rate"
                 else worst_score(self.lower_better(metric)) if r.errored else r.scores.get(metric))
            if v is not None:
                values.setdefault(r.id, []).append(v)
        return {k: sum(v) / len(v) for k, v in values.items()}

    def quality_metrics(self) -> list[str]:
        return ["pass_rate", "resolved_rate", *sorted({k for r in self.items for k in r.scores})]

    def lower_better(self, metric: str) -> bool:
        return metric in self.lower_is_better or metric.endswith("_ms") or metric.startswith("cost")


@dataclass
class Run:
    created: float
    hardware: str
    currency: str
    configuration: dict[str, Any]  # the settings that pick rungs, for the report
    settings_sha256: str
    suites: dict[str, SuiteRun]
    version: int = RUN_VERSION

    def to_json(self) -> str:
        data = asdict(self)
        for name, suite in self.suites.items():
            data["suites"][name]["metrics"] = {k: v.as_list() for k, v in suite.metrics.items()}
        return json.dumps(data, indent=1, default=float)

    @classmethod
    def load(cls, path: Path) -> Run:
        try:
            data = loads_json(path.read_text(encoding="utf-8"))
            suites = {}
            for name, s in data["suites"].items():
                items = [ItemResult(**i) for i in s["items"]]
                if not items or "pass_rate" not in s["metrics"]:
                    raise InvalidInputError(f"{path}: suite {name} has no items (nothing was measured); re-run "
                                            "it with `rightfit eval run --save PATH`")
                metrics = {k: Estimate(*v) for k, v in s["metrics"].items()}
                suites[name] = SuiteRun(s["name"], s["kind"], s["file_sha256"], s["lower_is_better"], items,
                                        metrics)
            if data.get("version") != RUN_VERSION:
                raise InvalidInputError(f"{path} was saved by another version of rightfit (run format "
                                        f"{data.get('version')}, expected {RUN_VERSION}); re-create it")
            return cls(data["created"], data["hardware"], data["currency"], data["configuration"],
                       data["settings_sha256"], suites)
        except FileNotFoundError:
            raise InvalidInputError(f"eval run {path} does not exist; write one with `rightfit eval run "
                                    "--save PATH`") from None
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            raise InvalidInputError(f"{path} is not a saved eval run ({exc}); re-create it with "
                                    "`rightfit eval run --save PATH`") from None

    def save(self, path: Path) -> None:
        write_text_atomic(path, self.to_json())

    def only(self, names: Sequence[str] | None, *, source: Path, configured: Path | None = None) -> Run:
        """This saved run restricted to the named suites (all when none are named). A name the run lacks is an
        error: the same words as `eval run` when no suite in the `configured` suites folder has it."""
        if not names:
            return self
        missing = [n for n in names if n not in self.suites]
        if missing:
            known = list(load_suites(configured)) if configured is not None else []
            unknown = [n for n in missing if known and n not in known]
            if unknown:
                raise InvalidInputError(f"no suite named {', '.join(unknown)}; suites: {', '.join(known)}")
            held = ", ".join(self.suites) or "no suite"
            raise InvalidInputError(f"the saved run {source} has no {', '.join(missing)} (it holds {held}); run "
                                    f"{'it' if len(missing) == 1 else 'them'} with `rightfit eval run "
                                    f"{' '.join(missing)} --save PATH`")
        return Run(self.created, self.hardware, self.currency, self.configuration, self.settings_sha256,
                   {n: self.suites[n] for n in dict.fromkeys(names)}, self.version)


def configuration(settings: Settings) -> dict[str, Any]:
    """The settings that choose what runs, as shown in reports and compared by drift."""
    return {"answer.rung": settings.answer.rung, "assistant.extract_model": settings.assistant.extract_model,
            "retrieval.fusion": settings.retrieval.fusion, "rerank.enabled": settings.rerank.enabled,
            "rerank.model": str(settings.rerank.model) if settings.rerank.model else None,
            "guard.enabled": settings.guard.enabled}


def worst_score(lower_is_better: bool) -> float:
    """What an item that failed to run contributes to a quality score (scores are shares in [0, 1])."""
    return 1.0 if lower_is_better else 0.0


def summarize(items: Sequence[ItemResult], *, bootstrap: int, confidence: float, seed: int = 0,
              lower_is_better: Collection[str] = ()) -> dict[str, Estimate]:
    """Every suite metric with its bootstrap interval (items resampled with their repeats).

    An item that failed to run counts as a failure in every quality metric (the worst value: 0, or 1 for a
    lower-is-better one), never as an item left out: a rung whose items mostly crash must not look accurate.
    """
    if not items:
        return {}
    keys = sorted({k for r in items for k in r.scores})
    worst = {k: worst_score(k in lower_is_better) for k in keys}
    scores = np.array([[worst[k] if r.errored else r.scores.get(k, np.nan) for k in keys] for r in items],
                      dtype=float).reshape(len(items), -1)
    passed = np.array([r.passed for r in items], dtype=float)
    resolved = np.array([r.resolved for r in items], dtype=float)
    latency = np.array([r.latency_ms for r in items])
    cpu = np.array([r.cpu_ms for r in items])
    cost = np.array([r.cost for r in items])
    samples = cluster_resamples([r.id for r in items], bootstrap, seed)

    def nanmean(column: np.ndarray) -> float:
        present = column[~np.isnan(column)]
        return float(present.mean()) if present.size else float("nan")

    def per_resolved(rows: np.ndarray) -> float:
        n = resolved[rows].sum()
        return float(cost[rows].sum() / n) if n else float("inf")

    stats: dict[str, Callable[[np.ndarray], float]] = {
        "pass_rate": lambda rows: float(passed[rows].mean()),
        "resolved_rate": lambda rows: float(resolved[rows].mean()),
        "p50_ms": lambda rows: float(np.percentile(latency[rows], 50)),
        "p95_ms": lambda rows: float(np.percentile(latency[rows], 95)),
        "p99_ms": lambda rows: float(np.percentile(latency[rows], 99)),
        "cpu_ms": lambda rows: float(cpu[rows].mean()),
        "cost_per_request": lambda rows: float(cost[rows].mean()),
        "cost_per_resolved": per_resolved,
    }
    def score(j: int) -> Callable[[np.ndarray], float]:
        return lambda rows: nanmean(scores[rows, j])

    for j, k in enumerate(keys):
        stats[k] = score(j)
    return {name: estimate(fn, len(items), samples, confidence) for name, fn in stats.items()}


@contextmanager
def scratch_settings(settings: Settings) -> Iterator[Settings]:
    """Settings on a temporary data directory that borrows the index and cached classifiers."""
    from rightfit.retrieval.stores.embedded import current_generation

    if current_generation(settings.data_dir) is None:
        raise ConfigError(f"no index in {settings.data_dir}; run `rightfit index DOCS --config ...` before the evals")
    (settings.data_dir / "classifiers").mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="rightfit-eval-"))
    try:
        for name in SHARED_ARTIFACTS:
            os.symlink(settings.data_dir.resolve() / name, scratch / name)
        yield settings.model_copy(update={"data_dir": scratch})
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def deterministic(settings: Settings) -> bool:
    """Local models decode greedily, so only endpoint rungs need repeated runs."""
    rungs = [settings.answer.rung, settings.assistant.extract_model or ""]
    return not any(r.startswith(("openai:", "extractive+openai:")) for r in rungs)


Progress = Callable[[str, int, int], None]


def _judge(env: EvalEnv, suite: Suite, name: str, item: Any, *, repeat: int, settings: Settings) -> ItemResult:
    from rightfit.telemetry.tracing import request_span

    spans = collector()
    started = time.perf_counter()
    with request_span("eval", suite=name, item=item.id) as span:
        ctx = span.get_span_context()
        spans.watch(ctx.trace_id)
        try:
            judgement = suite.judge(env, item)
        except ConfigError:
            raise
        except Exception as exc:  # one broken item is a failed item, not a lost run
            detail = f"error: {type(exc).__name__}: {exc}"
            if not isinstance(exc, InvalidInputError):  # where it broke, for the report
                frames = traceback.extract_tb(exc.__traceback__)
                if frames:
                    detail += f" @ {Path(frames[-1].filename).name}:{frames[-1].lineno}"
            judgement = None
    latency = (time.perf_counter() - started) * 1000
    usage = usage_of(spans.take(ctx.trace_id), ctx.span_id)
    cost = price(usage, settings.evals.prices)
    tokens = {m: [t_in, t_out] for m, (t_in, t_out, _) in usage.tokens.items()}
    if judgement is None:
        return ItemResult(item.id, repeat, False, False, {}, ERROR_OUTPUT, detail, latency, usage.cpu_ms, tokens, cost)
    resolved = judgement.passed if judgement.resolved is None else judgement.resolved
    return ItemResult(item.id, repeat, judgement.passed, resolved, judgement.scores, judgement.output,
                      judgement.detail, latency, usage.cpu_ms, tokens, cost)


def run_suites(settings: Settings, names: Sequence[str] | None = None, *, repeats: int | None = None,
               progress: Progress | None = None) -> Run:
    from rightfit.core.runtime import hardware_line

    suites = load_suites(settings.evals.suites)
    chosen = list(names) if names else list(suites)
    unknown = [n for n in chosen if n not in suites]
    if unknown:
        raise InvalidInputError(f"no suite named {', '.join(unknown)}; suites: {', '.join(suites)}")
    n_repeats = repeats if repeats is not None else (1 if deterministic(settings) else settings.evals.repeats)
    chosen_items = {name: list(suites[name].items()) for name in chosen}  # every file checked before any runs
    empty = [name for name, items in chosen_items.items() if not items]
    if empty:  # nothing to measure is an error, never an empty (passing) suite
        raise InvalidInputError(f"eval suite {', '.join(empty)} has no items to run; check its file and options "
                                f"in {settings.evals.suites}/suites.toml")
    results: dict[str, SuiteRun] = {}
    with scratch_settings(settings) as scratch:
        env = EvalEnv(scratch)
        for name in chosen:
            suite, items = suites[name], chosen_items[name]
            try:  # warm-up, untimed: model loading is not a request's latency
                suite.judge(env, items[0])
            except ConfigError:
                raise
            except Exception:  # noqa: S110  (the timed run records this item's error)
                pass
            rows = []
            total = len(items) * n_repeats
            for repeat in range(n_repeats):
                for item in items:
                    rows.append(_judge(env, suite, name, item, repeat=repeat, settings=scratch))
                    if progress is not None:
                        progress(name, len(rows), total)
            run = SuiteRun(name, suite.kind, file_sha256(Path(getattr(suite, "path", ""))),
                           sorted(suite.lower_is_better), rows)
            run.metrics = summarize(rows, bootstrap=settings.evals.bootstrap, confidence=settings.evals.confidence,
                                    lower_is_better=suite.lower_is_better)
            results[name] = run
    return Run(time.time(), hardware_line(), settings.evals.prices.currency, configuration(settings),
               settings_sha256(settings), results)
