"""What the guard stages return: frozen dataclasses, shared by the input, ingest and output guards."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class GuardVerdict:
    """Input or document-chunk verdict. `reasons` names what fired ("rule:prompt_leak", "classifier")."""

    flagged: bool
    score: float  # probability-like, 0..1; flagged when at or above the detector's threshold
    reasons: tuple[str, ...] = ()
    latency_ms: float = 0.0


@dataclass(frozen=True, slots=True)
class OutputVerdict:
    """Output-guard verdict: `blocked` answers must not reach the customer."""

    blocked: bool
    reasons: tuple[str, ...] = ()  # e.g. ("system_prompt", "unsupported_link", "unsupported_figure")
    unsupported: tuple[str, ...] = ()  # the links and figures not found in the evidence
    latency_ms: float = 0.0
