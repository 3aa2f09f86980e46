"""`rightfit classify`: intent classifiers."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from rightfit.cli.common import Progress, save_artifact
from rightfit.core.progress import counting

classify_app = typer.Typer(no_args_is_help=True, rich_markup_mode=None,
                           help="Intent classifiers: train, evaluate, predict.")


@classify_app.command("train")
def classify_train(
    data: Annotated[Path, typer.Argument(help="CSV with text,label (or text,category).")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Artifact folder to write.")],
    max_rejected: Annotated[float, typer.Option(min=0.0, max=0.5, help="Share of correctly classified held-out "
                                                "messages the out-of-scope threshold may reject.")] = 0.05,
) -> None:
    """Train on 90%, measure and choose the out-of-scope threshold on the held-out 10%, then refit on all."""
    import numpy as np

    from rightfit.classify.intents import (
        IntentClassifier,
        check_training_labels,
        choose_threshold,
        intent_features,
        load_labelled_csv,
        threshold_warning,
    )
    from rightfit.core.runtime import limit_blas_threads
    from rightfit.evals.classification import score, stratified_folds
    from rightfit.models.artifact import check_artifact_folder
    from rightfit.models.embedding import MiniLMEmbedder

    limit_blas_threads()
    check_artifact_folder(out)  # before the embedding work, not after it
    texts, labels = load_labelled_csv(data)
    check_training_labels(labels, source=data)
    embedder = MiniLMEmbedder()
    typer.echo(f"embedding {len(texts)} messages", err=True)
    progress = Progress()
    try:
        vectors = embedder.embed(texts, progress=counting(progress, "embedding", len(texts)))
    finally:
        progress.close()
    held = stratified_folds(labels, 10)[0]
    train = np.setdiff1d(np.arange(len(texts)), held)
    features = intent_features(texts, vectors)
    # Two fits, each from seconds to a minute or so (BANKING77's 10,003 messages: about 25 s each).
    typer.echo(f"training on {len(train)} messages, holding out {len(held)} to measure", err=True)
    clf = IntentClassifier(embedder=embedder).fit_features(features[train], [labels[i] for i in train])
    probs = clf.proba_features(features[held])
    predicted = [clf.labels[i] for i in probs.argmax(axis=1)]
    gold = [labels[i] for i in held]
    report = score(gold, predicted)
    correct = np.array([g == p for g, p in zip(gold, predicted, strict=True)], dtype=bool)
    threshold = choose_threshold(probs.max(axis=1), correct, max_rejected=max_rejected)
    typer.echo(f"training on all {len(texts)} messages", err=True)
    final = IntentClassifier(embedder=embedder, threshold=threshold).fit_features(features, labels)
    final.metrics = {"heldout_accuracy": report.accuracy, "heldout_macro_f1": report.macro_f1,
                     "heldout_n": float(report.n)}
    digest = save_artifact(final.save, out)
    typer.echo(report.table())
    typer.echo(f"out-of-scope threshold {threshold:.3f}; wrote {out} (artifact sha256 {digest})")
    if warning := threshold_warning(threshold, correct=int(correct.sum()), held_out=len(held),
                                    labels=len(set(labels)), max_rejected=max_rejected):
        typer.echo(f"warning: {warning}", err=True)


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
