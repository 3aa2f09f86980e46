"""Prompt-injection detector: rules plus two linear classifiers, combined by a small stacked model.

Three signals, all computed on the folded detection text (normalize.py):
- MiniLM sentence embedding of the first `EMBED_CHARS` characters, logistic-regression head (meaning:
  "reveal what you were told" without the word "prompt");
- hashed character 2-5-grams and word 1-2-grams, logistic regression (wording, German compounds,
  obfuscation remnants), over the whole text, which costs well under a millisecond;
- the rule families that fired (rules.py).
A second logistic regression weighs the two classifier logits and the rule families; it was fitted on
out-of-fold classifier scores, so it learns how far to trust each. The threshold is chosen by cross-validation
for a low false-positive rate on benign banking messages (training.py). Without a trained model the detector
runs on rules alone and flags any rule hit.

The artifact is a folder with weights.npz (no pickle) and manifest.json holding one sha256 over the weights and
the manifest's fields (threshold included), checked on every load.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from rightfit.core.errors import InvalidInputError
from rightfit.core.protocols import Embedder
from rightfit.guard.normalize import DEFAULT_MAX_CHARS, normalize
from rightfit.guard.rules import FAMILIES, match_rules, rule_features
from rightfit.guard.verdicts import GuardVerdict
from rightfit.models.artifact import check_array, read_weights, validate_manifest, write_weights

ARTIFACT_KIND = "injection-detector"
# 2: the hash covers the manifest (an edited threshold is refused) as well as the weights.
ARTIFACT_VERSION = 2
TRAIN = "rightfit guard train --out DIR"
# Measured: embedding only the head of the text scores as well as the whole text in cross-validation,
# and bounds the embedding cost of a long message; the n-gram model and the rules still see all of it.
EMBED_CHARS = 400
HASH_FEATURES = 2**18


@functools.cache
def _hashers() -> tuple[object, object]:
    from sklearn.feature_extraction.text import HashingVectorizer

    chars = HashingVectorizer(analyzer="char_wb", ngram_range=(2, 5), n_features=HASH_FEATURES,
                              alternate_sign=False, norm="l2")
    words = HashingVectorizer(analyzer="word", ngram_range=(1, 2), n_features=HASH_FEATURES,
                              alternate_sign=False, norm="l2")
    return chars, words


def hashed_features(detections: Sequence[str]) -> object:
    """Sparse (n, 2 * HASH_FEATURES) matrix: character and word n-grams side by side."""
    from scipy.sparse import hstack

    chars, words = _hashers()
    return hstack([chars.transform(detections), words.transform(detections)]).tocsr()  # type: ignore[attr-defined]


def logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return np.log(p / (1 - p))


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


class DetectorManifest(BaseModel):
    """manifest.json of an injection detector, as written by `InjectionModel.save`."""

    model_config = ConfigDict(extra="forbid", strict=True)

    kind: Literal["injection-detector"]
    version: Literal[2]
    created: float
    threshold: float = Field(gt=0.0, lt=1.0)
    embedder: str = Field(min_length=1)
    embed_chars: int
    hash_features: int
    families: list[str]
    metrics: dict[str, float]
    artifact_sha256: str


@dataclass(slots=True)
class InjectionModel:
    """The weights: embedding head, n-gram head, and the combiner over [embed logit, n-gram logit, families]."""

    embed_coef: np.ndarray  # (384,)
    embed_intercept: float
    hash_coef: np.ndarray  # (2 * HASH_FEATURES,)
    hash_intercept: float
    stack_coef: np.ndarray  # (2 + len(FAMILIES),)
    stack_intercept: float
    threshold: float
    embedder_id: str
    metrics: dict[str, float] = field(default_factory=dict)

    def save(self, directory: Path) -> str:
        """Write the artifact (all or nothing); returns the sha256 covering its weights and manifest."""
        manifest = {"version": ARTIFACT_VERSION, "created": time.time(), "kind": ARTIFACT_KIND,
                    "threshold": self.threshold, "embedder": self.embedder_id, "embed_chars": EMBED_CHARS,
                    "hash_features": HASH_FEATURES, "families": list(FAMILIES), "metrics": self.metrics}
        arrays = {"embed_coef": self.embed_coef, "hash_coef": self.hash_coef, "stack_coef": self.stack_coef,
                  "intercepts": np.array([self.embed_intercept, self.hash_intercept, self.stack_intercept])}
        return write_weights(directory, arrays, manifest, compressed=True)

    @classmethod
    def load(cls, directory: Path) -> InjectionModel:
        what = "injection detector"
        raw, data = read_weights(directory, what=what, train=TRAIN, kind=ARTIFACT_KIND, version=ARTIFACT_VERSION)
        manifest = validate_manifest(DetectorManifest, raw, directory=directory, what=what, train=TRAIN)
        if (manifest.families != list(FAMILIES) or manifest.hash_features != HASH_FEATURES
                or manifest.embed_chars != EMBED_CHARS):
            raise InvalidInputError(f"injection detector in {directory} was trained by another version of rightfit; "
                                    f"retrain it with `{TRAIN}`")

        def array(name: str, shape: tuple[int | None, ...]) -> np.ndarray:
            return check_array(data, name, shape, directory=directory, what=what, train=TRAIN)

        intercepts = array("intercepts", (3,))
        return cls(embed_coef=array("embed_coef", (None,)), embed_intercept=float(intercepts[0]),
                   hash_coef=array("hash_coef", (2 * HASH_FEATURES,)), hash_intercept=float(intercepts[1]),
                   stack_coef=array("stack_coef", (2 + len(FAMILIES),)), stack_intercept=float(intercepts[2]),
                   threshold=manifest.threshold, embedder_id=manifest.embedder, metrics=dict(manifest.metrics))

    def scores(self, vectors: np.ndarray, hashed: object, rules: np.ndarray) -> np.ndarray:
        """Combined probability per row from precomputed embeddings, n-gram features and rule features."""
        z_embed = vectors @ self.embed_coef + self.embed_intercept
        z_hash = np.asarray(hashed @ self.hash_coef).ravel() + self.hash_intercept  # type: ignore[operator]
        stacked = np.column_stack([z_embed, z_hash, rules])
        return _sigmoid(stacked @ self.stack_coef + self.stack_intercept)


class InjectionDetector:
    """Guard stage: is this message (or document chunk) trying to instruct the assistant?"""

    name = "injection"

    def __init__(self, *, embedder: Embedder | None = None, model: InjectionModel | None = None,
                 threshold: float | None = None, max_chars: int = DEFAULT_MAX_CHARS) -> None:
        if model is not None and embedder is None:
            raise ValueError("injection detector: a trained model needs the embedder it was trained with")
        if model is not None and embedder is not None and model.embedder_id != embedder.model_id:
            raise InvalidInputError(f"injection detector was trained on {model.embedder_id} embeddings, not "
                                    f"{embedder.model_id}; retrain it with `rightfit guard train`")
        if model is not None and embedder is not None and model.embed_coef.shape != (embedder.dim,):
            raise InvalidInputError(f"injection detector has {model.embed_coef.shape} embedding weights for "
                                    f"{embedder.dim}-d embeddings; retrain it with `rightfit guard train`")
        if threshold is not None and not 0.0 < threshold < 1.0:
            raise ValueError(f"injection detector: threshold must be between 0 and 1, got {threshold}")
        self.embedder = embedder
        self.model = model
        self.threshold = threshold if threshold is not None else (model.threshold if model is not None else 0.5)
        self.max_chars = max_chars

    @classmethod
    def load(cls, directory: Path, *, embedder: Embedder, threshold: float | None = None) -> InjectionDetector:
        return cls(embedder=embedder, model=InjectionModel.load(directory), threshold=threshold)

    def warm_up(self) -> None:
        warm = getattr(self.embedder, "warm_up", None)
        if callable(warm):
            warm()
        hashed_features(["warm"])  # imports scikit-learn and scipy now, not on the first request

    def run(self, *, text: str) -> GuardVerdict:
        started = time.perf_counter()
        norm = normalize(text, max_chars=self.max_chars, allow_empty=True)
        verdict = self._verdicts([norm.detection])[0]
        return GuardVerdict(flagged=verdict.flagged, score=verdict.score, reasons=verdict.reasons,
                            latency_ms=(time.perf_counter() - started) * 1000)

    def run_batch(self, *, texts: Sequence[str]) -> list[GuardVerdict]:
        """Many texts in one pass (evaluation, document ingest); latency_ms is the per-text average."""
        started = time.perf_counter()
        detections = [normalize(t, max_chars=self.max_chars, allow_empty=True).detection for t in texts]
        out = self._verdicts(detections)
        each = (time.perf_counter() - started) * 1000 / max(1, len(texts))
        return [GuardVerdict(v.flagged, v.score, v.reasons, each) for v in out]

    def _verdicts(self, detections: Sequence[str]) -> list[GuardVerdict]:
        hits = [match_rules(d) for d in detections]
        names = [tuple(dict.fromkeys(f"rule:{h.family}" for h in hs)) for hs in hits]
        if self.model is None or self.embedder is None:
            return [GuardVerdict(flagged=bool(n), score=1.0 if n else 0.0, reasons=n) for n in names]
        rules = np.array([rule_features(hs) for hs in hits], dtype=np.float32).reshape(len(detections), len(FAMILIES))
        vectors = self.embedder.embed([d[:EMBED_CHARS] for d in detections])
        scores = self.model.scores(vectors, hashed_features(detections), rules)
        out = []
        for score, reasons in zip(scores, names, strict=True):
            flagged = bool(score >= self.threshold)
            # Only name the rules when the verdict is a flag; a rule that fired on a message let through
            # (e.g. "override my previous instruction to pay Sarah") is not a reason for anything.
            why = (*reasons, "classifier") if flagged else ()
            out.append(GuardVerdict(flagged=flagged, score=float(score), reasons=why))
        return out
