"""Build retrieval eval sets from data in standard formats."""

from __future__ import annotations

import csv
import difflib
import random
from collections import defaultdict
from pathlib import Path

from rightfit.core.errors import InvalidInputError
from rightfit.evals.answers import MAX_LISTED_PROBLEMS, QAItem, load_qa
from rightfit.evals.beir import write_beir
from rightfit.ingest.loaders import load_file

_BEIR_FILES = {"corpus.jsonl", "queries.jsonl", "qrels"}


def _check_export_folder(out: Path, docs: Path) -> None:
    """An export goes to a folder of its own: never into the documents (the next index run would take it for
    documents), nor over a folder holding anything but an earlier export."""
    if out.exists() and not out.is_dir():
        raise InvalidInputError(f"eval: --out {out} is a file; pass a folder for corpus.jsonl, queries.jsonl and "
                                "qrels/")
    if out.resolve().is_relative_to(docs.resolve()):
        raise InvalidInputError(f"eval: --out {out} is inside the documents folder {docs}; the next `rightfit "
                                "index` would read the export as documents. Pass a folder outside it")
    others = sorted(p.name for p in out.iterdir() if p.name not in _BEIR_FILES) if out.is_dir() else []
    if others:
        raise InvalidInputError(f"eval: --out {out} already holds other files ({', '.join(others[:3])}"
                                f"{', ...' if len(others) > 3 else ''}); pass an empty or new folder")


def qa_to_beir(qa_file: Path, docs: Path, out: Path) -> tuple[int, int]:
    """Export a QA eval file and its corpus as BEIR: answerable questions become judged queries.

    Returns (documents, queries).
    """
    from rightfit.ingest.indexer import discover

    if not docs.is_dir():
        raise InvalidInputError(f"eval: the documents folder {docs} does not exist; pass --docs with the corpus "
                                "the questions cite")
    _check_export_folder(out, docs)
    corpus: list[dict[str, str]] = []
    for path in discover(docs):
        documents, _ = load_file(path, docs)
        corpus.extend({"_id": d.doc_id, "title": d.title, "text": d.text} for d in documents)
    known = {d["_id"] for d in corpus}
    queries: dict[str, str] = {}
    qrels: dict[str, dict[str, int]] = {}
    problems: list[str] = []
    for item in load_qa(qa_file):
        if not item.answerable:
            continue
        problems += _export_problems(item, known, docs, qa_file)
        queries[item.qid] = item.question
        qrels[item.qid] = dict.fromkeys(item.doc_ids, 1)
    if problems:  # every bad line at once, so the file is fixed in one pass
        more = len(problems) - MAX_LISTED_PROBLEMS
        listed = "\n  ".join(problems[:MAX_LISTED_PROBLEMS]) + (f"\n  ... and {more} more" if more > 0 else "")
        raise InvalidInputError(f"eval: {len(problems)} problem(s) exporting {qa_file} to BEIR; fix them and run "
                                f"again (a document's id is its path in {docs} without the extension, or its "
                                f"\"_id\" in a .jsonl file):\n  {listed}")
    if not queries:
        raise InvalidInputError(f"eval: {qa_file} has no answerable question with doc_ids, so a BEIR export would "
                                "judge nothing; add questions with an answer and the documents that give it")
    write_beir(out, corpus=corpus, queries=queries, qrels=qrels)
    return len(corpus), len(queries)


def _export_problems(item: QAItem, known: set[str], docs: Path, qa_file: Path) -> list[str]:
    """What stops one answerable question becoming a judged BEIR query, each naming its line."""
    where = f"{qa_file} line {item.line}: question {item.qid!r}"
    problems = []
    unknown = [d for d in item.doc_ids if d not in known]
    if unknown:
        named = []
        for d in unknown:
            close = difflib.get_close_matches(d, known, n=1)
            named.append(f"{d!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
        what = "not a document" if len(named) == 1 else "not documents"
        problems.append(f"{where} cites {', '.join(named)}, {what} in {docs}")
    odd = [i for i in (item.qid, *item.doc_ids) if any(ch in i for ch in "\t\r\n")]
    if odd:
        problems.append(f"{where}: id {odd[0]!r} holds a tab or line break, which the BEIR qrels file cannot "
                        "carry; rename it")
    return problems


def classification_to_beir(csv_file: Path, out: Path, *, per_label_docs: int = 5, queries: int = 500,
                           seed: int = 0) -> tuple[int, int]:
    """Turn labelled texts (`text,label` or `text,category`) into a duplicate-question retrieval set.

    For each label, `per_label_docs` texts become documents; other texts become queries whose relevant
    documents are those with the same label. Returns (documents, queries).
    """
    by_label: dict[str, list[str]] = defaultdict(list)
    with csv_file.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        field = "label" if reader.fieldnames and "label" in reader.fieldnames else "category"
        if not reader.fieldnames or "text" not in reader.fieldnames or field not in reader.fieldnames:
            raise InvalidInputError(f"{csv_file}: expected a header with text,label (or text,category)")
        for row in reader:
            if row["text"].strip():
                by_label[row[field]].append(row["text"].strip())
    rng = random.Random(seed)
    corpus: list[dict[str, str]] = []
    pool: list[tuple[str, str]] = []
    doc_ids_by_label: dict[str, list[str]] = {}
    for label in sorted(by_label):
        texts = by_label[label][:]
        rng.shuffle(texts)
        ids = []
        for i, text in enumerate(texts[:per_label_docs]):
            doc_id = f"{label}-{i}"
            corpus.append({"_id": doc_id, "title": "", "text": text})
            ids.append(doc_id)
        doc_ids_by_label[label] = ids
        pool.extend((label, t) for t in texts[per_label_docs:])
    rng.shuffle(pool)
    chosen = pool[:queries]
    qmap = {f"q{i}": text for i, (_, text) in enumerate(chosen)}
    qrels = {f"q{i}": dict.fromkeys(doc_ids_by_label[label], 1) for i, (label, _) in enumerate(chosen)}
    write_beir(out, corpus=corpus, queries=qmap, qrels=qrels)
    return len(corpus), len(qmap)
