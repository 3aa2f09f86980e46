"""In-process generation with llama.cpp (llama-cpp-python), on a model file verified before it loads."""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from rightfit.core.errors import DependencyMissingError, ModelError
from rightfit.models.store import ModelStore
from rightfit.telemetry.tracing import stage_span
from rightfit.types import Generation

logger = logging.getLogger(__name__)

# One lock per model file in this process: generators of the same model (answers, judge, field filling) take
# turns on it, since two requests at once would only compete for the same cores.
_FILE_LOCKS: dict[str, threading.Lock] = {}
_FILE_LOCKS_GUARD = threading.Lock()


def _file_lock(path: Path) -> threading.Lock:
    with _FILE_LOCKS_GUARD:
        return _FILE_LOCKS.setdefault(str(path.resolve()), threading.Lock())


class LlamaCppGenerator:
    """Stage: a GGUF chat model in this process. One request at a time per model file.

    Each generator has its own llama.cpp context, so consecutive prompts with the same start (its fixed
    system prompt) reuse their evaluated state: llama.cpp keeps the previous prompt's KV cache and only
    processes the new suffix. Generators of one file (a judge beside the answerer) share the weights, which
    llama.cpp maps from the file once, and take turns; each keeps its own prefix.
    """

    def __init__(
        self,
        *,
        model: str,
        store: ModelStore | None = None,
        n_ctx: int = 4096,
        threads: int | None = None,
        max_tokens: int = 256,
        temperature: float = 0.0,
        seed: int = 0,
    ) -> None:
        if n_ctx < 256:
            raise ValueError(f"llama.cpp: n_ctx must be at least 256, got {n_ctx}")
        if max_tokens < 1 or max_tokens >= n_ctx:
            raise ValueError(f"llama.cpp: max_tokens must be between 1 and n_ctx-1, got {max_tokens}")
        self.model_id = model
        self.name = f"llama.cpp:{model}"
        self.store = store or ModelStore()
        self.n_ctx = n_ctx
        self.threads = threads if threads is not None else min(2, os.cpu_count() or 1)
        self.max_tokens = max_tokens
        self.temperature = temperature
        self.seed = seed
        self._llm: Any = None
        self._yes_no: tuple[list[int], list[int]] | None = None
        self._loading = threading.Lock()
        self._lock = threading.Lock()  # replaced by the model file's lock once loaded

    def warm_up(self) -> None:
        with self._loading:
            if self._llm is not None:
                return
            path = self.store.resolve(self.model_id)  # hash-verified, or ModelError
            self._lock = _file_lock(Path(path))
            try:
                from llama_cpp import Llama
            except ImportError:
                raise DependencyMissingError(
                    "llama-cpp-python is not installed; run `bash scripts/install` (it builds it for this CPU)"
                ) from None
            try:
                self._llm = Llama(model_path=str(Path(path)), n_ctx=self.n_ctx, n_threads=self.threads,
                                  n_threads_batch=self.threads, seed=self.seed, verbose=False)
            except (ValueError, RuntimeError) as exc:
                raise ModelError(f"model {self.model_id} failed to load in llama.cpp: {exc}") from exc

    def count_tokens(self, text: str) -> int:
        self.warm_up()
        return len(self._llm.tokenize(text.encode("utf-8"), add_bos=False, special=False))

    def _answer_ids(self) -> tuple[list[int], list[int]]:
        """Token ids that start a "yes" or a "no" reply, in the casings and spacings a chat model uses."""
        if self._yes_no is None:
            found: tuple[set[int], set[int]] = (set(), set())
            for ids, word in zip(found, ("yes", "no"), strict=True):
                for form in (word, word.capitalize(), word.upper(), f" {word}", f" {word.capitalize()}"):
                    tokens = self._llm.tokenize(form.encode("utf-8"), add_bos=False, special=False)
                    if len(tokens) == 1:
                        ids.add(int(tokens[0]))
            if not found[0] or not found[1]:
                raise ModelError(f"model {self.model_id}: its vocabulary has no single token for yes or no, so it "
                                 "cannot be used as a judge; pick another model")
            self._yes_no = (sorted(found[0]), sorted(found[1]))
        return self._yes_no

    def _first_logits(self, messages: Sequence[dict[str, str]], purpose: str) -> Any:
        """The logits of the reply's first token (one token generated; no logits_all buffer needed)."""
        import numpy as np
        from llama_cpp import LogitsProcessorList

        self.warm_up()
        first: list[np.ndarray] = []

        def keep_first(_input_ids: Any, scores: Any) -> Any:
            if not first:
                first.append(np.array(scores, dtype=np.float64))
            return scores

        with self._lock, stage_span("generate", model=self.model_id, backend="llama.cpp", purpose=purpose) as span:
            out = self._llm.create_chat_completion(messages=list(messages), max_tokens=1, temperature=0.0,
                                                   seed=self.seed, logits_processor=LogitsProcessorList([keep_first]))
            tokens_in = int((out.get("usage") or {}).get("prompt_tokens", 0))
            span.set_attributes({"tokens_in": tokens_in, "tokens_out": 1, "finish_reason": "length"})
        if not first:
            raise ModelError(f"model {self.model_id} produced no token to judge")
        return first[0]

    def yes_probability(self, *, messages: Sequence[dict[str, str]]) -> float:
        """P(yes) against P(no) for the reply's first token, from its logits."""
        import numpy as np

        self.warm_up()
        yes, no = self._answer_ids()
        logits = self._first_logits(messages, "judge")
        top = float(max(logits[yes].max(), logits[no].max()))
        p_yes, p_no = (float(np.exp(logits[ids] - top).sum()) for ids in (yes, no))
        return p_yes / (p_yes + p_no)

    def choice_probabilities(self, *, messages: Sequence[dict[str, str]], labels: Sequence[str]) -> list[float]:
        """The probability that the reply starts with each label ("0", "1", ...) rather than another of them,
        from the first token's logits; every label must be a single token of the model's vocabulary."""
        import numpy as np

        self.warm_up()
        ids = []
        for label in labels:
            tokens = self._llm.tokenize(label.encode("utf-8"), add_bos=False, special=False)
            if len(tokens) != 1:
                raise ModelError(f"model {self.model_id}: the choice label {label!r} is not one token")
            ids.append(int(tokens[0]))
        picked = self._first_logits(messages, "choose")[ids]
        weights = np.exp(picked - picked.max())
        return [float(w) for w in weights / weights.sum()]

    def generate(
        self,
        *,
        messages: Sequence[dict[str, str]],
        schema: dict[str, object] | None = None,
        max_tokens: int | None = None,
        on_token: Callable[[str], None] | None = None,
    ) -> Generation:
        self.warm_up()
        limit = self.max_tokens if max_tokens is None else max_tokens
        kwargs: dict[str, Any] = {"messages": list(messages), "max_tokens": limit, "temperature": self.temperature,
                                  "seed": self.seed}
        if schema is not None:
            kwargs["response_format"] = {"type": "json_object", "schema": schema}
        started = time.perf_counter()
        with self._lock, stage_span("generate", model=self.model_id, backend="llama.cpp") as span:
            if on_token is None:
                out = self._llm.create_chat_completion(**kwargs)
                choice = out["choices"][0]
                text = choice["message"]["content"] or ""
                usage = out.get("usage") or {}
                tokens_in, tokens_out = usage.get("prompt_tokens", 0), usage.get("completion_tokens", 0)
                finish = choice.get("finish_reason") or "stop"
            else:
                pieces: list[str] = []
                finish = "stop"
                for chunk in self._llm.create_chat_completion(stream=True, **kwargs):
                    choice = chunk["choices"][0]
                    piece = choice.get("delta", {}).get("content") or ""
                    if piece:
                        pieces.append(piece)
                        on_token(piece)
                    finish = choice.get("finish_reason") or finish
                text = "".join(pieces)
                tokens_out = len(self._llm.tokenize(text.encode("utf-8"), add_bos=False, special=False))
                tokens_in = self._llm.n_tokens - tokens_out if self._llm.n_tokens else 0
            span.set_attributes({"tokens_in": int(tokens_in), "tokens_out": int(tokens_out),
                                 "finish_reason": str(finish)})
        return Generation(text=text, model=self.model_id, tokens_in=int(tokens_in), tokens_out=int(tokens_out),
                          seconds=time.perf_counter() - started, finish_reason=str(finish))
