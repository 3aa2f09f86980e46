"""The reranker stage: a cross-encoder scores (query, passage) pairs and reorders the top N hits.

Runs in onnxruntime (int8), no torch. The fused retrieval score stays on every hit as `fused_score`,
for tie-breaks and for whatever reads confidence downstream. A reranker whose manifest has a `fused_weight`
orders by both scores (see rightfit.retrieval.rerank.model_dir); one without it, by its own score.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from rightfit.core.errors import InvalidInputError, ModelError
from rightfit.retrieval.rerank.model_dir import RerankerFiles, open_model_dir
from rightfit.types import Chunk, Hit, RetrievalResult

logger = logging.getLogger(__name__)


def standardized(values: Sequence[float] | np.ndarray) -> np.ndarray:
    """Zero mean, unit spread over one query's hits (all zeros when they are all equal)."""
    x = np.asarray(values, dtype=np.float64)
    spread = float(x.std()) if len(x) else 0.0
    return (x - x.mean()) / spread if spread > 1e-12 else np.zeros_like(x)


def combined_scores(scores: Sequence[float] | np.ndarray, fused: Sequence[float] | np.ndarray,
                    fused_weight: float | None) -> np.ndarray:
    """What the stage orders by: the cross-encoder's score, or its mix with the fused retrieval score."""
    if fused_weight is None:
        return np.asarray(scores, dtype=np.float64)
    return (1.0 - fused_weight) * standardized(scores) + fused_weight * standardized(fused)


def passage_text(chunk: Chunk) -> str:
    """What the cross-encoder reads for a chunk; training and serving must use the same form."""
    where = " > ".join(p for p in (chunk.title, *chunk.section) if p)
    return f"{where}\n{chunk.text}" if where else chunk.text


class CrossEncoderReranker:
    """Stage: reorder the first `top_n` hits by cross-encoder score; hits below them keep their order.

    `model` is a reranker directory (see rightfit.retrieval.rerank.model_dir): an int8 ONNX model from
    `rightfit tune reranker`, an ONNX export, or a Hugging Face / sentence-transformers cross-encoder.
    `fused_weight` overrides the manifest's (None: use the manifest's, if any).
    """

    def __init__(self, *, model: Path, top_n: int = 30, batch_size: int = 8, max_length: int | None = None,
                 threads: int | None = None, top_k: int | None = None, fused_weight: float | None = None) -> None:
        if not 1 <= top_n <= 1000:
            raise ValueError(f"rerank top_n must be between 1 and 1000, got {top_n}")
        if not 1 <= batch_size <= 1024:
            raise ValueError(f"rerank batch_size must be between 1 and 1024, got {batch_size}")
        if max_length is not None and not 16 <= max_length <= 512:
            raise ValueError(f"rerank max_length must be between 16 and 512, got {max_length}")
        if fused_weight is not None and not 0.0 <= fused_weight <= 1.0:
            raise ValueError(f"rerank fused_weight must be between 0 and 1, got {fused_weight}")
        self.name = "rerank"
        self.model = Path(model)
        self.top_n = top_n
        self.batch_size = batch_size
        self.max_length = max_length
        self.threads = threads if threads is not None else min(2, os.cpu_count() or 1)
        self.top_k = top_k
        self.fused_weight = fused_weight
        self.files: RerankerFiles | None = None
        self._session: Any = None
        self._tokenizer: Any = None
        self._inputs: set[str] = set()
        self._lock = threading.Lock()

    def warm_up(self) -> None:
        with self._lock:
            if self._session is not None:
                return
            import onnxruntime as ort
            from tokenizers import Tokenizer

            files = open_model_dir(self.model)
            weight = files.fused_weight  # the pinned directory's, also for a converted checkpoint
            if files.kind == "hf":
                from rightfit.retrieval.rerank.convert import onnx_from_hf

                files = onnx_from_hf(files)
            max_length = self.max_length if self.max_length is not None else files.max_length
            tokenizer = Tokenizer.from_file(str(files.path("tokenizer.json")))
            tokenizer.enable_truncation(max_length=max_length)
            tokenizer.enable_padding(pad_id=tokenizer.token_to_id("[PAD]") or 0)
            options = ort.SessionOptions()
            options.intra_op_num_threads = self.threads
            options.inter_op_num_threads = 1
            options.log_severity_level = 3
            try:
                session = ort.InferenceSession(str(files.model_file), options, providers=["CPUExecutionProvider"])
            except Exception as exc:  # onnxruntime raises its own untyped errors
                raise ModelError(f"reranker {files.model_file} failed to load in onnxruntime: {exc}") from exc
            self._inputs = {i.name for i in session.get_inputs()}
            if not {"input_ids", "attention_mask"} <= self._inputs:
                raise ModelError(f"reranker {files.model_file} takes inputs {sorted(self._inputs)}; a cross-encoder "
                                 "needs input_ids and attention_mask")
            self.files = files
            if self.fused_weight is None:
                self.fused_weight = weight
            self._tokenizer = tokenizer
            self._session = session

    def score(self, query: str, passages: Sequence[str]) -> np.ndarray:
        """Relevance logits, one per passage (higher is more relevant)."""
        self.warm_up()
        out = np.zeros(len(passages), dtype=np.float32)
        order = sorted(range(len(passages)), key=lambda i: len(passages[i]))  # less padding per batch
        for begin in range(0, len(order), self.batch_size):
            idx = order[begin : begin + self.batch_size]
            encs = self._tokenizer.encode_batch([(query, passages[i] or " ") for i in idx])
            ids = np.array([e.ids for e in encs], dtype=np.int64)
            feeds = {"input_ids": ids, "attention_mask": np.array([e.attention_mask for e in encs], dtype=np.int64)}
            if "token_type_ids" in self._inputs:
                feeds["token_type_ids"] = np.array([e.type_ids for e in encs], dtype=np.int64)
            logits = np.asarray(self._session.run(None, feeds)[0], dtype=np.float32)
            # One logit per pair; a two-class head scores the log-odds of its "relevant" class.
            out[idx] = logits[:, 0] if logits.ndim == 1 or logits.shape[1] == 1 else logits[:, 1] - logits[:, 0]
        return out

    def run(self, *, query: str, hits: Sequence[Hit], top_k: int | None = None) -> RetrievalResult:
        k = self.top_k if top_k is None else top_k
        if k is not None and k < 1:
            raise InvalidInputError(f"rerank top_k must be at least 1, got {k}")
        head, tail = list(hits[: self.top_n]), list(hits[self.top_n :])
        if any(h.chunk is None for h in head):
            raise InvalidInputError("the reranker needs hits with their chunk text; hydrate them first")
        if not head:
            return RetrievalResult(hits=(), stage=self.name)
        fused = [h.score if h.fused_score is None else h.fused_score for h in head]
        self.warm_up()  # reads the manifest's fused weight
        if self.fused_weight == 1.0:  # the fused order as it is: nothing to score
            scores = standardized(fused)
        else:
            logits = self.score(query, [passage_text(h.chunk) for h in head if h.chunk is not None])
            scores = combined_scores(logits, fused, self.fused_weight)
        # Ties keep the fused order.
        order = sorted(range(len(head)), key=lambda i: (-float(scores[i]), -fused[i], i))
        reranked = [dataclasses.replace(head[i], score=float(scores[i]), fused_score=fused[i]) for i in order]
        # The tail keeps its fused order below every reranked hit.
        out = reranked + [dataclasses.replace(h, fused_score=h.score if h.fused_score is None else h.fused_score)
                          for h in tail]
        return RetrievalResult(hits=tuple(out if k is None else out[:k]), stage=self.name)
