"""The BEIR layout: corpus.jsonl, queries.jsonl and qrels/test.tsv (or qrels.tsv)."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path

from rightfit.core.errors import InvalidInputError


@dataclass(frozen=True, slots=True)
class BeirSet:
    corpus: Path
    queries: dict[str, str]
    qrels: dict[str, dict[str, int]]


def _qrels_path(directory: Path, split: str) -> Path:
    for candidate in (directory / "qrels" / f"{split}.tsv", directory / "qrels.tsv"):
        if candidate.is_file():
            return candidate
    raise InvalidInputError(
        f"eval: no qrels in {directory}; expected qrels/{split}.tsv or qrels.tsv (query-id, corpus-id, score)"
    )


def load_beir(directory: Path, *, split: str = "test") -> BeirSet:
    """Read queries and qrels; the corpus is left on disk for the indexer. Only judged queries are kept."""
    corpus = directory / "corpus.jsonl"
    queries_file = directory / "queries.jsonl"
    for f in (corpus, queries_file):
        if not f.is_file():
            raise InvalidInputError(f"eval: {f} is missing; a BEIR directory has corpus.jsonl and queries.jsonl")
    qrels: dict[str, dict[str, int]] = {}
    qrels_file = _qrels_path(directory, split)
    with qrels_file.open(encoding="utf-8", newline="") as fh:
        for lineno, row in enumerate(csv.reader(fh, delimiter="\t"), start=1):
            if not row or (lineno == 1 and not row[-1].strip().lstrip("-").isdigit()):
                continue  # blank line or the header
            if len(row) < 3:
                raise InvalidInputError(f"eval: {qrels_file} line {lineno}: expected query-id, corpus-id, score")
            try:
                score = int(row[-1])
            except ValueError:
                raise InvalidInputError(f"eval: {qrels_file} line {lineno}: score {row[-1]!r} is not an integer")\
                    from None
            qrels.setdefault(row[0], {})[row[1]] = score
    queries: dict[str, str] = {}
    with queries_file.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
                qid, text = str(obj["_id"]), str(obj["text"])
            except (json.JSONDecodeError, KeyError, TypeError):
                raise InvalidInputError(f"eval: {queries_file} line {lineno}: expected {{\"_id\", \"text\"}}") from None
            if qid in qrels and any(g > 0 for g in qrels[qid].values()):
                queries[qid] = text
    if not queries:
        raise InvalidInputError(f"eval: no query in {queries_file} has a positive judgement in {qrels_file}")
    return BeirSet(corpus=corpus, queries=queries, qrels={q: qrels[q] for q in queries})


def write_beir(out: Path, *, corpus: list[dict[str, str]], queries: dict[str, str],
               qrels: dict[str, dict[str, int]]) -> None:
    """Write the BEIR layout; qrels go to qrels/test.tsv with its header line."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "qrels").mkdir(exist_ok=True)
    with (out / "corpus.jsonl").open("w", encoding="utf-8") as fh:
        for doc in corpus:
            fh.write(json.dumps(doc, ensure_ascii=False) + "\n")
    with (out / "queries.jsonl").open("w", encoding="utf-8") as fh:
        for qid, text in queries.items():
            fh.write(json.dumps({"_id": qid, "text": text}, ensure_ascii=False) + "\n")
    with (out / "qrels" / "test.tsv").open("w", encoding="utf-8") as fh:
        fh.write("query-id\tcorpus-id\tscore\n")
        for qid, rel in qrels.items():
            for doc_id, score in rel.items():
                fh.write(f"{qid}\t{doc_id}\t{score}\n")
