"""Dense retrieval: cosine similarity of MiniLM vectors, exact search with one matrix product."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from rightfit.core.protocols import Embedder
from rightfit.types import Hit, RetrievalResult


class DenseRetriever:
    """Stage: top-k chunk rows by cosine similarity to the query embedding."""

    name = "dense"

    def __init__(self, *, vectors: np.ndarray, chunk_ids: Sequence[str], embedder: Embedder, top_k: int = 50) -> None:
        if vectors.ndim != 2 or vectors.shape[0] != len(chunk_ids):
            raise ValueError(f"dense: vectors shape {vectors.shape} does not match {len(chunk_ids)} chunks")
        if vectors.shape[0] and vectors.shape[1] != embedder.dim:
            raise ValueError(
                f"dense: index vectors are {vectors.shape[1]}-d but the embedder {embedder.model_id} gives "
                f"{embedder.dim}-d; rebuild the index with `rightfit index`"
            )
        if top_k < 1:
            raise ValueError(f"dense: top_k must be >= 1, got {top_k}")
        self.vectors = vectors
        self.chunk_ids = chunk_ids
        self.embedder = embedder
        self.top_k = top_k

    def warm_up(self) -> None:
        warm = getattr(self.embedder, "warm_up", None)
        if callable(warm):
            warm()

    def run(self, *, query: str, top_k: int | None = None) -> RetrievalResult:
        q = self.embedder.embed([query])[0]
        return self.search_vector(q, top_k=top_k)

    def search_vector(self, q: np.ndarray, *, top_k: int | None = None) -> RetrievalResult:
        k = min(self.top_k if top_k is None else top_k, len(self.chunk_ids))
        if k == 0:
            return RetrievalResult(hits=(), stage=self.name)
        scores = self.vectors @ q
        top = np.argpartition(-scores, k - 1)[:k] if k < len(scores) else np.arange(len(scores))
        top = top[np.argsort(-scores[top], kind="stable")]
        hits = tuple(
            Hit(row=int(i), chunk_id=self.chunk_ids[int(i)], score=float(scores[i]), retriever=self.name) for i in top
        )
        return RetrievalResult(hits=hits, stage=self.name)
