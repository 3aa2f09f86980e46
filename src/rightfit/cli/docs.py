"""Index, search, ask, serve and lock: the commands over one document collection."""

from __future__ import annotations

import errno
import json
import signal
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any

import typer

from rightfit.cli.app import app
from rightfit.cli.common import ConfigOpt, DataDirOpt, JsonOpt, build_index, pipeline, settings_from
from rightfit.core.errors import InvalidInputError
from rightfit.types import Answer, IndexReport


@app.command()
def index(
    docs: Annotated[Path, typer.Argument(help="Folder of .md, .txt, .html, .pdf and .jsonl documents.")],
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
    as_json: JsonOpt = False,
    replace: Annotated[bool, typer.Option("--replace", help="Replace an index that shares no file with DOCS "
                                          "(refused without it: most likely the wrong folder).")] = False,
) -> None:
    """Index a folder. Only changed files are processed; the previous index stays live until the new one is done."""
    settings = settings_from(config, data_dir)
    report = build_index(settings, docs, replace=replace)
    if as_json:
        typer.echo(json.dumps(asdict(report), indent=2))
        return
    if report.written:
        typer.echo(f"indexed {report.documents} documents, {report.chunks} chunks into {settings.data_dir} "
                   f"(generation {report.generation}; {report.processed_files} files processed, "
                   f"{report.reused_files} unchanged, {report.removed_files} removed) in {report.seconds:.1f}s")
    else:
        typer.echo(f"nothing changed: {report.documents} documents, {report.chunks} chunks in {settings.data_dir} "
                   f"(generation {report.generation} kept; {report.reused_files} files unchanged) in "
                   f"{report.seconds:.1f}s")
    for s in report.skipped:
        typer.echo(f"skipped {s.path}: {s.reason}", err=True)
    echo_flagged(report, allowed=settings.guard.answer_from_flagged)


def echo_flagged(report: IndexReport, *, allowed: bool) -> None:
    """Say how many chunks the ingest scan flagged, and in which documents."""
    if not report.scanned:
        typer.echo("documents were not scanned for instructions to the assistant ([guard] scan_documents = false)")
        return
    if not report.flagged:
        typer.echo("no chunk carries instructions to the assistant")
        return
    counts: dict[tuple[str, str], int] = {}
    reasons: dict[tuple[str, str], dict[str, None]] = {}
    for f in report.flagged:
        key = (f.file, f.doc_id)
        counts[key] = counts.get(key, 0) + 1
        reasons.setdefault(key, {}).update(dict.fromkeys(f.reason.split(",")))
    fate = ("still used in answers ([guard] answer_from_flagged = true)" if allowed
            else "kept out of answers; set [guard] answer_from_flagged = true to allow them")
    typer.echo(f"flagged {len(report.flagged)} chunks in {len(counts)} documents as instructions to the assistant, "
               f"{fate}:")
    for (file, doc_id), n in sorted(counts.items()):
        name = file if doc_id == Path(file).stem else f"{file} ({doc_id})"
        typer.echo(f"  {name}: {n} chunks ({', '.join(reasons[file, doc_id])})")


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
    settings = settings_from(config, data_dir)
    result = pipeline(settings).search(query=query, top_k=top_k, method=method)
    if as_json:
        typer.echo(json.dumps({"query": result.query, "method": result.method, "trace_id": result.trace_id,
                               "hits": [_hit_json(h) for h in result.hits]}, indent=2, ensure_ascii=False))
        return
    for i, h in enumerate(result.hits, start=1):
        c = h.chunk
        flag = f"  FLAGGED: carries instructions to the assistant ({c.flag})" if c.flag else ""
        typer.echo(f"{i}. [{c.doc_id}] {c.section_path or c.title}  (score {h.score:.4f}){flag}")
        typer.echo("   " + " ".join(c.text.split())[:300])
    if not result.hits:
        typer.echo("no passage matches")


def _hit_json(h: Any) -> dict[str, Any]:
    c = h.chunk
    return {"chunk_id": c.chunk_id, "doc_id": c.doc_id, "title": c.title, "section": c.section_path,
            "start": c.start, "end": c.end, "score": h.score, "text": c.text, "flagged": c.flagged,
            "flag_reason": c.flag}


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="A question about the indexed documents.")],
    rung: Annotated[str | None, typer.Option(help="'extractive' or a model name (default from settings).")] = None,
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Answer from the documents with citations, or say it can't find the answer."""
    settings = settings_from(config, data_dir)
    if rung is not None:
        from rightfit.models.generators import check_rung

        check_rung(settings, rung)  # "extractiv" is named as an unknown rung, with the ones there are
        settings = settings.model_copy(update={"answer": settings.answer.model_copy(update={"rung": rung})})
    answer = pipeline(settings).ask(question=question)
    if as_json:
        typer.echo(json.dumps(_answer_json(answer), indent=2, ensure_ascii=False))
        return
    if answer.abstained:
        typer.echo(f"I can't find that in the documents. ({answer.reason})")
    else:
        typer.echo(answer.text)
        for c in answer.citations:
            typer.echo(f"  source: {c.doc_id} > {c.section or c.title} [chars {c.start}-{c.end}]")
    typer.echo(f"confidence {answer.confidence:.2f} · trace {answer.trace_id}", err=True)


