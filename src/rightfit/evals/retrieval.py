"""Retrieval quality on a BEIR-layout directory, for every retriever and fusion, from one index."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rightfit.assistant.qa import METHODS, QAPipeline, rank_docs
from rightfit.core.errors import InvalidInputError
from rightfit.core.jsonio import loads as loads_json
from rightfit.evals.beir import load_beir
from rightfit.evals.metrics import mrr_at, ndcg_at, percentile, recall_at
from rightfit.retrieval.stores.embedded import current_generation
from rightfit.types import RetrievalResult

METRICS = ("recall@1", "recall@5", "recall@10", "mrr@10", "ndcg@10")
# Written into a data directory by evaluate_beir: which BEIR directory its index was built from, and which
# generation, so a later run replaces only an index it built itself (never a live index of the user's documents).
EVAL_MARKER = "beir-eval.json"


@dataclass(frozen=True, slots=True)
class RetrievalReport:
    dataset: str
    queries: int
    documents: int
    chunks: int
    scores: dict[str, dict[str, float]]  # method -> metric -> value
    latency_ms: dict[str, float] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)  # judgements the data cannot honour (see load_beir)

    def best(self, metric: str = "mrr@10") -> str:
        return max(self.scores, key=lambda m: self.scores[m][metric])

    def table(self) -> str:
        head = f"{'method':<14}" + "".join(f"{m:>11}" for m in METRICS)
        rows = [head, "-" * len(head)]
        for method, vals in self.scores.items():
            rows.append(f"{method:<14}" + "".join(f"{vals[m]:>11.4f}" for m in METRICS))
        return "\n".join(rows)


def evaluate_queries(
    pipeline: QAPipeline,
    queries: dict[str, str],
    qrels: dict[str, dict[str, int]],
    *,
    progress: Callable[[int, int], None] | None = None,
    per_query: dict[str, dict[str, dict[str, float]]] | None = None,
) -> tuple[dict[str, dict[str, float]], dict[str, float]]:
    """Mean metrics per method, and retrieval latency; `per_query`, when given, receives
    method -> metric -> query id -> value (for paired comparisons)."""
    store = pipeline.store
    # With a reranker, it reorders the configured fusion's hits: that row is the "hybrid + reranker" line.
    fusion = pipeline.settings.retrieval.fusion
    reranked = f"{fusion}+rerank" if pipeline.reranker is not None else None
    methods = [*METHODS, reranked] if reranked is not None else list(METHODS)
    sums: dict[str, dict[str, float]] = {m: dict.fromkeys(METRICS, 0.0) for m in methods}
    latencies: list[float] = []
    for i, (qid, text) in enumerate(queries.items(), start=1):
        started = time.perf_counter()
        results = pipeline.retrieve_all(text)
        if reranked is not None:
            results[reranked] = RetrievalResult(hits=pipeline.rerank(text, results[fusion].hits), stage="rerank")
        latencies.append((time.perf_counter() - started) * 1000)
        rel = qrels[qid]
        for method, result in results.items():
            ranked = rank_docs(result.hits, store.doc_ids, 10)
            values = {"recall@1": recall_at(ranked, rel, 1), "recall@5": recall_at(ranked, rel, 5),
                      "recall@10": recall_at(ranked, rel, 10), "mrr@10": mrr_at(ranked, rel, 10),
                      "ndcg@10": ndcg_at(ranked, rel, 10)}
            for metric, value in values.items():
                sums[method][metric] += value
                if per_query is not None:
                    per_query.setdefault(method, {}).setdefault(metric, {})[qid] = value
        if progress is not None:
            progress(i, len(queries))
    n = max(1, len(queries))
    scores = {m: {k: v / n for k, v in vals.items()} for m, vals in sums.items()}
    latency = {"p50": percentile(latencies, 50), "p95": percentile(latencies, 95)}
    return scores, latency


def _marker(beir: Path) -> str:
    return str(beir.resolve())


def check_eval_data_dir(data_dir: Path, beir: Path) -> None:
    """Refuse a data directory whose index would be replaced, unless evaluate_beir built it from `beir`."""
    live = current_generation(data_dir)
    if live is None:
        return  # nothing to lose
    try:
        mark = loads_json((data_dir / EVAL_MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        mark = None
    if isinstance(mark, dict) and mark.get("beir") == _marker(beir) and mark.get("generation") == live.name:
        return
    built = (f"was built from another BEIR directory ({mark.get('beir')})" if isinstance(mark, dict)
             and mark.get("beir") != _marker(beir) else "was not built by `rightfit eval retrieval` from this "
             "BEIR directory")
    raise InvalidInputError(
        f"eval: {data_dir} holds an index that {built}; indexing {beir}/corpus.jsonl there would replace it. "
        "Pass an empty or dedicated --data-dir, or omit --data-dir to use a cache kept per BEIR directory")


def mark_eval_data_dir(data_dir: Path, beir: Path) -> None:
    """Record that the index in `data_dir` (its current generation) is the eval index of `beir`."""
    live = current_generation(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    (data_dir / EVAL_MARKER).write_text(
        json.dumps({"beir": _marker(beir), "generation": None if live is None else live.name}) + "\n",
        encoding="utf-8")


def evaluate_beir(
    directory: Path,
    pipeline_for: Callable[[Path], QAPipeline],
    index: Callable[[Path], object],
    *,
    split: str = "test",
    progress: Callable[[int, int], None] | None = None,
    data_dir: Path | None = None,
    warn: Callable[[str], None] | None = None,
) -> RetrievalReport:
    """`index(corpus_file)` builds the index; `pipeline_for(directory)` serves it.

    `data_dir`, where `index` writes, is checked before any work (check_eval_data_dir) and marked once indexed.
    `warn` hears each of the data's warnings before indexing starts (they are in the report too).
    """
    if data_dir is not None:
        check_eval_data_dir(data_dir, directory)
    data = load_beir(directory, split=split)
    if warn is not None:
        for warning in data.warnings:
            warn(warning)
    index(data.corpus)
    if data_dir is not None:
        mark_eval_data_dir(data_dir, directory)
    pipeline = pipeline_for(directory)
    scores, latency = evaluate_queries(pipeline, data.queries, data.qrels, progress=progress)
    store = pipeline.store
    return RetrievalReport(dataset=str(directory), queries=len(data.queries), documents=store.document_count(),
                           chunks=len(store), scores=scores, latency_ms=latency, warnings=list(data.warnings))


def evaluate_chunk_queries(
    pipeline: QAPipeline,
    questions: Sequence[tuple[str, str]],
    *,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, dict[str, float]]:
    """Chunk-level scores for (question, source chunk id) pairs: the configured fusion, and with the reranker.

    For questions written about one passage (e.g. held-out synthetic questions), where the passage itself,
    not only its document, is what retrieval should find.
    """
    fusion = pipeline.settings.retrieval.fusion
    labels = {"hybrid": fusion, "hybrid+rerank": f"{fusion}+rerank"}
    sums = {k: dict.fromkeys(("recall@1", "mrr@10", "ndcg@10"), 0.0) for k in labels}
    for i, (text, chunk_id) in enumerate(questions, start=1):
        hits = pipeline.retrieve_all(text)[fusion].hits
        for key, ranked_hits in (("hybrid", hits), ("hybrid+rerank", pipeline.rerank(text, hits))):
            ranked = [h.chunk_id for h in ranked_hits[:10]]
            rel = {chunk_id: 1}
            sums[key]["recall@1"] += recall_at(ranked, rel, 1)
            sums[key]["mrr@10"] += mrr_at(ranked, rel, 10)
            sums[key]["ndcg@10"] += ndcg_at(ranked, rel, 10)
        if progress is not None:
            progress(i, len(questions))
    n = max(1, len(questions))
    return {labels[k]: {m: v / n for m, v in vals.items()} for k, vals in sums.items()}
