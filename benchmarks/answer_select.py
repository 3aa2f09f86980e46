"""A chat model choosing the answering sentence: numbered candidates, one reply token, "0" for none.

For each question the extractive answerer scores every sentence of the top passages; its K best (readable
form, under their page title and section) are numbered and shown to the model with the question, which
replies with the number of the sentence that answers it, or 0 when none does. The reply's first-token
distribution over "0".."K" is read (one token generated): the chosen sentence is the likeliest of 1..K and
the probability of "0" says how likely the question is unanswerable from these sentences. The answer is
still a quote, so nothing can be invented. Reported for several confidences: accuracy on answerable
questions at the threshold that abstains on 90% of the unanswerable ones (set on the same questions:
compare rows, not absolute values), the AUC of right answers against unanswerable questions, and accuracy
when never abstaining. Choose on the development set only.
Run: .venv/bin/python benchmarks/answer_select.py --qa examples/bank/eval/qa-dev.jsonl --rows select.jsonl
     .venv/bin/python benchmarks/answer_select.py --analyse select.jsonl   (tables again, no model)
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from answer_judge import summary  # noqa: E402
from common import BANK, hardware_line, pct  # noqa: E402

if TYPE_CHECKING:
    from rightfit.answer.extractive import Sentence


def select_messages(*, question: str, sentences: Sequence[Sentence], pages: str) -> list[dict[str, str]]:
    """Numbered sentences, each under its page title and section, then the question; one number wanted."""
    from rightfit.answer.extractive import heading, readable

    lines = [f"{n}. [{heading(sent)}] {readable(sent)}" for n, sent in enumerate(sentences, 1)]
    system = (f"You find which sentence from {pages} answers a customer's question. Reply with one number: the "
              "sentence's number, or 0 if none of the sentences answers the question.")
    user = ("Sentences:\n" + "\n".join(lines) + f"\n\nQuestion: {question}\n\n"
            "Which sentence answers the question? Reply with its number, or 0 if none of them does.")
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]


def _point(row: dict[str, Any], choose_w: float, signal: str) -> tuple[bool, bool, float]:
    """The candidate chosen by (1 - w) x score + w x P(its number), with that blend as the confidence when the
    signal is "p_choice", or (1 - w) x score + w x (1 - P(none)) when it is "1-p_none"."""
    cands = row["candidates"]
    if not cands:
        return bool(row["answerable"]), False, 0.0
    pick = max(cands, key=lambda c: (1 - choose_w) * c["sentence"] + choose_w * c["p"])
    value = pick["p"] if signal == "p_choice" else 1 - row["p_none"]
    return bool(row["answerable"]), bool(pick["right"]), (1 - choose_w) * pick["sentence"] + choose_w * value


def analyse(rows: list[dict[str, Any]]) -> None:
    """The tables, from each question's candidates (right, sentence score, P(choice)) and P(none)."""
    def table(name: str, points: list[tuple[bool, bool, float]]) -> None:
        acc, auc = summary(points)
        answerable = [p for p in points if p[0]]
        never = sum(ok for _, ok, _ in answerable) / max(1, len(answerable))
        print(f"{name:<58}{acc:>10.3f}{auc:>8.3f}{never:>10.3f}")

    print(f"{'confidence (chosen sentence)':<58}{'acc@90%':>10}{'AUC':>8}{'never':>10}")
    k_max = max(len(r["candidates"]) for r in rows)
    ceiling = [any(c["right"] for c in r["candidates"]) for r in rows if r["answerable"]]
    print(f"(a right sentence among the {k_max} candidates: {sum(ceiling) / max(1, len(ceiling)):.3f} of answerable)")
    extractive = [(_point(r, 0.0, "p_choice"), r["p_none"]) for r in rows]  # w = 0: the best sentence score
    for w in (0.0, 0.25, 0.5, 0.75, 1.0):
        table(f"extractive choice, (1-{w})*score + {w}*(1-P(none))",
              [(a, ok, (1 - w) * score + w * (1 - p_none)) for (a, ok, score), p_none in extractive])
    for w in (0.0, 0.25, 0.5, 0.75, 1.0):
        for signal in ("p_choice", "1-p_none"):
            table(f"model choice by (1-{w})*score+{w}*p, confidence with {signal}",
                  [_point(r, w, signal) for r in rows])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--qa", type=Path, default=BANK / "eval" / "qa-dev.jsonl")
    ap.add_argument("--split", default="all", help="calibration, test or all (all for qa-dev.jsonl)")
    ap.add_argument("--model", default="qwen2.5-1.5b")
    ap.add_argument("--candidates", type=int, default=6, help="sentences shown (1-9)")
    ap.add_argument("--limit", type=int)
    ap.add_argument("--rows", type=Path, help="write each question's candidates to this JSONL file")
    ap.add_argument("--analyse", type=Path, help="print the tables from a --rows file, without the model")
    args = ap.parse_args()
    if args.analyse is not None:
        analyse([json.loads(line) for line in args.analyse.read_text(encoding="utf-8").splitlines() if line])
        return
    if not 1 <= args.candidates <= 9:
        ap.error("--candidates must be between 1 and 9 (one reply token per number)")

    import numpy as np

    from rightfit.answer.extractive import readable
    from rightfit.assistant.qa import QAPipeline
    from rightfit.core.settings import load_settings
    from rightfit.evals.answers import contains_answer, load_qa
    from rightfit.models.llama import LlamaCppGenerator

    settings = load_settings(BANK / "rightfit.toml")
    qa = QAPipeline(settings=settings)
    extractive = qa._extractive(threshold=0.0)  # noqa: SLF001
    items = [i for i in load_qa(args.qa) if args.split in ("all", i.split)][: args.limit]
    model = LlamaCppGenerator(model=args.model, n_ctx=4096, max_tokens=1)
    if args.rows is not None:
        args.rows.write_text("", encoding="utf-8")
    print(hardware_line())
    rows: list[dict[str, Any]] = []
    seconds: list[float] = []
    for n, item in enumerate(items, 1):
        hits = qa._retrieve(item.question, settings.retrieval.fusion, settings.answer.passages,  # noqa: SLF001
                            allow_flagged=settings.guard.answer_from_flagged)
        sentences, scores = extractive.score(question=item.question, hits=hits)
        order = [int(i) for i in np.argsort(-scores, kind="stable")]
        picked: list[int] = []
        seen: set[str] = set()
        for i in order:
            body = readable(sentences[i])
            if body not in seen:
                seen.add(body)
                picked.append(i)
            if len(picked) == args.candidates:
                break
        row: dict[str, Any] = {"id": item.qid, "answerable": item.answerable, "candidates": [], "p_none": 1.0}
        if picked:
            messages = select_messages(question=item.question, sentences=[sentences[i] for i in picked],
                                       pages=settings.answer.judge.pages)
            started = time.perf_counter()
            probs = model.choice_probabilities(messages=messages,
                                               labels=[str(k) for k in range(len(picked) + 1)])
            seconds.append(time.perf_counter() - started)
            cands = []
            for k, i in enumerate(picked, 1):
                text = extractive.compose(question=item.question, sentences=sentences, scores=scores, best=i,
                                          confidence=float(scores[i])).text
                cands.append({"right": bool(item.answer is not None and contains_answer(text, item.answer)),
                              "sentence": float(scores[i]), "p": probs[k]})
            row.update(candidates=cands, p_none=probs[0])
        rows.append(row)
        if args.rows is not None:
            with args.rows.open("a", encoding="utf-8") as fh:
                fh.write(json.dumps(row) + "\n")
        print(f"\r{n}/{len(items)}", end="", file=sys.stderr, flush=True)
    print(f"\n{len(items)} questions from {args.qa.name} ({args.split}); {args.model}, {args.candidates} "
          f"candidates: p50 {pct(seconds, 50):.2f} s, p95 {pct(seconds, 95):.2f} s per question")
    analyse(rows)


if __name__ == "__main__":
    main()
