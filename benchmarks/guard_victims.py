"""Prompt-injection detector: what training on scam victims' stories and relayed attacks would buy and cost.

The stories (examples/bank/guard/victim_stories.csv) and the attacks told in the same voices (relayed_attacks.csv)
were written in three batches by different hands (column `hand`: a, b, c; the first 80 stories are hand "first").
Each batch is held out in turn: the detector is fitted on the project's training set plus the other two batches
and scores the held-out batch, which it has never seen, beside the detector as it is. The first 80 stories are
scored by every model (never trained on). With --cv, cross-validation on the original training rows with all
three batches added shows what the shared set's injections lose. With --apart, the stories train the model but
are left out of the benign group the threshold is chosen on.
Run: .venv/bin/python benchmarks/guard_victims.py [--cv] [--apart]
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import BANK, ROOT, hardware_line  # noqa: E402
from rightfit.core.runtime import limit_blas_threads  # noqa: E402
from rightfit.guard.training import (  # noqa: E402
    BANK_BENIGN,
    Features,
    LabelledSet,
    cross_validate,
    default_training_set,
    featurize,
    fit_model,
)
from rightfit.models.embedding import MiniLMEmbedder  # noqa: E402

HANDS = ("a", "b", "c")


def _by_hand(path: Path, *, label: int, group: str) -> dict[str, LabelledSet]:
    with path.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    out = {}
    for hand in {r["hand"] for r in rows}:
        texts = tuple(r["text"] for r in rows if r["hand"] == hand)
        out[hand] = LabelledSet(texts, np.full(len(texts), label), (group,) * len(texts))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared" / "data" / "injection" / "train.csv")
    parser.add_argument("--cv", action="store_true", help="also cross-validate with all batches added")
    parser.add_argument("--apart", action="store_true", help="keep the stories out of the threshold's benign group")
    parser.add_argument("--max-fpr", type=float, default=0.02)
    args = parser.parse_args()

    limit_blas_threads()
    embedder = MiniLMEmbedder()
    base = default_training_set(args.shared, BANK / "guard")
    victims = _by_hand(BANK / "guard" / "victim_stories.csv", label=0,
                       group="bank_victims" if args.apart else BANK_BENIGN)
    attacks = _by_hand(BANK / "guard" / "relayed_attacks.csv", label=1, group="bank_injection")
    parts = {"base": base, **{f"{h}v": victims[h] for h in HANDS}, **{f"{h}a": attacks[h] for h in HANDS}}
    whole, spans = LabelledSet((), np.zeros(0, dtype=int), ()), {}
    for key, part in parts.items():
        spans[key] = np.arange(len(whole), len(whole) + len(part))
        whole = whole + part
    print(hardware_line())
    print(f"embedding {len(whole)} messages ...", flush=True)
    feats = featurize(list(whole.texts), embedder)
    first = featurize(list(victims["first"].texts), embedder)

    def rows(*keys: str) -> np.ndarray:
        return np.concatenate([spans[k] for k in keys])

    print(f"stories as {'a group of their own' if args.apart else 'benign banking'} when trained on; threshold at "
          f"<= {args.max_fpr:.0%} FPR on benign banking (inner CV)")
    print(f"{'trained on':<26}{'held out':>9}{'FPR victims':>13}{'TPR relayed':>13}{'FPR first 80':>14}")
    means: dict[str, list[tuple[float, float, float]]] = {}
    for hand in HANDS:
        others = [o for o in HANDS if o != hand]
        both = ["base", *[o + s for o in others for s in "va"]]
        for name, keys in (("as it is", ["base"]), (f"+ stories and attacks {'+'.join(others)}", both),
                           (f"+ attacks {'+'.join(others)}", ["base", *[o + "a" for o in others]])):
            model = fit_model(feats, whole, rows(*keys), embedder_id=embedder.model_id, max_fpr=args.max_fpr)

            def flagged(idx: np.ndarray, m=model) -> float:  # noqa: ANN001
                return float((m.scores(feats.vectors[idx], feats.hashed[idx], feats.rules[idx]) >= m.threshold).mean())

            v, a = flagged(spans[hand + "v"]), flagged(spans[hand + "a"])
            f = float((model.scores(first.vectors, first.hashed, first.rules) >= model.threshold).mean())
            means.setdefault(name.split(" " + "+".join(others))[0], []).append((v, a, f))
            print(f"{name:<26}{hand:>9}{v:>13.3f}{a:>13.3f}{f:>14.3f}", flush=True)
    for name, vals in means.items():
        v, a, f = np.mean(vals, axis=0)
        print(f"{'mean: ' + name:<26}{'':>9}{v:>13.3f}{a:>13.3f}{f:>14.3f}")

    if args.cv:
        print("\n5-fold CV on the original training rows (the batches, when added, are in every training fold):")
        print(f"{'training set':<26}{'TPR':>7}{'TPR shared':>11}{'TPR bank':>9}{'FPR bank':>9}{'FPR shared':>11}")
        for name, keys in (("as it is", ["base"]), ("+ all three batches", list(parts))):
            idx = rows(*keys)
            sub = LabelledSet(tuple(whole.texts[i] for i in idx), whole.labels[idx],
                              tuple(whole.groups[i] for i in idx))
            cv = cross_validate(Features(feats.vectors[idx], feats.hashed[idx], feats.rules[idx]), sub,
                                embedder_id=embedder.model_id, max_fpr=args.max_fpr)
            own = np.arange(len(sub)) < len(base)
            y, g, hit = sub.labels, np.array(sub.groups), cv.flagged
            print(f"{name:<26}{hit[own & (y == 1)].mean():>7.3f}{hit[own & (g == 'shared') & (y == 1)].mean():>11.3f}"
                  f"{hit[own & (g == 'bank_injection')].mean():>9.3f}{hit[own & (g == BANK_BENIGN)].mean():>9.3f}"
                  f"{hit[own & (g == 'shared') & (y == 0)].mean():>11.3f}", flush=True)


if __name__ == "__main__":
    main()
