"""Cross-encoder reranking: the serving stage (onnxruntime, no torch) and, under training/, how to make one."""

from rightfit.retrieval.rerank.model_dir import MANIFEST, RerankerFiles, open_model_dir, write_manifest
from rightfit.retrieval.rerank.stage import CrossEncoderReranker, passage_text

__all__ = ["MANIFEST", "CrossEncoderReranker", "RerankerFiles", "open_model_dir", "passage_text", "write_manifest"]
