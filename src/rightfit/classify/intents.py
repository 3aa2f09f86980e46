"""Intent classification: MiniLM sentence embeddings with a linear (logistic regression) head.

Probabilities come from the softmax of a multinomial logistic regression, which is close to calibrated
for linear heads on normalized embeddings; below `threshold` a message is out of scope. The artifact is a
folder with the weights (.npz) and a manifest (labels, metrics, threshold, embedder, sha256 of weights).
"""

from __future__ import annotations

import csv
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rightfit.core.errors import InvalidInputError
from rightfit.core.protocols import Embedder
from rightfit.models.artifact import read_weights, write_weights

ARTIFACT_VERSION = 1


@dataclass(frozen=True, slots=True)
class Prediction:
    label: str  # "out_of_scope" when below the threshold
    probability: float
    top: tuple[tuple[str, float], ...]  # the three most likely labels
    out_of_scope: bool


def load_labelled_csv(path: Path) -> tuple[list[str], list[str]]:
    """`text,label` (or BANKING77's `text,category`) with a header line."""
    try:
        with path.open(encoding="utf-8", newline="") as fh:
            reader = csv.DictReader(fh)
            names = reader.fieldnames or []
            field = "label" if "label" in names else "category" if "category" in names else None
            if "text" not in names or field is None:
                raise InvalidInputError(f"{path}: expected a header with text,label (or text,category), "
                                        f"got {','.join(names) or 'nothing'}")
            rows = [(r["text"].strip(), (r[field] or "").strip()) for r in reader]
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise InvalidInputError(f"{path}: cannot be read as UTF-8 CSV ({exc})") from None
    rows = [(t, lab) for t, lab in rows if t and lab]
    if len({lab for _, lab in rows}) < 2:
        raise InvalidInputError(f"{path}: needs labelled rows of at least two labels")
    return [t for t, _ in rows], [lab for _, lab in rows]


class IntentClassifier:
    """Stage: label a message, or call it out of scope."""

    name = "intent"

    def __init__(self, *, embedder: Embedder, c: float = 10.0, threshold: float = 0.0) -> None:
        if c <= 0:
            raise ValueError(f"intent classifier: C must be positive, got {c}")
        self.embedder = embedder
        self.c = c
        self.threshold = threshold
        self.labels: list[str] = []
        self.coef: np.ndarray | None = None
        self.intercept: np.ndarray | None = None
        self.metrics: dict[str, float] = {}

    def warm_up(self) -> None:
        warm = getattr(self.embedder, "warm_up", None)
        if callable(warm):
            warm()

    def fit_vectors(self, vectors: np.ndarray, labels: Sequence[str]) -> IntentClassifier:
        from sklearn.linear_model import LogisticRegression

        self.labels = sorted(set(labels))
        index = {lab: i for i, lab in enumerate(self.labels)}
        y = np.array([index[lab] for lab in labels])
        model = LogisticRegression(C=self.c, max_iter=2000)
        model.fit(vectors, y)
        self.coef = model.coef_.astype(np.float32)
        self.intercept = model.intercept_.astype(np.float32)
        return self

    def fit(self, texts: Sequence[str], labels: Sequence[str]) -> IntentClassifier:
        return self.fit_vectors(self.embedder.embed(list(texts)), labels)

    def proba_vectors(self, vectors: np.ndarray) -> np.ndarray:
        if self.coef is None or self.intercept is None:
            raise InvalidInputError("intent classifier is not trained; run `rightfit classify train` first")
        logits = vectors @ self.coef.T + self.intercept
        logits -= logits.max(axis=1, keepdims=True)
        exp = np.exp(logits)
        return exp / exp.sum(axis=1, keepdims=True)

    def run(self, *, texts: Sequence[str]) -> list[Prediction]:
        probs = self.proba_vectors(self.embedder.embed(list(texts)))
        out = []
        for row in probs:
            order = np.argsort(-row)[:3]
            best = float(row[order[0]])
            oos = best < self.threshold
            out.append(Prediction(label="out_of_scope" if oos else self.labels[order[0]], probability=best,
                                  top=tuple((self.labels[i], float(row[i])) for i in order), out_of_scope=oos))
        return out

    def save(self, directory: Path) -> str:
        """Write the artifact; returns the sha256 of its weights."""
        if self.coef is None or self.intercept is None:
            raise InvalidInputError("intent classifier is not trained; nothing to save")
        manifest = {"version": ARTIFACT_VERSION, "created": time.time(), "labels": self.labels,
                    "threshold": self.threshold, "c": self.c, "embedder": self.embedder.model_id,
                    "metrics": self.metrics}
        return write_weights(directory, {"coef": self.coef, "intercept": self.intercept}, manifest)

    @classmethod
    def load(cls, directory: Path, *, embedder: Embedder) -> IntentClassifier:
        manifest, arrays = read_weights(directory, what="intent classifier", train="rightfit classify train")
        if manifest.get("embedder") != embedder.model_id:
            raise InvalidInputError(f"classifier in {directory} was trained on {manifest.get('embedder')} "
                                    f"embeddings, not {embedder.model_id}; retrain it")
        clf = cls(embedder=embedder, c=float(manifest["c"]), threshold=float(manifest["threshold"]))
        clf.coef, clf.intercept = arrays["coef"], arrays["intercept"]
        clf.labels = list(manifest["labels"])
        clf.metrics = dict(manifest.get("metrics") or {})
        return clf


def choose_threshold(probabilities: np.ndarray, correct: np.ndarray, *, max_rejected: float = 0.05) -> float:
    """Highest confidence threshold that rejects at most `max_rejected` of correctly classified held-out
    messages: out-of-scope detection without hurting in-scope ones much."""
    ok = np.sort(probabilities[correct])
    if len(ok) == 0:
        return 0.0
    k = int(np.floor(max_rejected * len(ok)))
    return float(ok[k]) if k < len(ok) else 0.0
