"""A Hugging Face / sentence-transformers cross-encoder converted once to int8 ONNX, cached by weight hash."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from rightfit.core.errors import DependencyMissingError, ModelError
from rightfit.retrieval.rerank.model_dir import RerankerFiles, open_model_dir

logger = logging.getLogger(__name__)


def cache_dir() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "rightfit" / "rerankers"


def onnx_from_hf(files: RerankerFiles) -> RerankerFiles:
    """The int8 ONNX form of a verified Hugging Face cross-encoder directory (converted on first use)."""
    weights_sha = files.files[files.model_file.name]
    target = cache_dir() / weights_sha[:24]
    if target.is_dir():
        try:
            return open_model_dir(target)
        except ModelError:
            logger.warning("cached ONNX form of %s does not verify; converting again", files.directory)
    try:
        import torch  # noqa: F401
    except ImportError:
        raise DependencyMissingError(
            f"reranker {files.directory} is a PyTorch checkpoint; converting it to ONNX once needs torch: "
            "`pip install 'rightfit[tune]'`, or point [rerank] model at an ONNX export (model.onnx + tokenizer.json)"
        ) from None
    from rightfit.retrieval.rerank.training.bert import load_cross_encoder
    from rightfit.retrieval.rerank.training.export import export_onnx

    logger.info("converting reranker %s to int8 ONNX in %s", files.directory, target)
    model = load_cross_encoder(files.directory)
    return export_onnx(model, target, tokenizer=files.path("tokenizer.json"), max_length=files.max_length,
                       provenance={"converted_from": str(files.directory), "weights_sha256": weights_sha,
                                   **files.provenance})
