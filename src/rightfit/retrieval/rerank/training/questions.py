"""Synthetic questions per chunk from a local generative model: the labels a domain reranker trains on.

Questions are appended to a partial file one chunk at a time, so an interrupted run resumes where it
stopped; the finished file is moved into place atomically.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from rightfit.core.errors import InvalidInputError
from rightfit.core.jsonio import loads as loads_json
from rightfit.core.protocols import Generator
from rightfit.types import Chunk

logger = logging.getLogger(__name__)

PROMPT_VERSION = "q2"
_SYSTEM = (
    "You write questions that customers or users would type into a search box. Each question must be answerable "
    "from the passage alone, must not copy a whole sentence from it, and must not mention 'the passage' or "
    "'the text'. Vary the wording: use synonyms a user would use."
)


@dataclass(frozen=True, slots=True)
class SyntheticQuery:
    """One generated question and the chunk it was written for (text hash, to notice re-chunked corpora)."""

    question: str
    chunk_id: str
    doc_id: str
    chunk_sha256: str


def chunk_hash(chunk: Chunk) -> str:
    return hashlib.sha256(chunk.text.encode("utf-8")).hexdigest()


def question_schema(n: int) -> dict[str, object]:
    return {
        "type": "object",
        "properties": {"questions": {"type": "array", "items": {"type": "string", "maxLength": 160},
                                     "minItems": n, "maxItems": n}},
        "required": ["questions"],
    }


def _messages(chunk: Chunk, n: int) -> list[dict[str, str]]:
    where = " > ".join((chunk.title, *chunk.section))
    user = (f"Passage (from: {where}):\n{chunk.text}\n\nWrite {n} different questions this passage answers, each "
            "about a different detail where the passage has several. Mix styles: a plain question, a few search "
            "words, and a person asking about their own situation in their own words (without the passage's "
            'terms). Reply as JSON: {"questions": [...]}')
    return [{"role": "system", "content": _SYSTEM}, {"role": "user", "content": user}]


def _clean(questions: Iterable[object], chunk: Chunk) -> list[str]:
    out: list[str] = []
    for item in questions:
        if not isinstance(item, str):
            continue
        q = " ".join(item.split())
        # Too short to mean anything, or a copy of the passage (which teaches string matching, not relevance).
        if len(q) < 12 or len(q.split()) < 3 or q.lower() in chunk.text.lower() or q in out:
            continue
        out.append(q)
    return out


def generate_questions(
    chunks: Sequence[Chunk],
    generator: Generator,
    out: Path,
    *,
    per_chunk: int = 2,
    progress: Callable[[int, int], None] | None = None,
) -> list[SyntheticQuery]:
    """Questions for every chunk, resuming from `out`.partial when a previous run was interrupted."""
    if per_chunk < 1 or per_chunk > 10:
        raise InvalidInputError(f"questions per chunk must be between 1 and 10, got {per_chunk}")
    if out.is_dir() or not out.name:
        raise InvalidInputError(f"--out {out} is a directory; give a file path such as queries.jsonl")
    partial = out.with_name(out.name + ".partial")
    done: dict[str, list[SyntheticQuery]] = {}
    if partial.exists():
        for line in partial.read_text(encoding="utf-8").splitlines():
            try:
                rec = loads_json(line)
            except ValueError:
                continue  # a line cut off by the interruption
            done[rec["chunk_id"]] = [SyntheticQuery(**q) for q in rec["queries"]]
    out.parent.mkdir(parents=True, exist_ok=True)
    schema = question_schema(per_chunk)
    with partial.open("a", encoding="utf-8") as fh:
        for i, chunk in enumerate(chunks, start=1):
            if chunk.chunk_id not in done:
                gen = generator.generate(messages=_messages(chunk, per_chunk), schema=schema,
                                         max_tokens=40 * per_chunk + 30)
                try:
                    raw = loads_json(gen.text).get("questions", [])
                except (ValueError, AttributeError):
                    raw = []
                sha = chunk_hash(chunk)
                qs = [SyntheticQuery(question=q, chunk_id=chunk.chunk_id, doc_id=chunk.doc_id, chunk_sha256=sha)
                      for q in _clean(raw, chunk)]
                done[chunk.chunk_id] = qs
                fh.write(json.dumps({"chunk_id": chunk.chunk_id, "queries": [asdict(q) for q in qs]}) + "\n")
                fh.flush()
            if progress is not None:
                progress(i, len(chunks))
    queries = [q for c in chunks for q in done.get(c.chunk_id, [])]
    write_queries(out, queries)
    partial.unlink()
    return queries


def write_queries(path: Path, queries: Sequence[SyntheticQuery], header: dict[str, object] | None = None) -> None:
    """JSONL, written to a temporary file and renamed, so a reader never sees half a file."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        if header is not None:
            fh.write(json.dumps({"_provenance": header}) + "\n")
        for q in queries:
            fh.write(json.dumps(asdict(q), ensure_ascii=False) + "\n")
    os.replace(tmp, path)


def read_queries(path: Path) -> tuple[list[SyntheticQuery], dict[str, object]]:
    """Queries and the provenance header (if any) of a queries file."""
    if not path.is_file():
        raise InvalidInputError(f"queries file {path} does not exist; generate it with `rightfit tune reranker`")
    queries: list[SyntheticQuery] = []
    header: dict[str, object] = {}
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidInputError(f"queries file {path} is not valid UTF-8 (byte {exc.start}); re-save it as UTF-8, "
                                "or generate it again with `rightfit tune reranker`") from None
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            rec = loads_json(line)
            if "_provenance" in rec:
                header = rec["_provenance"]
                continue
            queries.append(SyntheticQuery(**rec))
        except (ValueError, TypeError) as exc:
            raise InvalidInputError(f"{path}:{n} is not a synthetic query record ({exc})") from None
    return queries, header
