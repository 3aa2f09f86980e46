"""The values that flow between stages. All frozen: stages return new values, never mutate inputs."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Document:
    """One source document after loading. `text` is what offsets point into."""

    doc_id: str
    title: str
    text: str
    source: str  # path relative to the corpus root, or a BEIR/JSONL id
    fmt: str  # md, txt, html, pdf, jsonl


@dataclass(frozen=True, slots=True)
class Chunk:
    """A retrievable piece of a document, with character offsets into `Document.text`."""

    chunk_id: str
    doc_id: str
    title: str
    section: tuple[str, ...]
    text: str
    start: int
    end: int
    # Why the ingest scan took this chunk for instructions to the assistant ("rule:fake_markup"); "" if it did not.
    flag: str = ""

    @property
    def section_path(self) -> str:
        return " > ".join(self.section)

    @property
    def flagged(self) -> bool:
        return bool(self.flag)


@dataclass(frozen=True, slots=True)
class Hit:
    """A scored reference to a chunk by its row in the index; `chunk` is filled in by hydration."""

    row: int
    chunk_id: str
    score: float
    retriever: str
    chunk: Chunk | None = None
    fused_score: float | None = None


@dataclass(frozen=True, slots=True)
class Citation:
    doc_id: str
    chunk_id: str
    title: str
    section: str
    start: int  # offsets into the document text
    end: int
    quote: str


@dataclass(frozen=True, slots=True)
class Answer:
    question: str
    text: str | None  # None when abstaining
    abstained: bool
    confidence: float
    citations: tuple[Citation, ...] = ()
    reason: str = ""
    trace_id: str = ""
    rejected: bool = False  # the abstention replaced a drafted answer the verifier refused


@dataclass(frozen=True, slots=True)
class SkippedFile:
    path: str
    reason: str


@dataclass(frozen=True, slots=True)
class FlaggedChunk:
    """A chunk the ingest scan flagged, named for the person who indexed the documents."""

    file: str  # path relative to the corpus root
    doc_id: str
    chunk_id: str
    reason: str


@dataclass(frozen=True, slots=True)
class IndexReport:
    generation: int
    documents: int
    chunks: int
    reused_files: int
    processed_files: int
    removed_files: int
    skipped: tuple[SkippedFile, ...] = field(default_factory=tuple)
    seconds: float = 0.0
    flagged: tuple[FlaggedChunk, ...] = ()  # every flagged chunk in the new index, unchanged files included
    scanned: bool = False  # whether chunks were scanned for instructions at all
    written: bool = True  # False: nothing changed, and the generation in use was kept as it is


@dataclass(frozen=True, slots=True)
class RetrievalResult:
    """What a retriever, fusion or reranker stage returns: hits best first."""

    hits: tuple[Hit, ...]
    stage: str

    def span_attributes(self) -> dict[str, str | int | float]:
        top = self.hits[0].score if self.hits else 0.0
        return {"hits": len(self.hits), "top_score": float(top)}


@dataclass(frozen=True, slots=True)
class Generation:
    """One completion from a generator, with what it cost."""

    text: str
    model: str
    tokens_in: int
    tokens_out: int
    seconds: float
    finish_reason: str = "stop"  # "stop" or "length" (cut off at max_tokens)
