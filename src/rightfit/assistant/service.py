"""Assembles the chat assistant from settings: the application, its classifier, extractor, tools and stores."""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from rightfit.assistant.app import AssistantApp, load_app
from rightfit.assistant.chat import ChatAssistant
from rightfit.assistant.qa import QAPipeline
from rightfit.assistant.sessions import SessionStore
from rightfit.classify.intents import (
    ARTIFACT_VERSION,
    IntentClassifier,
    choose_threshold,
    intent_features,
    load_labelled_csv,
)
from rightfit.core.errors import ConfigError
from rightfit.core.protocols import Embedder
from rightfit.core.settings import Settings
from rightfit.evals.classification import stratified_folds
from rightfit.guard.injection import InjectionDetector, InjectionModel
from rightfit.guard.pii import redact
from rightfit.tools.audit import AuditLog
from rightfit.tools.executor import ToolExecutor
from rightfit.tools.policy import OwnershipPolicy

if TYPE_CHECKING:
    from scipy.sparse import csr_matrix

logger = logging.getLogger(__name__)


def _store(target: Path, save: Callable[[Path], object]) -> None:
    """Write an artifact folder under a temporary name and rename it, so a reader sees all of it or none;
    when two processes race, the first rename wins and the other's copy is dropped."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}-"))
    try:
        save(tmp)
        os.replace(tmp, target)
    except OSError:
        if not target.is_dir():
            raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _cross_validated_threshold(features: csr_matrix, labels: list[str], embedder: Embedder) -> tuple[float, float]:
    """The out-of-scope threshold that rejects at most 5% of correctly classified held-out messages (5 folds),
    and the cross-validated accuracy."""
    probs, correct = np.zeros(len(labels)), np.zeros(len(labels), dtype=bool)
    for held in stratified_folds(labels, 5):
        train = np.setdiff1d(np.arange(len(labels)), held)
        clf = IntentClassifier(embedder=embedder).fit_features(features[train], [labels[i] for i in train])
        p = clf.proba_features(features[held])
        probs[held] = p.max(axis=1)
        correct[held] = [clf.labels[k] == labels[i] for k, i in zip(p.argmax(axis=1), held, strict=True)]
    return choose_threshold(probs, correct, max_rejected=0.05), float(correct.mean())


def intent_classifier(app: AssistantApp, *, embedder: Embedder, cache_dir: Path) -> IntentClassifier:
    """The app's intent classifier, trained on its labelled messages once and cached by their hash."""
    digest = hashlib.sha256(app.intents_csv.read_bytes()).hexdigest()[:16]
    target = cache_dir / f"intents-{digest}-v{ARTIFACT_VERSION}-cv"
    if target.is_dir():
        return IntentClassifier.load(target, embedder=embedder)
    texts, labels = load_labelled_csv(app.intents_csv)
    logger.info("training the intent classifier on %d messages from %s", len(texts), app.intents_csv)
    features = intent_features(texts, embedder.embed(texts))
    threshold, accuracy = _cross_validated_threshold(features, labels, embedder)
    clf = IntentClassifier(embedder=embedder, threshold=threshold).fit_features(features, labels)
    clf.metrics = {"cv_accuracy": accuracy, "n": float(len(texts))}
    _store(target, clf.save)
    return clf


def injection_detector(settings: Settings, app: AssistantApp, *, embedder: Embedder,
                       cache_dir: Path) -> InjectionDetector:
    """The configured injection detector, or one trained on the app's guard data once and cached by its hash."""
    from rightfit.guard.injection import ARTIFACT_VERSION as INJECTION_ARTIFACT_VERSION
    from rightfit.guard.training import BANK_BENIGN, LabelledSet, featurize, fit_model, load_injection_csv

    if settings.guard.model is not None:
        return InjectionDetector.load(settings.guard.model, embedder=embedder)
    if app.guard_data is None:
        raise ConfigError("no injection detector: set [guard] model, or give the app guard_data to train one")
    sources = [(app.guard_data / "benign.csv", BANK_BENIGN), (app.guard_data / "injections.csv", "bank_injection")]
    for extra in settings.guard.training_data:
        if extra.is_file():
            sources.append((extra, "shared"))
        else:
            logger.warning("guard training data %s is missing; training without it", extra)
    digest = hashlib.sha256(b"".join(p.read_bytes() for p, _ in sources)
                            + repr(settings.guard.max_fpr).encode()).hexdigest()[:16]
    # The artifact version is in the name, so a cached detector of an older format is retrained, not refused.
    target = cache_dir / f"guard-{digest}-v{INJECTION_ARTIFACT_VERSION}"
    if target.is_dir():
        return InjectionDetector(embedder=embedder, model=InjectionModel.load(target))
    data: LabelledSet = load_injection_csv(sources[0][0], group=sources[0][1])
    for path, group in sources[1:]:
        data = data + load_injection_csv(path, group=group)
    logger.info("training the injection detector on %d messages", len(data))
    feats = featurize(data.texts, embedder)
    model = fit_model(feats, data, np.arange(len(data)), embedder_id=embedder.model_id, max_fpr=settings.guard.max_fpr)
    _store(target, model.save)
    return InjectionDetector(embedder=embedder, model=model)


def build_assistant(settings: Settings, *, qa: QAPipeline | None = None) -> ChatAssistant:
    from rightfit.extract import Extractor

    if settings.assistant.app is None:
        raise ConfigError("no assistant app configured; set [assistant] app to the application's package folder "
                          "(the bank example: examples/bank/rightfit.toml)")
    data_dir = settings.data_dir
    app = load_app(settings.assistant.app, data_dir=data_dir)
    qa = qa if qa is not None else QAPipeline(settings=settings)
    audit = AuditLog(data_dir / "audit.sqlite", redact=redact)
    executor = ToolExecutor(registry=app.registry, policy=OwnershipPolicy(app.owners), audit=audit)
    classifier = intent_classifier(app, embedder=qa.embedder, cache_dir=data_dir / "classifiers")
    input_guard = out_guard = None
    if settings.guard.enabled:
        from rightfit.assistant.guarding import InputGuard, output_guard

        detector = injection_detector(settings, app, embedder=qa.embedder, cache_dir=data_dir / "classifiers")
        input_guard = InputGuard(detector, max_chars=settings.assistant.max_message_chars)
        out_guard = output_guard
    generator = None
    if settings.assistant.extract_model is not None:
        from rightfit.models.generators import make_generator

        # Field filling needs short outputs only; a small context keeps the model's memory low.
        generator = make_generator(settings, settings.assistant.extract_model, n_ctx=1024, max_tokens=200)
    speller = None
    if settings.assistant.mend_typos:
        from rightfit.classify.spelling import Speller, english_words, tokenizer_words
        from rightfit.models.catalog import MINILM_TOKENIZER, verified_path

        texts, _ = load_labelled_csv(app.intents_csv)
        speller = Speller(texts, known=tokenizer_words(verified_path(MINILM_TOKENIZER)) | english_words())
    return ChatAssistant(settings=settings, app=app, answerer=qa, classifier=classifier,
                         extractor=Extractor(generator=generator), sessions=SessionStore(data_dir / "assistant.sqlite"),
                         executor=executor, input_guard=input_guard, output_guard=out_guard, redact=redact,
                         speller=speller)
