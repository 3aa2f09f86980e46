"""The reranker stage's ordering, its model-directory checks and settings, and the training data phases,
without torch or a real model (the integration tests use a tiny real one)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path

import numpy as np
import pytest

from rightfit.core.errors import ConfigError, InvalidInputError, ModelError, ModelIntegrityError
from rightfit.core.settings import RerankSettings, load_settings
from rightfit.retrieval.rerank import MANIFEST, CrossEncoderReranker, open_model_dir, passage_text, write_manifest
from rightfit.retrieval.rerank.factory import reranker_from_settings
from rightfit.retrieval.rerank.stage import combined_scores
from rightfit.retrieval.rerank.training.blend import Candidates, choose_fused_weight
from rightfit.retrieval.rerank.training.mining import TrainingGroup, mine_groups
from rightfit.retrieval.rerank.training.questions import SyntheticQuery, chunk_hash, generate_questions, read_queries
from rightfit.retrieval.rerank.training.teacher import label_groups
from rightfit.retrieval.rerank.training.tune import is_heldout
from rightfit.types import Chunk, Generation, Hit, RetrievalResult


def chunk(i: int, text: str, doc: str | None = None) -> Chunk:
    return Chunk(chunk_id=f"c{i}", doc_id=doc or f"d{i}", title=f"T{i}", section=("S",), text=text, start=0,
                 end=len(text))


class WordOverlapReranker(CrossEncoderReranker):
    """The real stage's run() with a transparent scorer: shared words with the query."""

    calls = 0

    def warm_up(self) -> None:
        pass  # no model files: the scorer is below

    def score(self, query: str, passages: Sequence[str]) -> np.ndarray:
        self.calls += 1
        q = set(query.lower().split())
        return np.array([len(q & set(p.lower().split())) for p in passages], dtype=np.float32)


def hits_for(texts: list[str]) -> list[Hit]:
    return [Hit(row=i, chunk_id=f"c{i}", score=1.0 - i / 100, retriever="rrf", chunk=chunk(i, t))
            for i, t in enumerate(texts)]


def test_rerank_reorders_the_top_n_and_keeps_fused_scores(tmp_path: Path) -> None:
    stage = WordOverlapReranker(model=tmp_path, top_n=3)
    hits = hits_for(["opening hours", "cancel a standing order today", "standing order", "cancel standing order"])
    out = stage.run(query="cancel standing order", hits=hits)
    assert [h.chunk_id for h in out.hits] == ["c1", "c2", "c0", "c3"]  # c3 is past top_n: stays below
    assert [h.fused_score for h in out.hits] == [0.99, 0.98, 1.0, 0.97]
    assert out.hits[0].score == 3.0
    assert [h.chunk_id for h in stage.run(query="cancel standing order", hits=hits, top_k=2).hits] == ["c1", "c2"]


def test_rerank_ties_keep_the_fused_order(tmp_path: Path) -> None:
    stage = WordOverlapReranker(model=tmp_path)
    out = stage.run(query="fees", hits=hits_for(["fees here", "and fees there", "no match"]))
    assert [h.chunk_id for h in out.hits] == ["c0", "c1", "c2"]


def test_rerank_refuses_unhydrated_hits(tmp_path: Path) -> None:
    stage = WordOverlapReranker(model=tmp_path)
    with pytest.raises(InvalidInputError, match="hydrate"):
        stage.run(query="q", hits=[Hit(row=0, chunk_id="c0", score=1.0, retriever="rrf")])
    assert stage.run(query="q", hits=[]).hits == ()


def test_passage_text_carries_title_and_section() -> None:
    assert passage_text(chunk(1, "Body.")) == "T1 > S\nBody."


def _onnx_dir(tmp_path: Path) -> Path:
    d = tmp_path / "reranker"
    d.mkdir()
    (d / "model.onnx").write_bytes(b"not really onnx")
    (d / "tokenizer.json").write_text("{}")
    return d


def test_model_dir_errors_name_the_problem_and_the_fix(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="does not exist.*rightfit tune reranker"):
        open_model_dir(tmp_path / "nowhere")
    d = _onnx_dir(tmp_path)
    with pytest.raises(ModelError, match=f"no {MANIFEST}.*rightfit tune pin"):
        open_model_dir(d)
    write_manifest(d)
    assert open_model_dir(d).kind == "onnx"
    (d / "model.onnx").write_bytes(b"tampered")
    with pytest.raises(ModelIntegrityError, match="hash mismatch.*re-pin"):
        open_model_dir(d)
    (d / "model.onnx").unlink()
    with pytest.raises(ModelError, match=r"neither model.onnx \(or onnx/model.onnx\) nor config.json"):
        open_model_dir(d)


