"""Write a corpus nobody here wrote, for `rightfit tune reranker` on text it has never seen: the Python
language reference topics that ship with CPython (pydoc_data.topics), one .txt file per topic.

Run: .venv/bin/python benchmarks/rerank_foreign_corpus.py OUT_DIR
then: rightfit tune reranker --docs OUT_DIR --data-dir D --out R --holdout 0.25 --max-chunks 60 ...
(documents are split into trained and held-out by a hash of their id; held-out questions are only evaluated).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path


def main() -> None:
    from pydoc_data import topics

    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    for name, text in sorted(topics.topics.items()):
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
        (out / f"{slug}.txt").write_text(f"{name}\n\n{text.strip()}\n", encoding="utf-8")
    print(f"wrote {len(topics.topics)} topics to {out}")


if __name__ == "__main__":
    main()
