"""Field extraction on the bank cases: per-field precision/recall and latency, parsers only and with a model.

Each case's intent picks a schema (the fields that intent's tool needs). Every field is a list, so each
value found is scored: precision = right values / values found, recall = right values / values expected.
The cases are in examples/bank/extract/cases.jsonl. The "dev" split is what the parsers are developed
against (bugs it shows are fixed), so it is a regression check; the "holdout" split (22 cases written
after the parsers, 70 written without reading them) is only measured, so it is the fairer estimate.
Run: .venv/bin/python benchmarks/extraction.py [--model qwen2.5-0.5b] [--limit N]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from datetime import datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import BANK, hardware_line, pct  # noqa: E402
from rightfit.evals.suites.extraction import compare, schema_for  # noqa: E402
from rightfit.extract import Extractor  # noqa: E402


def score(cases: list[dict[str, Any]], extractor: Extractor,
          errors: bool = False) -> tuple[dict[str, list[int]], list[float], int, int]:
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])  # tp, fp, fn
    latencies: list[float] = []
    exact = model_calls = 0
    for case in cases:
        schema = schema_for(case["intent"])
        now = datetime.fromisoformat(case["now"])
        started = time.perf_counter()
        out = extractor.run(text=case["text"], schema=schema, now=now)
        latencies.append((time.perf_counter() - started) * 1000)
        model_calls += out.generation is not None
        all_right = True
        for name, (got, want) in compare(schema, out.values, case["expected"]).items():
            tp = len(got & want)
            counts[name][0] += tp
            counts[name][1] += len(got - want)
            counts[name][2] += len(want - got)
            all_right &= got == want
            if errors and got != want:
                print(f"  {case['id']} {name}: got {sorted(got)} want {sorted(want)} ({out.sources.get(name, '-')})")
        exact += all_right
    return counts, latencies, exact, model_calls


def report(title: str, cases: list[dict[str, Any]], extractor: Extractor, errors: bool = False) -> None:
    counts, lat, exact, calls = score(cases, extractor, errors)
    print(f"\n{title}: {len(cases)} messages, {exact} fully right ({exact / len(cases):.1%}), {calls} model calls")
    print(f"{'field':<12} {'expected':>8} {'found':>6} {'precision':>10} {'recall':>8}")
    for name in ("money", "date", "merchant", "card_last4", "account_id", "phone", "email", "postcode", "address"):
        tp, fp, fn = counts.get(name, [0, 0, 0])
        if tp + fp + fn == 0:
            continue
        p = tp / (tp + fp) if tp + fp else float("nan")
        r = tp / (tp + fn) if tp + fn else float("nan")
        print(f"{name:<12} {tp + fn:>8} {tp + fp:>6} {p:>10.3f} {r:>8.3f}")
    print(f"latency per message: p50 {pct(lat, 50):.2f} ms, p95 {pct(lat, 95):.2f} ms, max {max(lat):.2f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=Path, default=BANK / "extract" / "cases.jsonl")
    parser.add_argument("--model", default=None, help="an installed GGUF model for the fallback, e.g. qwen2.5-0.5b")
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--split", default=None, help="only this split (dev or holdout)")
    parser.add_argument("--errors", action="store_true", help="print every field that is not exactly right")
    args = parser.parse_args()
    cases = [json.loads(line) for line in args.cases.read_text(encoding="utf-8").splitlines() if line.strip()]
    cases = [c for c in cases if args.split is None or c.get("split", "dev") == args.split]
    cases = cases[: args.limit] if args.limit else cases
    print(hardware_line())
    parsers = Extractor()
    for case in cases[:5]:  # warm the regex and schema caches before timing
        parsers.run(text=case["text"], schema=schema_for(case["intent"]), now=datetime.fromisoformat(case["now"]))
    splits = sorted({c.get("split", "dev") for c in cases})
    for split in splits:
        report(f"parsers only, {split}", [c for c in cases if c.get("split", "dev") == split], parsers, args.errors)
    if args.model:
        from rightfit.models.llama import LlamaCppGenerator

        generator = LlamaCppGenerator(model=args.model, n_ctx=1024, max_tokens=200)
        generator.warm_up()
        for split in splits:
            report(f"parsers + {args.model} fallback, {split}", [c for c in cases if c.get("split", "dev") == split],
                   Extractor(generator), args.errors)


if __name__ == "__main__":
    main()
