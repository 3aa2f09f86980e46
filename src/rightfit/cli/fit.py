"""`rightfit fit`: the smallest rung per task that passes its gates, written to the lock file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from rightfit.cli.app import app
from rightfit.cli.common import ConfigOpt, DataDirOpt, Progress, check_writable, settings_from, write_output
from rightfit.core.errors import InvalidInputError


def fit_table(result: Any, currency: str) -> str:
    from rightfit.evals.report import money

    lines = [f"{'task':<12}{'rung':<26}{'quality (pass rate [95% CI])':<52}{'p95 ms':>8}  {'cost/resolved':<18}"
             "verdict"]
    for task, results in result.rungs.items():
        chosen = result.choice.get(task)
        for r in results:
            quality = "; ".join(f"{s} {e.text()}" for s, e in r.quality().items())
            verdict = "CHOSEN" if r is chosen else ("passes, costs more" if r.passed else "rejected: " + r.why_not())
            if r.run is None:  # not run: no figures to show
                lines.append(f"{task:<12}{r.rung:<26}{'-':<52}{'-':>8}  {'-':<18}{verdict}")
                continue
            lines.append(f"{task:<12}{r.rung:<26}{quality:<52}{r.p95_ms:>8.0f}  "
                         f"{money(r.cost_per_resolved, currency):<18}{verdict}")
    return "\n".join(lines)


def check_outputs(out: Path, html_out: Path | None) -> None:
    """Refuse, before the ladder runs, a lock or report path that could only fail once it has."""
    for path, option, example in ((out, "--out", "rightfit.lock"), (html_out, "--html", "fit.html")):
        if path is not None and path.is_dir():
            raise InvalidInputError(f"{option} {path} is a directory; give a file path such as {path / example}")
        check_writable(path, option)


def fit_plots(result: Any, currency: str) -> list[str]:
    from rightfit.evals.report import Point, scatter_svg

    measured = [(task, r) for task, rs in result.rungs.items() for r in rs if r.run is not None]
    quality = [Point(task, r.rung, r.p95_ms, min(e.value for e in r.quality().values())) for task, r in measured]
    cost = [Point(task, r.rung, r.cost_per_resolved * 1e6, min(e.value for e in r.quality().values()))
            for task, r in measured]
    return [scatter_svg("Quality against p95 latency, per rung", "p95 latency (ms)", "pass rate (worst suite)",
                        quality),
            scatter_svg("Quality against cost, per rung", f"cost per 1M resolved requests ({currency})",
                        "pass rate (worst suite)", cost)]


@app.command("fit")
def fit_command(
    tasks: Annotated[list[str] | None, typer.Argument(help="Tasks to fit (default: every [evals.tasks.*]).",
                                                      show_default=False)] = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="Lock file to write.")] = Path("rightfit.lock"),
    html_out: Annotated[Path | None, typer.Option("--html", help="Write an HTML report with plots here.",
                                                  show_default=False)] = None,
    update: Annotated[bool, typer.Option("--update", help="Keep the choices already in --out for the tasks not "
                                         "fitted now, and fit with them in place.")] = False,
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Run each task's suites on every rung; lock the cheapest rung that passes every gate of the task."""
    from rightfit.evals.ladder import apply_rung, fit
    from rightfit.evals.report import html_report
    from rightfit.models.lock import kept_choices, write_lock

    settings = settings_from(config, data_dir)
    check_outputs(out, html_out)
    kept: dict[str, Any] = {}
    kept_evidence: dict[str, Any] = {}
    if update and out.is_file():
        kept, kept_evidence = kept_choices(settings, out, set(tasks or settings.evals.tasks))
        for task, choice in kept.items():
            settings = apply_rung(settings, choice["setting"], choice["rung"])
            typer.echo(f"kept from {out}: {task} -> {choice['rung']}", err=True)
    bars = Progress()
    try:
        result = fit(settings, tasks=tasks, progress=lambda task, rung, suite, done, total: bars(
            f"{task} · {rung} · {suite}", done, total))
    finally:
        bars.close()
    currency = settings.evals.prices.currency
    runs = {f"{task} · {r.rung}": r.run for task, rs in result.rungs.items() for r in rs if r.run is not None}
    if runs:
        typer.echo(next(iter(runs.values())).hardware)
    typer.echo(fit_table(result, currency))
    write_output(html_out, html_report("rightfit fit", runs, plots=fit_plots(result, currency)), "report")
    missing = [t for t in result.rungs if t not in result.choice]
    if missing:
        typer.echo(f"no rung passes every gate for: {', '.join(missing)}; nothing locked. Add a larger rung or "
                   "revisit the gates", err=True)
        raise typer.Exit(1)
    chosen = result.chosen_settings(settings, settings.evals.tasks)
    choices = {**kept, **{t: {"setting": settings.evals.tasks[t].setting, "rung": r.rung}
                          for t, r in result.choice.items()}}
    write_lock(chosen, out, choices=choices, evidence={**kept_evidence, **result.evidence()})
    typer.echo("\n" + "; ".join(f"{t}: {c['rung']}" for t, c in choices.items()))
    typer.echo(f"wrote {out}; serve it with `rightfit serve --lock {out}`", err=True)
