"""A sentence checker learned from labelled development questions, blended into the extractive confidence.

A MiniLM cross-encoder (the packaged all-MiniLM-L6-v2 with a new head) is fine-tuned pointwise on the
development set (qa-dev.jsonl): for each question, the extractive scorer's K best sentences (readable form
under their page and section) are labelled 1 when the answer quoting them contains the gold answer, else
0 (every sentence of an unanswerable question is 0). The answer is still the extractive choice; only the
confidence changes: (1 - w) x sentence score + w x P(checker). Reported on the eval set's calibration and
test splits, which training never sees: AUC of right answers against unanswerable questions, accuracy at
90% abstention set on the same questions (in-sample, to compare rows), and on the test split with the
threshold calibrated as the rung would be (on the calibration split; and, with --cross-fit, on the
calibration split pooled with development questions scored by checkers trained on the other half).
With --extra FILE (qa-dev2.jsonl) those questions join the training, are scored out of fold the same way,
and set a threshold of their own; the table also shows answering with the sentence of the best blend
instead of the best score. --no-test leaves the test split out while settings are being chosen.
Needs torch (bash scripts/install tune). About 5 minutes of training per model on 2 cores.
Run: .venv/bin/python benchmarks/answer_checker.py [--candidates 10] [--layers 6] [--epochs 3] [--cross-fit]
     [--extra examples/bank/eval/qa-dev2.jsonl] [--no-test]
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from answer_judge import summary, threshold_90  # noqa: E402
from common import BANK, hardware_line  # noqa: E402

Rows = list[dict[str, Any]]


def candidate_rows(qa: Any, settings: Any, items: list[Any], k: int) -> Rows:
    import numpy as np

    from rightfit.answer.extractive import heading, readable
    from rightfit.evals.answers import contains_answer

    extractive = qa._extractive(threshold=0.0)  # noqa: SLF001
    rows = []
    for item in items:
        hits = qa._retrieve(item.question, settings.retrieval.fusion, settings.answer.passages,  # noqa: SLF001
                            allow_flagged=settings.guard.answer_from_flagged)
        sentences, scores = extractive.score(question=item.question, hits=hits)
        seen: set[str] = set()
        cands = []
        for i in (int(j) for j in np.argsort(-scores, kind="stable")):
            body = readable(sentences[i])
            if body in seen:
                continue
            seen.add(body)
            text = extractive.compose(question=item.question, sentences=sentences, scores=scores, best=i,
                                      confidence=0.0).text
            cands.append({"pair": (item.question, f"{heading(sentences[i])}: {body}"), "score": float(scores[i]),
                          "right": bool(item.answer is not None and contains_answer(text, item.answer))})
            if len(cands) == k:
                break
        rows.append({"answerable": item.answerable, "cands": cands})
    return rows


def train_checker(rows: Rows, *, layers: int, epochs: int, seed: int = 0) -> Any:
    import torch
    from tokenizers import Tokenizer

    from rightfit.models.catalog import MINILM_TOKENIZER, verified_path
    from rightfit.retrieval.rerank.training.bert import load_cross_encoder
    from rightfit.retrieval.rerank.training.train import encode
    from rightfit.retrieval.rerank.training.tune import BASE_CONFIG, BASE_WEIGHTS

    verified_path(BASE_WEIGHTS)
    tokenizer = Tokenizer.from_file(str(verified_path(MINILM_TOKENIZER)))
    torch.manual_seed(seed)
    torch.set_num_threads(2)
    model = load_cross_encoder(verified_path(BASE_CONFIG).parent, layers=layers, seed=seed)
    pairs = [(c["pair"], float(c["right"])) for r in rows for c in r["cands"]]
    positives = sum(y for _, y in pairs)
    steps = epochs * math.ceil(len(pairs) / 16)
    optim = torch.optim.AdamW(model.parameters(), lr=3e-5, weight_decay=0.01)
    sched = torch.optim.lr_scheduler.LambdaLR(
        optim, lambda s: min((s + 1) / (0.1 * steps), max(0.0, (steps - s) / (0.9 * steps))))
    # Few sentences answer: weigh the positives up to balance the classes.
    weight = torch.tensor((len(pairs) - positives) / max(1.0, positives))
    model.train()
    for epoch in range(epochs):
        random.Random(seed * 100 + epoch).shuffle(pairs)
        for b in range(0, len(pairs), 16):
            batch = pairs[b : b + 16]
            logits = model(**encode(tokenizer, [p for p, _ in batch], 128))[:, 0]
            loss = torch.nn.functional.binary_cross_entropy_with_logits(
                logits, torch.tensor([y for _, y in batch]), pos_weight=weight)
            optim.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optim.step()
            sched.step()
    model.eval()

    def score(rows_to_score: Rows) -> None:
        with torch.no_grad():
            for r in rows_to_score:
                if r["cands"]:
                    logits = model(**encode(tokenizer, [c["pair"] for c in r["cands"]], 128))[:, 0]
                    for c, p in zip(r["cands"], torch.sigmoid(logits).tolist(), strict=True):
                        c["p"] = p
    return score


def points(rows: Rows, w: float, *, choose: bool = False) -> list[tuple[bool, bool, float]]:
    """(answerable, right, confidence): the extractive choice (the best sentence score), or with choose=True
    the sentence with the best blend."""
    out = []
    for r in rows:
        if not r["cands"]:
            out.append((r["answerable"], False, 0.0))
            continue
        blends = [((1 - w) * c["score"] + w * c["p"], c["right"]) for c in r["cands"]]
        conf, right = max(blends, key=lambda b: b[0]) if choose else blends[0]
        out.append((r["answerable"], right, conf))
    return out


def at(pts: list[tuple[bool, bool, float]], th: float) -> str:
    answerable, unanswerable = [p for p in pts if p[0]], [p for p in pts if not p[0]]
    acc = sum(ok and s >= th for _, ok, s in answerable) / len(answerable)
    return f"{acc:.3f} @ {sum(s < th for _, _, s in unanswerable) / len(unanswerable):.3f}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--candidates", type=int, default=10)
    ap.add_argument("--layers", type=int, default=6)
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--cross-fit", action="store_true", help="also score the development set out of fold")
    ap.add_argument("--extra", type=Path, help="more questions (qa-dev2.jsonl): scored out of fold by checkers "
                    "trained on the development set plus the other half, and pooled with the calibration split "
                    "to set the threshold")
    ap.add_argument("--no-test", action="store_true", help="leave the test split out (while choosing settings)")
    args = ap.parse_args()

    from rightfit.assistant.qa import QAPipeline
    from rightfit.core.settings import load_settings
    from rightfit.evals.answers import load_qa

    settings = load_settings(BANK / "rightfit.toml")
    qa = QAPipeline(settings=settings)
    eval_items = load_qa(BANK / "eval" / "qa.jsonl")
    dev = candidate_rows(qa, settings, load_qa(BANK / "eval" / "qa-dev.jsonl"), args.candidates)
    cal = candidate_rows(qa, settings, [i for i in eval_items if i.split == "calibration"], args.candidates)
    test = [] if args.no_test else candidate_rows(
        qa, settings, [i for i in eval_items if i.split == "test"], args.candidates)
    extra = candidate_rows(qa, settings, load_qa(args.extra), args.candidates) if args.extra else []
    started = time.perf_counter()
    train_checker(dev + extra, layers=args.layers, epochs=args.epochs)(cal + test)
    print(hardware_line())
    print(f"checker: {args.layers} layers, {args.epochs} epochs on {len(dev) + len(extra)} questions x "
          f"{args.candidates} sentences, {time.perf_counter() - started:.0f} s")
    if extra:
        halves = [extra[0::2], extra[1::2]]
        for k in (0, 1):
            train_checker(dev + halves[1 - k], layers=args.layers, epochs=args.epochs)(halves[k])
    if args.cross_fit:
        halves = [dev[0::2], dev[1::2]]
        for k in (0, 1):
            train_checker(halves[1 - k] + extra, layers=args.layers, epochs=args.epochs)(halves[k])
    pool = extra + (dev if args.cross_fit else [])
    print(f"{'w':>5}{'cal AUC':>9}{'cal acc@90':>12}{'pool AUC':>10}{'pool acc@90':>13}"
          f"{'cal, threshold from pool':>26}{'test AUC':>10}{'test acc@90':>13}{'test, threshold from cal':>26}"
          f"{'from cal+pool':>15}")
    for choose, w in [(False, w) for w in (0.0, 0.25, 0.5, 0.75)] + [(True, w) for w in (0.25, 0.5, 0.75)]:
        if choose and w == 0.25:
            print("answering with the sentence of the best blend:")
        c, t, o = (points(rows, w, choose=choose) for rows in (cal, test, pool))
        (c_acc, c_auc), (o_acc, o_auc) = summary(c), summary(o) if o else (math.nan, math.nan)
        line = (f"{w:>5.2f}{c_auc:>9.3f}{c_acc:>12.3f}{o_auc:>10.3f}{o_acc:>13.3f}"
                f"{at(c, threshold_90(o)) if o else '-':>26}")
        if t:
            t_acc, t_auc = summary(t)
            line += (f"{t_auc:>10.3f}{t_acc:>13.3f}{at(t, threshold_90(c)):>26}"
                     f"{at(t, threshold_90(c + o)) if o else '-':>15}")
        print(line)


if __name__ == "__main__":
    main()
