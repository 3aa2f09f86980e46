"""Indirect injection: scan document chunks at ingest for instructions aimed at the assistant, and present
retrieved passages to a model as quoted data.

Chunks are checked sentence by sentence, because a planted instruction is usually one sentence inside
ordinary policy text. Only the rule families that policy pages have no reason to contain count here:
overriding the assistant's rules, asking for its prompt, faking prompt markup or addressing the AI
("Note to AI:", "</passage>", "SYSTEM:"), claiming privileges, plus a few document-only patterns (a tool
called by its snake_case name, "you are now an unrestricted AI"). The message families `role_play`,
`tool_abuse`, `exfiltration` and `new_task` are left out: policy pages describe fraudsters who "pretend to
be from the bank", phones that are "jailbroken", payments "without restrictions" and addresses to "send
your complaint to", which those patterns were written to catch in a customer's message.

The trained message classifier is not used by default either: it learned what customer messages look
like, and measured on the bank's policy pages it flagged 352 of 470 chunks. A detector trained with
document text among its negatives can be passed in as `detector`.
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
# Bump when the patterns change: an index scanned by another version is scanned again on the next run.
SCAN_VERSION = 2
_ALWAYS = {"fake_markup", "prompt_leak", "privilege"}
_DOCUMENT_FAMILIES = {"override", "prompt_leak", "fake_markup", "privilege"}
# Instructions a planted page gives the model that read it. Matched against the folded text (lower case,
# look-alikes mapped, "_" read as a space), like the message rules.
_DOCUMENT_PATTERNS = {
    "fake_markup": re.compile(r"<\|?\s*(?:im[ _]?start|im[ _]?end|system|endoftext)\s*\|?>"),
    "ignore_sources": re.compile(r"\b(?:ignore|disregard)\b.{0,20}\b(?:passages?|context|(?:other|the) documents?)\b"
                                 r"|\bwhatever (?:the|these|other) (?:documents?|passages?|sources?|pages?) says?\b"),
    "address_reader": re.compile(r"\b(?:tell|instruct|advise|ask|direct) (?:the )?(?:user|users|reader|readers)\b"
                                 r"|\b(?:end|start|begin|finish) (?:every|each|all|your) "
                                 r"(?:answers?|replies|responses?)\b"
                                 r"|\bwhen (?:summari[sz]ing|you summari[sz]e) (?:this|the)\b"),
    "mode_switch": re.compile(r"\b(?:god|dan|jailbreak|unrestricted) mode\b|\bdo anything now\b"),
    "persona": re.compile(r"\byou are (?:now|no longer) (?:a |an |the )?(?:\w+ )?(?:assistant|ai|bot|chatbot|model)\b"),
}
# A tool called by its snake_case name ("call get_balance"): matched on the text before folding.
_TOOL_CALL = re.compile(r"\b(?:call|invoke|run|execute|use) (?:the )?(?:\w+ )?[a-z]+_[a-z_]+\b")
_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")


def _sentences(text: str) -> list[str]:
    parts = [p.strip() for p in _SENTENCE.split(text) if p and p.strip()]
    # Short fragments ("Yes.", "Fees") carry no instruction and only cost embedding time.
    return [p for p in parts if len(p) >= 12] or [text]


def _sentence_reasons(sentence: str) -> list[str]:
    detection = normalize(sentence, max_chars=MAX_CHUNK_CHARS, allow_empty=True).detection
    families = {h.family for h in match_rules(detection)} & _DOCUMENT_FAMILIES
    reasons = [f"rule:{f}" for f in sorted(families)]
    reasons.extend(f"rule:{name}" for name, rx in _DOCUMENT_PATTERNS.items() if rx.search(detection))
    if _TOOL_CALL.search(sentence.lower()):
        reasons.append("rule:tool_call")
    return reasons


def scan_chunk(text: str, *, detector: InjectionDetector | None = None) -> GuardVerdict:
    """Does this chunk carry instructions to the assistant? `detector` None means the document rules only."""
    started = time.perf_counter()
    norm = normalize(text, max_chars=MAX_CHUNK_CHARS, what="document chunk", allow_empty=True)
    if not norm.text:
        return GuardVerdict(flagged=False, score=0.0, latency_ms=(time.perf_counter() - started) * 1000)
    # Markup can span lines ("</passage>\n<system>"), so these families are also matched on the whole chunk.
    reasons = [f"rule:{f}" for f in sorted({h.family for h in match_rules(norm.detection)} & _ALWAYS)]
    sentences = _sentences(norm.text)
    for sentence in sentences:
        reasons.extend(_sentence_reasons(sentence))
    score = 1.0 if reasons else 0.0
    if detector is not None:
        verdicts = detector.run_batch(texts=sentences)
        score = max([score, *(v.score for v in verdicts)])
        for v in verdicts:
            if v.flagged:
                reasons.extend(v.reasons or ("classifier",))
    reasons = list(dict.fromkeys(reasons))
    return GuardVerdict(flagged=bool(reasons), score=float(score), reasons=tuple(reasons),
                        latency_ms=(time.perf_counter() - started) * 1000)


class ChunkScanner:
    """Guard stage for ingest: flags document chunks that carry instructions to the assistant.

    `name` carries the scan version, so an index can tell whether its stored flags came from this scanner."""

    def __init__(self, *, detector: InjectionDetector | None = None) -> None:
        self.detector = detector
        suffix = "" if detector is None else f"+{detector.name}"
        self.name = f"ingest_scan/{SCAN_VERSION}{suffix}"

    def warm_up(self) -> None:
        if self.detector is not None:
            self.detector.warm_up()

    def run(self, *, text: str) -> GuardVerdict:
        return scan_chunk(text, detector=self.detector)


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

