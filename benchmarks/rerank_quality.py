"""Does the reranker help? Hybrid (RRF) vs hybrid + cross-encoder on the bank eval set (human-written questions
the reranker never trained on: it trains on synthetic questions only).

Run: .venv/bin/python benchmarks/rerank_quality.py --model examples/bank/.data/reranker [--model OTHER ...]
Each model gets two rows: its cross-encoder score alone, and (when its manifest has one) the blend with the
fused score it serves with (the weight `rightfit tune reranker` chose on held-out synthetic questions, or
`rightfit tune blend` on labelled development questions), then the served order's paired difference from
hybrid on MRR@10 and nDCG@10 with a 95% bootstrap interval over the queries.
"""

from __future__ import annotations

import argparse
import os
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
from rightfit.evals.stats import paired_difference  # noqa: E402
from rightfit.ingest.indexer import Indexer  # noqa: E402
from rightfit.models.embedding import MiniLMEmbedder  # noqa: E402
from rightfit.retrieval.rerank import CrossEncoderReranker, open_model_dir  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--beir", type=Path, default=BANK / "eval" / "beir")
    parser.add_argument("--model", type=Path, action="append", required=True, help="Reranker directory (repeat).")
    parser.add_argument("--top-n", type=int, default=30)
    parser.add_argument("--threads", type=int, default=None, help="onnxruntime threads for the reranker.")
    args = parser.parse_args()
    limit_blas_threads()
    data = load_beir(args.beir)
    embedder = MiniLMEmbedder()
    print(hardware_line())
    print("load average (1, 5, 15 min) at start: " + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    print(f"{args.beir}: {len(data.queries)} queries; reranking the top {args.top_n} RRF hits")
    print(f"{'method':<34}" + "".join(f"{m:>11}" for m in METRICS) + f"{'p95 ms':>9}")
    with tempfile.TemporaryDirectory() as tmp:
        Indexer(data_dir=Path(tmp), embedder=embedder).run(source=data.corpus.parent, files=[data.corpus])
        settings = load_settings(data_dir=tmp)
        base: dict[str, dict[str, dict[str, float]]] = {}
        scores, latency = evaluate_queries(QAPipeline(settings=settings, embedder=embedder), data.queries, data.qrels,
                                           per_query=base)
        print(f"{'rrf (hybrid)':<34}" + "".join(f"{scores['rrf'][k]:>11.4f}" for k in METRICS)
              + f"{latency['p95']:>9.1f}", flush=True)
        for model in args.model:
            files = open_model_dir(model)
            weights = [0.0] if files.fused_weight in (None, 0.0) else [0.0, files.fused_weight]
            for weight in weights:
                stage = CrossEncoderReranker(model=model, top_n=args.top_n, threads=args.threads,
                                             fused_weight=weight)
                pipe = QAPipeline(settings=settings, embedder=embedder, reranker=stage)
                served: dict[str, dict[str, dict[str, float]]] = {}
                scores, latency = evaluate_queries(pipe, data.queries, data.qrels, per_query=served)
                label = f"+ {model.name} " + ("alone" if weight == 0.0 else f"blended, w={weight:.2f}")
                print(f"{label:<34}" + "".join(f"{scores['rrf+rerank'][k]:>11.4f}" for k in METRICS)
                      + f"{latency['p95']:>9.1f}", flush=True)
            for metric in ("mrr@10", "ndcg@10"):
                diff, n = paired_difference(served["rrf+rerank"][metric], base["rrf"][metric], n=2000,
                                            confidence=0.95)
                print(f"    served - hybrid, {metric}: {diff.text('+.4f')} over {n} queries")
            prov = files.provenance
            d, m, h = prov.get("data", {}), prov.get("metrics", {}), prov.get("hyperparameters", {})
            groups = d.get("groups", 0)
            print(f"    {model}: {groups} training questions x {1 + h.get('negatives', 0)} passages "
                  f"= {groups * (1 + h.get('negatives', 0))} pairs, {h.get('epochs', '?')} epochs, "
                  f"{m.get('train_seconds', '?')} s training, {prov.get('base_model', {}).get('layers_kept', '?')} "
                  f"layers, {files.max_length} tokens per pair; fused weight {files.fused_weight} chosen on "
                  + (f"{choice['questions']} labelled questions of {Path(choice['qa']).name}"
                     if (choice := prov.get("fused_weight_choice")) else
                     f"{d.get('dev_groups', '?')} held-out synthetic questions"))
    print("p95 ms: retrieval of all four methods (+ reranking) per query")
    print("load average (1, 5, 15 min) at end: " + " ".join(f"{x:.2f}" for x in os.getloadavg()))


if __name__ == "__main__":
    main()
