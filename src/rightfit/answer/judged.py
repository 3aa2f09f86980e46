"""A judged rung: the extractive answer, given only when a small model agrees that it answers the question.

The extractive sentence score ranks sentences well but tells a near miss ("the ATM limit" for a question
about the contactless limit) from a real answer poorly. A chat model asked one yes/no question about the
chosen sentence does that better, and costs one prompt of a few hundred tokens and one generated token.
The answer is still the quoted sentence with its citation: the model decides whether to give it, never
what it says, so it cannot invent anything.

Confidence = (1 - weight) * sentence score + weight * P(yes); below the threshold the rung abstains. When
not even P(yes) = 1 could lift the sentence score over the threshold, the model is not asked. With
`candidates` > 1 the best sentence of each of the top chunks is judged and the answer is the candidate with
the best blended confidence (one model call per candidate).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from rightfit.answer.extractive import ExtractiveAnswerer
from rightfit.core.protocols import YesNoModel
from rightfit.telemetry.tracing import stage_span
from rightfit.types import Answer, Citation, Hit

PAGES = "an organisation's help pages"


def system_prompt(pages: str = PAGES) -> str:
    return f"You check whether a passage from {pages} answers a customer's question. Reply with one word: yes or no."


def judge_messages(*, question: str, answer: str, citation: Citation, pages: str = PAGES) -> list[dict[str, str]]:
    """The judge's prompt: the quoted answer under its page title and section, then the question; `pages`
    says what the documents are ("a bank's help pages")."""
    parts = (citation.title, citation.section.rsplit(" > ", 1)[-1])
    heading = " - ".join(dict.fromkeys(p for p in parts if p))
    user = (f"Passage from \"{heading}\":\n{answer}\n\nQuestion: {question}\n\n"
            "Does the passage answer this question? Answer yes or no.")
    return [{"role": "system", "content": system_prompt(pages)}, {"role": "user", "content": user}]


class JudgedAnswerer:
    """Stage: extractive answers that a yes/no model confirms, or abstention."""

    def __init__(self, *, extractive: ExtractiveAnswerer, model: YesNoModel, weight: float = 0.5,
                 threshold: float = 0.5, candidates: int = 1, pages: str = PAGES) -> None:
        if not 0.0 <= weight <= 1.0 or not 0.0 <= threshold <= 1.0:
            raise ValueError(f"judged: weight and threshold must be within [0, 1], got {weight}, {threshold}")
        if not 1 <= candidates <= 5:
            raise ValueError(f"judged: candidates must be between 1 and 5, got {candidates}")
        if extractive.threshold != 0.0:
            raise ValueError("judged: the extractive answerer must not abstain by itself (threshold 0); the "
                             "judged rung applies its own threshold to the blended confidence")
        self.extractive = extractive
        self.model = model
        self.weight = weight
        self.threshold = threshold
        self.candidates = candidates
        self.pages = pages
        self.passages = extractive.passages
        self.name = f"extractive+{model.model_id}"

    def warm_up(self) -> None:
        self.extractive.warm_up()
        self.model.warm_up()

    def drafts(self, question: str, hits: Sequence[Hit]) -> list[Answer]:
        """The extractive answer, then the answer from the passages left once its cited chunks are set aside,
        up to `candidates` drafts: a near miss in the top chunk no longer hides the answer in the next one.
        The first draft may be an abstention (no passages); the later ones always quote something."""
        drafts = [self.extractive.run(question=question, hits=hits)]
        remaining = list(hits)
        while len(drafts) < self.candidates and drafts[-1].text is not None and drafts[-1].citations:
            used = {c.chunk_id for c in drafts[-1].citations}
            remaining = [h for h in remaining if h.chunk_id not in used]
            draft = self.extractive.run(question=question, hits=remaining) if remaining else None
            if draft is None or draft.text is None or not draft.citations:
                break
            drafts.append(draft)
        return drafts

    def judge(self, question: str, draft: Answer, *, candidate: int = 0) -> float:
        """The model's P(yes) that the draft (a quote with a citation) answers the question: one call."""
        with stage_span("judge", model=self.model.model_id, candidate=candidate) as span:
            p_yes = self.model.yes_probability(
                messages=judge_messages(question=question, answer=draft.text or "", citation=draft.citations[-1],
                                        pages=self.pages))
            span.set_attributes({"sentence_score": draft.confidence, "p_yes": p_yes})
        return p_yes

    def blend(self, sentence_score: float, p_yes: float) -> float:
        return (1.0 - self.weight) * sentence_score + self.weight * p_yes

    def run(self, *, question: str, hits: Sequence[Hit]) -> Answer:
        drafts = self.drafts(question, hits)
        first = drafts[0]
        if first.text is None or not first.citations:
            return first
        best: tuple[float, Answer, float] | None = None  # blended confidence, draft, P(yes)
        for n, draft in enumerate(drafts):
            if self.blend(draft.confidence, 1.0) < self.threshold:
                continue  # not even P(yes) = 1 could lift it over the threshold: no model call
            p_yes = self.judge(question, draft, candidate=n)
            confidence = self.blend(draft.confidence, p_yes)
            if best is None or confidence > best[0]:
                best = (confidence, draft, p_yes)
        if best is None:
            score = first.confidence
            return dataclasses.replace(
                first, text=None, abstained=True, citations=(), confidence=self.blend(score, 0.0),
                reason=f"sentence score {score:.2f} is too low for the judge to lift it over {self.threshold:.2f}")
        confidence, draft, p_yes = best
        if confidence < self.threshold:
            return dataclasses.replace(
                draft, text=None, abstained=True, citations=(), confidence=confidence,
                reason=f"confidence {confidence:.2f} (sentence {draft.confidence:.2f}, judge {p_yes:.2f}) is "
                       f"below the threshold {self.threshold:.2f}")
        return dataclasses.replace(draft, confidence=confidence)
