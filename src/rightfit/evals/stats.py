"""Bootstrap confidence intervals over eval items, and paired comparisons between two runs of the same items.

Items are resampled as clusters: the repeated runs of one item move together, so repeats narrow an interval
only as much as they really reduce noise.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, slots=True)
class Estimate:
    value: float
    low: float
    high: float

    def as_list(self) -> list[float]:
        return [self.value, self.low, self.high]

    def text(self, fmt: str = ".3f") -> str:
        if math.isnan(self.value):
            return "-"
        return f"{self.value:{fmt}} [{self.low:{fmt}}, {self.high:{fmt}}]"


def cluster_resamples(ids: Sequence[str], n: int, seed: int = 0) -> list[np.ndarray]:
    """`n` bootstrap resamples of the rows, drawing whole items (all rows sharing an id) with replacement."""
    groups: dict[str, list[int]] = {}
    for row, item in enumerate(ids):
        groups.setdefault(item, []).append(row)
    clusters = [np.array(rows) for rows in groups.values()]
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        picks = rng.integers(0, len(clusters), len(clusters))
        out.append(np.concatenate([clusters[i] for i in picks]))
    return out


def estimate(statistic: Callable[[np.ndarray], float], rows: int, resamples: Sequence[np.ndarray],
             confidence: float) -> Estimate:
    value = statistic(np.arange(rows))
    draws = np.array([statistic(r) for r in resamples], dtype=float)
    draws = draws[np.isfinite(draws)]
    if not draws.size or not math.isfinite(value):
        return Estimate(value, value, value)
    tail = (1 - confidence) / 2 * 100
    return Estimate(value, float(np.percentile(draws, tail)), float(np.percentile(draws, 100 - tail)))


def paired_difference(candidate: Mapping[str, float], reference: Mapping[str, float], *, n: int,
                      confidence: float, seed: int = 0) -> tuple[Estimate, int]:
    """Mean of candidate - reference over the items both have, with a bootstrap interval; and that count."""
    shared = sorted(set(candidate) & set(reference))
    if not shared:
        nan = float("nan")
        return Estimate(nan, nan, nan), 0
    diffs = np.array([candidate[i] - reference[i] for i in shared])
    rng = np.random.default_rng(seed)
    draws = diffs[rng.integers(0, len(diffs), (n, len(diffs)))].mean(axis=1)
    tail = (1 - confidence) / 2 * 100
    return Estimate(float(diffs.mean()), float(np.percentile(draws, tail)),
                    float(np.percentile(draws, 100 - tail))), len(shared)
