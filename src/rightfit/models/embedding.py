"""all-MiniLM-L6-v2 sentence embeddings from the packaged int8 ONNX file: no torch, hash-verified."""

from __future__ import annotations

import logging
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from rightfit.core.errors import ModelError
from rightfit.models.catalog import MINILM_ONNX, MINILM_TOKENIZER, verified_path, verify_file

logger = logging.getLogger(__name__)


# Longer texts are chunks being indexed, seen once: caching them would only push out the texts that recur.
_CACHEABLE_CHARS = 2000


class MiniLMEmbedder:
    """Mean-pooled, L2-normalized 384-d vectors. Loading is lazy and verified; embed() is thread-safe.

    The vectors of the last `cache_size` distinct short texts are kept: a question is embedded by the intent
    classifier, dense retrieval and the extractive answerer in turn, and the answerer embeds the sentences
    of the passages retrieved, which recur from one question to the next (embedding was nearly all of the
    extractive rung's time). 4096 vectors take 6 MB.
    """

    model_id = "all-MiniLM-L6-v2-int8-onnx"
    dim = 384

    def __init__(
        self,
        *,
        model_path: Path | None = None,
        model_sha256: str | None = None,
        tokenizer_path: Path | None = None,
        max_tokens: int = 256,
        threads: int | None = None,
        cache_size: int = 4096,
    ) -> None:
        if max_tokens < 8 or max_tokens > 512:
            raise ValueError(f"max_tokens must be between 8 and 512, got {max_tokens}")
        if cache_size < 0:
            raise ValueError(f"cache_size must be 0 (no cache) or more, got {cache_size}")
        if model_path is not None and model_sha256 is None:
            raise ModelError(
                f"embedding model {model_path}: a custom model needs its sha256 so it can be verified before loading"
            )
        self._model_path = model_path
        self._model_sha256 = model_sha256
        self._tokenizer_path = tokenizer_path
        self.max_tokens = max_tokens
        self.threads = threads if threads is not None else min(2, os.cpu_count() or 1)
        self._session: object | None = None
        self._tokenizer: object | None = None
        self._lock = threading.Lock()
        self.cache_size = cache_size
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_lock = threading.Lock()

    def warm_up(self) -> None:
        with self._lock:
            if self._session is not None:
                return
            import onnxruntime as ort
            from tokenizers import Tokenizer

            if self._model_path is not None and self._model_sha256 is not None:
                model = verify_file(self._model_path, self._model_sha256, name="embedding model")
            else:
                model = verified_path(MINILM_ONNX)
            tok_path = self._tokenizer_path or verified_path(MINILM_TOKENIZER)
            tokenizer = Tokenizer.from_file(str(tok_path))
            tokenizer.enable_truncation(max_length=self.max_tokens)
            tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")  # noqa: S106 - a vocabulary token, not a secret
            options = ort.SessionOptions()
            options.intra_op_num_threads = self.threads
            options.inter_op_num_threads = 1
            options.log_severity_level = 3
            try:
                session = ort.InferenceSession(str(model), options, providers=["CPUExecutionProvider"])
            except Exception as exc:  # onnxruntime raises its own untyped errors
                raise ModelError(f"embedding model {model} failed to load: {exc}") from exc
            self._tokenizer = tokenizer
            self._session = session

    def embed(
        self,
        texts: Sequence[str],
        *,
        batch_size: int = 32,
        progress: Callable[[int], None] | None = None,
    ) -> np.ndarray:
        self.warm_up()
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        # Each distinct text is encoded once, and not at all if its vector is cached. Texts are told apart by
        # what the model reads, their normalized form: the guard's lower-cased copy of a question and the
        # question itself are one text to an uncased model.
        keys = [self._key(text) for text in texts]
        rows: dict[str, list[int]] = {}
        with self._cache_lock:
            for i, key in enumerate(keys):
                cached = self._cache.get(key)
                if cached is None:
                    rows.setdefault(key, []).append(i)
                else:
                    self._cache.move_to_end(key)
                    out[i] = cached
        todo = list(rows)
        if progress is not None and len(texts) > len(todo):
            progress(len(texts) - len(todo))
        vectors = self._encode([texts[rows[key][0]] for key in todo], batch_size=batch_size, progress=progress)
        for key, vec in zip(todo, vectors, strict=True):
            out[rows[key]] = vec
        if self.cache_size:
            with self._cache_lock:
                for key, vec in zip(todo, vectors, strict=True):
                    if len(key) <= _CACHEABLE_CHARS:
                        self._cache[key] = vec.copy()
                while len(self._cache) > self.cache_size:
                    self._cache.popitem(last=False)
        return out

    def _key(self, text: str) -> str:
        """The text as the tokenizer's normalizer leaves it (for MiniLM: lower-cased, control characters
        dropped), which is all the model sees of it."""
        normalizer = getattr(self._tokenizer, "normalizer", None)
        return text if normalizer is None else str(normalizer.normalize_str(text))

    def _encode(self, texts: Sequence[str], *, batch_size: int, progress: Callable[[int], None] | None) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        # Batches of similar length waste less work on padding.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        tokenizer = self._tokenizer
        session = self._session
        assert tokenizer is not None and session is not None
        for begin in range(0, len(order), batch_size):
            idx = order[begin : begin + batch_size]
            encs = tokenizer.encode_batch([texts[i] or " " for i in idx])  # type: ignore[attr-defined]
            ids = np.array([e.ids for e in encs], dtype=np.int64)
            mask = np.array([e.attention_mask for e in encs], dtype=np.int64)
            feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
            hidden = session.run(None, feeds)[0]  # type: ignore[attr-defined]
            m = mask[..., None].astype(np.float32)
            pooled = (hidden * m).sum(axis=1) / np.clip(m.sum(axis=1), 1e-9, None)
            norms = np.linalg.norm(pooled, axis=1, keepdims=True)
            out[idx] = pooled / np.clip(norms, 1e-12, None)
            if progress is not None:
                progress(len(idx))
        return out
