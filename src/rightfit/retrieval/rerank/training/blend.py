"""How much of the fused retrieval score a reranker should keep, chosen on questions it did not train on.

A cross-encoder fine-tuned on a few hundred synthetic questions knows the domain only a little, while hybrid
retrieval is often already good; ordering by the cross-encoder alone throws the hybrid ordering away. The stage
can order by (1 - w) * z(reranker) + w * z(fused) instead (rightfit.retrieval.rerank.stage.combined_scores);
`choose_fused_weight` picks w on questions the reranker did not train on: its held-out synthetic questions, or
labelled development questions of the user's (`rightfit tune blend`), never the eval set the reranker is judged
on. It prefers the larger w (closer to hybrid alone) when two weights do equally well.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rightfit.retrieval.rerank.stage import combined_scores

GRID = tuple(round(i / 20, 2) for i in range(21))  # 0.0, 0.05, ..., 1.0


@dataclass(frozen=True, slots=True)
class Candidates:
    """One held-out question: scores of the hybrid top N (in fused order) and which of them are relevant."""

    reranker: Sequence[float]
    fused: Sequence[float]
    positives: frozenset[int]  # indexes into the lists; empty when no relevant passage made the top N


@dataclass(frozen=True, slots=True)
class BlendChoice:
    fused_weight: float
    questions: int
    mrr: dict[float, float]  # fused weight -> MRR@10 of the first relevant passage

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


def choose_fused_weight(dev: Sequence[Candidates], grid: Sequence[float] = GRID) -> BlendChoice:
    """The weight with the best MRR@10 on `dev`; among equals the one closest to hybrid alone (1.0)."""
    if not dev:
        raise ValueError("choosing a fused weight needs held-out questions")
    mrr = {w: sum(reciprocal_rank(c, w) for c in dev) / len(dev) for w in sorted({*grid, 0.0, 1.0})}
    best = max(mrr.values())
    weight = max(w for w, v in mrr.items() if v >= best - 1e-9)
    return BlendChoice(fused_weight=weight, questions=len(dev), mrr=mrr)
