"""The MiniLM embedder's cache: recurring texts are not encoded again, and their vectors do not change."""

from __future__ import annotations

import numpy as np
import pytest

from rightfit.models.embedding import MiniLMEmbedder

pytestmark = pytest.mark.integration

TEXTS = ["How much cash can I take out of an ATM per day?", "Freeze my card", "What is the overdraft rate?"]


class CountingEmbedder(MiniLMEmbedder):
    """Records the texts that reach the model."""

    def __init__(self, **kwargs: int) -> None:
        super().__init__(**kwargs)
        self.encoded: list[str] = []

    def _encode(self, texts, *, batch_size, progress):  # type: ignore[no-untyped-def]  # noqa: ANN001, ANN202
        self.encoded += texts
        return super()._encode(texts, batch_size=batch_size, progress=progress)


def test_cached_vectors_are_the_vectors_a_fresh_embedder_computes() -> None:
    fresh = MiniLMEmbedder(cache_size=0).embed(TEXTS)
    cached = CountingEmbedder()
    cached.embed(TEXTS[:2])
    again = cached.embed([TEXTS[1], TEXTS[2], TEXTS[0]])
    np.testing.assert_allclose(again, fresh[[1, 2, 0]], atol=1e-6)
    assert cached.encoded == [*TEXTS[:2], TEXTS[2]]  # the second call encoded only the new text


def test_a_text_repeated_in_one_call_is_encoded_once_and_progress_counts_every_text() -> None:
    emb = CountingEmbedder(cache_size=0)
    done: list[int] = []
    vecs = emb.embed([TEXTS[0], TEXTS[1], TEXTS[0]], progress=done.append)
    assert emb.encoded == TEXTS[:2]
    np.testing.assert_array_equal(vecs[0], vecs[2])
    assert sum(done) == 3
    assert emb.embed([TEXTS[0]]).shape == (1, 384) and emb.encoded[-1] == TEXTS[0]  # no cache: encoded again


def test_the_cache_keeps_the_most_recently_used_texts_and_skips_long_ones() -> None:
    emb = CountingEmbedder(cache_size=2)
    emb.embed(TEXTS[:2])
    emb.embed([TEXTS[0]])  # used again: now the most recent
    emb.embed([TEXTS[2]])  # evicts TEXTS[1], the least recently used
    emb.encoded.clear()
    emb.embed(TEXTS)
    assert emb.encoded == [TEXTS[1]]
    long_text = "word " * 1000
    emb.embed([long_text])
    emb.embed([long_text])
    assert emb.encoded.count(long_text) == 2


def test_a_negative_cache_size_is_refused() -> None:
    with pytest.raises(ValueError, match="cache_size"):
        MiniLMEmbedder(cache_size=-1)


def test_texts_the_model_reads_alike_share_one_vector() -> None:
    # The guard embeds its lower-cased copy of a message and the intent classifier the message itself.
    emb = CountingEmbedder()
    first = emb.embed([TEXTS[0]])
    again = emb.embed([TEXTS[0].lower(), TEXTS[0].upper()])
    assert emb.encoded == [TEXTS[0]]
    np.testing.assert_allclose(again, np.vstack([first, first]), atol=1e-6)
    fresh = MiniLMEmbedder(cache_size=0).embed([TEXTS[0].lower()])
    np.testing.assert_allclose(fresh, first, atol=1e-6)  # the sharing is exact, not an approximation
