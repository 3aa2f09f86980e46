"""Fine-tune a BERT cross-encoder on (question, positive, negatives) groups with a listwise softmax loss.

With graded labels from a teacher (training/teacher.py) and `distill` > 0, the loss mixes the hard label (the
positive is first) with the cross-entropy against the teacher's distribution over the group's passages,
softmax(logit(P(yes)) / `teacher_temperature`), so a hard negative the teacher thinks answers the question is
not pushed down as hard.

Checkpoints every `checkpoint_every` steps, so an interrupted run resumes at the last checkpoint with the
same data order (each epoch's shuffle is seeded by the epoch number).
"""

from __future__ import annotations

import logging
import math
import os
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import torch

from rightfit.retrieval.rerank.training.bert import BertCrossEncoder
from rightfit.retrieval.rerank.training.mining import TrainingGroup

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class TrainConfig:
    epochs: int = 2
    groups_per_batch: int = 4
    lr: float = 5e-5
    warmup: float = 0.1
    weight_decay: float = 0.01
    max_length: int = 128
    seed: int = 0
    checkpoint_every: int = 25
    # The 30k x 384 word-embedding table is half the model; updating it on a few hundred questions mostly
    # costs time (AdamW over 11.7M weights per step) and risks forgetting words the questions never use.
    freeze_embeddings: bool = True
    distill: float = 0.0  # share of the loss from the teacher's labels (0: hard labels only)
    teacher_temperature: float = 1.0


@dataclass(frozen=True, slots=True)
class TrainReport:
    steps: int
    seconds: float
    final_loss: float


def encode(tokenizer: object, pairs: Sequence[tuple[str, str]], max_length: int) -> dict[str, torch.Tensor]:
    tokenizer.enable_truncation(max_length=max_length)  # type: ignore[attr-defined]
    tokenizer.enable_padding(pad_id=0)  # type: ignore[attr-defined]
    encs = tokenizer.encode_batch(list(pairs))  # type: ignore[attr-defined]
    return {"input_ids": torch.tensor([e.ids for e in encs], dtype=torch.int64),
            "attention_mask": torch.tensor([e.attention_mask for e in encs], dtype=torch.int64),
            "token_type_ids": torch.tensor([e.type_ids for e in encs], dtype=torch.int64)}


def _batches(n: int, cfg: TrainConfig, epoch: int) -> list[list[int]]:
    order = list(range(n))
    random.Random(cfg.seed * 1000 + epoch).shuffle(order)
    return [order[i : i + cfg.groups_per_batch] for i in range(0, len(order), cfg.groups_per_batch)]


def teacher_distribution(p_yes: torch.Tensor, temperature: float) -> torch.Tensor:
    """Softmax over each group of the teacher's log-odds; P(yes) is clipped so that 0 and 1 stay finite."""
    p = p_yes.clamp(1e-4, 1 - 1e-4)
    return torch.softmax((torch.log(p) - torch.log1p(-p)) / temperature, dim=-1)


