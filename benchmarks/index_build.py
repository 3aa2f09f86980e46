"""Index build throughput with the real MiniLM model: a full build, a no-change re-index, a one-file change.

Run: .venv/bin/python benchmarks/index_build.py [--docs 500]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import BANK, generated_texts, hardware_line  # noqa: E402
from rightfit.core.runtime import limit_blas_threads  # noqa: E402
from rightfit.ingest.indexer import Indexer  # noqa: E402
from rightfit.models.embedding import MiniLMEmbedder  # noqa: E402


def run(indexer: Indexer, source: Path) -> tuple[float, object]:
    t = time.perf_counter()
    report = indexer.run(source=source)
    return time.perf_counter() - t, report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=500, help="generated Markdown documents")
    args = parser.parse_args()
    limit_blas_threads()
    embedder = MiniLMEmbedder()
    embedder.warm_up()
    print(hardware_line())
    print(f"{'corpus':<22} {'run':<14} {'docs':>6} {'chunks':>7} {'seconds':>8} {'chunks/s':>9}")
    with tempfile.TemporaryDirectory() as tmp:
        gen = Path(tmp) / "generated"
        gen.mkdir()
        texts = generated_texts(args.docs * 4, words_per_text=60)
        for i in range(args.docs):
            body = "\n\n".join(f"## Part {j}\n\n{texts[i * 4 + j]}" for j in range(4))
            (gen / f"doc{i:05d}.md").write_text(f"# Document {i}\n\n{body}\n")
        for name, source in (("bank example", BANK / "docs"), (f"generated ({args.docs} md)", gen)):
            indexer = Indexer(data_dir=Path(tmp) / f"data-{name[:4]}", embedder=embedder)
            for label in ("full build", "no change"):
                secs, rep = run(indexer, source)
                print(f"{name:<22} {label:<14} {rep.documents:>6} {rep.chunks:>7} {secs:>8.2f} "  # type: ignore[attr-defined]
                      f"{rep.chunks / secs:>9.1f}", flush=True)  # type: ignore[attr-defined]
            first = sorted(source.iterdir())[0]
            original = first.read_text(encoding="utf-8")
            if source == gen:
                first.write_text(original + "\nOne more sentence.\n")
                secs, rep = run(indexer, source)
                print(f"{name:<22} {'one changed':<14} {rep.documents:>6} {rep.chunks:>7} {secs:>8.2f} "  # type: ignore[attr-defined]
                      f"{rep.chunks / secs:>9.1f}", flush=True)  # type: ignore[attr-defined]


if __name__ == "__main__":
    main()
