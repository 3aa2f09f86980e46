"""Intent classification: MiniLM sentence embeddings and hashed character n-grams, one linear (logistic
regression) head over both.

The embedding carries meaning ("I can't find my card" near "lost card"); the character n-grams carry spelling,
so a typo ("acount", "hw much") or a word the embedding model splits oddly still meets the messages it was
learned from. Both blocks are unit length and weigh the same (benchmarks/intent_cv.py measures the pair against
the embedding alone). Probabilities come from the softmax of a multinomial logistic regression; below
`threshold` a message is out of scope. The artifact is a folder with the weights (.npz) and a manifest (labels,
metrics, threshold, embedder), one sha256 covering both (models/artifact.py).
"""

from __future__ import annotations

import csv
import logging
import math
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, field_validator

from rightfit.core.errors import InvalidInputError
from rightfit.core.protocols import Embedder
from rightfit.models.artifact import check_array, read_weights, validate_manifest, write_weights

logger = logging.getLogger(__name__)

if TYPE_CHECKING:
    from scipy.sparse import csr_matrix

ARTIFACT_KIND = "intent-classifier"
# 2: the hash covers the manifest as well as the weights, and two-label models keep one row per label.
# 3: character n-grams beside the embedding (the weights have NGRAM_FEATURES more columns). The assistant's cache
# folder is named after this (intents-<hash>-v3-cv), so classifiers it cached under an earlier version are
# retrained on first use instead of refused.
ARTIFACT_VERSION = 3
# Hashed, so the artifact needs no vocabulary: the same text always lands in the same columns.
NGRAM_FEATURES = 2**15
TRAIN = "rightfit classify train"
# `classify train` holds out one message in ten of each label: with two, at least one is left to learn from.
MIN_EXAMPLES_PER_LABEL = 2


class IntentManifest(BaseModel):
    """manifest.json of an intent classifier, as written by `IntentClassifier.save`."""

    model_config = ConfigDict(extra="forbid", strict=True)

    kind: Literal["intent-classifier"]
    version: Literal[3]
    created: float
    labels: list[str] = Field(min_length=2)
    threshold: float = Field(ge=0.0, le=1.0)
    c: float = Field(gt=0.0)
    embedder: str = Field(min_length=1)
    metrics: dict[str, float]
    artifact_sha256: str

    @field_validator("labels")
    @classmethod
    def _distinct(cls, labels: list[str]) -> list[str]:
        if len(set(labels)) != len(labels) or not all(labels):
            raise ValueError("labels must be distinct and non-empty")
        return labels


@dataclass(frozen=True, slots=True)
class Prediction:
    label: str  # "out_of_scope" when below the threshold
    probability: float
    top: tuple[tuple[str, float], ...]  # the three most likely labels
    out_of_scope: bool


def load_labelled_csv(path: Path) -> tuple[list[str], list[str]]:
    """`text,label` (or BANKING77's `text,category`) with a header line."""
    try:
        # utf-8-sig: a spreadsheet's "CSV UTF-8" export starts with a byte-order mark, which is not part of "text".
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            names = reader.fieldnames or []
            field = "label" if "label" in names else "category" if "category" in names else None
            if "text" not in names or field is None:
                raise InvalidInputError(f"{path}: expected a header with text,label (or text,category), "
                                        f"got {','.join(names) or 'nothing'}")
            read = [((r["text"] or "").strip(), (r[field] or "").strip(), reader.line_num) for r in reader]
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise InvalidInputError(f"{path}: cannot be read as UTF-8 CSV ({exc})") from None
    rows = [(t, lab) for t, lab, _ in read if t and lab]
    if dropped := [line for t, lab, line in read if not (t and lab)]:
        lines = ", ".join(map(str, dropped[:5])) + (f" and {len(dropped) - 5} more" if len(dropped) > 5 else "")
        logger.warning("%s: %d rows with no text or no label were left out (line %s)", path, len(dropped), lines)
    if len({lab for _, lab in rows}) < 2:
        raise InvalidInputError(f"{path}: needs labelled rows of at least two labels")
    return [t for t, _ in rows], [lab for _, lab in rows]


