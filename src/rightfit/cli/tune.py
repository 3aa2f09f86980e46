"""`rightfit tune`: train a domain reranker for an indexed corpus without human labels, pin one you bring, and
choose how much of the fused retrieval score it keeps."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any

import typer

from rightfit.cli.common import ConfigOpt, DataDirOpt, JsonOpt, Progress, build_index, pipeline, settings_from
from rightfit.core.errors import InvalidInputError

tune_app = typer.Typer(no_args_is_help=True, rich_markup_mode=None,
                       help="Train and pin rerankers for this corpus (training needs the `tune` extra: torch).")

GeneratorOpt = Annotated[str, typer.Option("--generator", help="Packaged GGUF model that writes the questions.")]
PerChunkOpt = Annotated[int, typer.Option("--questions-per-chunk", min=1, max=10)]
MaxChunksOpt = Annotated[int | None, typer.Option("--max-chunks", min=1, help="Write questions for at most this "
                                                  "many chunks, evenly spaced (default: all).")]
DocsOpt = Annotated[Path | None, typer.Option("--docs", help="Index this folder first (default: use the existing "
                                              "index).", show_default=False)]


def _chunks(settings: Any, docs: Path | None) -> tuple[Any, list[Any]]:
    if docs is not None:
        build_index(settings, docs)
    # Mining and the held-out baseline need plain hybrid retrieval, whatever reranker the config serves with.
    pipe = pipeline(settings.model_copy(update={"rerank": settings.rerank.model_copy(update={"enabled": False})}))
    store = pipe.store
    return pipe, store.chunks(list(range(len(store))))


def _generator(settings: Any) -> Any:
    def make(name: str) -> Any:
        from rightfit.models.llama import LlamaCppGenerator

        return LlamaCppGenerator(model=name, n_ctx=2048, threads=settings.generation.threads, max_tokens=400)
    return make


@tune_app.command("reranker")
def tune_reranker_cmd(
    out: Annotated[Path, typer.Option("--out", help="Directory for the int8 ONNX reranker and its provenance.")],
    work: Annotated[Path | None, typer.Option("--work", help="Work directory for the phases (default: OUT.work); "
                                              "a re-run resumes from it.", show_default=False)] = None,
    queries: Annotated[Path | None, typer.Option("--queries", help="Use these synthetic questions (JSONL from "
                                                 "`rightfit tune questions`) instead of generating them.")] = None,
    generator: GeneratorOpt = "qwen2.5-1.5b",
    per_chunk: PerChunkOpt = 2,
    max_chunks: MaxChunksOpt = None,
    holdout: Annotated[float, typer.Option("--holdout", min=0.0, max=0.5, help="Share of documents whose "
                                           "questions are held out: never trained on, only evaluated.")] = 0.0,
    layers: Annotated[int, typer.Option("--layers", min=1, max=6, help="MiniLM layers to keep (fewer: faster, "
                                        "usually less accurate; 2 fits the 150 ms budget for 30 passages).")] = 2,
    epochs: Annotated[int, typer.Option("--epochs", min=1, max=20)] = 6,
    lr: Annotated[float, typer.Option("--lr", min=1e-6, max=1e-2, help="Peak learning rate.")] = 3e-4,
    roundtrip_k: Annotated[int, typer.Option("--roundtrip-k", min=1, max=100, help="Keep a question only if "
                                             "hybrid retrieval ranks its source chunk this high.")] = 10,
    max_length: Annotated[int, typer.Option("--max-length", min=16, max=512, help="Tokens per (question, "
                                            "passage) pair, in training and when serving.")] = 128,
    dev_share: Annotated[float, typer.Option("--dev-share", min=0.05, max=0.5, help="Share of the training "
                                             "questions' chunks held out to choose how much of the fused "
                                             "retrieval score the reranker keeps.")] = 0.2,
    threads: Annotated[int | None, typer.Option("--threads", min=1, max=64, help="Torch threads for training "
                                                "(default: up to 2).", show_default=False)] = None,
    teacher: Annotated[str | None, typer.Option("--teacher", help="Packaged GGUF model that also labels every "
                                                "training pair (P(yes) that the passage answers the question); "
                                                "the reranker learns from its labels too. About 0.5 s per pair "
                                                "with qwen2.5-1.5b.", show_default=False)] = None,
    distill: Annotated[float, typer.Option("--distill", min=0.0, max=1.0, help="Share of the training loss "
                                           "from the teacher's labels (the rest from the source passage).")] = 1.0,
    teacher_temperature: Annotated[float, typer.Option("--teacher-temperature", min=0.05, max=20.0, help="The "
                                                       "teacher's log-odds are divided by this before the softmax "
                                                       "over a question's passages (above 1: softer targets).")
                                   ] = 1.0,
    teacher_labels: Annotated[Path | None, typer.Option("--teacher-labels", help="JSONL file of teacher labels "
                                                        "to reuse and extend (default: in the work directory).",
                                                        show_default=False)] = None,
    labels_only: Annotated[bool, typer.Option("--teacher-labels-only", help="Never run the teacher: groups with "
                                              "a pair the labels file lacks train on the source passage alone.")
                           ] = False,
    docs: DocsOpt = None,
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Synthetic questions per chunk, hard negatives from hybrid retrieval, a round-trip filter, fine-tuning of
    the packaged MiniLM as a cross-encoder, int8 ONNX export with provenance. Interrupt and re-run to resume."""
    from rightfit.evals.retrieval import evaluate_chunk_queries
    from rightfit.retrieval.rerank.stage import CrossEncoderReranker
    from rightfit.retrieval.rerank.training.tune import TuneOptions, tune_reranker

    settings = settings_from(config, data_dir)
    pipe, chunks = _chunks(settings, docs)
    fusion = settings.retrieval.fusion
    opts = TuneOptions(generator=generator, per_chunk=per_chunk, max_chunks=max_chunks, holdout=holdout,
                       layers=layers, epochs=epochs, lr=lr, roundtrip_k=roundtrip_k, max_length=max_length,
                       dev_share=dev_share, top_n=settings.rerank.top_n, threads=threads, teacher=teacher,
                       distill=distill, teacher_temperature=teacher_temperature, pages=settings.answer.judge.pages,
                       teacher_missing="skip" if labels_only else "label")
    bars = Progress()

    def retrieve(question: str) -> Any:
        return pipe.retrieve_all(question)[fusion]

    def evaluate(model_dir: Path, held: Sequence[Any]) -> dict[str, dict[str, float]]:
        from rightfit.assistant.qa import QAPipeline

        reranked = QAPipeline(settings=settings, embedder=pipe.embedder,
                              reranker=CrossEncoderReranker(model=model_dir, top_n=settings.rerank.top_n))
        return evaluate_chunk_queries(reranked, [(q.question, q.chunk_id) for q in held],
                                      progress=bars.phase("held-out eval"))

    try:
        report = tune_reranker(chunks=chunks, retrieve=retrieve, evaluate=evaluate, out=out,
                               work=work or out.with_name(out.name + ".work"), opts=opts, queries_file=queries,
                               make_generator=_generator(settings), progress=bars, teacher_labels=teacher_labels)
    finally:
        bars.close()
    if as_json:
        typer.echo(json.dumps(asdict(report), indent=2, default=str))
        return
    typer.echo(f"reranker written to {report.out}: {report.groups} training groups from {report.questions} questions "
               f"({report.dropped_roundtrip} failed the round trip, {report.stale} for changed chunks); "
               f"training {report.train_seconds:.0f} s, total {report.total_seconds:.0f} s")
    if report.dev_mrr.get("groups"):
        typer.echo(f"dev groups ({report.dev_mrr['groups']:.0f}): MRR of the source passage among its negatives "
                   f"{report.dev_mrr['reranker']:.3f} reranked vs {report.dev_mrr['hybrid']:.3f} hybrid order")
    if report.blend_mrr:
        b = report.blend_mrr
        typer.echo(f"dev questions ({b['questions']:.0f}), MRR@10 of the source passage in the hybrid top "
                   f"{opts.top_n}: hybrid {b['hybrid']:.3f}, reranker alone {b['reranker']:.3f}, served "
                   f"(fused weight {report.fused_weight}) {b['served']:.3f}")
        if report.blend_check is not None:
            typer.echo(cross_validation_line(report.blend_check))
        if report.fused_weight is not None and report.fused_weight >= 1.0:
            typer.echo("warning: on its dev questions the reranker does not improve on hybrid retrieval, so it "
                       "keeps the hybrid order (fused weight 1.0); train on more questions (more chunks, "
                       "--questions-per-chunk), or choose the weight on labelled development questions with "
                       f"`rightfit tune blend {report.out} --qa FILE`", err=True)
    else:
        typer.echo("warning: too few questions to hold any out, so nothing checked that this reranker orders "
                   "passages better than hybrid retrieval; it is served alone", err=True)
    for label, vals in report.heldout.items():
        typer.echo(f"held-out {label:<14}" + "  ".join(f"{k} {v:.4f}" for k, v in vals.items()))
    typer.echo(f"use it: [rerank] enabled = true, model = \"{report.out}\"")