def _answer_json(a: Answer) -> dict[str, Any]:
    """The answer under the names `POST /v1/ask` gives it (its text is "answer"), and whether the verifier
    refused a drafted answer, which the API does not say."""
    return {"question": a.question, "answer": a.text, "abstained": a.abstained, "confidence": a.confidence,
            "citations": [asdict(c) for c in a.citations], "reason": a.reason, "trace_id": a.trace_id,
            "rejected": a.rejected}


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535)] = 8000,
    docs: Annotated[Path | None, typer.Option(help="Index this folder first (only changed files).")] = None,
    lock: Annotated[Path | None, typer.Option(help="Serve the rungs this lock file chose (`rightfit fit`), and "
                                              "refuse to start unless models, index, classifiers and settings "
                                              "match it.")] = None,
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Serve the HTTP API and the web page."""
    import uvicorn

    from rightfit.server.app import create_app

    settings = settings_from(config, data_dir)
    _check_listen(host, port)  # before indexing and model loading, which can take minutes
    if docs is None:  # no index to serve: said before anything is written into the data directory
        from rightfit.retrieval.stores.embedded import EmbeddedStore

        EmbeddedStore.open(settings.data_dir).close()
    else:
        report = build_index(settings, docs)
        typer.echo(f"index ready: {report.documents} documents, {report.chunks} chunks", err=True)
        for s in report.skipped:
            typer.echo(f"skipped {s.path}: {s.reason}", err=True)
        if report.flagged:
            typer.echo(f"{len(report.flagged)} chunks flagged as instructions to the assistant in: "
                       f"{', '.join(sorted({f.file for f in report.flagged}))} (see `rightfit index`)", err=True)
    if lock is not None:
        from rightfit.models.lock import apply_lock

        settings = apply_lock(settings, lock)
    if settings.assistant.app is not None:
        typer.echo(f"loading the assistant from {settings.assistant.app} (a first start trains its intent "
                   "classifier and injection detector: about a minute)", err=True)
    application = create_app(settings)
    if lock is not None:  # keep the locked index, whatever `rightfit index` writes while serving
        from rightfit.models.lock import locked_generation

        application.state.pipeline.pin_generation(locked_generation(lock))
        typer.echo(f"deployment matches {lock}: answers by {settings.answer.rung}, fields by "
                   f"{settings.assistant.extract_model or 'the parsers'}", err=True)
    application.state.pipeline.warm_up()  # load models now, not on the first request
    shown = f"[{host}]" if ":" in host else host
    typer.echo(f"rightfit serving on http://{shown}:{port}/  (API docs at /docs)", err=True)
    # uvicorn shuts down gracefully on Ctrl-C or SIGTERM, then raises the signal again for the handlers it
    # found: here a stop asked for is the normal end of a server, not a job cut short (it exited 130).
    for stop in (signal.SIGINT, signal.SIGTERM):
        signal.signal(stop, lambda _signum, _frame: None)
    uvicorn.run(application, host=host, port=port, log_level="warning")
    typer.echo("rightfit server stopped", err=True)


def _check_listen(host: str, port: int) -> None:
    """Refuse an address the server could not listen on, with the fix, instead of failing after start-up.

    An empty host would listen on every interface; that has to be asked for by name (0.0.0.0 or ::).
    """
    import socket

    if not host.strip():
        raise InvalidInputError("--host is empty; pass 127.0.0.1 (this machine only) or 0.0.0.0 (every interface)")
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except socket.gaierror as exc:
        raise InvalidInputError(f"--host {host!r} is not an address of this machine ({exc.strerror}); "
                                "pass 127.0.0.1 or 0.0.0.0") from None
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            fix = "stop the other server or pass another --port" if exc.errno == errno.EADDRINUSE else (
                "pass an address of this machine with --host, or a port above 1023 with --port")
            raise InvalidInputError(f"cannot listen on {host}:{port} ({exc.strerror}); {fix}") from None


@app.command("lock")
def lock_command(
    out: Annotated[Path, typer.Option("--out", "-o", help="Where to write the lock file.")] = Path("rightfit.lock"),
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Record the exact hashes of the models, index and settings this configuration serves."""
    from rightfit.models.lock import write_lock

    lock = write_lock(settings_from(config, data_dir), out)
    typer.echo(f"wrote {out}: rung {lock['rung']}, {len(lock['models'])} model hashes, "
               f"index {lock['index']['generation']}")