def check_training_labels(labels: Sequence[str], *, source: object, minimum: int = MIN_EXAMPLES_PER_LABEL) -> None:
    """Refuse training data with a label too rare to be both held out and learned from."""
    counts = Counter(labels)
    few = sorted(lab for lab, n in counts.items() if n < minimum)
    if few:
        listed = ", ".join(f"{lab} has {counts[lab]}" for lab in few[:5])
        more = f" and {len(few) - 5} more labels" if len(few) > 5 else ""
        raise InvalidInputError(f"{source}: every label needs at least {minimum} messages (one may be held out to "
                                f"measure the classifier, the rest train it), but {listed}{more}; add messages or "
                                "drop those labels")


def intent_features(texts: Sequence[str], vectors: np.ndarray) -> csr_matrix:
    """(n, embedding dim + NGRAM_FEATURES): the message's embedding beside its hashed character 2-4-grams
    (within words, lower-cased, unit length)."""
    from scipy.sparse import csr_matrix, hstack
    from sklearn.feature_extraction.text import HashingVectorizer

    if len(texts) != len(vectors):
        raise ValueError(f"intent features: {len(texts)} messages but {len(vectors)} embeddings")
    chars = HashingVectorizer(analyzer="char_wb", ngram_range=(2, 4), n_features=NGRAM_FEATURES,
                              alternate_sign=False, norm="l2", lowercase=True)
    return hstack([csr_matrix(np.asarray(vectors, dtype=np.float32)),
                   chars.transform(list(texts)).astype(np.float32)]).tocsr()


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
        # coef transposed and laid out by feature: a sparse row times it is ~0.01 ms, against ~2 ms for coef.T
        # (77 labels), since the n-gram columns are then read contiguously. Rebuilt when coef is replaced.
        self._by_feature: tuple[np.ndarray, np.ndarray] | None = None

    def warm_up(self) -> None:
        warm = getattr(self.embedder, "warm_up", None)
        if callable(warm):
            warm()

    def fit_features(self, features: csr_matrix, labels: Sequence[str]) -> IntentClassifier:
        """Train on `intent_features` rows (computed once, so cross-validation can slice them)."""
        from sklearn.linear_model import LogisticRegression

        names = sorted(set(labels))
        if len(names) < 2:
            raise InvalidInputError(f"intent classifier: needs messages of at least two labels to learn from, got "
                                    f"only {', '.join(names) or 'none'}")
        index = {lab: i for i, lab in enumerate(names)}
        y = np.array([index[lab] for lab in labels])
        model = LogisticRegression(C=self.c, max_iter=2000)
        model.fit(features, y)
        coef, intercept = model.coef_, model.intercept_
        if len(names) == 2:
            # scikit-learn keeps a single row for two classes: the logit of the second against the first. A zero
            # row for the first makes the softmax below exactly that sigmoid, so every model has one row per label.
            coef = np.vstack([np.zeros_like(coef), coef])
            intercept = np.concatenate([np.zeros_like(intercept), intercept])
        self.labels = names
        self.coef = coef.astype(np.float32)
        self.intercept = intercept.astype(np.float32)
        return self

    def fit(self, texts: Sequence[str], labels: Sequence[str]) -> IntentClassifier:
        return self.fit_features(intent_features(texts, self.embedder.embed(list(texts))), labels)

    def proba_features(self, features: csr_matrix) -> np.ndarray:
        if self.coef is None or self.intercept is None:
            raise InvalidInputError("intent classifier is not trained; run `rightfit classify train` first")
        if self._by_feature is None or self._by_feature[0] is not self.coef:
            self._by_feature = (self.coef, np.ascontiguousarray(self.coef.T))
        logits = np.asarray(features @ self._by_feature[1]) + self.intercept
        logits -= logits.max(axis=1, keepdims=True)
        exp = np.exp(logits)
        return exp / exp.sum(axis=1, keepdims=True)

    def run(self, *, texts: Sequence[str]) -> list[Prediction]:
        probs = self.proba_features(intent_features(texts, self.embedder.embed(list(texts))))
        out = []
        for row in probs:
            order = np.argsort(-row)[:3]
            best = float(row[order[0]])
            oos = best < self.threshold
            out.append(Prediction(label="out_of_scope" if oos else self.labels[order[0]], probability=best,
                                  top=tuple((self.labels[i], float(row[i])) for i in order), out_of_scope=oos))
        return out

    def save(self, directory: Path) -> str:
        """Write the artifact (all or nothing); returns the sha256 covering its weights and manifest."""
        if self.coef is None or self.intercept is None:
            raise InvalidInputError("intent classifier is not trained; nothing to save")
        manifest = {"kind": ARTIFACT_KIND, "version": ARTIFACT_VERSION, "created": time.time(), "labels": self.labels,
                    "threshold": self.threshold, "c": self.c, "embedder": self.embedder.model_id,
                    "metrics": self.metrics}
        return write_weights(directory, {"coef": self.coef, "intercept": self.intercept}, manifest)

    @classmethod
    def load(cls, directory: Path, *, embedder: Embedder) -> IntentClassifier:
        what = "intent classifier"
        raw, arrays = read_weights(directory, what=what, train=TRAIN, kind=ARTIFACT_KIND, version=ARTIFACT_VERSION)
        manifest = validate_manifest(IntentManifest, raw, directory=directory, what=what, train=TRAIN)
        if manifest.embedder != embedder.model_id:
            raise InvalidInputError(f"classifier in {directory} was trained on {manifest.embedder} "
                                    f"embeddings, not {embedder.model_id}; retrain it with `{TRAIN}`")
        n = len(manifest.labels)
        clf = cls(embedder=embedder, c=manifest.c, threshold=manifest.threshold)
        width = embedder.dim + NGRAM_FEATURES
        clf.coef = check_array(arrays, "coef", (n, width), directory=directory, what=what, train=TRAIN)
        clf.intercept = check_array(arrays, "intercept", (n,), directory=directory, what=what, train=TRAIN)
        clf.labels = list(manifest.labels)
        clf.metrics = dict(manifest.metrics)
        return clf


