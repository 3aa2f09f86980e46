"""Whether the bank's cross-encoder reranker, scoring sentences instead of passages, helps the extractive rung.

For each question the extractive scorer ranks the sentences of the top passages; the reranker (trained by
`rightfit tune reranker`, see the README) scores the six best, each with its page title and heading as the
scorer sees them, and the sentence with the best (1 - w) x sentence score + w x sigmoid(reranker logit) is
quoted, that blend being the confidence. Reported per development set and weight: accuracy never abstaining
(how often the chosen sentence contains the gold answer), accuracy at 90% abstention on unanswerable
questions (threshold set on the same questions, so optimistic for every row alike) and the AUC of right
answers against unanswerable questions. Development sets only: the eval set's test split is never scored.
Run: .venv/bin/python benchmarks/answer_sentence_rerank.py --reranker examples/bank/.data/reranker
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from answer_judge import summary  # noqa: E402
from common import BANK, hardware_line  # noqa: E402

WEIGHTS = (0.0, 0.1, 0.2, 0.3, 0.5, 0.7, 1.0)
CANDIDATES = 6


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reranker", type=Path, required=True, help="a reranker directory (rightfit tune reranker)")
    args = ap.parse_args()

    import numpy as np

    from rightfit.answer.extractive import _with_context, readable
    from rightfit.assistant.qa import QAPipeline
    from rightfit.core.settings import load_settings
    from rightfit.evals.answers import contains_answer, load_qa
    from rightfit.retrieval.rerank.stage import CrossEncoderReranker

    settings = load_settings(BANK / "rightfit.toml")
    qa = QAPipeline(settings=settings)
    extractive = qa._extractive(threshold=0.0)  # noqa: SLF001
    reranker = CrossEncoderReranker(model=args.reranker)
    sets = {"qa-dev": load_qa(BANK / "eval" / "qa-dev.jsonl"), "qa-dev2": load_qa(BANK / "eval" / "qa-dev2.jsonl"),
            "calibration split": [i for i in load_qa(BANK / "eval" / "qa.jsonl") if i.split == "calibration"]}
    print(hardware_line())
    print(f"{'questions':<20}{'w':>5}{'never abstaining':>18}{'acc@90%':>10}{'AUC':>8}")
    for name, items in sets.items():
        rows: dict[float, list[tuple[bool, bool, float]]] = {w: [] for w in WEIGHTS}
        for item in items:
            hits = qa._retrieve(item.question, settings.retrieval.fusion, extractive.passages,  # noqa: SLF001
                                allow_flagged=settings.guard.answer_from_flagged)
            sentences, scores = extractive.score(question=item.question, hits=hits)
            if not sentences:
                for w in WEIGHTS:
                    rows[w].append((item.answerable, False, 0.0))
                continue
            top = [int(i) for i in np.argsort(-scores, kind="stable")[:CANDIDATES]]
            logits = reranker.score(item.question, [_with_context(sentences[i], readable(sentences[i])) for i in top])
            probability = 1.0 / (1.0 + np.exp(-np.asarray(logits, dtype=np.float64)))
            for w in WEIGHTS:
                blend = (1 - w) * scores[top] + w * probability
                j = int(np.argmax(blend))
                answer = extractive.compose(question=item.question, sentences=sentences, scores=scores, best=top[j],
                                            confidence=float(blend[j]))
                right = bool(item.answer is not None and answer.text and contains_answer(answer.text, item.answer))
                rows[w].append((item.answerable, right, float(blend[j])))
        for w in WEIGHTS:
            accuracy, auc = summary(rows[w])
            answerable = [r for r in rows[w] if r[0]]
            never = sum(right for _, right, _ in answerable) / max(1, len(answerable))
            print(f"{name:<20}{w:>5.1f}{never:>18.3f}{accuracy:>10.3f}{auc:>8.3f}", flush=True)


if __name__ == "__main__":
    main()
