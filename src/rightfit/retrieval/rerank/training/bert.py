"""A BERT cross-encoder in plain torch: [CLS] query [SEP] passage [SEP] -> one relevance logit.

Module names mirror Hugging Face's BertForSequenceClassification, so a standard cross-encoder checkpoint
(e.g. an ms-marco MiniLM) loads as is, and what we save loads in sentence-transformers too. Written by hand
to keep `transformers` (and its dependency tree) out of the install; torch is the only training dependency.
"""

from __future__ import annotations

import json
import math
import struct
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

import torch
from torch import nn
from torch.nn import functional as F  # noqa: N812 - the torch convention

from rightfit.core.errors import ModelError
from rightfit.core.jsonio import loads as loads_json

_DTYPES = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16, "I64": torch.int64,
           "I32": torch.int32, "F64": torch.float64}


@dataclass(frozen=True, slots=True)
class BertConfig:
    vocab_size: int = 30522
    hidden_size: int = 384
    num_hidden_layers: int = 6
    num_attention_heads: int = 12
    intermediate_size: int = 1536
    max_position_embeddings: int = 512
    type_vocab_size: int = 2
    layer_norm_eps: float = 1e-12
    hidden_dropout_prob: float = 0.1
    attention_probs_dropout_prob: float = 0.1
    num_labels: int = 1
    # "cls": Hugging Face's pooler over [CLS] (standard cross-encoders). "mean": mean of the token states, for
    # heads we add to a sentence-transformers encoder, which was trained with mean pooling: its [CLS] state
    # barely varies between inputs, so a new head on it starts with nothing to learn from.
    pooling: str = "cls"

    @classmethod
    def from_file(cls, path: Path) -> BertConfig:
        raw = loads_json(path.read_text(encoding="utf-8"))
        if raw.get("model_type", "bert") != "bert" or raw.get("hidden_act", "gelu") != "gelu":
            raise ModelError(f"{path}: only BERT-family models with gelu are supported, got model_type="
                             f"{raw.get('model_type')!r}, hidden_act={raw.get('hidden_act')!r}")
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in raw.items() if k in known}
        if "id2label" in raw and "num_labels" not in raw:
            values["num_labels"] = len(raw["id2label"])
        return cls(**values)

    def to_hf(self) -> dict[str, Any]:
        out = asdict(self)
        labels = out.pop("num_labels")
        if out["pooling"] == "cls":
            del out["pooling"]  # a standard BertForSequenceClassification config
        out.update({"model_type": "bert", "architectures": ["BertForSequenceClassification"], "hidden_act": "gelu",
                    "pad_token_id": 0, "position_embedding_type": "absolute",
                    "id2label": {str(i): f"LABEL_{i}" for i in range(labels)},
                    "label2id": {f"LABEL_{i}": i for i in range(labels)}})
        return out


class _Embeddings(nn.Module):
    def __init__(self, c: BertConfig) -> None:
        super().__init__()
        self.word_embeddings = nn.Embedding(c.vocab_size, c.hidden_size, padding_idx=0)
        self.position_embeddings = nn.Embedding(c.max_position_embeddings, c.hidden_size)
        self.token_type_embeddings = nn.Embedding(c.type_vocab_size, c.hidden_size)
        self.LayerNorm = nn.LayerNorm(c.hidden_size, eps=c.layer_norm_eps)
        self.dropout = nn.Dropout(c.hidden_dropout_prob)

    def forward(self, input_ids: torch.Tensor, token_type_ids: torch.Tensor) -> torch.Tensor:
        positions = torch.arange(input_ids.shape[1], device=input_ids.device).unsqueeze(0)
        x = self.word_embeddings(input_ids) + self.position_embeddings(positions)
        return self.dropout(self.LayerNorm(x + self.token_type_embeddings(token_type_ids)))


