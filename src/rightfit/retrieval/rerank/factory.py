"""The reranker the settings ask for (or none), so the pipeline and the CLI build it the same way."""

from __future__ import annotations

import logging

from rightfit.core.errors import ConfigError
from rightfit.core.settings import RerankSettings
from rightfit.retrieval.rerank.stage import CrossEncoderReranker

logger = logging.getLogger(__name__)


def reranker_from_settings(settings: RerankSettings) -> CrossEncoderReranker | None:
    """None when reranking is off, or when its model is missing and `if_missing = "skip"`."""
    if not settings.enabled:
        return None
    if settings.model is None:
        raise ConfigError("[rerank] enabled = true needs [rerank] model = DIR (a reranker directory from "
                          "`rightfit tune reranker`, or a cross-encoder you pinned with `rightfit tune pin DIR`)")
    if not settings.model.exists() and settings.if_missing == "skip":
        # Info, not a warning: `if_missing = "skip"` says the reranker is optional (the bank demo trains it only
        # with RIGHTFIT_RERANKER=1), and a warning on every command taught users to ignore warnings.
        logger.info("reranker %s is not there; serving without reranking (train it with `rightfit tune reranker`)",
                    settings.model)
        return None
    return CrossEncoderReranker(model=settings.model, top_n=settings.top_n, batch_size=settings.batch_size,
                                max_length=settings.max_length)