def test_a_pinned_file_that_disappears_is_reported(tmp_path: Path) -> None:
    d = _onnx_dir(tmp_path)
    (d / "extra.bin").write_bytes(b"x")
    write_manifest(d)
    body = json.loads((d / MANIFEST).read_text())
    body["files"]["extra.bin"] = "0" * 64
    (d / MANIFEST).write_text(json.dumps(body))
    (d / "extra.bin").unlink()
    with pytest.raises(ModelError, match="extra.bin is missing"):
        open_model_dir(d)


def test_stage_warm_up_fails_clearly_without_a_model(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="does not exist"):
        CrossEncoderReranker(model=tmp_path / "missing").warm_up()
    with pytest.raises(ValueError, match="top_n"):
        CrossEncoderReranker(model=tmp_path, top_n=0)


def test_rerank_settings_from_a_config_file(tmp_path: Path) -> None:
    cfg = tmp_path / "rightfit.toml"
    cfg.write_text('[rerank]\nenabled = true\nmodel = "models/rr"\nif_missing = "skip"\n')
    s = load_settings(cfg)
    assert s.rerank.model == (tmp_path / "models" / "rr").resolve()
    assert s.rerank.top_n == 30
    assert reranker_from_settings(s.rerank) is None  # missing and "skip": served without reranking
    strict = reranker_from_settings(s.rerank.model_copy(update={"if_missing": "error"}))
    assert isinstance(strict, CrossEncoderReranker)
    with pytest.raises(ModelError, match="does not exist"):
        strict.warm_up()
    with pytest.raises(ConfigError, match="needs \\[rerank\\] model"):
        reranker_from_settings(RerankSettings(enabled=True))
    cfg.write_text("[rerank]\ntop_m = 3\n")
    with pytest.raises(ConfigError, match="rerank.top_m"):
        load_settings(cfg)


class ScriptedGenerator:
    model_id = "scripted"
    name = "scripted"

    def __init__(self) -> None:
        self.calls = 0

    def warm_up(self) -> None:
        pass

    def generate(self, *, messages: Sequence[dict[str, str]], schema: dict[str, object] | None = None,
                 max_tokens: int | None = None, on_token: object = None) -> Generation:
        self.calls += 1
        text = json.dumps({"questions": [f"how does question {self.calls} work here", "no", "what about fees now"]})
        return Generation(text=text, model="scripted", tokens_in=1, tokens_out=1, seconds=0.0)


def test_question_generation_cleans_and_resumes(tmp_path: Path) -> None:
    chunks = [chunk(i, f"Passage {i} about fees and limits.") for i in range(3)]
    out = tmp_path / "q.jsonl"
    partial = tmp_path / "q.jsonl.partial"
    # An interrupted run left the first chunk done and half a line.
    first = SyntheticQuery("an earlier question about c0", "c0", "d0", chunk_hash(chunks[0]))
    partial.write_text(json.dumps({"chunk_id": "c0", "queries": [asdict(first)]}) + "\n{\"chunk_")
    gen = ScriptedGenerator()
    queries = generate_questions(chunks, gen, out, per_chunk=3)
    assert gen.calls == 2  # only the chunks not done before
    assert queries[0] == first
    assert all(q.question != "no" for q in queries)  # too short to be a question
    assert read_queries(out)[0] == queries and not partial.exists()
    with pytest.raises(InvalidInputError, match="does not exist"):
        read_queries(tmp_path / "none.jsonl")


def test_mining_filters_round_trips_and_stale_chunks() -> None:
    chunks = {c.chunk_id: c for c in [chunk(0, "zero", "a"), chunk(1, "one", "a"), chunk(2, "two", "b"),
                                      chunk(3, "three", "c"), chunk(4, "four", "d")]}
    rows = list(chunks.values())

    def retrieve(question: str) -> RetrievalResult:
        order = [1, 0, 2, 3, 4] if "found" in question else [2, 3, 4, 1]
        return RetrievalResult(hits=tuple(Hit(row=r, chunk_id=f"c{r}", score=1.0, retriever="rrf") for r in order),
                               stage="rrf")

    queries = [SyntheticQuery("found it", "c0", "a", chunk_hash(chunks["c0"])),
               SyntheticQuery("lost it", "c0", "a", chunk_hash(chunks["c0"])),
               SyntheticQuery("found stale", "c0", "a", "0" * 64)]
    groups, report = mine_groups(queries, chunks, retrieve, lambda r: rows[r], lambda c: c.text,
                                 negatives=3, roundtrip_k=2)
    assert (report.groups, report.dropped_roundtrip, report.stale) == (1, 1, 1)
    g = groups[0]
    assert g.passages[0] == "zero" and g.rank == 2
    assert "one" not in g.passages  # same document as the source: possibly relevant, never a negative
    assert len(g.passages) == 4


