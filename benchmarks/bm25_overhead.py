"""Overhead of rightfit's BM25 stage over calling bm25s directly, on the same index and queries, same run.

Both sides tokenize the query with the same stemmer and stopwords and take the top 50; rightfit's stage
also maps rows to chunk ids and builds typed hits. Reported as a ratio, which is stable on a noisy machine.
Run: .venv/bin/python benchmarks/bm25_overhead.py [--chunks 10000] [--queries 500]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import generated_queries, generated_texts, hardware_line, pct, timed  # noqa: E402
from rightfit.retrieval.bm25 import BM25Retriever, _stemmer, build_bm25  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chunks", type=int, default=10000)
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    import tempfile

    import bm25s

    texts = generated_texts(args.chunks)
    queries = generated_queries(texts, args.queries)
    with tempfile.TemporaryDirectory() as tmp:
        build_bm25(texts, Path(tmp) / "bm25")
        stage = BM25Retriever(directory=Path(tmp) / "bm25", chunk_ids=[f"c{i}" for i in range(len(texts))],
                              top_k=50)
        stage.warm_up()
        direct = bm25s.BM25.load(str(Path(tmp) / "bm25"))
        stemmer = _stemmer()

        def run_direct(q: str) -> None:
            tokens = bm25s.tokenize([q], stopwords="en", stemmer=stemmer, return_ids=False, show_progress=False)
            direct.retrieve(tokens, k=50, show_progress=False)

        # Alternate per query so both paths see the same machine noise.
        d_times: list[float] = []
        s_times: list[float] = []
        for _ in range(args.rounds):
            for q in queries:
                d_times += timed(lambda q=q: run_direct(q), 1)
                s_times += timed(lambda q=q: stage.run(query=q), 1)
    print(hardware_line())
    print(f"{args.chunks} chunks, {len(queries)} queries x {args.rounds} rounds, top 50")
    print(f"{'path':<22} {'ms/query p50':>13} {'ms/query p95':>13}")
    print(f"{'bm25s direct':<22} {pct(d_times, 50):>13.3f} {pct(d_times, 95):>13.3f}")
    print(f"{'rightfit BM25 stage':<22} {pct(s_times, 50):>13.3f} {pct(s_times, 95):>13.3f}")
    print(f"ratio stage/direct: median {np.median(s_times) / np.median(d_times):.2f}, "
          f"total {np.sum(s_times) / np.sum(d_times):.2f}")


if __name__ == "__main__":
    main()
