"""The assistant's guards: the input guard (normalize, detect injection) and the output guard (no figures,
links or PII the evidence does not hold)."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from rightfit.assistant.chat import InputCheck
from rightfit.guard.injection import InjectionDetector
from rightfit.guard.normalize import normalize
from rightfit.guard.output import check_output
from rightfit.guard.pii import find_pii, keep_values, redact
from rightfit.telemetry.tracing import stage_span

logger = logging.getLogger(__name__)
BLOCKED_OUTPUT = ("I can't give that answer: part of it isn't supported by our documents or your account "
                  "records. I can pass you to a colleague if you'd like.")


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
