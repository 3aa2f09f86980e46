"""One protocol per role, so each role has interchangeable implementations chosen by configuration."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import numpy as np

from rightfit.types import Answer, Generation, Hit, RetrievalResult

if TYPE_CHECKING:  # the guard's verdict types live with the guard; only annotations need them here
    from rightfit.guard.verdicts import GuardVerdict


@runtime_checkable
class Stage(Protocol):
    """A cheap constructor, an idempotent warm_up() that loads models, a keyword-only run()."""

    name: str

    def warm_up(self) -> None: ...


@runtime_checkable
class Retriever(Stage, Protocol):
    def run(self, *, query: str, top_k: int | None = None) -> RetrievalResult: ...


@runtime_checkable
class Reranker(Stage, Protocol):
    def run(self, *, query: str, hits: Sequence[Hit], top_k: int | None = None) -> RetrievalResult: ...


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into L2-normalized float32 vectors, one row per text."""

    model_id: str
    dim: int

    def embed(
        self, texts: Sequence[str], *, batch_size: int = 32, progress: Callable[[int], None] | None = None
    ) -> np.ndarray: ...


@runtime_checkable
class Fusion(Stage, Protocol):
    def run(self, *, results: Sequence[RetrievalResult], top_k: int | None = None) -> RetrievalResult: ...


@runtime_checkable
class Generator(Stage, Protocol):
    """A chat model. `schema` constrains the output to JSON matching it; `on_token` receives streamed text."""

    model_id: str

    def generate(
        self,
        *,
        messages: Sequence[dict[str, str]],
        schema: dict[str, object] | None = None,
        max_tokens: int | None = None,
        on_token: Callable[[str], None] | None = None,
    ) -> Generation: ...


@runtime_checkable
class YesNoModel(Stage, Protocol):
    """A chat model asked a yes/no question: the probability that its reply starts with "yes" rather than
    "no", read from the first token's distribution (one token generated)."""

    model_id: str

    def yes_probability(self, *, messages: Sequence[dict[str, str]]) -> float: ...


@runtime_checkable
class Answerer(Stage, Protocol):
    def run(self, *, question: str, hits: Sequence[Hit]) -> Answer: ...


@runtime_checkable
class Guard(Stage, Protocol):
    """Scores one input (a message or a document chunk); flagged inputs are kept out of the model's reach."""

    def run(self, *, text: str) -> GuardVerdict: ...
