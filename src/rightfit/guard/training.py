"""Training and cross-validation for the injection detector.

Training data are `text,label` CSVs (1 = injection, 0 = benign), each tagged with a group: the shared
deepset set, the project's benign banking messages, the project's injections. The false-positive target is
measured on the benign banking group, because those are the customers a false block would hurt.

Nothing is tuned on the rows it is scored on: the combiner is fitted on out-of-fold classifier scores, and the
threshold is read off the combiner's own out-of-fold scores on the benign banking messages.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rightfit.core.errors import InvalidInputError
from rightfit.core.protocols import Embedder
from rightfit.guard.injection import EMBED_CHARS, InjectionModel, hashed_features
from rightfit.guard.normalize import normalize
from rightfit.guard.rules import match_rules, rule_features

BANK_BENIGN = "bank_benign"
EMBED_C = 10.0
HASH_C = 30.0
STACK_C = 10.0
# Of each class, and at least one per fold: found by enumerating how small sets spread over the groups and the
# nested folds; with fewer, some inner training part can be left with one class.
MIN_PER_CLASS = 5


@dataclass(frozen=True, slots=True)
class LabelledSet:
    texts: tuple[str, ...]
    labels: np.ndarray  # int, 1 = injection
    groups: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.texts)

    def __add__(self, other: LabelledSet) -> LabelledSet:
        return LabelledSet(self.texts + other.texts, np.concatenate([self.labels, other.labels]),
                           self.groups + other.groups)


def load_injection_csv(path: Path, *, group: str) -> LabelledSet:
    """`text,label` with label 0 (benign) or 1 (injection)."""
    from rightfit.classify.intents import load_labelled_csv

    if not path.is_file():
        raise InvalidInputError(f"{path} does not exist; pass a text,label CSV")
    try:
        texts, labels = load_labelled_csv(path)
    except InvalidInputError as exc:
        if "at least two labels" not in str(exc):
            raise
        texts, labels = _single_label(path)
    bad = sorted({lab for lab in labels if lab not in ("0", "1")})
    if bad:
        raise InvalidInputError(f"{path}: labels must be 0 (benign) or 1 (injection), got {', '.join(bad[:5])}")
    return LabelledSet(tuple(texts), np.array([int(lab) for lab in labels]), (group,) * len(texts))


def _single_label(path: Path) -> tuple[list[str], list[str]]:
    """A file of only benign or only injection rows (the project's own sets) is fine here."""
    import csv

    with path.open(encoding="utf-8-sig", newline="") as fh:  # as load_labelled_csv: a leading BOM is fine
        rows = [(r.get("text", "").strip(), (r.get("label") or "").strip()) for r in csv.DictReader(fh)]
    rows = [(t, lab) for t, lab in rows if t and lab]
    if not rows:
        raise InvalidInputError(f"{path}: no labelled rows; expected a text,label header and rows")
    return [t for t, _ in rows], [lab for _, lab in rows]


def default_training_set(shared: Path, project: Path) -> LabelledSet:
    """The shared deepset set plus the project's benign banking messages and injections in `project`."""
    return (load_injection_csv(shared, group="shared") + load_injection_csv(project / "benign.csv", group=BANK_BENIGN)
            + load_injection_csv(project / "injections.csv", group="bank_injection"))


def check_training_set(data: LabelledSet, *, folds: int) -> None:
    """Refuse, before any embedding, a set too small for `folds`-fold cross-validation, nested inside itself:
    every inner training part must still hold both injections and benign messages."""
    needed = max(folds, MIN_PER_CLASS)
    n_inj, n_ben = int(np.sum(data.labels == 1)), int(np.sum(data.labels == 0))
    if min(n_inj, n_ben) < needed:
        raise InvalidInputError(f"injection detector: {folds}-fold cross-validation needs at least {needed} injections "
                                f"(label 1) and {needed} benign messages (label 0), got {n_inj} and {n_ben}; add "
                                "examples (a useful detector needs hundreds of each)")


@dataclass(frozen=True, slots=True)
class Features:
    vectors: np.ndarray
    hashed: object  # scipy CSR matrix
    rules: np.ndarray


def featurize(texts: Sequence[str], embedder: Embedder, *, progress: Callable[[int], None] | None = None) -> Features:
    """`progress(n)` is called as each n more texts are embedded (the slow part)."""
    # Training rows are trusted files, not requests: no length limit.
    limit = max([1, *map(len, texts)])
    detections = [normalize(t, max_chars=limit, allow_empty=True).detection for t in texts]
    rules = np.array([rule_features(match_rules(d)) for d in detections], dtype=np.float32)
    vectors = embedder.embed([d[:EMBED_CHARS] for d in detections], progress=progress)
    return Features(vectors, hashed_features(detections), rules)


def stratified_folds(strata: np.ndarray, k: int, seed: int) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    folds: list[list[int]] = [[] for _ in range(k)]
    offset = 0
    for s in np.unique(strata):
        idx = np.flatnonzero(strata == s)
        rng.shuffle(idx)
        for j, i in enumerate(idx):
            folds[(j + offset) % k].append(int(i))
        offset += len(idx)
    return [np.array(sorted(f), dtype=int) for f in folds]


def _strata(data: LabelledSet) -> np.ndarray:
    names = sorted(set(data.groups))
    return np.array([names.index(g) * 2 + int(lab) for g, lab in zip(data.groups, data.labels, strict=True)])


def _fit_lr(x: object, y: np.ndarray, c: float) -> tuple[np.ndarray, float]:
    from scipy.sparse import issparse
    from sklearn.linear_model import LogisticRegression

    if len(np.unique(y)) < 2:
        # check_training_set catches most small sets up front; this is for classes bunched into few folds.
        only = "injections" if len(y) and y[0] == 1 else "benign messages"
        raise InvalidInputError(f"injection detector: a cross-validation fold was left with only {only} to train "
                                "on; add examples of the rarer kind (at least a few per fold) or pass fewer --folds")
    if not issparse(x):
        model = LogisticRegression(C=c, max_iter=5000).fit(x, y)
        return model.coef_[0].astype(np.float32), float(model.intercept_[0])
    # Hashed n-grams: fit on the columns that occur (tens of thousands of 2^19) with Newton-CG; lbfgs took
    # 5 s per fit here against 1 s, and cross-validation fits this head 30 times.
    cols = np.unique(x.indices)  # type: ignore[attr-defined]
    model = LogisticRegression(C=c, max_iter=1000, solver="newton-cg").fit(x[:, cols], y)  # type: ignore[index]
    coef = np.zeros(x.shape[1], dtype=np.float32)  # type: ignore[attr-defined]
    coef[cols] = model.coef_[0]
    return coef, float(model.intercept_[0])


def _level1(feats: Features, y: np.ndarray, idx: np.ndarray, strata: np.ndarray, *, k: int,
            seed: int) -> np.ndarray:
    """Out-of-fold [embed logit, n-gram logit] for the rows idx, fitted within idx only."""
    out = np.zeros((len(idx), 2))
    for fold in stratified_folds(strata[idx], k, seed):
        train = idx[np.setdiff1d(np.arange(len(idx)), fold)]
        coef, b = _fit_lr(feats.vectors[train], y[train], EMBED_C)
        out[fold, 0] = feats.vectors[idx[fold]] @ coef + b
        coef, b = _fit_lr(feats.hashed[train], y[train], HASH_C)  # type: ignore[index]
        out[fold, 1] = np.asarray(feats.hashed[idx[fold]] @ coef).ravel() + b  # type: ignore[index]
    return out


def choose_threshold(benign_scores: np.ndarray, *, max_fpr: float) -> float:
    """Lowest threshold that flags at most `max_fpr` of these benign scores (flag when score >= threshold)."""
    if not 0.0 <= max_fpr < 1.0:
        raise ValueError(f"max_fpr must be in [0, 1), got {max_fpr}")
    if len(benign_scores) == 0:
        return 0.5
    ordered = np.sort(benign_scores)[::-1]
    allowed = int(np.floor(max_fpr * len(ordered)))
    return float(min(np.nextafter(ordered[allowed], np.inf), 1.0 - 1e-9))


def fit_model(feats: Features, data: LabelledSet, idx: np.ndarray, *, embedder_id: str, max_fpr: float,
              folds: int = 5, seed: int = 0) -> InjectionModel:
    """Fit on the rows idx: level-1 heads on all of them, the combiner on their out-of-fold logits, the
    threshold on the combiner's out-of-fold scores for the benign banking rows (all benign rows if none)."""
    y, strata = data.labels, _strata(data)
    z = np.column_stack([_level1(feats, y, idx, strata, k=folds, seed=seed), feats.rules[idx]])
    stack_coef, stack_b = _fit_lr(z, y[idx], STACK_C)
    inner = np.zeros(len(idx))
    for fold in stratified_folds(strata[idx], folds, seed + 1):
        rest = np.setdiff1d(np.arange(len(idx)), fold)
        coef, b = _fit_lr(z[rest], y[idx][rest], STACK_C)
        inner[fold] = 1 / (1 + np.exp(-(z[fold] @ coef + b)))
    groups = np.array(data.groups)[idx]
    benign = (groups == BANK_BENIGN) if np.any(groups == BANK_BENIGN) else (y[idx] == 0)
    threshold = choose_threshold(inner[benign & (y[idx] == 0)], max_fpr=max_fpr)
    embed_coef, embed_b = _fit_lr(feats.vectors[idx], y[idx], EMBED_C)
    hash_coef, hash_b = _fit_lr(feats.hashed[idx], y[idx], HASH_C)  # type: ignore[index]
    return InjectionModel(embed_coef=embed_coef, embed_intercept=embed_b, hash_coef=hash_coef, hash_intercept=hash_b,
                          stack_coef=stack_coef, stack_intercept=stack_b, threshold=threshold,
                          embedder_id=embedder_id)


@dataclass(frozen=True, slots=True)
class CVResult:
    scores: np.ndarray  # out-of-fold combined score per row
    flagged: np.ndarray  # at the threshold chosen inside that row's training folds
    thresholds: tuple[float, ...]


def cross_validate(feats: Features, data: LabelledSet, *, embedder_id: str, max_fpr: float, folds: int = 5,
                   seed: int = 0) -> CVResult:
    """Outer k-fold: every row is scored by a model (threshold included) that never saw it."""
    check_training_set(data, folds=folds)
    strata = _strata(data)
    scores = np.zeros(len(data))
    flagged = np.zeros(len(data), dtype=bool)
    thresholds = []
    for fold in stratified_folds(strata, folds, seed):
        train = np.setdiff1d(np.arange(len(data)), fold)
        model = fit_model(feats, data, train, embedder_id=embedder_id, max_fpr=max_fpr, folds=folds, seed=seed + 7)
        s = model.scores(feats.vectors[fold], feats.hashed[fold], feats.rules[fold])  # type: ignore[index]
        scores[fold] = s
        flagged[fold] = s >= model.threshold
        thresholds.append(model.threshold)
    return CVResult(scores, flagged, tuple(thresholds))


@dataclass(frozen=True, slots=True)
class DetectionReport:
    n_positive: int
    n_negative: int
    tpr: float
    fpr: float
    precision: float
    p50_ms: float = 0.0
    p95_ms: float = 0.0

    def line(self) -> str:
        timing = f", latency p50 {self.p50_ms:.1f} ms, p95 {self.p95_ms:.1f} ms" if self.p95_ms else ""
        return (f"{self.n_positive} injections, {self.n_negative} benign: TPR {self.tpr:.3f}, FPR {self.fpr:.3f}, "
                f"precision {self.precision:.3f}{timing}")


def detection_report(labels: np.ndarray, flagged: np.ndarray, *, latencies_ms: Sequence[float] = ()) -> DetectionReport:
    from rightfit.evals.metrics import percentile

    pos, neg = labels == 1, labels == 0
    tp, fp = int(np.sum(flagged & pos)), int(np.sum(flagged & neg))
    return DetectionReport(n_positive=int(pos.sum()), n_negative=int(neg.sum()),
                           tpr=tp / max(1, int(pos.sum())), fpr=fp / max(1, int(neg.sum())),
                           precision=tp / max(1, tp + fp), p50_ms=percentile(latencies_ms, 50),
                           p95_ms=percentile(latencies_ms, 95))

