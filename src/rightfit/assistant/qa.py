"""The policy-question path: validate, retrieve (BM25 + dense), fuse, drop flagged passages, rerank (optional),
answer.

This is where stages are wired; stages themselves never import each other. Every stage runs in its own
span inside one request span, and every answer carries that trace id.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from opentelemetry import trace

from rightfit.answer.extractive import ExtractiveAnswerer, bm25_idf
from rightfit.answer.grounded import GroundedAnswerer
from rightfit.answer.judged import JudgedAnswerer
from rightfit.core.errors import ConfigError, InvalidInputError
from rightfit.core.protocols import Embedder, Generator, Reranker, YesNoModel
from rightfit.core.settings import Settings, judge_model
from rightfit.guard.normalize import check_length
from rightfit.retrieval.bm25 import UNREADABLE, BM25Retriever
from rightfit.retrieval.dense import DenseRetriever
from rightfit.retrieval.fusion import ReciprocalRankFusion, WeightedFusion
from rightfit.retrieval.stores.embedded import EmbeddedStore, current_generation
from rightfit.retrieval.synonyms import SynonymRewriter
from rightfit.telemetry.tracing import configure_tracing, request_span, stage_span, trace_id_of
from rightfit.types import Answer, Hit, RetrievalResult

logger = logging.getLogger(__name__)

Method = Literal["bm25", "dense", "rrf", "weighted"]
METHODS: tuple[Method, ...] = ("bm25", "dense", "rrf", "weighted")
_INVISIBLE = {"\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad"}


def clean_query(text: str, *, max_chars: int, what: str = "query") -> str:
    """NFKC-normalize, drop control and invisible characters; refuse empty or over-long input."""
    if not isinstance(text, str):
        raise InvalidInputError(f"{what} must be a string")
    check_length(text, max_chars, what)
    text = unicodedata.normalize("NFKC", text)
    text = "".join(
        ch for ch in text
        if ch not in _INVISIBLE and (ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co", "Cn"))
    )
    text = " ".join(text.split())
    if not text:
        raise InvalidInputError(f"{what} is empty; send some words" + (" to search for" if what == "query" else ""))
    check_length(text, max_chars, what, normalized=True)
    return text


@dataclass(frozen=True, slots=True)
class SearchResponse:
    query: str
    method: str
    hits: tuple[Hit, ...]
    trace_id: str


class _Loaded:
    """The stages bound to one index generation."""

    def __init__(self, store: EmbeddedStore, embedder: Embedder, settings: Settings) -> None:
        r = settings.retrieval
        self.store = store
        self.bm25 = BM25Retriever(directory=store.bm25_dir, chunk_ids=store.chunk_ids, top_k=r.candidates)
        self.dense = DenseRetriever(vectors=store.vectors, chunk_ids=store.chunk_ids, embedder=embedder,
                                    top_k=r.candidates)
        self.rrf = ReciprocalRankFusion(k=r.rrf_k, top_k=r.candidates)
        self.weighted = WeightedFusion(weights=(1.0 - r.dense_weight, r.dense_weight), top_k=r.candidates)
        try:
            self.bm25.warm_up()
        except UNREADABLE as exc:  # empty or overwritten files under bm25/
            raise store.damaged(f"the bm25 index cannot be read: {exc or type(exc).__name__}") from None
        self.num_docs = len(store)
        self.flagged_rows = store.flagged_rows


class QAPipeline:
    """Search and ask over the index in `settings.data_dir`. Picks up a newly built index automatically."""

    def __init__(self, *, settings: Settings, embedder: Embedder | None = None,
                 reranker: Reranker | None = None, generator: Generator | None = None) -> None:
        """`generator` overrides the one the configured rung names (to embed rightfit, or in tests)."""
        if embedder is None:
            from rightfit.models.embedding import MiniLMEmbedder

            embedder = MiniLMEmbedder()
        configure_tracing()  # so every answer has a real trace id, even without a trace store
        self.settings = settings
        self.embedder = embedder
        if reranker is None and settings.rerank.enabled:
            from rightfit.retrieval.rerank.factory import reranker_from_settings

            reranker = reranker_from_settings(settings.rerank)
        self.reranker = reranker
        self.synonyms = SynonymRewriter(settings.retrieval.synonyms)
        self._generator = generator
        self._lock = threading.Lock()
        self._loaded: _Loaded | None = None
        self._retired: _Loaded | None = None
        self._grounded: GroundedAnswerer | None = None
        self._judge: YesNoModel | None = None
        self._generation: Path | None = None
        self._pinned = False

    def pin_generation(self, expected: str | None = None) -> str:
        """Keep serving the index generation loaded now, instead of following new ones, and return its name;
        with `expected`, refuse unless it is that generation. A deployment served under a lock file keeps the
        index the lock was checked against, whatever `rightfit index` writes meanwhile."""
        name = self._current().store.generation.name
        if expected is not None and name != expected:
            raise ConfigError(f"the index is generation {name} but the lock file has {expected}; re-run `rightfit "
                              "lock` (or `rightfit fit`) on this index, or serve without --lock")
        self._pinned = True
        return name

    def warm_up(self) -> None:
        self._current()
        warm = getattr(self.embedder, "warm_up", None)
        if callable(warm):
            warm()
        if self.reranker is not None:
            self.reranker.warm_up()
        self.answerer().warm_up()

    def _current(self) -> _Loaded:
        if self._pinned and self._loaded is not None:
            return self._loaded
        gen = current_generation(self.settings.data_dir)
        with self._lock:
            if self._loaded is None or gen != self._generation:
                store = EmbeddedStore.open(self.settings.data_dir)
                # Close the generation before the one being replaced: a request still reading the one being
                # replaced finishes on it, and long-running servers don't accumulate open databases.
                if self._retired is not None:
                    self._retired.store.close()
                self._retired = self._loaded
                self._loaded = _Loaded(store, self.embedder, self.settings)
                self._generation = store.generation
                logger.info("serving index %s (%d chunks)", store.generation.name, len(store))
            return self._loaded

    @property
    def store(self) -> EmbeddedStore:
        return self._current().store

    def retrieve_all(self, query: str, *, candidates: int | None = None) -> dict[str, RetrievalResult]:
        """bm25, dense and both fusions for one query; the two retrievers run once."""
        loaded = self._current()
        with stage_span("bm25") as span:
            bm25 = loaded.bm25.run(query=query, top_k=candidates)
            span.set_attributes(bm25.span_attributes())
        with stage_span("dense") as span:
            dense = loaded.dense.run(query=query, top_k=candidates)
            span.set_attributes(dense.span_attributes())
        with stage_span("fusion", method="rrf") as span:
            rrf = loaded.rrf.run(results=[bm25, dense], top_k=candidates)
            span.set_attributes(rrf.span_attributes())
        with stage_span("fusion", method="weighted") as span:
            weighted = loaded.weighted.run(results=[bm25, dense], top_k=candidates)
            span.set_attributes(weighted.span_attributes())
        return {"bm25": bm25, "dense": dense, "rrf": rrf, "weighted": weighted}

    def _retrieve(self, query: str, method: Method, top_k: int, *, allow_flagged: bool = True) -> tuple[Hit, ...]:
        """Top hits for one query; `allow_flagged` False leaves out chunks the ingest scan flagged, before
        reranking and the top-k cut, so an answer still gets `top_k` clean passages."""
        loaded = self._current()
        # Each stage passes on at least `candidates` hits, and more when the caller asks for more.
        depth = max(self.settings.retrieval.candidates, top_k)
        results: list[RetrievalResult] = []
        if method in ("bm25", "rrf", "weighted"):
            with stage_span("bm25") as span:
                results.append(loaded.bm25.run(query=query, top_k=depth))
                span.set_attributes(results[-1].span_attributes())
        if method in ("dense", "rrf", "weighted"):
            with stage_span("dense") as span:
                results.append(loaded.dense.run(query=query, top_k=depth))
                span.set_attributes(results[-1].span_attributes())
        if method in ("rrf", "weighted"):
            fusion = loaded.rrf if method == "rrf" else loaded.weighted
            with stage_span("fusion", method=method) as span:
                fused = fusion.run(results=results, top_k=depth)
                span.set_attributes(fused.span_attributes())
            hits = fused.hits
        else:
            hits = results[0].hits
        if not allow_flagged and loaded.flagged_rows:
            kept = tuple(h for h in hits if h.row not in loaded.flagged_rows)
            if len(kept) < len(hits):
                trace.get_current_span().set_attribute("flagged_passages_dropped", len(hits) - len(kept))
            hits = kept
        if self.reranker is not None and hits:
            hits = self.rerank(query, hits)
        return tuple(self._hydrate(loaded, hits[:top_k]))

    def rerank(self, query: str, hits: Sequence[Hit]) -> tuple[Hit, ...]:
        """The configured reranker over fused hits (hydrated first); each keeps its fused score."""
        if self.reranker is None or not hits:
            return tuple(hits)
        with stage_span("rerank") as span:
            reranked = self.reranker.run(query=query, hits=self._hydrate(self._current(), hits))
            span.set_attributes(reranked.span_attributes())
        return reranked.hits

    @staticmethod
    def _hydrate(loaded: _Loaded, hits: Sequence[Hit]) -> list[Hit]:
        missing = [h.row for h in hits if h.chunk is None]
        chunks = dict(zip(missing, loaded.store.chunks(missing), strict=True))
        return [h if h.chunk is not None else dataclasses.replace(h, chunk=chunks[h.row]) for h in hits]

    def search(self, *, query: str, top_k: int | None = None, method: Method | None = None) -> SearchResponse:
        query = clean_query(query, max_chars=self.settings.limits.max_query_chars)
        method = self.settings.retrieval.fusion if method is None else method
        k = self.settings.retrieval.top_k if top_k is None else top_k
        if not 1 <= k <= 100:
            raise InvalidInputError(f"top_k must be between 1 and 100, got {k}")
        attrs: dict[str, str | int] = {"method": method, "top_k": k, "query_chars": len(query)}
        if self.settings.trace_content:
            attrs["query"] = query
        with request_span("search", **attrs) as span:
            hits = self._retrieve(self._in_document_terms(query), method, k)
            return SearchResponse(query=query, method=method, hits=hits, trace_id=trace_id_of(span))

    def _in_document_terms(self, text: str) -> str:
        """The query with customers' words for the documents' terms replaced ([retrieval.synonyms])."""
        if self.synonyms.pattern is None:
            return text
        with stage_span(self.synonyms.name) as stage:
            rewritten = self.synonyms.run(query=text)
            stage.set_attributes(rewritten.span_attributes())
        return rewritten.text

    def answerer(self) -> ExtractiveAnswerer | JudgedAnswerer | GroundedAnswerer:
        """The configured rung: the extractive answerer, extractive answers a model confirms, or a generative
        model behind the verifier."""
        a = self.settings.answer
        judge = judge_model(a.rung)
        if judge is not None:
            with self._lock:
                if self._judge is None:
                    self._judge = self._make_judge(judge)
            return JudgedAnswerer(extractive=self._extractive(threshold=0.0), model=self._judge,
                                  weight=a.judge.weight, threshold=a.judge.threshold,
                                  candidates=a.judge.candidates, pages=a.judge.pages)
        if a.rung != "extractive":
            with self._lock:
                if self._grounded is None:
                    self._grounded = self._make_grounded(a.rung)
            return self._grounded
        return self._extractive(threshold=a.abstain_threshold)

    def _make_judge(self, model: str) -> YesNoModel:
        from rightfit.models.generators import make_generator

        generator = self._generator if self._generator is not None else make_generator(
            self.settings, model, n_ctx=2048, max_tokens=1)
        if not isinstance(generator, YesNoModel):
            raise ConfigError(f"rung extractive+{model}: {generator.name} cannot answer yes/no questions with "
                              "probabilities; use a llama.cpp model or an OpenAI-compatible endpoint")
        return generator

    def _extractive(self, *, threshold: float) -> ExtractiveAnswerer:
        loaded = self._current()
        a = self.settings.answer
        return ExtractiveAnswerer(embedder=self.embedder, idf=bm25_idf(loaded.num_docs, loaded.bm25.doc_freq),
                                  threshold=threshold, passages=a.passages, max_sentences=a.max_sentences)

    def _make_grounded(self, model: str) -> GroundedAnswerer:
        from rightfit.models.generators import make_generator

        g = self.settings.generation
        generator = self._generator if self._generator is not None else make_generator(self.settings, model)
        return GroundedAnswerer(generator=generator, passages=g.passages, budget_tokens=g.prompt_budget,
                                max_tokens=g.max_tokens, known_terms=self.settings.answer.known_terms)

    def ask(self, *, question: str, on_token: Callable[[str], None] | None = None) -> Answer:
        question = clean_query(question, max_chars=self.settings.limits.max_query_chars, what="question")
        attrs: dict[str, str | int] = {"question_chars": len(question)}
        if self.settings.trace_content:
            attrs["question"] = question
        with request_span("ask", **attrs) as span:
            asked, question = question, self._in_document_terms(question)
            answerer = self.answerer()
            gate = self.settings.answer.generative_gate if isinstance(answerer, GroundedAnswerer) else None
            # The gate reads as many passages as the extractive rung does.
            depth = answerer.passages if gate is None else max(answerer.passages, self.settings.answer.passages)
            hits = self._retrieve(question, self.settings.retrieval.fusion, depth,
                                  allow_flagged=self.settings.guard.answer_from_flagged)
            if gate is not None:
                # A cheap check first: when not even the best sentence supports the question well, abstain
                # without spending seconds of generation.
                with stage_span("gate") as stage:
                    support = self._extractive(threshold=0.0).run(question=question, hits=hits).confidence
                    stage.set_attributes({"support": support, "gate": gate})
                if support < gate:
                    return Answer(question=asked, text=None, abstained=True, confidence=support,
                                  reason=f"retrieval support {support:.2f} is below the gate {gate:.2f}",
                                  trace_id=trace_id_of(span))
            with stage_span(answerer.name) as stage:
                if isinstance(answerer, GroundedAnswerer):
                    answer = answerer.run(question=question, hits=hits, on_token=on_token)
                else:
                    answer = answerer.run(question=question, hits=hits)
                stage.set_attributes({"abstained": answer.abstained, "confidence": answer.confidence,
                                      "citations": len(answer.citations)})
            return dataclasses.replace(answer, question=asked, trace_id=trace_id_of(span))


def rank_docs(hits: Sequence[Hit], doc_ids: Sequence[str], k: int) -> list[str]:
    """Chunk hits to a document ranking: a document ranks where its best chunk does."""
    out: list[str] = []
    seen: set[str] = set()
    for h in hits:
        d = doc_ids[h.row]
        if d not in seen:
            seen.add(d)
            out.append(d)
            if len(out) == k:
                break
    return out
