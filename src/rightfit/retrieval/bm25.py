"""BM25 over chunks with bm25s: English stopwords and Snowball stemming, NFKC-normalized text."""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from rightfit.types import Hit, RetrievalResult

logger = logging.getLogger(__name__)


@lru_cache(maxsize=1)
def _stemmer() -> Any:
    import Stemmer

    return Stemmer.Stemmer("english")


def normalize(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def tokenize(texts: Sequence[str], *, stopwords: str | Sequence[str] = "en") -> list[list[str]]:
    """Lower-cased, stemmed terms as the index sees them (Lucene's English stopwords by default)."""
    import bm25s

    return bm25s.tokenize([normalize(t) for t in texts], stopwords=stopwords, stemmer=_stemmer(),  # type: ignore[arg-type]
                          return_ids=False, show_progress=False)  # type: ignore[return-value]


def build_bm25(texts: Sequence[str], directory: Path) -> None:
    """Index `texts` (row i is chunk row i) and save to `directory`."""
    import bm25s

    tokens = bm25s.tokenize([normalize(t) for t in texts], stopwords="en", stemmer=_stemmer(), show_progress=False)
    model = bm25s.BM25()
    model.index(tokens, show_progress=False)
    model.save(str(directory), show_progress=False)


# What loading a BM25 folder raises when its files were emptied or overwritten (bm25s reads JSON and numpy
# files): the caller says the index is damaged, or rebuilds it.
UNREADABLE = (OSError, ValueError, EOFError, KeyError)


class BM25Retriever:
    """Stage: top-k chunk rows by BM25 score. Chunks with no query term in common are never returned."""

    name = "bm25"

    def __init__(self, *, directory: Path, chunk_ids: Sequence[str], top_k: int = 50) -> None:
        if top_k < 1:
            raise ValueError(f"bm25: top_k must be >= 1, got {top_k}")
        self.directory = directory
        self.chunk_ids = chunk_ids
        self.top_k = top_k
        self._model: Any = None

    def warm_up(self) -> None:
        if self._model is None:
            import bm25s

            self._model = bm25s.BM25.load(str(self.directory), show_progress=False)

    def doc_freq(self, term: str) -> int:
        """How many chunks contain a (stemmed) term; 0 for a term the index has never seen."""
        self.warm_up()
        tid = self._model.vocab_dict.get(term)
        if tid is None:
            return 0
        indptr = self._model.scores["indptr"]
        return int(indptr[tid + 1] - indptr[tid])

    def run(self, *, query: str, top_k: int | None = None) -> RetrievalResult:
        self.warm_up()
        k = min(self.top_k if top_k is None else top_k, len(self.chunk_ids))
        tokens = tokenize([query])[0]
        ids = self._model.get_tokens_ids(tokens)
        if not ids or k == 0:
            return RetrievalResult(hits=(), stage=self.name)
        scores = self._model.get_scores_from_ids(ids)
        top = np.argpartition(-scores, k - 1)[:k] if k < len(scores) else np.arange(len(scores))
        top = top[np.argsort(-scores[top], kind="stable")]
        hits = tuple(
            Hit(row=int(i), chunk_id=self.chunk_ids[int(i)], score=float(scores[i]), retriever=self.name)
            for i in top
            if scores[i] > 0
        )
        return RetrievalResult(hits=hits, stage=self.name)