def train(
    model: BertCrossEncoder,
    tokenizer: object,
    groups: Sequence[TrainingGroup],
    cfg: TrainConfig,
    *,
    checkpoint: Path | None = None,
    threads: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    teacher: Sequence[tuple[float, ...] | None] | None = None,
) -> TrainReport:
    """`teacher[i]` holds P(yes) for each passage of `groups[i]`, or None (that group learns from its hard label
    alone); needed when `cfg.distill` > 0."""
    if not groups:
        raise ValueError("no training groups: every synthetic question was filtered out")
    if cfg.distill > 0 and (teacher is None or len(teacher) != len(groups)):
        raise ValueError("distillation needs the teacher's labels for the training groups (one entry per group)")
    torch.manual_seed(cfg.seed)
    torch.set_num_threads(threads if threads is not None else min(2, os.cpu_count() or 1))
    per_epoch = math.ceil(len(groups) / cfg.groups_per_batch)
    total = per_epoch * cfg.epochs
    warm = max(1, int(total * cfg.warmup))
    model.bert.embeddings.word_embeddings.weight.requires_grad_(not cfg.freeze_embeddings)
    params = [p for p in model.parameters() if p.requires_grad]
    optim = torch.optim.AdamW(params, lr=cfg.lr, weight_decay=cfg.weight_decay)
    sched = torch.optim.lr_scheduler.LambdaLR(
        optim, lambda s: min((s + 1) / warm, max(0.0, (total - s) / max(1, total - warm))))
    step = 0
    if checkpoint is not None and checkpoint.is_file():
        state = torch.load(checkpoint, map_location="cpu", weights_only=False)
        if state.get("config") == asdict(cfg) and state.get("groups") == len(groups):
            model.load_state_dict(state["model"])
            optim.load_state_dict(state["optim"])
            sched.load_state_dict(state["sched"])
            if "rng" in state:  # dropout draws on it: restored, the resumed run is the uninterrupted one
                torch.set_rng_state(state["rng"])
            step = int(state["step"])
            logger.info("resuming training at step %d of %d", step, total)
    started = time.perf_counter()
    loss_avg = 0.0
    model.train()
    for epoch in range(cfg.epochs):
        for b, idx in enumerate(_batches(len(groups), cfg, epoch)):
            if epoch * per_epoch + b < step:
                continue  # done before the interruption
            batch = [groups[i] for i in idx]
            size = len(batch[0].passages)
            pairs = [(g.question, p) for g in batch for p in g.passages]
            logits = model(**encode(tokenizer, pairs, cfg.max_length))[:, 0].view(len(batch), size)
            # The positive is always first in its group.
            hard = torch.nn.functional.cross_entropy(logits, torch.zeros(len(batch), dtype=torch.int64),
                                                     reduction="none")
            loss = hard.mean()
            if cfg.distill > 0 and teacher is not None:
                taught = [j for j, i in enumerate(idx) if teacher[i] is not None]
                if taught:
                    p_yes = torch.tensor([teacher[idx[j]] for j in taught], dtype=torch.float32)
                    target = teacher_distribution(p_yes, cfg.teacher_temperature)
                    soft = -(target * torch.log_softmax(logits[taught], dim=-1)).sum(dim=-1)
                    mixed = hard.clone()
                    mixed[taught] = (1 - cfg.distill) * hard[taught] + cfg.distill * soft
                    loss = mixed.mean()
            optim.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            optim.step()
            sched.step()
            step += 1
            value = float(loss.detach())
            loss_avg = value if step == 1 else 0.95 * loss_avg + 0.05 * value
            if progress is not None:
                progress(step, total)
            if checkpoint is not None and (step % cfg.checkpoint_every == 0 or step == total):
                tmp = checkpoint.with_name(checkpoint.name + ".tmp")
                torch.save({"model": model.state_dict(), "optim": optim.state_dict(), "sched": sched.state_dict(),
                            "rng": torch.get_rng_state(), "step": step, "config": asdict(cfg),
                            "groups": len(groups)}, tmp)
                os.replace(tmp, checkpoint)
    model.eval()
    return TrainReport(steps=step, seconds=time.perf_counter() - started, final_loss=loss_avg)


@torch.no_grad()
def group_mrr(model: BertCrossEncoder, tokenizer: object, groups: Sequence[TrainingGroup],
              max_length: int) -> tuple[float, float]:
    """MRR of the positive within its group: (reranker order, hybrid order). Hybrid order puts the positive
    at its retrieval rank among the group's negatives, which were taken in retrieval order."""
    model.eval()
    rr_model = rr_hybrid = 0.0
    for g in groups:
        scores = model(**encode(tokenizer, [(g.question, p) for p in g.passages], max_length))[:, 0]
        rr_model += 1.0 / (1 + int((scores[1:] > scores[0]).sum()))
        rr_hybrid += 1.0 / min(g.rank, len(g.passages))
    n = max(1, len(groups))
    return rr_model / n, rr_hybrid / n
