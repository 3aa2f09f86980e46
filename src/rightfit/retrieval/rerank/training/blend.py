"""How much of the fused retrieval score a trained reranker should keep, chosen on held-out synthetic questions.

A cross-encoder fine-tuned on a few hundred synthetic questions knows the domain only a little, while hybrid
retrieval is often already good; ordering by the cross-encoder alone throws the hybrid ordering away. The stage
can order by (1 - w) * z(reranker) + w * z(fused) instead (rightfit.retrieval.rerank.stage.combined_scores);
`choose_fused_weight` picks w on questions the reranker did not train on (never on a human-written eval set),
preferring the larger w (closer to hybrid alone) when two weights do equally well.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rightfit.retrieval.rerank.stage import combined_scores

GRID = tuple(round(i / 20, 2) for i in range(21))  # 0.0, 0.05, ..., 1.0


@dataclass(frozen=True, slots=True)
class Candidates:
    """One held-out question: scores of the hybrid top N (in fused order) and where its source passage is."""

    reranker: Sequence[float]
    fused: Sequence[float]
    positive: int  # index into the lists; the source passage is always among them


@dataclass(frozen=True, slots=True)
class BlendChoice:
    fused_weight: float
    questions: int
    mrr: dict[float, float]  # fused weight -> MRR@10 of the source passage

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
    rank = order.index(c.positive) + 1
    return 1.0 / rank if rank <= k else 0.0


def choose_fused_weight(dev: Sequence[Candidates], grid: Sequence[float] = GRID) -> BlendChoice:
    """The weight with the best MRR@10 on `dev`; among equals the one closest to hybrid alone (1.0)."""
    if not dev:
        raise ValueError("choosing a fused weight needs held-out questions")
    mrr = {w: sum(reciprocal_rank(c, w) for c in dev) / len(dev) for w in sorted({*grid, 0.0, 1.0})}
    best = max(mrr.values())
    weight = max(w for w, v in mrr.items() if v >= best - 1e-9)
    return BlendChoice(fused_weight=weight, questions=len(dev), mrr=mrr)
