"""Training groups from synthetic questions: the source chunk, hard negatives from hybrid retrieval.

A question survives only if hybrid retrieval finds its source chunk in the top `roundtrip_k`
(round-trip consistency): a question that does not retrieve its own passage is usually vague or wrong.
Negatives come from other documents, because a neighbouring section of the same document often answers
the question too, and training on such false negatives teaches the model to ignore real answers.

Negatives are also drawn from the chunks that have training questions of their own (`negative_pool`), so every
passage the model sees is a positive for some questions and a negative for others. Otherwise the passage alone
gives the label away (positives are the few chunks questions were written for, negatives the rest), and the
model learns which passages were positives instead of what makes a passage answer a question: such a model
scores a passage almost the same whatever the query, and ranks unseen relevant passages below random.
"""

from __future__ import annotations

import json
import os
import random
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from rightfit.core.errors import InvalidInputError
from rightfit.core.jsonio import loads as loads_json
from rightfit.retrieval.rerank.training.questions import SyntheticQuery
from rightfit.types import Chunk, RetrievalResult


@dataclass(frozen=True, slots=True)
class TrainingGroup:
    """One question, its positive passage first, then its negatives; `rank` is the positive's hybrid rank."""

    question: str
    chunk_id: str
    doc_id: str
    passages: tuple[str, ...]
    rank: int


@dataclass(frozen=True, slots=True)
class MiningReport:
    questions: int
    stale: int  # written for a chunk whose text has changed since, or that is gone
    dropped_roundtrip: int
    groups: int


def mine_groups(
    queries: Sequence[SyntheticQuery],
    chunks: dict[str, Chunk],
    retrieve: Callable[[str], RetrievalResult],
    row_chunk: Callable[[int], Chunk],
    passage: Callable[[Chunk], str],
    *,
    negatives: int = 7,
    roundtrip_k: int = 10,
    seed: int = 0,
    negative_pool: set[str] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[list[TrainingGroup], MiningReport]:
    """`retrieve(question)` runs hybrid retrieval; `row_chunk(row)` reads a hit's chunk. Negatives come from
    `negative_pool` (chunk ids; default: every chunk) first, hardest first, then from any other document."""
    from rightfit.retrieval.rerank.training.questions import chunk_hash

    rng = random.Random(seed)
    pool = list(chunks.values())
    # Every group needs the same number of negatives from other documents; a small corpus has fewer.
    per_doc = Counter(c.doc_id for c in pool)
    negatives = min(negatives, len(pool) - max(per_doc.values(), default=0))
    if negatives < 1:
        raise InvalidInputError("reranker training needs chunks from at least two documents; index more documents")
    groups: list[TrainingGroup] = []
    stale = dropped = 0
    for i, q in enumerate(queries, start=1):
        source = chunks.get(q.chunk_id)
        if source is None or chunk_hash(source) != q.chunk_sha256:
            stale += 1
        else:
            hits = retrieve(q.question).hits
            ranked = [h.chunk_id for h in hits]
            rank = ranked.index(q.chunk_id) + 1 if q.chunk_id in ranked else 0
            if rank == 0 or rank > roundtrip_k:
                dropped += 1
            else:
                negs: list[Chunk] = []
                for h in hits:
                    if negative_pool is not None and h.chunk_id not in negative_pool:
                        continue
                    c = h.chunk if h.chunk is not None else row_chunk(h.row)
                    if c.doc_id != source.doc_id and len(negs) < max(1, negatives - 1):
                        negs.append(c)
                # A random negative keeps scores sensible for passages retrieval would never rank high.
                others = [c for c in pool if c.doc_id != source.doc_id and c not in negs]
                rng.shuffle(others)
                if negative_pool is not None:  # the pool's own chunks first (a stable sort keeps the shuffle)
                    others.sort(key=lambda c: c.chunk_id not in negative_pool)
                negs += others[: negatives - len(negs)]
                groups.append(TrainingGroup(question=q.question, chunk_id=q.chunk_id, doc_id=q.doc_id,
                                            passages=tuple(passage(c) for c in (source, *negs)), rank=rank))
        if progress is not None:
            progress(i, len(queries))
    return groups, MiningReport(questions=len(queries), stale=stale, dropped_roundtrip=dropped, groups=len(groups))


def write_groups(path: Path, groups: Sequence[TrainingGroup]) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        for g in groups:
            fh.write(json.dumps(asdict(g), ensure_ascii=False) + "\n")
    os.replace(tmp, path)


def read_groups(path: Path) -> list[TrainingGroup]:
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        rec = loads_json(line)
        rec["passages"] = tuple(rec["passages"])
        out.append(TrainingGroup(**rec))
    return out
