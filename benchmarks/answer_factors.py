"""Whether the extractive scorer's hand-set factors are where they should be, on the development sets only.

The scorer multiplies a sentence's score by 0.7 when it offers none of the kinds of value the question wants
("how much" and no amount) and by 1 - 0.6 x the share of question terms no passage mentions. This re-scores
every question with other values of those two factors, and with a third rule tried here only: a "how many X"
question whose sentence does not mention X scored down. Reported per development set: accuracy never
abstaining, accuracy at 90% abstention on unanswerable questions (threshold set on the same questions) and the
AUC of right answers against unanswerable questions. The eval set's test split is never scored.
Run: .venv/bin/python benchmarks/answer_factors.py
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from answer_judge import summary  # noqa: E402
from common import BANK, hardware_line  # noqa: E402

# (answer-type factor, unseen-terms penalty, "how many X" factor); the first row is the scorer as it is.
GRID = ((0.7, 0.6, 1.0), (0.5, 0.6, 1.0), (0.85, 0.6, 1.0), (0.7, 0.4, 1.0), (0.7, 0.8, 1.0), (0.7, 0.6, 0.7),
        (0.7, 0.6, 0.5))
_HOW_MANY = re.compile(r"\bhow many (\w+)", re.IGNORECASE)


def rescore(answerer: Any, question: str, hits: list[Any], *, type_factor: float, unseen_penalty: float,
            focus_factor: float) -> tuple[list[Any], Any]:
    """ExtractiveAnswerer.score with its factors as arguments (kept in step with it by hand)."""
    import numpy as np

    from rightfit.answer import extractive as ex
    from rightfit.answer.answer_types import offered_types, wanted_types

    top = [h for h in hits[: answerer.passages] if h.chunk is not None]
    sentences = [ex.Sentence(h.chunk, rank, s, e) for rank, h in enumerate(top) for s, e in
                 ex.split_sentences(h.chunk.text)]
    if not sentences:
        return [], np.zeros(0)
    bodies = [ex.readable(s) for s in sentences]
    vecs = answerer.embedder.embed([question, *(ex._with_context(s, b) for s, b in zip(sentences, bodies, strict=True))])  # noqa: SLF001, E501
    semantic = np.clip(vecs[1:] @ vecs[0], 0.0, 1.0)
    weights = {t: answerer.idf(t) for t in ex.content_terms(question)}
    total = sum(weights.values()) or 1.0
    wanted = wanted_types(question)
    seen = ex.content_terms(" ".join(f"{h.chunk.title} {' '.join(h.chunk.section)} {h.chunk.text}" for h in top))
    unseen = sum(w for t, w in weights.items() if t not in seen) / total
    headings = {h.chunk.chunk_id: ex.content_terms(" ".join((h.chunk.title, *h.chunk.section))) for h in top}
    many = _HOW_MANY.search(question)
    focus = ex.content_terms(many.group(1)) if many else set()
    scores = np.zeros(len(sentences))
    for i, (sent, text) in enumerate(zip(sentences, bodies, strict=True)):
        own, ctx = ex.content_terms(text), headings[sent.chunk.chunk_id]
        covered = sum(w if t in own else 0.5 * w if t in ctx else 0.0 for t, w in weights.items()) / total
        base = 0.55 * semantic[i] + 0.3 * covered + 0.15 / (1.0 + 0.5 * sent.passage_rank)
        scores[i] = base if not wanted or wanted & offered_types(text) else type_factor * base
        if focus and not focus & own:
            scores[i] *= focus_factor
        scores[i] *= 1.0 - unseen_penalty * unseen
        if ex._ABOUT_THE_PAGE.match(text):  # noqa: SLF001
            scores[i] *= ex.META_FACTOR
    return sentences, scores


def main() -> None:
    import numpy as np

    from rightfit.assistant.qa import QAPipeline
    from rightfit.core.settings import load_settings
    from rightfit.evals.answers import contains_answer, load_qa

    settings = load_settings(BANK / "rightfit.toml")
    qa = QAPipeline(settings=settings)
    answerer = qa._extractive(threshold=0.0)  # noqa: SLF001
    sets = {"qa-dev": load_qa(BANK / "eval" / "qa-dev.jsonl"), "qa-dev2": load_qa(BANK / "eval" / "qa-dev2.jsonl"),
            "calibration split": [i for i in load_qa(BANK / "eval" / "qa.jsonl") if i.split == "calibration"]}
    print(hardware_line())
    print(f"{'questions':<20}{'type':>6}{'unseen':>8}{'how many':>10}{'never abstaining':>18}{'acc@90%':>10}{'AUC':>8}")
    for name, items in sets.items():
        hits = {i.qid: qa._retrieve(i.question, settings.retrieval.fusion, answerer.passages,  # noqa: SLF001
                                    allow_flagged=settings.guard.answer_from_flagged) for i in items}
        for type_factor, unseen_penalty, focus_factor in GRID:
            rows = []
            for item in items:
                sentences, scores = rescore(answerer, item.question, hits[item.qid], type_factor=type_factor,
                                            unseen_penalty=unseen_penalty, focus_factor=focus_factor)
                if not sentences:
                    rows.append((item.answerable, False, 0.0))
                    continue
                best = int(np.argmax(scores))
                answer = answerer.compose(question=item.question, sentences=sentences, scores=scores, best=best,
                                          confidence=float(scores[best]))
                right = bool(item.answer is not None and answer.text and contains_answer(answer.text, item.answer))
                rows.append((item.answerable, right, float(scores[best])))
            accuracy, auc = summary(rows)
            answerable = [r for r in rows if r[0]]
            never = sum(r[1] for r in answerable) / max(1, len(answerable))
            print(f"{name:<20}{type_factor:>6.2f}{unseen_penalty:>8.1f}{focus_factor:>10.1f}{never:>18.3f}"
                  f"{accuracy:>10.3f}{auc:>8.3f}", flush=True)


if __name__ == "__main__":
    main()
