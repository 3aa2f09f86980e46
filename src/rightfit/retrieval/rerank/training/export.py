"""Torch cross-encoder -> ONNX -> dynamic int8 ONNX, with the manifest that pins it."""

from __future__ import annotations

import logging
import shutil
import tempfile
import warnings
from pathlib import Path
from typing import Any

import torch

from rightfit.retrieval.rerank.model_dir import RerankerFiles, open_model_dir, write_manifest
from rightfit.retrieval.rerank.training.bert import BertCrossEncoder

logger = logging.getLogger(__name__)


class _DropRecords(logging.Filter):
    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def filter(self, record: logging.LogRecord) -> bool:
        return self.text not in record.getMessage()


def export_onnx(model: BertCrossEncoder, out: Path, *, tokenizer: Path, max_length: int = 256,
                quantize: bool = True, provenance: dict[str, Any] | None = None) -> RerankerFiles:
    """Write `out` (model.onnx, tokenizer.json, rightfit-reranker.json) atomically: built beside it, then renamed."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        model.eval()
        ids = torch.tensor([[101, 2054, 102, 2023, 102], [101, 2054, 2003, 102, 0]], dtype=torch.int64)
        mask = (ids != 0).to(torch.int64)
        types = torch.tensor([[0, 0, 0, 1, 1], [0, 0, 0, 0, 0]], dtype=torch.int64)
        fp32 = work / "model-fp32.onnx"
        axes = {"batch": 0, "seq": 1}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the TorchScript exporter announces its own deprecation
            torch.onnx.export(
                model, (ids, mask, types), str(fp32), dynamo=False, opset_version=17,
                input_names=["input_ids", "attention_mask", "token_type_ids"], output_names=["logits"],
                dynamic_axes={n: {v: k for k, v in axes.items()} for n in
                              ("input_ids", "attention_mask", "token_type_ids")} | {"logits": {0: "batch"}})
        if quantize:
            quiet = _DropRecords("pre-processing before quantization")
            logging.getLogger().addFilter(quiet)  # onnxruntime's advice to every caller, on the root logger
            try:
                quantize_dynamic(str(fp32), str(work / "model.onnx"), weight_type=QuantType.QInt8)
            finally:
                logging.getLogger().removeFilter(quiet)
            fp32.unlink()
        else:
            fp32.rename(work / "model.onnx")
        shutil.copyfile(tokenizer, work / "tokenizer.json")
        write_manifest(work, max_length=max_length,
                       provenance={**(provenance or {}), "quantization": "dynamic int8" if quantize else "fp32"})
        work.chmod(0o755)  # mkdtemp makes it private; a model directory is meant to be shared
        if out.exists():
            old = out.with_name(f".{out.name}.old")
            shutil.rmtree(old, ignore_errors=True)
            out.rename(old)
            work.rename(out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            work.rename(out)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return open_model_dir(out)
