"""Retrieval quality on the bank eval set (BEIR export): bm25, dense, RRF and weighted fusion at several weights.

Run: .venv/bin/python benchmarks/retrieval_quality.py [--beir examples/bank/eval/beir]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import BANK, hardware_line  # noqa: E402
from rightfit.assistant.qa import QAPipeline  # noqa: E402
from rightfit.core.runtime import limit_blas_threads  # noqa: E402
from rightfit.core.settings import load_settings  # noqa: E402
from rightfit.evals.beir import load_beir  # noqa: E402
from rightfit.evals.retrieval import METRICS, evaluate_queries  # noqa: E402
from rightfit.ingest.indexer import Indexer  # noqa: E402
from rightfit.models.embedding import MiniLMEmbedder  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--beir", type=Path, default=BANK / "eval" / "beir")
    args = parser.parse_args()
    limit_blas_threads()
    data = load_beir(args.beir)
    embedder = MiniLMEmbedder()
    print(hardware_line())
    print(f"{args.beir}: {len(data.queries)} queries")
    print(f"{'method':<16}" + "".join(f"{m:>11}" for m in METRICS))
    with tempfile.TemporaryDirectory() as tmp:
        Indexer(data_dir=Path(tmp), embedder=embedder).run(source=data.corpus.parent, files=[data.corpus])
        for weight in (0.3, 0.5, 0.7):
            settings = load_settings(data_dir=tmp, retrieval={"dense_weight": weight})
            scores, _ = evaluate_queries(QAPipeline(settings=settings, embedder=embedder), data.queries, data.qrels)
            methods = ["bm25", "dense", "rrf", "weighted"] if weight == 0.5 else ["weighted"]
            for m in methods:
                label = f"weighted d={weight}" if m == "weighted" else m
                print(f"{label:<16}" + "".join(f"{scores[m][k]:>11.4f}" for k in METRICS), flush=True)


if __name__ == "__main__":
    main()
