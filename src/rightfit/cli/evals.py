"""`rightfit eval`: retrieval and answer quality."""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any

import typer

from rightfit.cli.common import (
    ConfigOpt,
    DataDirOpt,
    JsonOpt,
    Progress,
    build_index,
    check_writable,
    pipeline,
    settings_from,
    write_output,
)
from rightfit.core.errors import InvalidInputError
from rightfit.core.settings import judge_model

eval_app = typer.Typer(no_args_is_help=True, rich_markup_mode=None, help="Measure retrieval and answer quality.")


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
    from rightfit.evals.retrieval import evaluate_beir, mark_eval_data_dir

    if data_dir is None:  # one cached index per corpus, so a second run only re-reads it
        key = hashlib.sha256(str(beir.resolve()).encode()).hexdigest()[:16]
        data_dir = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "rightfit" / "beir" / key
        if data_dir.is_dir():  # keyed by this BEIR directory, so ours even if made before eval marked its indexes
            mark_eval_data_dir(data_dir, beir)
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
                               split=split, progress=bars.phase("queries"), data_dir=settings.data_dir,
                               warn=lambda w: typer.echo(f"warning: {w}", err=True))
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
    rung: Annotated[list[str] | None, typer.Option("--rung", help="Rungs to evaluate: 'extractive', a model "
                                                   "name, 'extractive+MODEL', or 'openai:MODEL' for the "
                                                   "[endpoint] base_url; repeat for several (default: the "
                                                   "configured rung).")] = None,
    split: Annotated[str, typer.Option(help="Questions to ask the generative rungs: test, calibration or all.")]
    = "test",
    limit: Annotated[int | None, typer.Option(
        min=1, help="Report at most this many questions per rung (the extractive and judged rungs also ask the "
                    "whole calibration split, to set their threshold).")] = None,
    target_abstention: Annotated[float, typer.Option(min=0.5, max=1.0, help="Share of unanswerable questions "
                                                     "to abstain on, when calibrating.")] = 0.9,
    answers_out: Annotated[Path | None, typer.Option("--answers-out", help="Also write every reported "
                                                     "question's answer as JSONL: given or not, right or not, "
                                                     "figures and names in no gold document.")] = None,
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Answer accuracy, citations, abstention, hallucination and latency per rung.

    The thresholds of the extractive and judged rungs are calibrated on the calibration split only; every
    rung is reported on the test split.
    """
    from rightfit.evals.answers import CALIBRATION_SHARE, answer_rows, calibrate, judge, load_qa, report
    from rightfit.models.generators import check_rung

    if split not in ("test", "calibration", "all"):
        raise InvalidInputError(f"--split {split!r} is not one of test, calibration, all")
    settings = settings_from(config, data_dir)
    check_writable(answers_out, "--answers-out")
    items = load_qa(qa, max_question_chars=settings.limits.max_query_chars)
    rungs = rung or [settings.answer.rung]
    for name in rungs:
        check_rung(settings, name)
    scored_rungs = [n for n in rungs if n == "extractive" or judge_model(n) is not None]
    if scored_rungs and not any(i.split == "calibration" and not i.answerable for i in items):
        # calibrate() would refuse this only after every question had been asked.
        raise InvalidInputError(
            f"eval: {qa} has no unanswerable question (\"answer\": null) in the calibration split, which the "
            f"threshold of {', '.join(scored_rungs)} is calibrated on; add unanswerable questions (about "
            f"{CALIBRATION_SHARE:.0%} of ids land in the calibration split)")
    results: dict[str, list[Any]] = {}
    summary: list[tuple[str, Any]] = []
    rows: list[dict[str, object]] = []
    for name in rungs:
        is_judged = judge_model(name) is not None
        scored = name == "extractive" or is_judged  # a confidence to calibrate a threshold on
        configured = settings.answer.judge.threshold if is_judged else settings.answer.abstain_threshold
        answer_settings = settings.answer.model_copy(update={
            "rung": name, "abstain_threshold": 0.0,
            "judge": settings.answer.judge.model_copy(update={"threshold": 0.0})})
        rung_pipeline = pipeline(settings.model_copy(update={"answer": answer_settings}))
        doc_text = rung_pipeline.store.document_text
        known = settings.answer.known_terms
        reported = [i for i in items if split in ("all", i.split)]
        if limit is not None and limit < len(reported):  # evenly spaced, to keep the file's mix of questions
            reported = [reported[k * len(reported) // limit] for k in range(limit)]
        chosen = reported
        if scored:  # calibration always uses the whole calibration split
            chosen = [i for i in items if i.split == "calibration" and i not in reported] + reported
        def ask_one(question: str, rung_pipeline: Any = rung_pipeline) -> Any:
            return rung_pipeline.ask(question=question)

        bars = Progress()
        try:
            answers = judge(chosen, ask_one, progress=bars.phase(name))
        finally:
            bars.close()
        test = [j for j in answers if j.item in reported]
        if scored:
            cal = [j for j in answers if j.item.split == "calibration"]
            threshold = calibrate(cal, target_abstention=target_abstention)
            reports = [report(cal, threshold, "calibration", doc_text, known=known),
                       report(test, threshold, split, doc_text, known=known),
                       report(test, configured, f"{split} (configured threshold)", doc_text, known=known),
                       report(test, 0.0, f"{split} (never abstaining)", doc_text, known=known)]
            summary.append((f"{name} @{configured:.3f}", reports[2]))
            if not as_json:
                where = "[answer.judge] threshold" if is_judged else "[answer] abstain_threshold"
                typer.echo(f"calibrated threshold: {threshold:.3f} (set {where} to use it)")
        else:
            reports = [report(test, None, split, doc_text, known=known)]
            summary.append((name, reports[0]))
        results[name] = reports
        headline = reports[1] if scored else reports[0]  # a scored rung's: at the calibrated threshold
        rows += [{"rung": name, **r} for r in answer_rows(test, headline.threshold, doc_text, known=known)]
        if not as_json:
            typer.echo(f"== {name}")
            for r in reports:
                typer.echo(r.table())
    write_output(answers_out, "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "answers")
    if as_json:
        typer.echo(json.dumps({k: [asdict(r) for r in v] for k, v in results.items()}, indent=2))
        return
    typer.echo(f"\n{'rung':<32}{'accuracy':>9}{'halluc.':>9}{'abst.unans':>11}{'missed':>8}{'refused':>8}"
               f"{'p50 ms':>8}{'p95 ms':>8}")
    for label, r in summary:
        typer.echo(f"{label:<32}{r.accuracy:>9.1%}{r.hallucination:>9.1%}{r.abstention_recall:>11.1%}"
                   f"{r.false_abstention:>8.1%}{r.verifier_rejected:>8.1%}{r.p50_ms:>8.0f}{r.p95_ms:>8.0f}")


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


# The assembled assistant on its eval suites -------------------------------------------------------------------
SuitesArg = Annotated[list[str] | None, typer.Argument(help="Suites to run (default: every suite in "
                                                       "[evals] suites/suites.toml).", show_default=False)]
JunitOpt = Annotated[Path | None, typer.Option("--junit", help="Write a JUnit XML file here.", show_default=False)]
HtmlOpt = Annotated[Path | None, typer.Option("--html", help="Write an HTML report with plots here.",
                                              show_default=False)]


def _run(settings: Any, suites: list[str] | None, repeats: int | None = None) -> Any:
    from rightfit.evals.run import run_suites

    bars = Progress()
    try:
        return run_suites(settings, suites, repeats=repeats, progress=bars)
    finally:
        bars.close()


def suites_table(run: Any) -> str:
    from rightfit.evals.report import money

    w = max([14, *(len(name) + 1 for name in run.suites)])
    lines = [f"{'suite':<{w}}{'items':>6}  {'pass rate [95% CI]':<24}{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}"
             f"  {'cost/request':<18}{'cost/resolved':<18}other metrics"]
    for name, s in run.suites.items():
        m = s.metrics
        other = ", ".join(f"{k} {m[k].value:.3f}" for k in s.quality_metrics()[2:])
        lines.append(f"{name:<{w}}{len({r.id for r in s.items}):>6}  {m['pass_rate'].text():<24}"
                     f"{m['p50_ms'].value:>8.0f}{m['p95_ms'].value:>8.0f}{m['p99_ms'].value:>8.0f}  "
                     f"{money(m['cost_per_request'].value, run.currency):<18}"
                     f"{money(m['cost_per_resolved'].value, run.currency):<18}{other}")
    return "\n".join(lines)


@eval_app.command("run")
def eval_run(
    suites: SuitesArg = None,
    repeats: Annotated[int | None, typer.Option(min=1, max=20, help="Runs per item (default: 1 for local "
                                                "rungs, [evals] repeats for endpoint rungs).")] = None,
    save: Annotated[Path | None, typer.Option("--save", help="Save the run (JSON) for gates and drift.")] = None,
    junit: JunitOpt = None,
    html_out: HtmlOpt = None,
    failures: Annotated[bool, typer.Option("--failures", help="List every failed item.")] = False,
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Run the eval suites on the assembled assistant: quality, p50/p95/p99 latency and cost per suite."""
    from rightfit.evals.report import html_report, junit_items

    settings = settings_from(config, data_dir)
    for path, option in ((save, "--save"), (junit, "--junit"), (html_out, "--html")):
        check_writable(path, option)
    run = _run(settings, suites, repeats)
    typer.echo(run.hardware)
    typer.echo(suites_table(run))
    if failures:
        for name, s in run.suites.items():
            for r in s.items:
                if not r.passed:
                    typer.echo(f"  {name} {r.id}: {r.detail}")
    if save is not None:
        run.save(save)
        typer.echo(f"saved the run to {save}", err=True)
    write_output(junit, junit_items(run), "JUnit XML")
    write_output(html_out, html_report("rightfit eval run", {"run": run}), "report")


