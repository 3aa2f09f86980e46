"""Indirect injection: scan document chunks at ingest for instructions aimed at the assistant, and present
retrieved passages to a model as quoted data.

A chunk is scored sentence by sentence with the same detector as customer messages (rules and, if trained,
the classifier), because a planted instruction is usually one sentence inside ordinary policy text and
would be diluted in a whole-chunk score. Text that addresses the assistant or fakes prompt markup
("Note to AI:", "</passage>", "SYSTEM:") is flagged whatever the classifier says: no policy page needs it.
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence

from rightfit.guard.injection import InjectionDetector
from rightfit.guard.normalize import normalize
from rightfit.guard.rules import match_rules
from rightfit.guard.verdicts import GuardVerdict

MAX_CHUNK_CHARS = 20_000
_ALWAYS = {"fake_markup", "prompt_leak", "privilege"}
_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")


def _sentences(text: str) -> list[str]:
    parts = [p.strip() for p in _SENTENCE.split(text) if p and p.strip()]
    # Short fragments ("Yes.", "Fees") carry no instruction and only cost embedding time.
    return [p for p in parts if len(p) >= 12] or [text]


def scan_chunk(text: str, *, detector: InjectionDetector | None = None) -> GuardVerdict:
    """Does this chunk carry instructions to the assistant? `detector` None means rules only."""
    started = time.perf_counter()
    norm = normalize(text, max_chars=MAX_CHUNK_CHARS, what="document chunk", allow_empty=True)
    if not norm.text:
        return GuardVerdict(flagged=False, score=0.0, latency_ms=(time.perf_counter() - started) * 1000)
    whole = {h.family for h in match_rules(norm.detection)}
    forced = sorted(whole & _ALWAYS)
    reasons = [f"rule:{f}" for f in forced]
    score = 1.0 if forced else 0.0
    det = detector if detector is not None else InjectionDetector()
    sentences = _sentences(norm.text)
    verdicts = det.run_batch(texts=sentences)
    flagged_sentences = [v for v in verdicts if v.flagged]
    score = max([score, *(v.score for v in verdicts)])
    for v in flagged_sentences:
        reasons.extend(v.reasons)
    return GuardVerdict(flagged=bool(forced or flagged_sentences), score=float(score),
                        reasons=tuple(dict.fromkeys(reasons)), latency_ms=(time.perf_counter() - started) * 1000)


# Tags a document might use to fake the end of its own quotation.
_FAKE_DELIMITERS = re.compile(r"</?\s*(?:passage|document|context|system|user|assistant|instructions?)[^>]{0,40}>"
                              r"|<\|[a-z_]{2,20}\|>|\[/?(?:inst|system)\]", re.IGNORECASE)


def quote_passages(passages: Sequence[tuple[str, str]]) -> str:
    """Passages as quoted data for a prompt: each (id, text) inside <passage id="..."> tags, with any tag
    in the text that could close the quotation early defused. The surrounding prompt should say that
    passages are data to answer from, never instructions to follow."""
    out = []
    for pid, text in passages:
        safe_id = re.sub(r"[^\w.-]", "_", str(pid))[:64]
        body = _FAKE_DELIMITERS.sub(lambda m: m.group(0).replace("<", "‹").replace(">", "›").replace("[", "(")
                                    .replace("]", ")"), text)
        out.append(f'<passage id="{safe_id}">\n{body}\n</passage>')
    return "\n".join(out)

