"""A judged rung: the extractive answer, given only when a small model agrees that it answers the question.

The extractive sentence score ranks sentences well but tells a near miss ("the ATM limit" for a question
about the contactless limit) from a real answer poorly. A chat model asked one yes/no question about the
chosen sentence does that better, and costs one prompt of a few hundred tokens and one generated token.
The answer is still the quoted sentence with its citation: the model decides whether to give it, never
what it says, so it cannot invent anything.

Confidence = (1 - weight) * sentence score + weight * P(yes); below the threshold the rung abstains. When
not even P(yes) = 1 could lift the sentence score over the threshold, the model is not asked.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from rightfit.answer.extractive import ExtractiveAnswerer
from rightfit.core.protocols import YesNoModel
from rightfit.telemetry.tracing import stage_span
from rightfit.types import Answer, Citation, Hit

SYSTEM = ("You check whether a passage from a bank's help pages answers a customer's question. "
          "Reply with one word: yes or no.")


def judge_messages(*, question: str, answer: str, citation: Citation) -> list[dict[str, str]]:
    """The judge's prompt: the quoted answer under its page title and section, then the question."""
    parts = (citation.title, citation.section.rsplit(" > ", 1)[-1])
    heading = " - ".join(dict.fromkeys(p for p in parts if p))
    user = (f"Passage from \"{heading}\":\n{answer}\n\nQuestion: {question}\n\n"
            "Does the passage answer this question? Answer yes or no.")
    return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": user}]


class JudgedAnswerer:
    """Stage: extractive answers that a yes/no model confirms, or abstention."""

    def __init__(self, *, extractive: ExtractiveAnswerer, model: YesNoModel, weight: float = 0.5,
                 threshold: float = 0.5) -> None:
        if not 0.0 <= weight <= 1.0 or not 0.0 <= threshold <= 1.0:
            raise ValueError(f"judged: weight and threshold must be within [0, 1], got {weight}, {threshold}")
        if extractive.threshold != 0.0:
            raise ValueError("judged: the extractive answerer must not abstain by itself (threshold 0); the "
                             "judged rung applies its own threshold to the blended confidence")
        self.extractive = extractive
        self.model = model
        self.weight = weight
        self.threshold = threshold
        self.passages = extractive.passages
        self.name = f"extractive+{model.model_id}"

    def warm_up(self) -> None:
        self.extractive.warm_up()
        self.model.warm_up()

    def run(self, *, question: str, hits: Sequence[Hit]) -> Answer:
        draft = self.extractive.run(question=question, hits=hits)
        if draft.text is None or not draft.citations:
            return draft
        score = draft.confidence
        best_possible = (1.0 - self.weight) * score + self.weight
        if best_possible < self.threshold:
            return dataclasses.replace(
                draft, text=None, abstained=True, citations=(), confidence=(1.0 - self.weight) * score,
                reason=f"sentence score {score:.2f} is too low for the judge to lift it over {self.threshold:.2f}")
        with stage_span("judge", model=self.model.model_id) as span:
            p_yes = self.model.yes_probability(
                messages=judge_messages(question=question, answer=draft.text, citation=draft.citations[-1]))
            span.set_attributes({"sentence_score": score, "p_yes": p_yes})
        confidence = (1.0 - self.weight) * score + self.weight * p_yes
        if confidence < self.threshold:
            return dataclasses.replace(
                draft, text=None, abstained=True, citations=(), confidence=confidence,
                reason=f"confidence {confidence:.2f} (sentence {score:.2f}, judge {p_yes:.2f}) is below the "
                       f"threshold {self.threshold:.2f}")
        return dataclasses.replace(draft, confidence=confidence)
