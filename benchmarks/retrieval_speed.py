"""Retrieval speed at 1k, 10k and 100k chunks: queries/s and p50/p95 for bm25, dense and hybrid (RRF).

Chunks are generated from the bank corpus vocabulary. Their vectors are random unit vectors: exact dense
search costs the same whatever the values, and embedding 100k chunks would take most of an hour here.
Queries are embedded with the real MiniLM model, so query embedding is inside the dense and hybrid times.
Run: .venv/bin/python benchmarks/retrieval_speed.py [--sizes 1000,10000,100000] [--queries 200]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import generated_queries, generated_texts, hardware_line, pct, timed  # noqa: E402
from rightfit.assistant.qa import QAPipeline  # noqa: E402
from rightfit.core.runtime import limit_blas_threads  # noqa: E402
from rightfit.core.settings import load_settings  # noqa: E402
from rightfit.ingest.indexer import Indexer  # noqa: E402
from rightfit.models.embedding import MiniLMEmbedder  # noqa: E402


class RandomVectors:
    """Index-time stand-in: random unit vectors, same shape and dtype as MiniLM's."""

    model_id = MiniLMEmbedder.model_id
    dim = 384

    def __init__(self) -> None:
        self.rng = np.random.default_rng(0)

    def embed(self, texts: Sequence[str], *, batch_size: int = 32,
              progress: Callable[[int], None] | None = None) -> np.ndarray:
        v = self.rng.standard_normal((len(texts), self.dim)).astype(np.float32)
        return v / np.linalg.norm(v, axis=1, keepdims=True)


def build(size: int, root: Path) -> Path:
    docs = root / "docs"
    docs.mkdir()
    texts = generated_texts(size)
    per_file = 1000
    for i in range(0, size, per_file):
        lines = [f'{{"_id": "d{j}", "text": "{t}"}}' for j, t in enumerate(texts[i : i + per_file], start=i)]
        (docs / f"part{i // per_file:04d}.jsonl").write_text("\n".join(lines) + "\n")
    data = root / "data"
    Indexer(data_dir=data, embedder=RandomVectors()).run(source=docs)
    return data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()
    limit_blas_threads()
    embedder = MiniLMEmbedder()
    embedder.warm_up()
    print(hardware_line())
    print(f"{'chunks':>8} {'method':<8} {'queries/s':>10} {'p50 ms':>8} {'p95 ms':>8}")
    for size in (int(s) for s in args.sizes.split(",")):
        with tempfile.TemporaryDirectory() as tmp:
            data = build(size, Path(tmp))
            settings = load_settings(data_dir=str(data))
            pipeline = QAPipeline(settings=settings, embedder=embedder)
            queries = generated_queries(generated_texts(size), args.queries)
            assert len(pipeline.store) == size, len(pipeline.store)
            for method in ("bm25", "dense", "rrf"):
                it = iter(queries * 2)
                pipeline.search(query=queries[0], method=method)  # warm caches
                times = timed(lambda m=method, it=it, p=pipeline: p.search(query=next(it), method=m, top_k=10),
                              len(queries))
                label = "hybrid" if method == "rrf" else method
                print(f"{size:>8} {label:<8} {1000 / np.mean(times):>10.1f} {pct(times, 50):>8.2f} "
                      f"{pct(times, 95):>8.2f}", flush=True)


if __name__ == "__main__":
    main()
