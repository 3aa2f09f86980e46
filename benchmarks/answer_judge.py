"""Can a small model tell when the extractive answer really answers the question? (An experiment, not a rung.)

For each question the extractive rung answers without abstaining; a GGUF chat model is then asked one
yes/no question about that answer ("does the passage answer this question?") and its probability of "yes"
is read from the first token's log-probabilities. Reported for the sentence score, the judge's P(yes) and
their mean: accuracy on answerable questions at the threshold that abstains on 90% of the unanswerable
ones (set on the same questions, so optimistic for every row alike) and the AUC of right answers against
unanswerable questions. Use the calibration split or the development set (qa-dev.jsonl), never the test
split, for choosing anything.
Run: .venv/bin/python benchmarks/answer_judge.py --qa examples/bank/eval/qa.jsonl --split calibration
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

SYSTEM = ("You check whether a passage from a bank's help pages answers a customer's question. "
          "Reply with one word: yes or no.")


def p_yes(llm: object, heading: str, passage: str, question: str) -> float:
    user = (f"Passage from \"{heading}\":\n{passage}\n\nQuestion: {question}\n\n"
            "Does the passage answer this question? Answer yes or no.")
    out = llm.create_chat_completion(  # type: ignore[attr-defined]
        messages=[{"role": "system", "content": SYSTEM}, {"role": "user", "content": user}],
        max_tokens=1, temperature=0.0, logprobs=True, top_logprobs=20)
    top = out["choices"][0]["logprobs"]["content"][0]["top_logprobs"]
    yes = sum(math.exp(t["logprob"]) for t in top if t["token"].strip().lower() == "yes")
    no = sum(math.exp(t["logprob"]) for t in top if t["token"].strip().lower() == "no")
    return yes / (yes + no) if yes + no else 0.5


def summary(rows: list[tuple[bool, bool, float]]) -> tuple[float, float]:
    """(accuracy at 90% abstention on unanswerable, AUC of right answers against unanswerable)."""
    unans = sorted(score for answerable, _, score in rows if not answerable)
    right = [score for answerable, ok, score in rows if answerable and ok]
    answerable = [r for r in rows if r[0]]
    if not unans or not answerable:
        return math.nan, math.nan
    threshold = unans[math.ceil(0.9 * len(unans)) - 1] + 1e-9
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

    from llama_cpp import Llama

    from rightfit.assistant.qa import QAPipeline
    from rightfit.core.settings import load_settings
    from rightfit.evals.answers import contains_answer, load_qa
    from rightfit.models.store import ModelStore

    settings = load_settings(BANK / "rightfit.toml")
    qa = QAPipeline(settings=settings)
    extractive = qa._extractive(threshold=0.0)
    items = [i for i in load_qa(args.qa) if args.split in ("all", i.split)][: args.limit]
    # logits_all: the first token's log-probabilities; fine for a benchmark, too much memory for serving.
    llm = Llama(model_path=str(ModelStore().resolve(args.model)), n_ctx=2048, n_threads=2, n_threads_batch=2,
                logits_all=True, verbose=False)
    rows_ext, rows_judge, rows_mix, seconds = [], [], [], []
    for n, item in enumerate(items, 1):
        hits = qa._retrieve(item.question, settings.retrieval.fusion, settings.answer.passages,
                            allow_flagged=settings.guard.answer_from_flagged)
        answer = extractive.run(question=item.question, hits=hits)
        ok = item.answer is not None and contains_answer(answer.text, item.answer)
        judged = 0.0
        if answer.text is not None and answer.citations:
            cite = answer.citations[-1]
            heading = " - ".join(dict.fromkeys(p for p in (cite.title, cite.section[-1] if cite.section else "") if p))
            started = time.perf_counter()
            judged = p_yes(llm, heading, answer.text, item.question)
            seconds.append(time.perf_counter() - started)
        rows_ext.append((item.answerable, ok, answer.confidence))
        rows_judge.append((item.answerable, ok, judged))
        rows_mix.append((item.answerable, ok, 0.5 * answer.confidence + 0.5 * judged))
        print(f"\r{n}/{len(items)}", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    print(hardware_line())
    answerable = sum(r[0] for r in rows_ext)
    print(f"{args.qa.name} ({args.split}): {answerable} answerable, {len(items) - answerable} unanswerable; "
          f"judge {args.model}, p50 {pct(seconds, 50):.2f} s, p95 {pct(seconds, 95):.2f} s per question")
    print(f"{'abstain on':<28}{'accuracy @ 90% abstention':>27}{'AUC right vs unanswerable':>27}")
    for label, rows in (("sentence score", rows_ext), (f"P(yes) from {args.model}", rows_judge),
                        ("mean of the two", rows_mix)):
        accuracy, auc = summary(rows)
        print(f"{label:<28}{accuracy:>27.3f}{auc:>27.3f}")


if __name__ == "__main__":
    main()
