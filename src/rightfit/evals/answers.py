"""Answer quality on a QA file, and the abstention threshold calibrated without touching the test split.

QA file: JSONL with "id", "question", gold "answer" (null when the documents do not answer it) and gold
"doc_ids". Questions are split deterministically by id into a calibration part and a test part; the
threshold is chosen on the calibration part only and every reported figure comes from the test part.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import time
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from rightfit.core.errors import InvalidInputError
from rightfit.evals.metrics import percentile
from rightfit.types import Answer

CALIBRATION_SHARE = 0.4


@dataclass(frozen=True, slots=True)
class QAItem:
    qid: str
    question: str
    answer: str | None
    doc_ids: tuple[str, ...]

    @property
    def answerable(self) -> bool:
        return self.answer is not None

    @property
    def split(self) -> str:
        h = int(hashlib.sha256(self.qid.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF
        return "calibration" if h < CALIBRATION_SHARE else "test"


def load_qa(path: Path) -> list[QAItem]:
    items: list[QAItem] = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInputError(f"eval: cannot read QA file {path}: {exc}") from None
    for lineno, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
            answer = obj.get("answer")
            item = QAItem(qid=str(obj.get("id", lineno)), question=str(obj["question"]),
                          answer=None if answer is None else str(answer),
                          doc_ids=tuple(str(d) for d in obj.get("doc_ids") or ()))
        except (json.JSONDecodeError, KeyError, TypeError, AttributeError):
            raise InvalidInputError(
                f"eval: {path} line {lineno}: expected {{\"id\", \"question\", \"answer\" (or null), \"doc_ids\"}}"
            ) from None
        items.append(item)
    if not items:
        raise InvalidInputError(f"eval: {path} has no questions")
    return items


def normalize_answer(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower()
    text = re.sub(r"(?<=\d),(?=\d{3})", "", text)  # £1,000 == £1000
    text = re.sub(r"[^\w£$€%.\s]", " ", text)
    text = re.sub(r"(?<!\d)\.|\.(?!\d)", " ", text)  # keep decimal points only
    return " ".join(text.split())


def contains_answer(predicted: str | None, gold: str) -> bool:
    if not predicted:
        return False
    p, g = normalize_answer(predicted), normalize_answer(gold)
    return bool(g) and (p == g or f" {g} " in f" {p} ")


@dataclass(frozen=True, slots=True)
class Judged:
    item: QAItem
    answer: Answer
    seconds: float

    @property
    def correct(self) -> bool:
        return self.item.answer is not None and contains_answer(self.answer.text, self.item.answer)

    @property
    def cites_gold(self) -> bool:
        return any(c.doc_id in self.item.doc_ids for c in self.answer.citations)


@dataclass(frozen=True, slots=True)
class AnswerReport:
    split: str
    threshold: float
    answerable: int
    unanswerable: int
    accuracy: float  # correct and not abstained, over answerable questions
    citation_precision: float  # answers citing a gold document, over answers given to answerable questions
    abstention_unanswerable: float  # abstained, over unanswerable questions
    false_abstention: float  # abstained, over answerable questions
    p50_ms: float
    p95_ms: float

    def table(self) -> str:
        return "\n".join([
            f"split {self.split}: {self.answerable} answerable, {self.unanswerable} unanswerable; "
            f"threshold {self.threshold:.3f}",
            f"  answer accuracy (exact or contained), answerable   {self.accuracy:7.1%}",
            f"  answers citing a gold document                     {self.citation_precision:7.1%}",
            f"  abstained on unanswerable                          {self.abstention_unanswerable:7.1%}",
            f"  abstained on answerable (missed)                   {self.false_abstention:7.1%}",
            f"  latency p50 / p95                                  {self.p50_ms:.0f} / {self.p95_ms:.0f} ms",
        ])


def judge(items: Sequence[QAItem], ask: Callable[[str], Answer],
          progress: Callable[[int, int], None] | None = None) -> list[Judged]:
    """Ask every question with abstention off (threshold 0), so one pass serves every threshold."""
    out = []
    for i, item in enumerate(items, start=1):
        started = time.perf_counter()
        answer = ask(item.question)
        out.append(Judged(item, answer, time.perf_counter() - started))
        if progress is not None:
            progress(i, len(items))
    return out


def report(judged: Sequence[Judged], threshold: float, split: str) -> AnswerReport:
    ans = [j for j in judged if j.item.answerable]
    una = [j for j in judged if not j.item.answerable]
    given = [j for j in ans if j.answer.confidence >= threshold]
    lat = [j.seconds * 1000 for j in judged]
    return AnswerReport(
        split=split, threshold=threshold, answerable=len(ans), unanswerable=len(una),
        accuracy=sum(j.correct for j in given) / max(1, len(ans)),
        citation_precision=sum(j.cites_gold for j in given) / max(1, len(given)),
        abstention_unanswerable=sum(j.answer.confidence < threshold for j in una) / max(1, len(una)),
        false_abstention=(len(ans) - len(given)) / max(1, len(ans)),
        p50_ms=percentile(lat, 50), p95_ms=percentile(lat, 95),
    )


def calibrate(judged: Sequence[Judged], *, target_abstention: float = 0.9) -> float:
    """Lowest threshold that abstains on at least `target_abstention` of the unanswerable questions.

    The lowest such threshold keeps the most correct answers, so no separate trade-off knob is needed.
    """
    una = sorted(j.answer.confidence for j in judged if not j.item.answerable)
    if not una:
        raise InvalidInputError("eval: calibration needs unanswerable questions (\"answer\": null)")
    # Abstain when confidence < t: t must exceed the k-th smallest confidence, k = ceil(target * n).
    k = min(len(una), max(1, math.ceil(target_abstention * len(una) - 1e-9)))
    return min(1.0, una[k - 1] + 1e-6)
