"""The assistant's guards: the input guard (normalize, detect injection) and the output guard (no figures,
links or PII the evidence does not hold), with the injection detector trained once per data and cached."""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from rightfit.assistant.app import AssistantApp
from rightfit.assistant.chat import InputCheck
from rightfit.core.errors import ConfigError
from rightfit.core.protocols import Embedder
from rightfit.core.settings import Settings
from rightfit.guard.injection import InjectionDetector, InjectionModel
from rightfit.guard.normalize import normalize
from rightfit.guard.output import check_output
from rightfit.guard.pii import find_pii, keep_values, redact
from rightfit.telemetry.tracing import stage_span

logger = logging.getLogger(__name__)
BLOCKED_OUTPUT = ("I can't give that answer: part of it isn't supported by our documents or your account "
                  "records. I can pass you to a colleague if you'd like.")


def injection_detector(settings: Settings, app: AssistantApp, *, embedder: Embedder,
                       cache_dir: Path) -> InjectionDetector:
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
    target = cache_dir / f"guard-{digest}"
    if target.is_dir():
        return InjectionDetector(embedder=embedder, model=InjectionModel.load(target))
    data: LabelledSet = load_injection_csv(sources[0][0], group=sources[0][1])
    for path, group in sources[1:]:
        data = data + load_injection_csv(path, group=group)
    logger.info("training the injection detector on %d messages", len(data))
    feats = featurize(data.texts, embedder)
    model = fit_model(feats, data, np.arange(len(data)), embedder_id=embedder.model_id, max_fpr=settings.guard.max_fpr)
    cache_dir.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=cache_dir, prefix=".guard-"))
    try:
        model.save(tmp)
        os.replace(tmp, target)
    except OSError:
        if not target.is_dir():
            raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return InjectionDetector(embedder=embedder, model=model)


class InputGuard:
    def __init__(self, detector: InjectionDetector, *, max_chars: int) -> None:
        self.detector = detector
        self.max_chars = max_chars

    def __call__(self, message: str) -> InputCheck:
        norm = normalize(message, max_chars=self.max_chars)  # InvalidInputError for empty, too long, not text
        with stage_span("guard.input") as span:
            verdict = self.detector.run(text=norm.text)
            span.set_attribute("guard.flagged", verdict.flagged)
            span.set_attribute("guard.score", round(verdict.score, 4))
        return InputCheck(norm.text, blocked=verdict.flagged, reason=", ".join(verdict.reasons) or "classifier")


def output_guard(text: str, evidence: Sequence[str], question: str) -> str:
    """The reply, or a refusal when it holds a figure, link or e-mail address the evidence lacks; PII that is
    neither in the evidence nor in the customer's own message is redacted."""
    with stage_span("guard.output") as span:
        verdict = check_output(text=text, evidence_texts=evidence, question=question)
        span.set_attribute("guard.blocked", verdict.blocked)
        if verdict.blocked:
            logger.warning("output guard blocked a reply: %s", ", ".join(verdict.reasons))
            return BLOCKED_OUTPUT
        own = [m.value for source in (*evidence, question) for m in find_pii(source)]
        return redact(text, keep=keep_values(own))