# Correctly classified held-out messages below which the out-of-scope threshold is not chosen from data in any
# useful sense: with fewer than 1/max_rejected of them (20 at the default 5%) none may be rejected, so the
# threshold is just the lowest confidence among a handful of messages.
MIN_HELD_OUT_CORRECT = 20


def threshold_warning(threshold: float, *, correct: int, held_out: int, labels: int, max_rejected: float) -> str:
    """Why the out-of-scope threshold `classify train` chose is not to be trusted, and what to do; "" when it is.

    `correct` of the `held_out` messages were classified correctly; `labels` is the number of intents."""
    needed = max(MIN_HELD_OUT_CORRECT, math.ceil(1 / max_rejected) if max_rejected > 0 else 0)
    per_intent = math.ceil(needed * 10 / labels)  # one message in ten is held out
    fix = (f"add labelled messages, at least {per_intent} per intent, so that {needed} or more of the held-out "
           f"tenth are classified correctly, and train again")
    if correct == 0 or threshold <= 0.0:
        return (f"the out-of-scope threshold is {threshold:.3f}: {correct} of the {held_out} held-out messages were "
                "classified correctly, too few to choose it from, so no message will ever be out of scope; " + fix)
    if correct < needed:
        return (f"the out-of-scope threshold {threshold:.3f} was chosen from only {correct} correctly classified "
                f"held-out messages (of {held_out}), too few for --max-rejected {max_rejected:.0%} to mean "
                f"anything: it is just the lowest confidence among them; " + fix)
    return ""


def choose_threshold(probabilities: np.ndarray, correct: np.ndarray, *, max_rejected: float = 0.05) -> float:
    """Highest confidence threshold that rejects at most `max_rejected` of correctly classified held-out
    messages: out-of-scope detection without hurting in-scope ones much."""
    ok = np.sort(probabilities[correct])
    if len(ok) == 0:
        return 0.0
    k = int(np.floor(max_rejected * len(ok)))
    return float(ok[k]) if k < len(ok) else 0.0
