"""How much of the fused retrieval score a reranker should keep, chosen on questions it did not train on.

A cross-encoder fine-tuned on a few hundred synthetic questions knows the domain only a little, while hybrid
retrieval is often already good; ordering by the cross-encoder alone throws the hybrid ordering away. The stage
can order by (1 - w) * z(reranker) + w * z(fused) instead (rightfit.retrieval.rerank.stage.combined_scores);
`choose_fused_weight` picks w on questions the reranker did not train on: its held-out synthetic questions, or
labelled development questions of the user's (`rightfit tune blend`), never the eval set the reranker is judged
on. It prefers the larger w (closer to hybrid alone) when two weights do equally well.

The best weight on a few hundred questions is partly luck: the same scan that picks it also scores it. The
choice therefore comes with a cross-validated check (choose on four fifths, score the fifth left out, five
times) and a bootstrap interval of its paired gain over hybrid, so a user can tell a real gain from noise.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from rightfit.evals.stats import paired_difference
from rightfit.retrieval.rerank.stage import combined_scores

GRID = tuple(round(i / 20, 2) for i in range(21))  # 0.0, 0.05, ..., 1.0
FOLDS = 5


@dataclass(frozen=True, slots=True)
class Candidates:
    """One held-out question: scores of the hybrid top N (in fused order) and which of them are relevant."""

    reranker: Sequence[float]
    fused: Sequence[float]
    positives: frozenset[int]  # indexes into the lists; empty when no relevant passage made the top N


@dataclass(frozen=True, slots=True)
class CrossValidation:
    """Each fold's questions scored at the weight chosen on the other folds: what the choice is worth on
    questions it did not see."""

    folds: int
    weights: tuple[float, ...]  # the weight chosen for each fold
    mrr: float  # MRR@10 of the questions, each at its fold's weight
    hybrid_mrr: float  # the same questions in the hybrid order
    gain_interval: tuple[float, float]  # 95% bootstrap interval of the mean paired gain over hybrid

    @property
    def gain(self) -> float:
        return self.mrr - self.hybrid_mrr

    @property
    def demonstrated(self) -> bool:
        """Whether the gain over hybrid is clear of noise (its interval lies above zero)."""
        return self.gain_interval[0] > 0.0

    def as_dict(self) -> dict[str, object]:
        return {"folds": self.folds, "weights": list(self.weights), "mrr": round(self.mrr, 4),
                "hybrid_mrr": round(self.hybrid_mrr, 4), "gain": round(self.gain, 4),
                "gain_interval_95": [round(v, 4) for v in self.gain_interval]}


@dataclass(frozen=True, slots=True)
class BlendChoice:
    fused_weight: float
    questions: int
    mrr: dict[float, float]  # fused weight -> MRR@10 of the first relevant passage
    cross_validation: CrossValidation | None = None  # None: too few questions to split into folds

    @property
    def hybrid_mrr(self) -> float:
        return self.mrr[1.0]

    @property
    def reranker_only_mrr(self) -> float:
        return self.mrr[0.0]


def reciprocal_rank(c: Candidates, fused_weight: float, k: int = 10) -> float:
    scores = combined_scores(c.reranker, c.fused, fused_weight)
    # The stage's order: score, then fused score, then fused rank.
    order = sorted(range(len(scores)), key=lambda i: (-float(scores[i]), -float(c.fused[i]), i))
    rank = next((r for r, i in enumerate(order[:k], start=1) if i in c.positives), None)
    return 0.0 if rank is None else 1.0 / rank


def _best(mrr: dict[float, float]) -> float:
    """The weight with the best MRR; among equals the one closest to hybrid alone (1.0)."""
    top = max(mrr.values())
    return max(w for w, v in mrr.items() if v >= top - 1e-9)


def choose_fused_weight(dev: Sequence[Candidates], grid: Sequence[float] = GRID, *, folds: int = FOLDS,
                        seed: int = 0) -> BlendChoice:
    """The weight with the best MRR@10 on `dev`, with its cross-validated check when there are at least two
    questions per fold."""
    if not dev:
        raise ValueError("choosing a fused weight needs held-out questions")
    weights = sorted({*grid, 0.0, 1.0})
    rr = np.array([[reciprocal_rank(c, w) for c in dev] for w in weights])  # weight x question
    mrr = {w: float(rr[i].mean()) for i, w in enumerate(weights)}
    cv = _cross_validate(rr, weights, folds=folds, seed=seed) if len(dev) >= 2 * folds else None
    return BlendChoice(fused_weight=_best(mrr), questions=len(dev), mrr=mrr, cross_validation=cv)


def _cross_validate(rr: np.ndarray, weights: Sequence[float], *, folds: int, seed: int) -> CrossValidation:
    n = rr.shape[1]
    fold = np.arange(n) % folds
    hybrid = rr[list(weights).index(1.0)]
    chosen = np.zeros(n)
    per_fold = []
    for f in range(folds):
        rest = fold != f
        w = _best({wt: float(rr[i, rest].mean()) for i, wt in enumerate(weights)})
        per_fold.append(w)
        chosen[~rest] = rr[list(weights).index(w), ~rest]
    def by_question(values: np.ndarray) -> dict[str, float]:
        return {f"{i:07d}": float(v) for i, v in enumerate(values)}  # keys sort in question order

    gain, _ = paired_difference(by_question(chosen), by_question(hybrid), n=2000, confidence=0.95, seed=seed)
    return CrossValidation(folds=folds, weights=tuple(per_fold), mrr=float(chosen.mean()),
                           hybrid_mrr=float(hybrid.mean()), gain_interval=(gain.low, gain.high))
