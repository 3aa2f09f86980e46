"""Judging more than one candidate answer: the best sentence of each of the top K chunks, each judged.

For each question the judged rung's candidates (`JudgedAnswerer.drafts`: the extractive answer, then again
with its chunk set aside, up to K) are each shown to the judge model (same prompt as the rung).
Reported per weight w and K: answering with the candidate of the best blended confidence
(1 - w) x sentence score + w x P(yes), accuracy on answerable questions at the threshold that abstains on
90% of the unanswerable ones (set on the same questions: compare rows, not absolute values), the AUC of
right answers against unanswerable questions, and accuracy when never abstaining. Development set only.
Run: .venv/bin/python benchmarks/answer_judge_candidates.py --qa examples/bank/eval/qa-dev.jsonl --limit 120
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from answer_judge import summary  # noqa: E402
from common import BANK, hardware_line, pct  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--qa", type=Path, default=BANK / "eval" / "qa-dev.jsonl")
    ap.add_argument("--split", default="all", help="calibration, test or all (all for qa-dev.jsonl)")
    ap.add_argument("--model", default="qwen2.5-1.5b")
    ap.add_argument("--candidates", type=int, default=3)
    ap.add_argument("--limit", type=int)
    ap.add_argument("--rows", type=Path, help="Also write each question's candidates (right, sentence score, "
                    "P(yes)) to this JSONL file, for analysis without re-running the judge.")
    args = ap.parse_args()
    if args.rows is not None:
        args.rows.write_text("", encoding="utf-8")  # one run per file; rows are appended as questions finish

    from rightfit.answer.judged import JudgedAnswerer
    from rightfit.assistant.qa import QAPipeline
    from rightfit.core.settings import load_settings
    from rightfit.evals.answers import contains_answer, load_qa
    from rightfit.models.llama import LlamaCppGenerator

    settings = load_settings(BANK / "rightfit.toml")
    qa = QAPipeline(settings=settings)
    items = [i for i in load_qa(args.qa) if args.split in ("all", i.split)][: args.limit]
    model = LlamaCppGenerator(model=args.model, n_ctx=2048, max_tokens=1)
    # The rung's own candidates; every one is judged here (no threshold), to scan weights afterwards.
    rung = JudgedAnswerer(extractive=qa._extractive(threshold=0.0), model=model,  # noqa: SLF001
                          candidates=args.candidates, pages=settings.answer.judge.pages)
    print(hardware_line())
    rows: list[tuple[bool, list[tuple[bool, float, float]]]] = []
    seconds: list[float] = []
    for n, item in enumerate(items, 1):
        hits = qa._retrieve(item.question, settings.retrieval.fusion, settings.answer.passages,  # noqa: SLF001
                            allow_flagged=settings.guard.answer_from_flagged)
        cands: list[tuple[bool, float, float]] = []
        for answer in rung.drafts(item.question, hits):
            if answer.text is None or not answer.citations:
                break
            started = time.perf_counter()
            p_yes = rung.judge(item.question, answer)
            seconds.append(time.perf_counter() - started)
            right = bool(item.answer is not None and contains_answer(answer.text, item.answer))
            cands.append((right, answer.confidence, p_yes))
        rows.append((item.answerable, cands))
        if args.rows is not None:
            with args.rows.open("a", encoding="utf-8") as fh:
                fh.write(json.dumps({"question": item.question, "answerable": item.answerable,
                                     "candidates": [dict(zip(("right", "sentence", "p_yes"), c, strict=True))
                                                    for c in cands]}) + "\n")
        print(f"\r{n}/{len(items)}", end="", file=sys.stderr, flush=True)
    print(f"\n{len(items)} questions from {args.qa.name}; judge {args.model}: p50 {pct(seconds, 50):.2f} s per call, "
          f"{len(seconds) / max(1, len(items)):.2f} calls per question")
    print(f"{'weight':>7}{'K':>3}{'acc@90% abst':>14}{'AUC':>7}{'never abstain':>15}")
    for w in (0.5, 0.75, 1.0):
        for k in range(1, args.candidates + 1):
            points = []
            for answerable, cands in rows:
                if not cands[:k]:
                    points.append((answerable, False, 0.0))
                    continue
                best = max(cands[:k], key=lambda c: (1 - w) * c[1] + w * c[2])  # noqa: B023
                points.append((answerable, best[0], (1 - w) * best[1] + w * best[2]))
            acc, auc = summary(points)
            never = sum(ok for a, ok, _ in points if a) / max(1, sum(a for a, _, _ in points))
            print(f"{w:>7.2f}{k:>3}{acc:>14.3f}{auc:>7.3f}{never:>15.3f}")


if __name__ == "__main__":
    main()
