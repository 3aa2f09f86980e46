"""How much a judge model helps the extractive rung abstain, per weight of its P(yes) in the confidence.

For each question the extractive rung answers without abstaining; the judge model (the judged rung's
`yes_probability`, same prompt) is then asked whether the quoted answer answers the question. Reported
for confidence = (1 - w) x sentence score + w x P(yes) over a range of w: accuracy on answerable
questions at the threshold that abstains on 90% of the unanswerable ones (set on the same questions, so
optimistic for every row alike) and the AUC of right answers against unanswerable questions. Choose w on
the development set (qa-dev.jsonl), never on the test split; `rightfit eval answers --rung
extractive+MODEL` then calibrates the threshold on the calibration split and reports the test split.
Run: .venv/bin/python benchmarks/answer_judge.py --qa examples/bank/eval/qa-dev.jsonl --split all
     [--model qwen2.5-1.5b] [--limit N]
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import BANK, hardware_line, pct  # noqa: E402


def threshold_90(rows: list[tuple[bool, bool, float]]) -> float:
    """The lowest confidence that abstains on 90% of the unanswerable questions of (answerable, right, score)."""
    unans = sorted(score for answerable, _, score in rows if not answerable)
    return unans[math.ceil(0.9 * len(unans)) - 1] + 1e-9


def summary(rows: list[tuple[bool, bool, float]]) -> tuple[float, float]:
    """(accuracy at 90% abstention on unanswerable, AUC of right answers against unanswerable)."""
    unans = sorted(score for answerable, _, score in rows if not answerable)
    right = [score for answerable, ok, score in rows if answerable and ok]
    answerable = [r for r in rows if r[0]]
    if not unans or not answerable:
        return math.nan, math.nan
    threshold = threshold_90(rows)
    accuracy = sum(ok and score >= threshold for _, ok, score in answerable) / len(answerable)
    pairs = [(r > u) + 0.5 * (r == u) for r in right for u in unans]
    return accuracy, sum(pairs) / len(pairs) if pairs else math.nan


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--qa", type=Path, default=BANK / "eval" / "qa.jsonl")
    ap.add_argument("--split", default="calibration", help="calibration, test or all (all for qa-dev.jsonl)")
    ap.add_argument("--model", default="qwen2.5-1.5b")
    ap.add_argument("--limit", type=int)
    args = ap.parse_args()

    from rightfit.answer.judged import JudgedAnswerer
    from rightfit.assistant.qa import QAPipeline
    from rightfit.core.settings import load_settings
    from rightfit.evals.answers import contains_answer, load_qa
    from rightfit.models.llama import LlamaCppGenerator

    settings = load_settings(BANK / "rightfit.toml")
    qa = QAPipeline(settings=settings)
    extractive = qa._extractive(threshold=0.0)
    items = [i for i in load_qa(args.qa) if args.split in ("all", i.split)][: args.limit]
    model = LlamaCppGenerator(model=args.model, n_ctx=2048, max_tokens=1)
    # Only its judge call is used: weights are scanned below.
    rung = JudgedAnswerer(extractive=extractive, model=model, pages=settings.answer.judge.pages)
    rows: list[tuple[bool, bool, float, float]] = []
    seconds: list[float] = []
    for n, item in enumerate(items, 1):
        hits = qa._retrieve(item.question, settings.retrieval.fusion, settings.answer.passages,
                            allow_flagged=settings.guard.answer_from_flagged)
        answer = extractive.run(question=item.question, hits=hits)
        ok = item.answer is not None and contains_answer(answer.text, item.answer)
        judged = 0.0
        if answer.text is not None and answer.citations:
            started = time.perf_counter()
            judged = rung.judge(item.question, answer)
            seconds.append(time.perf_counter() - started)
        rows.append((item.answerable, ok, answer.confidence, judged))
        print(f"\r{n}/{len(items)}", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    print(hardware_line())
    answerable = sum(r[0] for r in rows)
    print(f"{args.qa.name} ({args.split}): {answerable} answerable, {len(items) - answerable} unanswerable; "
          f"judge {args.model}, p50 {pct(seconds, 50):.2f} s, p95 {pct(seconds, 95):.2f} s per question")
    print(f"{'confidence':<40}{'accuracy @ 90% abstention':>27}{'AUC right vs unanswerable':>27}")
    for weight in (0.0, 0.25, 0.4, 0.5, 0.6, 0.75, 1.0):
        label = ("sentence score" if weight == 0 else f"P(yes) from {args.model}" if weight == 1
                 else f"{1 - weight:.2f} x sentence + {weight:.2f} x P(yes)")
        accuracy, auc = summary([(a, ok, (1 - weight) * e + weight * j) for a, ok, e, j in rows])
        print(f"{label:<40}{accuracy:>27.3f}{auc:>27.3f}")


if __name__ == "__main__":
    main()
