"""Classification metrics and cross-validation for intent classifiers."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from rightfit.evals.metrics import percentile


@dataclass(frozen=True, slots=True)
class ClassificationReport:
    n: int
    accuracy: float
    macro_f1: float
    worst_pairs: tuple[tuple[str, str, int], ...]  # (gold, predicted, count), most frequent first
    p50_ms: float = 0.0
    p95_ms: float = 0.0

    def table(self) -> str:
        timing = f", latency per message p50 {self.p50_ms:.1f} ms, p95 {self.p95_ms:.1f} ms" if self.p95_ms else ""
        lines = [f"{self.n} messages: accuracy {self.accuracy:.4f}, macro-F1 {self.macro_f1:.4f}{timing}",
                 "most confused (gold -> predicted: count):"]
        lines += [f"  {g} -> {p}: {c}" for g, p, c in self.worst_pairs]
        return "\n".join(lines)


def score(gold: Sequence[str], predicted: Sequence[str], *, latencies_ms: Sequence[float] = (),
          worst: int = 5) -> ClassificationReport:
    f1s = []
    for lab in sorted(set(gold)):
        tp = sum(g == lab and p == lab for g, p in zip(gold, predicted, strict=True))
        fp = sum(g != lab and p == lab for g, p in zip(gold, predicted, strict=True))
        fn = sum(g == lab and p != lab for g, p in zip(gold, predicted, strict=True))
        f1s.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    pairs = Counter((g, p) for g, p in zip(gold, predicted, strict=True) if g != p)
    return ClassificationReport(
        n=len(gold), accuracy=sum(g == p for g, p in zip(gold, predicted, strict=True)) / max(1, len(gold)),
        macro_f1=float(np.mean(f1s)) if f1s else 0.0,
        worst_pairs=tuple((g, p, c) for (g, p), c in pairs.most_common(worst)),
        p50_ms=percentile(latencies_ms, 50), p95_ms=percentile(latencies_ms, 95))


def stratified_folds(labels: Sequence[str], k: int, *, seed: int = 0) -> list[np.ndarray]:
    """Indices of k folds, each label spread evenly across them."""
    rng = np.random.default_rng(seed)
    folds: list[list[int]] = [[] for _ in range(k)]
    by_label: dict[str, list[int]] = {}
    for i, lab in enumerate(labels):
        by_label.setdefault(lab, []).append(i)
    offset = 0
    for lab in sorted(by_label):
        idx = np.array(by_label[lab])
        rng.shuffle(idx)
        for j, i in enumerate(idx):
            folds[(j + offset) % k].append(int(i))
        offset += len(idx)
    return [np.array(sorted(f)) for f in folds]


def cross_validate(labels: Sequence[str], fit_predict: Callable[[np.ndarray, np.ndarray], list[str]], *,
                   k: int = 5, seed: int = 0) -> tuple[ClassificationReport, list[float]]:
    """`fit_predict(train_idx, test_idx)` returns predictions for test_idx; returns the pooled report and
    the per-fold accuracies."""
    predicted: list[str] = [""] * len(labels)
    per_fold = []
    for fold in stratified_folds(labels, k, seed=seed):
        train = np.setdiff1d(np.arange(len(labels)), fold)
        preds = fit_predict(train, fold)
        for i, p in zip(fold, preds, strict=True):
            predicted[int(i)] = p
        per_fold.append(sum(labels[int(i)] == p for i, p in zip(fold, preds, strict=True)) / len(fold))
    return score(labels, predicted), per_fold


def time_per_message(predict_one: Callable[[str], object], texts: Sequence[str]) -> list[float]:
    out = []
    for t in texts:
        started = time.perf_counter()
        predict_one(t)
        out.append((time.perf_counter() - started) * 1000)
    return out