class _SelfAttention(nn.Module):
    def __init__(self, c: BertConfig) -> None:
        super().__init__()
        self.heads = c.num_attention_heads
        self.query = nn.Linear(c.hidden_size, c.hidden_size)
        self.key = nn.Linear(c.hidden_size, c.hidden_size)
        self.value = nn.Linear(c.hidden_size, c.hidden_size)
        self.dropout = nn.Dropout(c.attention_probs_dropout_prob)

    def forward(self, x: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
        b, t, h = x.shape
        d = h // self.heads

        def split(y: torch.Tensor) -> torch.Tensor:
            return y.view(b, t, self.heads, d).transpose(1, 2)

        q, k, v = split(self.query(x)), split(self.key(x)), split(self.value(x))
        weights = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(d) + bias, dim=-1)
        return (self.dropout(weights) @ v).transpose(1, 2).reshape(b, t, h)


class _DenseNorm(nn.Module):
    """BertSelfOutput / BertOutput: project, dropout, residual, LayerNorm."""

    def __init__(self, c: BertConfig, width: int) -> None:
        super().__init__()
        self.dense = nn.Linear(width, c.hidden_size)
        self.LayerNorm = nn.LayerNorm(c.hidden_size, eps=c.layer_norm_eps)
        self.dropout = nn.Dropout(c.hidden_dropout_prob)

    def forward(self, x: torch.Tensor, residual: torch.Tensor) -> torch.Tensor:
        return self.LayerNorm(self.dropout(self.dense(x)) + residual)


