"""Fusion of ranked lists: reciprocal rank fusion, and weighted min-max normalized scores."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from rightfit.types import Hit, RetrievalResult


def _ordered(scores: dict[int, float], by_row: dict[int, Hit], stage: str, top_k: int) -> RetrievalResult:
    # Ties break on row so results are deterministic.
    best = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))[:top_k]
    hits = tuple(
        dataclasses.replace(by_row[row], score=score, fused_score=score, retriever=stage) for row, score in best
    )
    return RetrievalResult(hits=hits, stage=stage)


class ReciprocalRankFusion:
    """Stage: score = sum over lists of weight / (k + rank). Robust to retrievers' different score scales."""

    name = "rrf"

    def __init__(self, *, k: int = 60, top_k: int = 50, weights: Sequence[float] | None = None) -> None:
        if k < 1:
            raise ValueError(f"rrf: k must be >= 1, got {k}")
        if top_k < 1:
            raise ValueError(f"rrf: top_k must be >= 1, got {top_k}")
        self.k = k
        self.top_k = top_k
        self.weights = tuple(weights) if weights is not None else None

    def warm_up(self) -> None:
        return None

    def run(self, *, results: Sequence[RetrievalResult], top_k: int | None = None) -> RetrievalResult:
        weights = self.weights if self.weights is not None else (1.0,) * len(results)
        if len(weights) != len(results):
            raise ValueError(f"rrf: {len(weights)} weights for {len(results)} result lists")
        scores: dict[int, float] = {}
        by_row: dict[int, Hit] = {}
        for w, result in zip(weights, results, strict=True):
            for rank, hit in enumerate(result.hits, start=1):
                scores[hit.row] = scores.get(hit.row, 0.0) + w / (self.k + rank)
                by_row.setdefault(hit.row, hit)
        return _ordered(scores, by_row, self.name, self.top_k if top_k is None else top_k)


class WeightedFusion:
    """Stage: score = sum of weight * min-max normalized score; a hit missing from a list scores 0 there."""

    name = "weighted"

    def __init__(self, *, weights: Sequence[float], top_k: int = 50) -> None:
        if not weights or any(w < 0 for w in weights) or sum(weights) <= 0:
            raise ValueError(f"weighted fusion: weights must be non-negative with a positive sum, got {list(weights)}")
        if top_k < 1:
            raise ValueError(f"weighted fusion: top_k must be >= 1, got {top_k}")
        total = float(sum(weights))
        self.weights = tuple(w / total for w in weights)
        self.top_k = top_k

    def warm_up(self) -> None:
        return None

    def run(self, *, results: Sequence[RetrievalResult], top_k: int | None = None) -> RetrievalResult:
        if len(self.weights) != len(results):
            raise ValueError(f"weighted fusion: {len(self.weights)} weights for {len(results)} result lists")
        scores: dict[int, float] = {}
        by_row: dict[int, Hit] = {}
        for w, result in zip(self.weights, results, strict=True):
            if not result.hits:
                continue
            values = [h.score for h in result.hits]
            lo, hi = min(values), max(values)
            span = hi - lo
            for hit in result.hits:
                norm = (hit.score - lo) / span if span > 0 else 1.0
                scores[hit.row] = scores.get(hit.row, 0.0) + w * norm
                by_row.setdefault(hit.row, hit)
        return _ordered(scores, by_row, self.name, self.top_k if top_k is None else top_k)