@tune_app.command("questions")
def tune_questions_cmd(
    out: Annotated[Path, typer.Option("--out", help="JSONL file to write (with a provenance line first).")],
    generator: GeneratorOpt = "qwen2.5-1.5b",
    per_chunk: PerChunkOpt = 2,
    max_chunks: MaxChunksOpt = None,
    docs: DocsOpt = None,
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Only write synthetic questions for the indexed chunks (to commit them, or to review them first)."""
    from rightfit.retrieval.rerank.training.questions import generate_questions, write_queries
    from rightfit.retrieval.rerank.training.tune import TuneOptions, provenance_of_questions, select_chunks

    settings = settings_from(config, data_dir)
    _pipe, chunks = _chunks(settings, docs)
    selected = select_chunks(chunks, TuneOptions(max_chunks=max_chunks))
    bars = Progress()
    try:
        queries = generate_questions(selected, _generator(settings)(generator), out, per_chunk=per_chunk,
                                     progress=bars.phase("questions"))
    finally:
        bars.close()
    write_queries(out, queries, header=provenance_of_questions(generator, per_chunk))
    typer.echo(f"wrote {len(queries)} questions for {len(selected)} chunks to {out}")


@tune_app.command("pin")
def tune_pin_cmd(
    model: Annotated[Path, typer.Argument(help="A cross-encoder directory you trust (ONNX or Hugging Face).")],
    max_length: Annotated[int, typer.Option("--max-length", min=16, max=512)] = 256,
    fused_weight: Annotated[float | None, typer.Option("--fused-weight", min=0.0, max=1.0, help="Order by "
                                                       "(1 - W) * reranker + W * fused retrieval score, each "
                                                       "standardized per query (default: the reranker alone).",
                                                       show_default=False)] = None,
) -> None:
    """Record the sha256 of a reranker's files beside it, so rightfit will load it (and only it)."""
    from rightfit.retrieval.rerank.model_dir import write_manifest

    if not model.is_dir():
        raise InvalidInputError(f"{model} is not a directory; pass the folder that holds the model files")
    path = write_manifest(model, max_length=max_length, provenance={"pinned_by": "rightfit tune pin"},
                          fused_weight=fused_weight)
    typer.echo(f"pinned {model} in {path}")


def cross_validation_line(cv: Any) -> str:
    """What the weight choice is worth on questions it did not see, and whether that is more than noise."""
    low, high = cv.gain_interval
    verdict = ("a gain clear of noise" if cv.demonstrated else
               "no gain beyond noise" if high >= 0 else "a loss beyond noise")
    return (f"  cross-validated ({cv.folds} folds, weights {' '.join(f'{w:.2f}' for w in cv.weights)}): MRR@10 "
            f"{cv.mrr:.4f} against hybrid {cv.hybrid_mrr:.4f}, gain {cv.gain:+.4f} [95%: {low:+.4f}, {high:+.4f}], "
            f"{verdict}")


@tune_app.command("blend")
def tune_blend_cmd(
    model: Annotated[Path, typer.Argument(help="A pinned reranker directory (from `rightfit tune reranker` or "
                                          "`rightfit tune pin`).")],
    qa: Annotated[Path, typer.Option("--qa", help="Labelled development questions: JSONL with \"question\", "
                                     "\"answer\" and \"doc_ids\" (the eval answers format; questions with a null "
                                     "answer are left out). Not the set you report results on.")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print the scan, leave the manifest as it is.")] = False,
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Choose how much of the fused retrieval score a reranker keeps, on labelled questions of yours: the
    weight with the best MRR@10 of a gold document over the hybrid top N, written into the reranker's manifest."""
    from rightfit.evals.answers import load_qa
    from rightfit.models.catalog import sha256_file
    from rightfit.retrieval.rerank.model_dir import open_model_dir, set_fused_weight
    from rightfit.retrieval.rerank.training.tune import choose_blend

    settings = settings_from(config, data_dir)
    # A question with "answer": null has no document that answers it; its doc_ids are only near misses.
    items = [i for i in load_qa(qa) if i.doc_ids and i.answerable]
    if not items:
        raise InvalidInputError(f"{qa} has no answerable question with doc_ids; the blend weight needs questions "
                                "with the documents that answer them")
    pipe, chunks = _chunks(settings, None)
    known = set(pipe.store.doc_ids)
    unknown = [i for i in items if not set(i.doc_ids) & known]
    if len(unknown) == len(items):
        raise InvalidInputError(f"none of the doc_ids in {qa} is a document of the index in {settings.data_dir} "
                                f"(e.g. {sorted(items[0].doc_ids)[0]!r}); use the ids `rightfit search` shows")
    if unknown:
        typer.echo(f"warning: {len(unknown)} of {len(items)} questions name no document of the index "
                   f"(e.g. {unknown[0].qid}); they count as misses", err=True)
    fusion = settings.retrieval.fusion
    bars = Progress()
    try:
        choice = choose_blend(model, [i.question for i in items], [frozenset(i.doc_ids) for i in items], by="doc",
                              retrieve=lambda q: pipe.retrieve_all(q)[fusion], rows=chunks,
                              top_n=settings.rerank.top_n, max_length=settings.rerank.max_length,
                              progress=bars.phase("scoring"))
    finally:
        bars.close()
    chosen = {"qa": str(qa), "qa_sha256": sha256_file(qa), "questions": choice.questions,
              "top_n": settings.rerank.top_n, "max_length": settings.rerank.max_length,
              "metric": "MRR@10 of a gold document",
              "by_fused_weight": {str(w): round(v, 4) for w, v in choice.mrr.items()},
              "cross_validated": choice.cross_validation.as_dict() if choice.cross_validation else None}
    if not dry_run and choice.cross_validation is None:
        # A weight chosen on a handful of questions is luck; the manifest keeps the one it has.
        raise InvalidInputError(f"only {choice.questions} answerable questions in {qa}: too few to choose a "
                                "blend weight that carries over; add questions (or look with --dry-run)")
    if not dry_run:
        set_fused_weight(model, choice.fused_weight, chosen=chosen)
    if as_json:
        typer.echo(json.dumps({"fused_weight": choice.fused_weight, "written": not dry_run, **chosen}, indent=2))
        return
    length = settings.rerank.max_length or open_model_dir(model).max_length
    typer.echo(f"{choice.questions} questions, {length} tokens per pair, MRR@10 over the {fusion} top "
               f"{settings.rerank.top_n}: hybrid "
               f"{choice.hybrid_mrr:.4f}, reranker alone {choice.reranker_only_mrr:.4f}, fused weight "
               f"{choice.fused_weight:.2f} {choice.mrr[choice.fused_weight]:.4f}")
    typer.echo("  by fused weight: " + " ".join(f"{w:.2f}:{v:.3f}" for w, v in choice.mrr.items()))
    if choice.cross_validation is not None:
        typer.echo(cross_validation_line(choice.cross_validation))
    else:
        typer.echo(f"  too few questions ({choice.questions}) to cross-validate the choice; it may be luck")
    if dry_run:
        typer.echo("dry run: manifest unchanged")
    else:
        typer.echo(f"{model}: serves with fused weight {choice.fused_weight:.2f}"
                   + (" (the hybrid order: the reranker did not help on these questions)"
                      if choice.fused_weight >= 1.0 else ""))