class PassageJudge:
    """A yes/no model that says yes when the passage holds the question's last word; records its prompts."""

    model_id = "judge"
    name = "judge"

    def __init__(self) -> None:
        self.seen: list[str] = []

    def warm_up(self) -> None:
        pass

    def yes_probability(self, *, messages: Sequence[dict[str, str]]) -> float:
        user = messages[-1]["content"]
        passage = user.split("Passage:\n", 1)[1].split("\n\nQuestion: ", 1)[0]
        question = user.split("\n\nQuestion: ", 1)[1].split("\n\n", 1)[0]
        self.seen.append(passage)
        return 0.9 if question.split()[-1] in passage else 0.1


def test_teacher_labels_follow_the_groups_are_made_passage_by_passage_and_resume(tmp_path: Path) -> None:
    groups = [TrainingGroup(question=f"what about {w}", chunk_id=f"c{i}", doc_id=f"d{i}", rank=1,
                            passages=(f"all on {w}", "all on fees", "all on cards"))
              for i, w in enumerate(["limits", "fees", "cards"])]
    path = tmp_path / "teacher.jsonl"
    judge = PassageJudge()
    labels = label_groups(groups[:2], judge, path, pages="help pages")
    assert labels == [(0.9, 0.1, 0.1), (0.9, 0.9, 0.1)]  # a negative that answers gets a high label
    # Consecutive prompts share their passage (llama.cpp reuses its evaluated tokens).
    assert judge.seen == sorted(judge.seen)
    assert len(judge.seen) == 5  # "all on fees" is labelled once for "fees": pairs, not passages, are unique
    # Interrupted mid-line, then re-run with one more group: only its two new pairs are asked.
    path.write_text(path.read_text() + '{"key": "ab')
    judge = PassageJudge()
    labels = label_groups(groups, judge, path, pages="help pages")
    assert len(judge.seen) == 2 and labels[2] == (0.9, 0.1, 0.9)
    judge = PassageJudge()
    assert label_groups(groups, judge, path, pages="help pages") == labels and not judge.seen
    # Without asking the model, a group with an unlabelled pair has no teacher labels (hard labels only).
    extra = TrainingGroup(question="what about rates", chunk_id="c9", doc_id="d9", rank=1,
                          passages=("all on limits", "all on rates"))
    assert label_groups([groups[0], extra], judge, path, pages="help pages", missing="skip") == [labels[0], None]
    assert not judge.seen


def test_holdout_split_is_stable_and_roughly_the_share() -> None:
    docs = [f"doc-{i}" for i in range(1000)]
    held = [d for d in docs if is_heldout(d, 0.2)]
    assert 150 < len(held) < 250
    assert held == [d for d in docs if is_heldout(d, 0.2)]
    assert not any(is_heldout(d, 0.0) for d in docs)


def test_a_fused_weight_mixes_both_scores_and_one_keeps_the_hybrid_order(tmp_path: Path) -> None:
    hits = hits_for(["opening hours", "cancel a standing order today", "standing order", "cancel standing order"])
    query = "cancel standing order"
    hybrid_only = WordOverlapReranker(model=tmp_path, fused_weight=1.0)
    assert [h.chunk_id for h in hybrid_only.run(query=query, hits=hits).hits] == ["c0", "c1", "c2", "c3"]
    assert hybrid_only.calls == 0  # a weight of 1 keeps the fused order without running the model
    mixed = WordOverlapReranker(model=tmp_path, fused_weight=0.5).run(query=query, hits=hits).hits
    # Reranker alone: c1, c3, c2, c0. Half and half: c3 (last in fused order) falls below c0 (first).
    assert [h.chunk_id for h in mixed] == ["c1", "c0", "c2", "c3"]
    assert [h.fused_score for h in mixed] == [0.99, 1.0, 0.98, 0.97]
    with pytest.raises(ValueError, match="fused_weight"):
        CrossEncoderReranker(model=tmp_path, fused_weight=1.5)


