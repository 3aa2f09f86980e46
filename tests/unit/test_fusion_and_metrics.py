from __future__ import annotations

import math

import pytest

from rightfit.evals.metrics import mrr_at, ndcg_at, percentile, recall_at
from rightfit.retrieval.fusion import ReciprocalRankFusion, WeightedFusion
from rightfit.types import Hit, RetrievalResult


def _result(stage: str, rows_scores: list[tuple[int, float]]) -> RetrievalResult:
    return RetrievalResult(hits=tuple(Hit(row=r, chunk_id=f"c{r}", score=s, retriever=stage)
                                      for r, s in rows_scores), stage=stage)


BM25 = _result("bm25", [(1, 12.0), (2, 8.0), (3, 1.0)])
DENSE = _result("dense", [(3, 0.9), (1, 0.8), (4, 0.1)])


def test_rrf_rewards_agreement() -> None:
    fused = ReciprocalRankFusion(k=60).run(results=[BM25, DENSE])
    assert [h.row for h in fused.hits] == [1, 3, 2, 4]
    assert fused.hits[0].score == pytest.approx(1 / 61 + 1 / 62)
    assert fused.hits[0].fused_score == fused.hits[0].score


def test_weighted_fusion_normalizes_and_weights() -> None:
    only_dense = WeightedFusion(weights=(0.0, 1.0)).run(results=[BM25, DENSE])
    assert [h.row for h in only_dense.hits[:2]] == [3, 1]
    even = WeightedFusion(weights=(1.0, 1.0)).run(results=[BM25, DENSE])
    # row 1: bm25 1.0, dense (0.8-0.1)/0.8 = 0.875 -> mean 0.9375
    assert even.hits[0].row == 1
    assert even.hits[0].score == pytest.approx(0.5 * 1.0 + 0.5 * 0.875)


def test_fusion_does_not_mutate_inputs() -> None:
    before = BM25.hits
    ReciprocalRankFusion().run(results=[BM25, DENSE])
    assert BM25.hits == before and BM25.hits[0].score == 12.0


@pytest.mark.parametrize("weights", [(), (-1.0, 2.0), (0.0, 0.0)])
def test_weighted_fusion_rejects_bad_weights(weights: tuple[float, ...]) -> None:
    with pytest.raises(ValueError, match="weights"):
        WeightedFusion(weights=weights)


def test_ranking_metrics() -> None:
    rel = {"a": 1, "b": 1}
    ranked = ["x", "a", "y", "b"]
    assert recall_at(ranked, rel, 1) == 0.0
    assert recall_at(ranked, rel, 4) == 1.0
    assert mrr_at(ranked, rel) == 0.5
    expected = (1 / math.log2(3) + 1 / math.log2(5)) / (1 + 1 / math.log2(3))
    assert ndcg_at(ranked, rel) == pytest.approx(expected)
    assert percentile([5, 1, 3, 2, 4], 50) == 3
    assert percentile([], 95) == 0.0
