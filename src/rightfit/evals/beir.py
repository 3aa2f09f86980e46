"""The BEIR layout: corpus.jsonl, queries.jsonl and qrels/test.tsv (or qrels.tsv)."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from rightfit.core.errors import InvalidInputError
from rightfit.core.jsonio import loads as loads_json

# How many example ids a warning names; the count says how many there are in all.
EXAMPLES = 5


@dataclass(frozen=True, slots=True)
class BeirSet:
    corpus: Path
    queries: dict[str, str]
    qrels: dict[str, dict[str, int]]
    # Problems that make the metrics misleading but not meaningless (judged documents absent from the corpus ...).
    warnings: tuple[str, ...] = ()


def _examples(ids: list[str]) -> str:
    shown = ", ".join(repr(i) for i in ids[:EXAMPLES])
    return shown + (", ..." if len(ids) > EXAMPLES else "")


def _qrels_path(directory: Path, split: str) -> Path:
    for candidate in (directory / "qrels" / f"{split}.tsv", directory / "qrels.tsv"):
        if candidate.is_file():
            return candidate
    raise InvalidInputError(
        f"eval: no qrels in {directory}; expected qrels/{split}.tsv or qrels.tsv (query-id, corpus-id, score)"
    )


def _utf8_lines(path: Path) -> Iterator[tuple[int, str]]:
    """Each line of `path` with its number, a byte-order mark dropped; a line that is not UTF-8 is an error
    naming the line, not a traceback."""
    with path.open("rb") as fh:
        for lineno, raw in enumerate(fh, start=1):
            try:
                yield lineno, raw.decode("utf-8-sig" if lineno == 1 else "utf-8")
            except UnicodeDecodeError as exc:
                raise InvalidInputError(f"eval: {path} line {lineno}: not valid UTF-8 (byte {exc.start}); re-save "
                                        "the file as UTF-8") from None


def _read_qrels(qrels_file: Path) -> dict[str, dict[str, int]]:
    qrels: dict[str, dict[str, int]] = {}
    lines = (line for _, line in _utf8_lines(qrels_file))
    for lineno, row in enumerate(csv.reader(lines, delimiter="\t"), start=1):
        if not row or (lineno == 1 and not row[-1].strip().lstrip("-").isdigit()):
            continue  # blank line or the header
        if len(row) < 3:
            spaces = " (this line is separated by spaces; BEIR qrels need tabs)" if " " in row[0] else ""
            raise InvalidInputError(f"eval: {qrels_file} line {lineno}: expected three tab-separated columns "
                                    f"query-id, corpus-id, score{spaces}")
        try:
            score = int(row[-1])
        except ValueError:
            raise InvalidInputError(f"eval: {qrels_file} line {lineno}: score {row[-1]!r} is not an integer")\
                from None
        qrels.setdefault(row[0], {})[row[1]] = score
    return qrels


def _corpus_ids(corpus: Path) -> tuple[set[str], list[str]]:
    """Every document id in corpus.jsonl, and the ids of documents with no text (the indexer skips those).

    A malformed line or a repeated id is an error, as in queries.jsonl: the indexer would drop the line (or
    keep one of two documents) and every metric would be computed on a corpus other than the one on disk.
    """
    first_line: dict[str, int] = {}
    empty: list[str] = []
    for lineno, line in _utf8_lines(corpus):
        if not line.strip():
            continue
        try:
            obj = loads_json(line)
        except json.JSONDecodeError as exc:
            raise InvalidInputError(f"eval: {corpus} line {lineno}: invalid JSON ({exc.msg}); each line is one "
                                    "document {\"_id\", \"title\", \"text\"}") from None
        doc_id = obj.get("_id", obj.get("id")) if isinstance(obj, dict) else None
        if not isinstance(doc_id, (str, int)) or isinstance(doc_id, bool) or not str(doc_id):
            raise InvalidInputError(f"eval: {corpus} line {lineno}: expected a JSON object with a string "
                                    "\"_id\" and a \"text\"")
        doc_id = str(doc_id)
        if doc_id in first_line:
            raise InvalidInputError(f"eval: {corpus} line {lineno}: document id {doc_id!r} is already used on "
                                    f"line {first_line[doc_id]}; give each document its own _id")
        first_line[doc_id] = lineno
        text = obj.get("text")
        if not isinstance(text, str) or not text.strip():
            empty.append(doc_id)
    return set(first_line), empty


def load_beir(directory: Path, *, split: str = "test") -> BeirSet:
    """Read queries and qrels and check the corpus; the corpus is left on disk for the indexer.

    Only judged queries are kept. Judgements the corpus or queries cannot honour are reported in `warnings`.
    """
    if not directory.is_dir():
        what = "is not a directory" if directory.exists() else "does not exist"
        raise InvalidInputError(f"eval: BEIR directory {directory} {what}; pass the folder that holds "
                                "corpus.jsonl, queries.jsonl and qrels/")
    corpus = directory / "corpus.jsonl"
    queries_file = directory / "queries.jsonl"
    for f in (corpus, queries_file):
        if not f.is_file():
            raise InvalidInputError(f"eval: {f} is missing; a BEIR directory has corpus.jsonl and queries.jsonl")
    qrels_file = _qrels_path(directory, split)
    qrels = _read_qrels(qrels_file)
    queries: dict[str, str] = {}
    all_queries: set[str] = set()
    for lineno, line in _utf8_lines(queries_file):
        if not line.strip():
            continue
        try:
            obj = loads_json(line)
            qid, text = str(obj["_id"]), str(obj["text"])
        except (json.JSONDecodeError, KeyError, TypeError):
            raise InvalidInputError(f"eval: {queries_file} line {lineno}: expected {{\"_id\", \"text\"}}") from None
        all_queries.add(qid)
        if qid in qrels and any(g > 0 for g in qrels[qid].values()):
            queries[qid] = text
    if not queries:
        raise InvalidInputError(f"eval: no query in {queries_file} has a positive judgement in {qrels_file}")
    doc_ids, empty = _corpus_ids(corpus)
    warnings: list[str] = []
    orphans = [q for q in qrels if q not in all_queries]
    if orphans:
        warnings.append(f"{qrels_file}: {len(orphans)} judged query id(s) not in queries.jsonl, left out: "
                        f"{_examples(orphans)}")
    unknown = list(dict.fromkeys(d for q in queries for d, g in qrels[q].items() if g > 0 and d not in doc_ids))
    if unknown:
        warnings.append(f"{qrels_file}: {len(unknown)} relevant document id(s) not in corpus.jsonl, counted as "
                        f"misses: {_examples(unknown)}")
    judged = {d for q in queries for d, g in qrels[q].items() if g > 0}
    unindexed = [d for d in empty if d in judged]
    if unindexed:
        warnings.append(f"{corpus}: {len(unindexed)} relevant document(s) with no text, not indexed and counted "
                        f"as misses: {_examples(unindexed)}")
    return BeirSet(corpus=corpus, queries=queries, qrels={q: qrels[q] for q in queries}, warnings=tuple(warnings))


def write_beir(out: Path, *, corpus: list[dict[str, str]], queries: dict[str, str],
               qrels: dict[str, dict[str, int]]) -> None:
    """Write the BEIR layout; qrels go to qrels/test.tsv with its header line."""
    # qrels are tab-separated lines: a tab or line break inside an id would shift or split them. Checked
    # before anything is written.
    for qid, rel in qrels.items():
        odd = [i for i in (qid, *rel) if any(ch in i for ch in "\t\r\n")]
        if odd:
            raise InvalidInputError(f"eval: query {qid!r}: id {odd[0]!r} holds a tab or line break, which the "
                                    "BEIR qrels file cannot carry; rename it")
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