def test_combined_scores_standardize_each_side() -> None:
    assert combined_scores([3.0, 1.0], [0.1, 0.2], None).tolist() == [3.0, 1.0]  # the reranker alone
    np.testing.assert_allclose(combined_scores([3.0, 1.0], [0.1, 0.2], 0.25), [0.5, -0.5])
    np.testing.assert_allclose(combined_scores([2.0, 2.0], [0.3, 0.1], 0.5), [0.5, -0.5])  # flat side: no say


def test_the_manifest_carries_a_checked_fused_weight(tmp_path: Path) -> None:
    d = _onnx_dir(tmp_path)
    write_manifest(d)
    assert open_model_dir(d).fused_weight is None
    write_manifest(d, fused_weight=0.35)
    assert open_model_dir(d).fused_weight == 0.35
    body = json.loads((d / MANIFEST).read_text())
    body["fused_weight"] = "high"
    (d / MANIFEST).write_text(json.dumps(body))
    with pytest.raises(ModelError, match="fused_weight must be a number from 0 to 1"):
        open_model_dir(d)


@pytest.mark.parametrize("value", [-5, 0, 10**9, "256", 12.5, True])
def test_the_manifest_max_length_is_checked(tmp_path: Path, value: object) -> None:
    d = _onnx_dir(tmp_path)
    write_manifest(d)
    body = json.loads((d / MANIFEST).read_text())
    body["max_length"] = value
    (d / MANIFEST).write_text(json.dumps(body))
    with pytest.raises(ModelError, match="max_length must be a whole number of tokens from 8 to 4096"):
        open_model_dir(d)


def test_the_blend_weight_is_chosen_on_held_out_questions_and_prefers_hybrid_on_ties() -> None:
    # The reranker finds the positive (fused rank 3) in one question and misses it (fused rank 1) in another.
    helps = Candidates(reranker=[0.0, 0.1, 2.0], fused=[0.3, 0.2, 0.1], positives=frozenset({2}))
    hurts = Candidates(reranker=[0.0, 2.0, 0.1], fused=[0.3, 0.2, 0.1], positives=frozenset({0}))
    both = choose_fused_weight([helps, hurts])
    assert both.hybrid_mrr == pytest.approx((1 / 3 + 1) / 2)
    assert both.reranker_only_mrr == pytest.approx((1 + 1 / 3) / 2)
    assert both.mrr[both.fused_weight] == max(both.mrr.values())
    assert 0.0 < both.fused_weight < 1.0  # a mix gets both first
    assert choose_fused_weight([hurts]).fused_weight == 1.0  # a reranker that only hurts keeps the hybrid order
    assert choose_fused_weight([helps]).fused_weight < 1.0
    with pytest.raises(ValueError, match="held-out"):
        choose_fused_weight([])


def test_the_blend_choice_is_cross_validated_so_a_lucky_weight_shows_as_noise() -> None:
    # Same scores, different gold: the reranker's swap of the top two helps 11 questions and hurts 10.
    def question(gold: int) -> Candidates:
        return Candidates(reranker=[0.0, 2.0, 0.0], fused=[0.3, 0.2, 0.1], positives=frozenset({gold}))

    lucky = choose_fused_weight([question(1) if i % 2 == 0 else question(0) for i in range(21)])
    assert lucky.fused_weight < 1.0 and lucky.mrr[lucky.fused_weight] > lucky.hybrid_mrr  # in-sample it "helps"
    cv = lucky.cross_validation
    assert cv is not None and cv.folds == 5 and len(cv.weights) == 5
    assert cv.gain_interval[0] < 0.0 < cv.gain_interval[1] and not cv.demonstrated
    # A reranker that helps every question keeps its gain out of fold.
    real = choose_fused_weight([question(1)] * 20).cross_validation
    assert real is not None and real.demonstrated and real.gain == pytest.approx(0.5)
    assert all(w < 1.0 for w in real.weights)
    assert choose_fused_weight([question(1)] * 9).cross_validation is None  # fewer than two per fold


def test_the_blend_scan_counts_the_first_of_several_relevant_passages() -> None:
    # Two gold passages (fused ranks 2 and 3); the reranker lifts the second one to the top.
    two = Candidates(reranker=[0.0, 0.5, 3.0], fused=[0.3, 0.2, 0.1], positives=frozenset({1, 2}))
    none = Candidates(reranker=[0.0, 0.0, 0.0], fused=[0.3, 0.2, 0.1], positives=frozenset())
    choice = choose_fused_weight([two, none])
    assert choice.hybrid_mrr == pytest.approx(0.5 / 2)
    assert choice.reranker_only_mrr == pytest.approx(1.0 / 2)
    assert choice.fused_weight < 1.0
