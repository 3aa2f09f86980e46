"""The extractive rung's latency per question (retrieval + answer), with and without the embedding cache.

Two pipelines on the same index, one whose MiniLM embedder keeps recent vectors (the default) and one
without (cache_size=0), answer the same questions in turn, question by question, so machine noise falls
on both alike. The cached pipeline starts empty: its figures include the cold start, as a fresh server's
would. Pass the questions twice (--rounds 2) to see a server that has answered them before.
Run: .venv/bin/python benchmarks/answer_speed.py [--qa examples/bank/eval/qa.jsonl] [--rounds 1]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import BANK, hardware_line, pct  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--qa", type=Path, default=BANK / "eval" / "qa.jsonl")
    ap.add_argument("--rounds", type=int, default=1)
    args = ap.parse_args()

    from rightfit.assistant.qa import QAPipeline
    from rightfit.core.settings import load_settings
    from rightfit.models.embedding import MiniLMEmbedder

    settings = load_settings(BANK / "rightfit.toml")
    questions = [json.loads(line)["question"] for line in args.qa.read_text(encoding="utf-8").splitlines() if line]
    pipelines = {"cache (4096 texts)": QAPipeline(settings=settings, embedder=MiniLMEmbedder()),
                 "no cache": QAPipeline(settings=settings, embedder=MiniLMEmbedder(cache_size=0))}
    for qa in pipelines.values():
        qa.warm_up()
    seconds: dict[str, list[float]] = {name: [] for name in pipelines}
    for _ in range(args.rounds):
        for n, question in enumerate(questions, 1):
            for name, qa in pipelines.items():
                started = time.perf_counter()
                qa.ask(question=question)
                seconds[name].append(time.perf_counter() - started)
            print(f"\r{n}/{len(questions)}", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    print(hardware_line())
    print(f"load average at end {os.getloadavg()[0]:.1f}")
    print(f"{len(questions)} questions from {args.qa.name} x {args.rounds} round(s); rung {settings.answer.rung}")
    print(f"{'embedder':<22}{'p50 ms':>9}{'p95 ms':>9}{'mean ms':>9}")
    for name, values in seconds.items():
        ms = [s * 1000 for s in values]
        print(f"{name:<22}{pct(ms, 50):>9.1f}{pct(ms, 95):>9.1f}{sum(ms) / len(ms):>9.1f}")
    cached, plain = (sum(v) / len(v) for v in seconds.values())
    print(f"mean time with the cache / without: {cached / plain:.2f}")


if __name__ == "__main__":
    main()