class _Attention(nn.Module):
    def __init__(self, c: BertConfig) -> None:
        super().__init__()
        self.self = _SelfAttention(c)
        self.output = _DenseNorm(c, c.hidden_size)

    def forward(self, x: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
        return self.output(self.self(x, bias), x)


class _Intermediate(nn.Module):
    def __init__(self, c: BertConfig) -> None:
        super().__init__()
        self.dense = nn.Linear(c.hidden_size, c.intermediate_size)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.gelu(self.dense(x))


class _Layer(nn.Module):
    def __init__(self, c: BertConfig) -> None:
        super().__init__()
        self.attention = _Attention(c)
        self.intermediate = _Intermediate(c)
        self.output = _DenseNorm(c, c.intermediate_size)

    def forward(self, x: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
        x = self.attention(x, bias)
        return self.output(self.intermediate(x), x)


class _Encoder(nn.Module):
    def __init__(self, c: BertConfig) -> None:
        super().__init__()
        self.layer = nn.ModuleList(_Layer(c) for _ in range(c.num_hidden_layers))


class _Pooler(nn.Module):
    def __init__(self, c: BertConfig) -> None:
        super().__init__()
        self.dense = nn.Linear(c.hidden_size, c.hidden_size)


class _Bert(nn.Module):
    def __init__(self, c: BertConfig) -> None:
        super().__init__()
        self.embeddings = _Embeddings(c)
        self.encoder = _Encoder(c)
        self.pooler = _Pooler(c)


class BertCrossEncoder(nn.Module):
    """forward(input_ids, attention_mask, token_type_ids) -> logits [batch, num_labels]."""

    def __init__(self, config: BertConfig) -> None:
        super().__init__()
        self.config = config
        self.bert = _Bert(config)
        self.dropout = nn.Dropout(config.hidden_dropout_prob)
        self.classifier = nn.Linear(config.hidden_size, config.num_labels)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor,
                token_type_ids: torch.Tensor) -> torch.Tensor:
        bias = (1.0 - attention_mask[:, None, None, :].to(torch.float32)) * -1e4
        x = self.bert.embeddings(input_ids, token_type_ids)
        for layer in self.bert.encoder.layer:
            x = layer(x, bias)
        if self.config.pooling == "mean":
            weights = attention_mask.unsqueeze(-1).to(x.dtype)
            pooled = (x * weights).sum(dim=1) / weights.sum(dim=1).clamp(min=1.0)
        else:
            pooled = torch.tanh(self.bert.pooler.dense(x[:, 0]))
        return self.classifier(self.dropout(pooled))


def read_safetensors(path: Path) -> dict[str, torch.Tensor]:
    """The safetensors format is a JSON header and raw little-endian arrays; no extra package needed."""
    data = path.read_bytes()
    try:
        (n,) = struct.unpack("<Q", data[:8])
        header = loads_json(data[8 : 8 + n])
    except (struct.error, ValueError) as exc:
        raise ModelError(f"{path} is not a safetensors file ({exc}); re-export or re-download it") from None
    base = 8 + n
    out: dict[str, torch.Tensor] = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        dtype = _DTYPES.get(info["dtype"])
        if dtype is None:
            raise ModelError(f"{path}: tensor {name} has unsupported dtype {info['dtype']}")
        start, end = info["data_offsets"]
        buf = bytearray(data[base + start : base + end])
        out[name] = torch.frombuffer(buf, dtype=dtype).reshape(info["shape"]) if buf else torch.zeros(
            info["shape"], dtype=dtype)
    return out


def write_safetensors(path: Path, tensors: dict[str, torch.Tensor]) -> None:
    names = {v: k for k, v in _DTYPES.items()}
    header: dict[str, Any] = {"__metadata__": {"format": "pt"}}
    blobs: list[bytes] = []
    offset = 0
    for name, t in tensors.items():
        raw = t.detach().contiguous().cpu().numpy().tobytes()
        header[name] = {"dtype": names[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    head = json.dumps(header).encode()
    head += b" " * (-len(head) % 8)
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("wb") as fh:
        fh.write(struct.pack("<Q", len(head)))
        fh.write(head)
        for blob in blobs:
            fh.write(blob)
    tmp.replace(path)


def load_state(directory: Path) -> dict[str, torch.Tensor]:
    for name in ("model.safetensors", "pytorch_model.bin"):
        path = directory / name
        if path.is_file():
            if name.endswith(".bin"):
                return torch.load(path, map_location="cpu", weights_only=True)  # type: ignore[no-any-return]
            return read_safetensors(path)
    raise ModelError(f"{directory}: no model.safetensors or pytorch_model.bin; point at a BERT model directory")


def load_cross_encoder(directory: Path, *, layers: int | None = None, seed: int = 0) -> BertCrossEncoder:
    """A BERT cross-encoder from a Hugging Face directory: a cross-encoder, or a plain BERT encoder that gets a
    new, randomly initialized relevance head. `layers` keeps only the first N layers (a smaller, faster model).
    """
    config = BertConfig.from_file(directory / "config.json")
    if layers is not None:
        if not 1 <= layers <= config.num_hidden_layers:
            raise ModelError(f"layers must be between 1 and {config.num_hidden_layers}, got {layers}")
        config = BertConfig(**{**asdict(config), "num_hidden_layers": layers})
    if (directory / "modules.json").is_file() and (directory / "1_Pooling").is_dir():
        config = BertConfig(**{**asdict(config), "pooling": "mean"})  # a sentence-transformers encoder
    state = {}
    for raw_key, value in load_state(directory).items():
        key = raw_key.replace("LayerNorm.gamma", "LayerNorm.weight").replace("LayerNorm.beta", "LayerNorm.bias")
        if not key.startswith(("bert.", "classifier.")):
            key = "bert." + key
        state[key] = value.float() if value.is_floating_point() else value
    torch.manual_seed(seed)
    model = BertCrossEncoder(config)
    wanted = model.state_dict()
    usable = {k: v for k, v in state.items() if k in wanted}
    shapes = [k for k, v in usable.items() if tuple(v.shape) != tuple(wanted[k].shape)]
    if shapes:
        raise ModelError(f"{directory}: weights do not fit the config ({', '.join(shapes[:3])}...)")
    missing = [k for k in wanted if k not in usable and not k.startswith("classifier.")]
    if missing:
        raise ModelError(f"{directory}: weights are missing {len(missing)} BERT tensors (e.g. {missing[0]})")
    if "classifier.weight" not in usable:  # a plain encoder: a small random head, so training starts near zero
        nn.init.normal_(model.classifier.weight, std=0.02)
        nn.init.zeros_(model.classifier.bias)
    model.load_state_dict(usable, strict=False)
    return model


def save_cross_encoder(model: BertCrossEncoder, directory: Path, tokenizer_files: list[Path]) -> None:
    """A standard Hugging Face cross-encoder directory (config.json, model.safetensors, tokenizer files)."""
    import shutil

    directory.mkdir(parents=True, exist_ok=True)
    (directory / "config.json").write_text(json.dumps(model.config.to_hf(), indent=2), encoding="utf-8")
    write_safetensors(directory / "model.safetensors", dict(model.state_dict()))
    for f in tokenizer_files:
        shutil.copyfile(f, directory / f.name)
