"""Prompt-injection detector: k-fold cross-validation on the shared injection set plus the project's banking data.

Rows: the combined detector (rules + MiniLM + n-grams, stacked), classifier only (no rule features), rules only.
Every message is scored by a model whose threshold was chosen inside its training folds (FPR target on benign
banking messages). Never trained on, three check sets: the bank intent messages (examples/bank/intents) and 410
scam victims' stories (examples/bank/guard/victim_stories.csv: scams told in the first or third person, the
scammer quoted) are benign; 330 attacks in the same voices (relayed_attacks.csv: instructions passed on from a
"bank investigator", pasted notices, personas) are injections. Victims against relayed attacks is the detector's
hardest case; benchmarks/guard_victims.py measures training on them.
Latency is per message, one at a time, normalization + rules + classifier, on the model fitted on all data.
Run: .venv/bin/python benchmarks/guard_cv.py [--folds 5] [--max-fpr 0.02]
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import BANK, ROOT, hardware_line, pct  # noqa: E402
from rightfit.core.runtime import limit_blas_threads  # noqa: E402
from rightfit.guard.injection import InjectionDetector  # noqa: E402
from rightfit.guard.training import (  # noqa: E402
    BANK_BENIGN,
    Features,
    cross_validate,
    default_training_set,
    featurize,
    fit_model,
)
from rightfit.models.embedding import MiniLMEmbedder  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared" / "data" / "injection" / "train.csv")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--max-fpr", type=float, default=0.02)
    args = parser.parse_args()

    limit_blas_threads()
    data = default_training_set(args.shared, BANK / "guard")
    with (BANK / "intents" / "intents.csv").open(encoding="utf-8") as fh:
        intents = [r["text"] for r in csv.DictReader(fh)]
    with (BANK / "guard" / "victim_stories.csv").open(encoding="utf-8") as fh:
        victims = [r["text"] for r in csv.DictReader(fh)]
    with (BANK / "guard" / "relayed_attacks.csv").open(encoding="utf-8") as fh:
        relayed = [r["text"] for r in csv.DictReader(fh)]
    embedder = MiniLMEmbedder()
    feats = featurize(data.texts, embedder)
    intent_feats = featurize(intents, embedder)
    victim_feats = featurize(victims, embedder)
    relayed_feats = featurize(relayed, embedder)
    groups = np.array(data.groups)
    y = data.labels
    bank, shared_benign = groups == BANK_BENIGN, (groups == "shared") & (y == 0)

    print(hardware_line())
    print(f"load average at start {os.getloadavg()[0]:.1f} (2 cores; other work shares them)")
    n_shared, n_shared_inj = int((groups == "shared").sum()), int(((groups == "shared") & (y == 1)).sum())
    print(f"{len(data)} messages: {n_shared} shared ({n_shared_inj}"
          f" injections), {int(bank.sum())} benign banking, {int((groups == 'bank_injection').sum())} bank injections;"
          f" {args.folds}-fold CV, threshold at <= {args.max_fpr:.0%} FPR on benign banking (inner CV)")
    header = (f"{'detector':<34}{'TPR':>7}{'TPR shared':>11}{'TPR bank':>9}{'FPR bank':>9}{'FPR shared':>11}"
              f"{'FPR intents':>12}{'FPR victims':>12}{'TPR relayed':>12}{'precision':>10}")
    print(header)

    def row(name: str, flagged: np.ndarray, intent_flags: np.ndarray, victim_flags: np.ndarray,
            relayed_flags: np.ndarray) -> None:
        tp, fp = int(np.sum(flagged & (y == 1))), int(np.sum(flagged & (y == 0)))
        print(f"{name:<34}{flagged[y == 1].mean():>7.3f}{flagged[(groups == 'shared') & (y == 1)].mean():>11.3f}"
              f"{flagged[groups == 'bank_injection'].mean():>9.3f}{flagged[bank].mean():>9.3f}"
              f"{flagged[shared_benign].mean():>11.3f}{intent_flags.mean():>12.3f}{victim_flags.mean():>12.3f}"
              f"{relayed_flags.mean():>12.3f}"
              f"{tp / max(1, tp + fp):>10.3f}", flush=True)

    def without_rules(f: Features) -> Features:
        return Features(f.vectors, f.hashed, np.zeros_like(f.rules))

    everything = np.arange(len(data))
    for name, f, checks in (("rules + MiniLM + n-grams (stacked)", feats, (intent_feats, victim_feats, relayed_feats)),
                            ("classifier only (MiniLM + n-grams)", without_rules(feats),
                             tuple(without_rules(c) for c in (intent_feats, victim_feats, relayed_feats)))):
        cv = cross_validate(f, data, embedder_id=embedder.model_id, max_fpr=args.max_fpr, folds=args.folds)
        model = fit_model(f, data, everything, embedder_id=embedder.model_id, max_fpr=args.max_fpr, folds=args.folds)
        row(name, cv.flagged, *(model.scores(c.vectors, c.hashed, c.rules) >= model.threshold for c in checks))
    rules_only = InjectionDetector(max_chars=100_000)
    row("rules only", *(np.array([v.flagged for v in rules_only.run_batch(texts=t)])
                        for t in (data.texts, intents, victims, relayed)))

    full = fit_model(feats, data, everything, embedder_id=embedder.model_id, max_fpr=args.max_fpr, folds=args.folds)
    # An embedder without a cache: every message is embedded as a new one would be (the features above were
    # computed with the same texts, which a cache would return for free).
    detector = InjectionDetector(embedder=MiniLMEmbedder(cache_size=0), model=full, max_chars=100_000)
    detector.warm_up()
    print("\nlatency per message (ms), one at a time:")
    print(f"{'messages':<34}{'p50':>7}{'p95':>7}{'max':>8}")
    for name, texts in (("benign banking", [t for t, g in zip(data.texts, groups, strict=True) if g == BANK_BENIGN]),
                        ("bank intents", intents),
                        ("shared set (max 4.5k chars)", [t for t, g in zip(data.texts, groups, strict=True)
                                                                     if g == "shared"])):
        lat = [detector.run(text=t).latency_ms for t in texts]
        print(f"{name:<34}{pct(lat, 50):>7.1f}{pct(lat, 95):>7.1f}{max(lat):>8.1f}", flush=True)
    print(f"load average at end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
