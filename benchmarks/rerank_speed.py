"""Latency of reranking the top 30 fused hits of a bank question with a cross-encoder (int8 ONNX, 2 threads).

Run: .venv/bin/python benchmarks/rerank_speed.py --model examples/bank/.data/reranker [--top-n 30] [--queries 60]
Each query: retrieve (not timed), then time CrossEncoderReranker.run over its top N hydrated hits.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import BANK, hardware_line, pct, timed  # noqa: E402
from rightfit.assistant.qa import QAPipeline  # noqa: E402
from rightfit.core.runtime import limit_blas_threads  # noqa: E402
from rightfit.core.settings import load_settings  # noqa: E402
from rightfit.ingest.indexer import Indexer  # noqa: E402
from rightfit.models.embedding import MiniLMEmbedder  # noqa: E402
from rightfit.retrieval.rerank import CrossEncoderReranker, open_model_dir, passage_text  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, action="append", required=True, help="Reranker directory (repeat).")
    parser.add_argument("--top-n", type=int, default=30)
    parser.add_argument("--queries", type=int, default=60)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--fused-weight", type=float, default=None, help="Override the manifest's (0: always run "
                        "the model; a reranker whose weight is 1 keeps the fused order without running it).")
    parser.add_argument("--max-length", type=int, action="append", help="Tokens per pair (repeat; default: the "
                        "model's).")
    args = parser.parse_args()
    limit_blas_threads()
    questions = [json.loads(line)["text"] for line in (BANK / "eval" / "beir" / "queries.jsonl").open()]
    questions = questions[:: max(1, len(questions) // args.queries)][: args.queries]
    embedder = MiniLMEmbedder()
    print(hardware_line())
    print("load average (1, 5, 15 min) at start: " + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    print(f"{len(questions)} bank questions, top {args.top_n} fused hits each, {args.threads} threads")
    print(f"{'model':<34}{'layers':>7}{'max len':>8}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}{'tokens/pair':>12}")
    with tempfile.TemporaryDirectory() as tmp:
        Indexer(data_dir=Path(tmp), embedder=embedder).run(source=BANK / "docs")
        pipe = QAPipeline(settings=load_settings(data_dir=tmp), embedder=embedder)
        batches = []
        for q in questions:
            hits = pipe.retrieve_all(q)["rrf"].hits[: args.top_n]
            batches.append((q, pipe._hydrate(pipe._current(), hits)))  # noqa: SLF001 - the benchmark times only the stage
        for model, max_length in [(m, n) for m in args.model for n in (args.max_length or [None])]:
            stage = CrossEncoderReranker(model=model, top_n=args.top_n, threads=args.threads,
                                         batch_size=args.batch_size, max_length=max_length,
                                         fused_weight=args.fused_weight)
            stage.warm_up()
            layers = open_model_dir(model).provenance.get("base_model", {}).get("layers_kept", "?")
            for q, hits in batches[:3]:
                stage.run(query=q, hits=hits)  # warm the session's allocations
            times = [t for q, hits in batches
                     for t in timed(lambda q=q, hits=hits, stage=stage: stage.run(query=q, hits=hits), 1)]
            tok = stage._tokenizer  # noqa: SLF001
            lengths = [sum(e.attention_mask) for q, hits in batches[:10]
                       for e in tok.encode_batch([(q, passage_text(h.chunk)) for h in hits])]
            print(f"{str(model)[-34:]:<34}{layers!s:>7}{max_length or 'model':>8}{pct(times, 50):>9.1f}"
                  f"{pct(times, 95):>9.1f}{max(times):>9.1f}{sum(lengths) / len(lengths):>12.0f}", flush=True)
    print("load average (1, 5, 15 min) at end: " + " ".join(f"{x:.2f}" for x in os.getloadavg()))


if __name__ == "__main__":
    main()
