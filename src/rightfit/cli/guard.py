"""`rightfit guard`: the prompt-injection detector: train, evaluate, check one message."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from rightfit.cli.common import ConfigOpt, DataDirOpt, settings_from
from rightfit.core.errors import InvalidInputError
from rightfit.guard.normalize import DEFAULT_MAX_CHARS

EVAL_MAX_CHARS = 100_000
guard_app = typer.Typer(no_args_is_help=True, rich_markup_mode=None,
                        help="Input guard: train and evaluate the prompt-injection detector.")

ModelOpt = Annotated[Path | None, typer.Option(
    "--model", "-m", help="Detector artifact folder (default: the configured assistant's detector, else rules only).",
    show_default=False)]


def _detector(model: Path | None, *, config: Path | None = None, data_dir: Path | None = None,
              max_chars: int = DEFAULT_MAX_CHARS) -> object:
    from rightfit.core.runtime import limit_blas_threads
    from rightfit.guard.injection import InjectionDetector
    from rightfit.models.embedding import MiniLMEmbedder

    settings = settings_from(config, data_dir) if model is None else None
    if settings is not None and settings.assistant.app is None:
        typer.echo("no --model and no assistant configured: rules only (train a detector with `rightfit guard "
                   "train --out DIR`, or pass the app's --config)", err=True)
        return InjectionDetector(max_chars=max_chars)
    limit_blas_threads()
    if settings is not None and settings.assistant.app is not None:
        from rightfit.assistant.app import load_app
        from rightfit.assistant.service import injection_detector

        app = load_app(settings.assistant.app, data_dir=settings.data_dir)
        typer.echo(f"the detector {app.name}'s assistant serves", err=True)
        detector = injection_detector(settings, app, embedder=MiniLMEmbedder(),
                                      cache_dir=settings.data_dir / "classifiers")
    else:
        detector = InjectionDetector.load(model, embedder=MiniLMEmbedder())  # type: ignore[arg-type]
    detector.max_chars = max_chars
    detector.warm_up()
    return detector


@guard_app.command("train")
def guard_train(
    out: Annotated[Path, typer.Option("--out", "-o", help="Artifact folder to write.")],
    shared: Annotated[Path, typer.Option(help="The shared injection set (text,label).")] = Path(
        "../shared/data/injection/train.csv"),
    project: Annotated[Path, typer.Option(help="Folder with the project's benign.csv and injections.csv.")] = Path(
        "examples/bank/guard"),
    max_fpr: Annotated[float, typer.Option(min=0.0, max=0.2, help="Share of benign banking messages the threshold "
                                           "may flag, measured out of fold.")] = 0.02,
    folds: Annotated[int, typer.Option(min=3, max=10, help="Cross-validation folds.")] = 5,
) -> None:
    """Cross-validate (every message scored by a model and threshold that never saw it), then fit on all."""
    import numpy as np

    from rightfit.cli.common import Progress, save_artifact
    from rightfit.core.progress import counting
    from rightfit.core.runtime import limit_blas_threads
    from rightfit.guard.training import (
        BANK_BENIGN,
        check_training_set,
        cross_validate,
        default_training_set,
        detection_report,
        featurize,
        fit_model,
    )
    from rightfit.models.artifact import check_artifact_folder
    from rightfit.models.embedding import MiniLMEmbedder

    limit_blas_threads()
    check_artifact_folder(out)  # before the embedding and cross-validation work, not after it
    # The defaults are the repository's layout, relative to where the command runs: say which option to set.
    if not shared.is_file():
        raise InvalidInputError(f"--shared {shared} does not exist; pass the shared injection set (text,label CSV)"
                                " with --shared (the default is relative to the repository root)")
    if not project.is_dir():
        raise InvalidInputError(f"--project {project} is not a folder; pass the folder with benign.csv and "
                                "injections.csv with --project (the default is relative to the repository root)")
    data = default_training_set(shared, project)
    check_training_set(data, folds=folds)
    embedder = MiniLMEmbedder()
    typer.echo(f"embedding {len(data)} messages", err=True)
    progress = Progress()
    try:
        feats = featurize(data.texts, embedder, progress=counting(progress, "embedding", len(data)))
    finally:
        progress.close()
    typer.echo(f"{folds}-fold cross-validation", err=True)
    cv = cross_validate(feats, data, embedder_id=embedder.model_id, max_fpr=max_fpr, folds=folds)
    groups = np.array(data.groups)
    overall = detection_report(data.labels, cv.flagged)
    bank = groups == BANK_BENIGN
    fpr_bank = float(cv.flagged[bank].mean()) if bank.any() else 0.0
    shared_benign = (groups == "shared") & (data.labels == 0)
    fpr_shared = float(cv.flagged[shared_benign].mean()) if shared_benign.any() else 0.0
    model = fit_model(feats, data, np.arange(len(data)), embedder_id=embedder.model_id, max_fpr=max_fpr, folds=folds)
    model.metrics = {"cv_tpr": overall.tpr, "cv_fpr": overall.fpr, "cv_precision": overall.precision,
                     "cv_fpr_bank_benign": fpr_bank, "cv_fpr_shared_benign": fpr_shared, "n": float(len(data)),
                     "max_fpr": max_fpr}
    digest = save_artifact(model.save, out)
    typer.echo(f"cross-validated: {overall.line()}")
    typer.echo(f"  FPR on benign banking messages {fpr_bank:.3f}, on the shared benign messages {fpr_shared:.3f}")
    typer.echo(f"threshold {model.threshold:.3f}; wrote {out} (artifact sha256 {digest})")


@guard_app.command("eval")
def guard_eval(
    data: Annotated[Path, typer.Option("--data", "-d", help="CSV with text,label (1 = injection, 0 = benign).")],
    model: ModelOpt = None,
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
) -> None:
    """TPR, FPR, precision and latency per message (normalization, rules and classifier, one at a time)."""
    import numpy as np

    from rightfit.guard.training import detection_report, load_injection_csv

    rows = load_injection_csv(data, group="eval")
    # Scored whatever their length: the request path refuses over-long messages before this detector.
    detector = _detector(model, config=config, data_dir=data_dir, max_chars=EVAL_MAX_CHARS)
    verdicts = [detector.run(text=t) for t in rows.texts]  # type: ignore[attr-defined]
    flagged = np.array([v.flagged for v in verdicts])
    report = detection_report(rows.labels, flagged, latencies_ms=[v.latency_ms for v in verdicts])
    typer.echo(f"{'messages':<12}{'TPR':>8}{'FPR':>8}{'precision':>11}{'p50 ms':>9}{'p95 ms':>9}")
    typer.echo(f"{len(rows):<12}{report.tpr:>8.3f}{report.fpr:>8.3f}{report.precision:>11.3f}"
               f"{report.p50_ms:>9.2f}{report.p95_ms:>9.2f}")
    typer.echo(f"({report.n_positive} injections, {report.n_negative} benign)")


@guard_app.command("check")
def guard_check(
    text: Annotated[str, typer.Argument(help="A customer message.")],
    model: ModelOpt = None,
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Would the input guard flag this message? Also shows what normalization changed and any PII found."""
    from rightfit.guard.normalize import normalize
    from rightfit.guard.pii import find_pii

    norm = normalize(text)
    verdict = _detector(model, config=config, data_dir=data_dir).run(text=text)  # type: ignore[attr-defined]
    state = "FLAGGED" if verdict.flagged else "ok"
    typer.echo(f"{state} (score {verdict.score:.3f}{'; ' + ', '.join(verdict.reasons) if verdict.reasons else ''})")
    if norm.changes:
        typer.echo(f"normalized: {', '.join(norm.changes)}")
    kinds = sorted({m.kind for m in find_pii(norm.text)})
    if kinds:
        typer.echo(f"PII: {', '.join(kinds)}")
