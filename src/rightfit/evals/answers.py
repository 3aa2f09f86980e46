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
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rightfit.core.errors import InvalidInputError
from rightfit.core.jsonio import loads as loads_json
from rightfit.evals.metrics import percentile
from rightfit.types import Answer

CALIBRATION_SHARE = 0.4


@dataclass(frozen=True, slots=True)
class QAItem:
    qid: str
    question: str
    answer: str | None
    doc_ids: tuple[str, ...]
    line: int = field(default=0, compare=False)  # in the QA file, for messages; 0 when not read from one

    @property
    def answerable(self) -> bool:
        return self.answer is not None

    @property
    def split(self) -> str:
        h = int(hashlib.sha256(self.qid.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF
        return "calibration" if h < CALIBRATION_SHARE else "test"


QA_FIELDS = '{"id", "question", "answer" (or null), "doc_ids"}'
# Problems listed in one error; the rest are counted, so a wholly wrong file does not print thousands of lines.
MAX_LISTED_PROBLEMS = 10


def _qid(obj: dict[str, object], lineno: int) -> object:
    """The question's id: a string, a whole number read as one ("id": 7 is "7"), or the line number."""
    qid = obj.get("id", str(lineno))
    return str(qid) if isinstance(qid, int) and not isinstance(qid, bool) else qid


def _qa_line(obj: object, lineno: int, max_question_chars: int | None) -> tuple[QAItem | None, list[str]]:
    """One line's item, or the problems that stop it being one (each says what to write instead)."""
    if not isinstance(obj, dict):
        return None, [f"expected a JSON object {QA_FIELDS}"]
    problems: list[str] = []
    qid = _qid(obj, lineno)
    if not isinstance(qid, str) or not qid.strip():
        problems.append(f"\"id\" must be a non-empty string (or a whole number), got {qid!r}")
    question = obj.get("question")
    if "question" not in obj:
        problems.append("\"question\" is missing")
    elif not isinstance(question, str):
        problems.append(f"\"question\" must be a string, got {question!r}")
    elif not question.strip():
        problems.append("\"question\" is empty; write the question or delete the line")
    elif max_question_chars is not None and len(question) > max_question_chars:
        problems.append(f"\"question\" is {len(question)} characters; the limit ([limits] max_query_chars) is "
                        f"{max_question_chars}")
    answer = obj.get("answer")
    if "answer" not in obj:
        problems.append("\"answer\" is missing; write \"answer\": null for a question the documents do not answer")
    elif answer is not None and not isinstance(answer, str):
        problems.append(f"\"answer\" must be a string or null, got {answer!r}"
                        + (f"; write \"answer\": \"{answer}\"" if isinstance(answer, (int, float))
                           and not isinstance(answer, bool) else ""))
    elif answer is not None and not answer.strip():
        problems.append("\"answer\" is empty; write the gold answer, or null for a question the documents do "
                        "not answer")
    doc_ids = obj.get("doc_ids")
    if doc_ids is None:
        doc_ids = []
    elif isinstance(doc_ids, str):
        problems.append(f"\"doc_ids\" must be a list of document ids; write \"doc_ids\": [{json.dumps(doc_ids)}]")
    elif not isinstance(doc_ids, list) or not all(isinstance(d, str) and d.strip() for d in doc_ids):
        problems.append(f"\"doc_ids\" must be a list of non-empty strings, got {doc_ids!r}")
    if problems:
        return None, problems
    assert isinstance(qid, str) and isinstance(question, str) and isinstance(doc_ids, list)  # checked above
    return QAItem(qid=qid, question=question, answer=answer, doc_ids=tuple(doc_ids), line=lineno), []


def load_qa(path: Path, *, max_question_chars: int | None = None) -> list[QAItem]:
    """Every question in a QA file, checked as a whole before any is asked.

    Every problem is reported at once with its line, so a long eval never stops part-way over a bad line and
    the file is fixed in one pass. `max_question_chars` refuses questions the assistant would refuse.
    """
    try:
        # utf-8-sig: editors on Windows save a byte-order mark, which is no part of the first line's JSON.
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInputError(f"eval: cannot read QA file {path}: {exc}") from None
    items: list[QAItem] = []
    problems: list[str] = []
    first_line: dict[str, int] = {}
    for lineno, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            obj = loads_json(line)
        except json.JSONDecodeError as exc:
            problems.append(f"{path} line {lineno}: invalid JSON ({exc.msg}); expected {QA_FIELDS}")
            continue
        item, found = _qa_line(obj, lineno, max_question_chars)
        problems.extend(f"{path} line {lineno}: {p}" for p in found)
        qid = _qid(obj, lineno) if isinstance(obj, dict) else None
        if isinstance(qid, str) and qid in first_line:  # checked on bad lines too, so one pass finds every clash
            problems.append(f"{path} line {lineno}: id {qid!r} is already used on line {first_line[qid]}; "
                            "give each question its own id (ids decide the calibration/test split)")
            continue
        if isinstance(qid, str):
            first_line[qid] = lineno
        if item is not None:
            items.append(item)
    if problems:
        listed = "\n  ".join(problems[:MAX_LISTED_PROBLEMS])
        more = len(problems) - MAX_LISTED_PROBLEMS
        raise InvalidInputError(f"eval: {len(problems)} problem(s) in QA file {path}; fix them and run again:\n  "
                                + listed + (f"\n  ... and {more} more" if more > 0 else ""))
    if not items:
        raise InvalidInputError(f"eval: {path} has no questions; each line is {QA_FIELDS}")
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


def token_f1(predicted: str | None, gold: str) -> float:
    """SQuAD-style token F1 between an answer and the gold short answer."""
    if not predicted:
        return 0.0
    p, g = normalize_answer(predicted).split(), normalize_answer(gold).split()
    common = sum(min(p.count(t), g.count(t)) for t in set(g))
    if common == 0:
        return 0.0
    precision, recall = common / len(p), common / len(g)
    return 2 * precision * recall / (precision + recall)


@dataclass(frozen=True, slots=True)
class Judged:
    item: QAItem
    answer: Answer
    seconds: float

    def given(self, threshold: float | None) -> bool:
        """Whether an answer was given: by the threshold for a confidence-scored rung, else as returned."""
        if threshold is None:
            return not self.answer.abstained
        return self.answer.text is not None and self.answer.confidence >= threshold

    @property
    def correct(self) -> bool:
        return self.item.answer is not None and contains_answer(self.answer.text, self.item.answer)

    @property
    def cited_docs(self) -> list[str]:
        return list(dict.fromkeys(c.doc_id for c in self.answer.citations))

    @property
    def cites_gold(self) -> bool:
        return any(d in self.item.doc_ids for d in self.cited_docs)


@dataclass(frozen=True, slots=True)
class AnswerReport:
    split: str
    threshold: float | None  # None: the rung abstains by itself (generative rungs)
    answerable: int
    unanswerable: int
    accuracy: float  # answered and containing the gold answer, over answerable questions
    token_f1: float  # mean over answerable questions (0 when abstained)
    citation_precision: float  # cited documents that are gold, over answers to answerable questions
    citation_hit: float  # answers to answerable questions citing at least one gold document
    citation_recall: float  # gold documents cited, over the gold documents of answered answerable questions
    abstention_recall: float  # unanswerable questions abstained on
    abstention_precision: float  # abstentions that were on unanswerable questions
    false_abstention: float  # answerable questions abstained on
    hallucination: float  # answers given to unanswerable questions, or with a figure or name no gold document has
    answered_unanswerable: int  # the hallucinations of the first kind
    outside_gold: int  # of the second kind: a figure or name none of the question's gold documents contains
    verifier_rejected: float  # questions whose drafted answer the verifier refused (an abstention instead)
    p50_ms: float
    p95_ms: float

    def table(self) -> str:
        t = "its own abstention" if self.threshold is None else f"threshold {self.threshold:.3f}"
        return "\n".join([
            f"split {self.split}: {self.answerable} answerable, {self.unanswerable} unanswerable; {t}",
            f"  answer accuracy (exact or contained), answerable   {self.accuracy:7.1%}",
            f"  token F1, answerable                               {self.token_f1:7.3f}",
            f"  citation precision / answers citing a gold doc     {self.citation_precision:7.1%} / "
            f"{self.citation_hit:.1%}",
            f"  citation recall (gold documents cited)             {self.citation_recall:7.1%}",
            f"  abstained on unanswerable (abstention recall)      {self.abstention_recall:7.1%}",
            f"  abstention precision                               {self.abstention_precision:7.1%}",
            f"  abstained on answerable (missed)                   {self.false_abstention:7.1%}",
            f"  hallucination rate (of answers given)              {self.hallucination:7.1%}",
            f"    answers to unanswerable questions / with a figure or name outside the gold documents  "
            f"{self.answered_unanswerable} / {self.outside_gold}",
            f"  drafts the verifier refused (of questions)         {self.verifier_rejected:7.1%}",
            f"  latency p50 / p95                                  {self.p50_ms:.0f} / {self.p95_ms:.0f} ms",
        ])


def judge(items: Sequence[QAItem], ask: Callable[[str], Answer],
          progress: Callable[[int, int], None] | None = None) -> list[Judged]:
    """Ask every question once; a confidence-scored rung should run with its threshold at 0 so one pass
    serves every threshold."""
    out = []
    for i, item in enumerate(items, start=1):
        started = time.perf_counter()
        answer = ask(item.question)
        out.append(Judged(item, answer, time.perf_counter() - started))
        if progress is not None:
            progress(i, len(items))
    return out


def not_in_gold(text: str | None, doc_ids: Iterable[str], doc_text: Callable[[str], str], *,
                known: Collection[str] = ()) -> tuple[str, ...]:
    """The figures (amounts, numbers, dates ...) and names of an answer that none of the gold documents
    contains: the verifier's check, against the documents that answer the question instead of those cited."""
    from rightfit.answer.verify import unsupported_terms

    if not text:
        return ()
    return unsupported_terms(text, " ".join(doc_text(d) for d in doc_ids), known=known)


def unsupported_by_gold(text: str | None, doc_ids: Iterable[str], doc_text: Callable[[str], str], *,
                        known: Collection[str] = ()) -> bool:
    return bool(not_in_gold(text, doc_ids, doc_text, known=known))


def answer_rows(judged: Sequence[Judged], threshold: float | None, doc_text: Callable[[str], str], *,
                known: Collection[str] = ()) -> list[dict[str, object]]:
    """One record per question, to see which answers the report counted how: given at `threshold`, right,
    and the figures and names of a given answer that no gold document contains."""
    rows: list[dict[str, object]] = []
    for j in judged:
        given = j.given(threshold)
        unsupported = (not_in_gold(j.answer.text, j.item.doc_ids, doc_text, known=known)
                       if given and j.item.answerable else ())
        rows.append({
            "id": j.item.qid, "split": j.item.split, "question": j.item.question, "gold": j.item.answer,
            "gold_doc_ids": list(j.item.doc_ids), "answer": j.answer.text, "confidence": round(j.answer.confidence, 4),
            "threshold": threshold, "given": given, "correct": given and j.correct,
            "hallucination": given and (not j.item.answerable or bool(unsupported)),
            "not_in_gold": list(unsupported), "cited_doc_ids": j.cited_docs, "refused_by_verifier": j.answer.rejected,
            "reason": j.answer.reason, "ms": round(j.seconds * 1000, 1)})
    return rows


def report(judged: Sequence[Judged], threshold: float | None, split: str,
           doc_text: Callable[[str], str] | None = None, *, known: Collection[str] = ()) -> AnswerReport:
    ans = [j for j in judged if j.item.answerable]
    una = [j for j in judged if not j.item.answerable]
    given_ans = [j for j in ans if j.given(threshold)]
    given = [j for j in judged if j.given(threshold)]
    abstained = [j for j in judged if not j.given(threshold)]
    lat = [j.seconds * 1000 for j in judged]
    answered_unanswerable = sum(1 for j in given if not j.item.answerable)
    outside_gold = 0 if doc_text is None else sum(
        1 for j in given_ans if unsupported_by_gold(j.answer.text, j.item.doc_ids, doc_text, known=known))
    precisions = [sum(d in j.item.doc_ids for d in j.cited_docs) / len(j.cited_docs)
                  for j in given_ans if j.cited_docs]
    recalls = [len(set(j.item.doc_ids) & set(j.cited_docs)) / len(set(j.item.doc_ids))
               for j in given_ans if j.item.doc_ids]
    return AnswerReport(
        split=split, threshold=threshold, answerable=len(ans), unanswerable=len(una),
        accuracy=sum(j.correct for j in given_ans) / max(1, len(ans)),
        token_f1=sum(token_f1(j.answer.text, j.item.answer or "") for j in given_ans) / max(1, len(ans)),
        citation_precision=sum(precisions) / max(1, len(precisions)),
        citation_hit=sum(j.cites_gold for j in given_ans) / max(1, len(given_ans)),
        citation_recall=sum(recalls) / max(1, len(recalls)),
        abstention_recall=sum(not j.given(threshold) for j in una) / max(1, len(una)),
        abstention_precision=sum(not j.item.answerable for j in abstained) / max(1, len(abstained)),
        false_abstention=(len(ans) - len(given_ans)) / max(1, len(ans)),
        hallucination=(answered_unanswerable + outside_gold) / max(1, len(given)),
        answered_unanswerable=answered_unanswerable, outside_gold=outside_gold,
        verifier_rejected=sum(j.answer.rejected for j in judged) / max(1, len(judged)),
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