@eval_app.command("gate")
def eval_gate(
    suites: SuitesArg = None,
    baseline: Annotated[Path | None, typer.Option(help="Saved run to compare against (default: [evals] "
                                                  "baseline).", show_default=False)] = None,
    from_run: Annotated[Path | None, typer.Option("--run", help="Gate this saved run instead of running the "
                                                  "suites.", show_default=False)] = None,
    save_baseline: Annotated[bool, typer.Option("--save-baseline", help="Save this run's suites into the "
                                                "baseline when the thresholds pass (other suites' baselines "
                                                "are kept).")] = False,
    junit: JunitOpt = None,
    html_out: HtmlOpt = None,
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Fail (exit 1) when a suite misses a threshold or got worse than the baseline beyond noise."""
    from rightfit.evals.gate import baseline_checks, error_checks, merge_baseline, table, threshold_checks, unchecked
    from rightfit.evals.report import html_report, junit_checks
    from rightfit.evals.run import Run

    settings = settings_from(config, data_dir)
    for path, option in ((junit, "--junit"), (html_out, "--html")):
        check_writable(path, option)
    if baseline is not None and not baseline.is_file() and not save_baseline:
        # Named on the command line, a missing baseline is a typo that would switch the regression check off.
        raise InvalidInputError(f"--baseline {baseline} does not exist; check the path, or save one with "
                                f"`rightfit eval gate --save-baseline --baseline {baseline}`")
    baseline = baseline if baseline is not None else settings.evals.baseline
    if save_baseline and baseline is None:
        raise InvalidInputError("--save-baseline needs --baseline PATH or [evals] baseline in the settings")
    if save_baseline:
        check_writable(baseline, "--baseline")
    saved = None if from_run is None else Run.load(from_run).only(suites, source=from_run,
                                                                  configured=settings.evals.suites)
    if settings.evals.suites is not None:
        from rightfit.evals.suites import load_suites

        known = load_suites(settings.evals.suites)
        if saved is None and suites:  # a name no suite has: the same error as `eval run`, before the checks below
            unknown = [n for n in suites if n not in known]
            if unknown:
                raise InvalidInputError(f"no suite named {', '.join(unknown)}; suites: {', '.join(known)}")
        # A gate on a suite that does not exist would be dropped, or fail with a fix that fails too.
        if typos := sorted({g.suite for g in settings.evals.gates} - set(known)):
            raise InvalidInputError(f"[[evals.gates]] names no suite {', '.join(map(repr, typos))}; suites: "
                                    f"{', '.join(known)}")
    gates = [g for g in settings.evals.gates if not suites or g.suite in suites]
    has_baseline = baseline is not None and baseline.is_file()
    # Loaded before any suite runs: a damaged baseline is refused, never compared against or overwritten.
    reference = Run.load(baseline) if has_baseline and baseline is not None else None
    if not gates and reference is None and not save_baseline:
        where = f"for {', '.join(suites)} " if suites else ""
        raise InvalidInputError(f"no gates configured {where}([[evals.gates]] with suite, metric and min or max "
                                "in the settings) and no baseline to compare with: nothing to check; add gates, "
                                "or save a baseline with `rightfit eval gate --save-baseline`")
    run = saved if saved is not None else _run(settings, suites)
    checks = error_checks(run) + threshold_checks(run, gates)
    if reference is not None and not save_baseline:
        checks += baseline_checks(run, reference, settings.evals)
        missing = [name for name in run.suites if name not in reference.suites]
        if missing:
            typer.echo(f"the baseline {baseline} has no {', '.join(missing)}: no regression check for "
                       f"{'it' if len(missing) == 1 else 'them'} (add with `rightfit eval gate "
                       f"{' '.join(missing)} --save-baseline`)", err=True)
    elif baseline is not None and not save_baseline:
        typer.echo(f"no baseline at {baseline}: thresholds only (save one with --save-baseline)", err=True)
    if not save_baseline:  # saving is what gives an ungated suite its first check
        checks += unchecked(run, checks, "no [[evals.gates]] for this suite and no baseline entry; add a gate or "
                            "save a baseline with --save-baseline")
    typer.echo(run.hardware)
    typer.echo(suites_table(run))
    typer.echo("")
    typer.echo(table(checks) if checks else f"no thresholds to check for {', '.join(run.suites)} "
               "([[evals.gates]] in the settings)")
    runs = {"this run": run} if reference is None or save_baseline else {"this run": run, "baseline": reference}
    write_output(junit, junit_checks(checks), "JUnit XML")
    write_output(html_out, html_report("rightfit eval gate", runs, checks=checks), "report")
    failed = [c for c in checks if not c.passed]
    if failed:
        typer.echo(f"\ngate FAILED: {len(failed)} of {len(checks)} checks", err=True)
        raise typer.Exit(1)
    if save_baseline and baseline is not None:
        merge_baseline(reference, run).save(baseline)
        kept = [name for name in (reference.suites if reference else {}) if name not in run.suites]
        typer.echo(f"saved the baseline to {baseline}: updated {', '.join(run.suites)}"
                   + (f"; kept {', '.join(kept)}" if kept else ""), err=True)
    if checks:
        typer.echo(f"\ngate passed: {len(checks)} checks", err=True)


def _run_or_load(source: Path, suites: list[str] | None, data_dir: Path | None) -> Any:
    from rightfit.evals.run import Run

    if source.suffix == ".json":
        return Run.load(source).only(suites, source=source)
    return _run(settings_from(source, data_dir), suites)


def _check_source(source: Path, option: str, data_dir: Path | None) -> None:
    """A config or saved run that can be read, named by its option when it cannot."""
    if source.suffix not in (".toml", ".json"):
        raise InvalidInputError(f"{option} {source}: pass a config (.toml) or a saved run (.json)")
    if not source.is_file():
        raise InvalidInputError(f"{option} {source} does not exist; pass an existing config (.toml) or saved run "
                                "(.json)")
    if source.suffix == ".toml":
        settings_from(source, data_dir)  # a bad key is named now, not after the other side has run


@eval_app.command("drift")
def eval_drift(
    reference: Annotated[Path, typer.Option("--reference", help="Config (.toml) or saved run (.json) to "
                                            "compare against.")],
    candidate: Annotated[Path, typer.Option("--candidate", help="Config (.toml) or saved run (.json) to "
                                            "judge.")],
    suites: SuitesArg = None,
    min_agreement: Annotated[float | None, typer.Option(min=0.0, max=1.0, help="Fail when fewer items than "
                                                        "this share give the same output.")] = None,
    show: Annotated[int, typer.Option(min=0, help="Changed items to list per suite.")] = 10,
    junit: JunitOpt = None,
    html_out: HtmlOpt = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Compare two configurations on the suites: agreement, metric deltas with intervals, changed items."""
    from rightfit.evals.drift import compare
    from rightfit.evals.gate import table
    from rightfit.evals.report import html_report, junit_checks

    for path, option in ((junit, "--junit"), (html_out, "--html")):
        check_writable(path, option)
    for source, option in ((reference, "--reference"), (candidate, "--candidate")):
        _check_source(source, option, data_dir)  # both, before the reference's suites run for minutes
    ref_run = _run_or_load(reference, suites, data_dir)
    cand_run = _run_or_load(candidate, suites, data_dir)
    settings = settings_from(candidate if candidate.suffix == ".toml" else None, data_dir)
    if not set(ref_run.suites) & set(cand_run.suites):  # nothing to compare is not "no drift"
        raise InvalidInputError(
            f"the reference and the candidate share no suite: {reference} has "
            f"{', '.join(ref_run.suites) or 'none'}, {candidate} has {', '.join(cand_run.suites) or 'none'}; "
            "compare runs of the same suites")
    drifts = compare(ref_run, cand_run, settings.evals)
    checks = [c for d in drifts for c in d.checks]
    for d in drifts:
        typer.echo(f"== {d.suite}: {d.items} items, {d.agreement:.1%} same output, {len(d.changed)} changed")
        for c in d.changed[:show]:
            mark = {(True, False): "now fails", (False, True): "now passes"}.get(
                (c.reference_passed, c.candidate_passed), "")
            typer.echo(f"  {c.item} {mark}\n    reference: {c.reference[:150]}\n    candidate: {c.candidate[:150]}")
    typer.echo("")
    typer.echo(table(checks))
    failed = [c for c in checks if not c.passed]
    low = [d for d in drifts if min_agreement is not None and d.agreement < min_agreement]
    disjoint = [d for d in drifts if d.items == 0]  # the same suite, but no item in common: nothing compared
    write_output(junit, junit_checks(checks), "JUnit XML")
    write_output(html_out, html_report("rightfit eval drift", {"reference": ref_run, "candidate": cand_run},
                                 checks=checks), "report")
    if failed or low or disjoint:
        for d in low:
            typer.echo(f"{d.suite}: agreement {d.agreement:.1%} is below --min-agreement {min_agreement:.0%}",
                       err=True)
        for d in disjoint:
            typer.echo(f"{d.suite}: the reference and the candidate share no item ids, so nothing was compared; "
                       "run both on the same suite file", err=True)
        raise typer.Exit(1)
