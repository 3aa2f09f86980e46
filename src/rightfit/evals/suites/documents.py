"""Suites over the documents: retrieval (does the right document come back) and answers (is the answer right,
cited, and withheld when the documents do not say)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from rightfit.core.errors import ConfigError
from rightfit.evals.answers import contains_answer, unsupported_by_gold
from rightfit.evals.suites.base import EvalEnv, Judgement, SuiteItem, read_jsonl

QA_SPLITS = ("test", "calibration", "all")


def _check_split(split: object) -> None:
    if split not in QA_SPLITS:
        raise ConfigError(f"split = {split!r} is not one of {', '.join(QA_SPLITS)}")


def _qa_items(path: Path, split: str) -> list[SuiteItem]:
    from rightfit.evals.answers import QAItem

    items = read_jsonl(path, ["question"])
    if split == "all":
        return items
    # The same deterministic split as `rightfit eval answers`: thresholds are calibrated on the other part.
    return [i for i in items if QAItem(i.id, "", None, ()).split == split]


@dataclass(frozen=True)
class RetrievalSuite:
    """Answerable questions of a QA file: the gold document in the top k, and its reciprocal rank."""

    path: Path
    split: str = "all"
    k: int = 5
    kind: str = "retrieval"
    lower_is_better: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        _check_split(self.split)
        if isinstance(self.k, bool) or not isinstance(self.k, int) or not 1 <= self.k <= 10:
            raise ConfigError(f"k = {self.k!r} must be a whole number from 1 to 10 (recall@k is scored on the "
                              "top 10)")

    def items(self) -> Sequence[SuiteItem]:
        return [i for i in _qa_items(self.path, self.split) if i.data.get("answer") is not None and
                i.data.get("doc_ids")]

    def judge(self, env: EvalEnv, item: SuiteItem) -> Judgement:
        response = env.qa.search(query=str(item.data["question"]), top_k=max(10, self.k))
        ranked: list[str] = []
        for hit in response.hits:
            doc = hit.chunk.doc_id if hit.chunk is not None else ""
            if doc and doc not in ranked:
                ranked.append(doc)
        gold = {str(d) for d in item.data["doc_ids"]}
        rank = next((r for r, d in enumerate(ranked[:10], start=1) if d in gold), None)
        hit_k = rank is not None and rank <= self.k
        return Judgement(
            passed=hit_k, resolved=hit_k, output=" ".join(ranked[: self.k]),
            scores={f"recall@{self.k}": float(hit_k), "mrr@10": 1.0 / rank if rank else 0.0},
            detail="" if hit_k else f"gold {sorted(gold)} not in top {self.k}: {ranked[: self.k]}")


@dataclass(frozen=True)
class AnswerSuite:
    """Questions with a gold short answer (or none when the documents do not answer them)."""

    path: Path
    split: str = "test"
    kind: str = "answers"
    lower_is_better: frozenset[str] = frozenset({"hallucination", "false_abstention"})

    def __post_init__(self) -> None:
        _check_split(self.split)

    def items(self) -> Sequence[SuiteItem]:
        return _qa_items(self.path, self.split)

    def judge(self, env: EvalEnv, item: SuiteItem) -> Judgement:
        answer = env.qa.ask(question=str(item.data["question"]))
        gold = item.data.get("answer")
        given = not answer.abstained and bool(answer.text)
        output = "(abstained)" if not given else (answer.text or "")
        # Hallucination is measured over the answers given: any answer to an unanswerable question, or an
        # answer with a figure or name that none of the gold documents contains.
        if gold is None:
            scores = {"abstention_recall": float(not given)}
            if given:
                scores["hallucination"] = 1.0
            return Judgement(passed=not given, resolved=not given, output=output, scores=scores,
                             detail="" if not given else f"answered an unanswerable question: {output[:160]!r}")
        right = given and contains_answer(answer.text, str(gold))
        gold_docs = {str(d) for d in item.data.get("doc_ids") or ()}
        scores = {"accuracy": float(right), "false_abstention": float(not given)}
        if given:
            scores["citation_hit"] = float(any(c.doc_id in gold_docs for c in answer.citations))
            scores["hallucination"] = float(unsupported_by_gold(output, gold_docs, env.qa.store.document_text,
                                                                known=env.settings.answer.known_terms))
        detail = "" if right else ("abstained" if not given else f"expected {gold!r}, got {output[:160]!r}")
        return Judgement(passed=right, resolved=right, output=output, scores=scores, detail=detail)
