"""`rightfit eval`: retrieval and answer quality."""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any

import typer

from rightfit.cli.common import ConfigOpt, DataDirOpt, JsonOpt, Progress, build_index, pipeline, settings_from
from rightfit.core.errors import InvalidInputError

eval_app = typer.Typer(no_args_is_help=True, help="Measure retrieval and answer quality.")


@eval_app.command("retrieval")
def eval_retrieval(
    beir: Annotated[Path, typer.Option("--beir", help="BEIR directory: corpus.jsonl, queries.jsonl, qrels.")],
    split: Annotated[str, typer.Option(help="qrels split to read (qrels/SPLIT.tsv).")] = "test",
    rerank: Annotated[bool, typer.Option("--rerank", help="Also score the configured fusion reranked by the "
                                         "cross-encoder ([rerank] model, or --rerank-model).")] = False,
    rerank_model: Annotated[Path | None, typer.Option("--rerank-model", help="Reranker directory for --rerank.",
                                                      show_default=False)] = None,
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Index a BEIR directory and print Recall@1/5/10, MRR@10 and nDCG@10 for each retriever and fusion."""
    from rightfit.evals.retrieval import evaluate_beir

    if data_dir is None:  # one cached index per corpus, so a second run only re-reads it
        key = hashlib.sha256(str(beir.resolve()).encode()).hexdigest()[:16]
        data_dir = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "rightfit" / "beir" / key
    settings = settings_from(config, data_dir)
    # Reranked only when asked, so the same command gives comparable tables whatever the config says.
    rerank_update: dict[str, Any] = {"enabled": rerank, "if_missing": "error"}
    if rerank_model is not None:
        rerank_update["model"] = rerank_model
    settings = settings.model_copy(update={"rerank": settings.rerank.model_copy(update=rerank_update)})
    bars = Progress()
    try:
        report = evaluate_beir(beir, lambda _d: pipeline(settings),
                               lambda corpus: build_index(settings, corpus.parent, files=[corpus]),
                               split=split, progress=bars.phase("queries"))
    finally:
        bars.close()
    if as_json:
        typer.echo(json.dumps(asdict(report), indent=2))
        return
    typer.echo(f"{report.dataset}: {report.queries} queries, {report.documents} documents, {report.chunks} chunks")
    typer.echo(report.table())
    typer.echo(f"best on MRR@10: {report.best()}; latency per query (all four) p50 {report.latency_ms['p50']:.1f} ms,"
               f" p95 {report.latency_ms['p95']:.1f} ms")


@eval_app.command("answers")
def eval_answers(
    qa: Annotated[Path, typer.Option("--qa", help="JSONL: id, question, answer (or null), doc_ids.")],
    rung: Annotated[list[str] | None, typer.Option("--rung", help="Rungs to evaluate: 'extractive' or a model "
                                                   "name; repeat for several (default: the configured rung).")] = None,
    split: Annotated[str, typer.Option(help="Questions to ask the generative rungs: test, calibration or all.")]
    = "test",
    limit: Annotated[int | None, typer.Option(min=1, help="Ask at most this many questions per rung.")] = None,
    target_abstention: Annotated[float, typer.Option(min=0.5, max=1.0, help="Share of unanswerable questions "
                                                     "to abstain on, when calibrating.")] = 0.9,
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Answer accuracy, citations, abstention, hallucination and latency per rung.

    The extractive rung's threshold is calibrated on the calibration split only; every rung is reported on
    the test split.
    """
    from rightfit.evals.answers import calibrate, judge, load_qa, report

    if split not in ("test", "calibration", "all"):
        raise InvalidInputError(f"--split {split!r} is not one of test, calibration, all")
    settings = settings_from(config, data_dir)
    items = load_qa(qa)
    rungs = rung or [settings.answer.rung]
    results: dict[str, list[Any]] = {}
    summary: list[tuple[str, Any]] = []
    for name in rungs:
        answer_settings = settings.answer.model_copy(update={"rung": name, "abstain_threshold": 0.0})
        rung_pipeline = pipeline(settings.model_copy(update={"answer": answer_settings}))
        doc_text = rung_pipeline.store.document_text
        reported = [i for i in items if split in ("all", i.split)]
        if limit is not None and limit < len(reported):  # evenly spaced, to keep the file's mix of questions
            reported = [reported[k * len(reported) // limit] for k in range(limit)]
        chosen = reported
        if name == "extractive":  # calibration always uses the whole calibration split
            chosen = [i for i in items if i.split == "calibration" and i not in reported] + reported
        def ask_one(question: str, rung_pipeline: Any = rung_pipeline) -> Any:
            return rung_pipeline.ask(question=question)

        bars = Progress()
        try:
            judged = judge(chosen, ask_one, progress=bars.phase(name))
        finally:
            bars.close()
        test = [j for j in judged if j.item in reported]
        if name == "extractive":
            cal = [j for j in judged if j.item.split == "calibration"]
            threshold = calibrate(cal, target_abstention=target_abstention)
            reports = [report(cal, threshold, "calibration", doc_text), report(test, threshold, split, doc_text),
                       report(test, settings.answer.abstain_threshold, f"{split} (configured threshold)", doc_text),
                       report(test, 0.0, f"{split} (never abstaining)", doc_text)]
            summary.append((f"extractive @{settings.answer.abstain_threshold:.3f}", reports[2]))
            if not as_json:
                typer.echo(f"calibrated threshold: {threshold:.3f} (set [answer] abstain_threshold to use it)")
        else:
            reports = [report(test, None, split, doc_text)]
            summary.append((name, reports[0]))
        results[name] = reports
        if not as_json:
            typer.echo(f"== {name}")
            for r in reports:
                typer.echo(r.table())
    if as_json:
        typer.echo(json.dumps({k: [asdict(r) for r in v] for k, v in results.items()}, indent=2))
        return
    typer.echo(f"\n{'rung':<24}{'accuracy':>9}{'halluc.':>9}{'abst.unans':>11}{'missed':>8}{'p50 ms':>8}{'p95 ms':>8}")
    for label, r in summary:
        typer.echo(f"{label:<24}{r.accuracy:>9.1%}{r.hallucination:>9.1%}{r.abstention_recall:>11.1%}"
                   f"{r.false_abstention:>8.1%}{r.p50_ms:>8.0f}{r.p95_ms:>8.0f}")


@eval_app.command("export-beir")
def eval_export_beir(
    qa: Annotated[Path, typer.Option("--qa", help="JSONL: id, question, answer (or null), doc_ids.")],
    docs: Annotated[Path, typer.Option("--docs", help="The corpus folder the questions were written for.")],
    out: Annotated[Path, typer.Option("--out", help="Directory to write corpus.jsonl, queries.jsonl, qrels/.")],
) -> None:
    """Export a QA eval set and its corpus in BEIR layout (answerable questions become judged queries)."""
    from rightfit.evals.datasets import qa_to_beir

    n_docs, n_queries = qa_to_beir(qa, docs, out)
    typer.echo(f"wrote {n_docs} documents and {n_queries} judged queries to {out}")
