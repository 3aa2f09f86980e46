"""Structure-aware chunking: headings give the section path, paragraphs are the units, a size cap bounds chunks.

Chunk text is always an exact slice of the document text, so offsets can be shown and checked.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass

from rightfit.types import Chunk, Document

# Bump when chunk boundaries or what a loader reads from a file change, so re-indexing re-chunks every file
# instead of reusing old chunks.
CHUNKER_VERSION = 3
_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.+?)\s*#*\s*$")
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[\"'(\[]?[A-Z0-9£$€])")


@dataclass(frozen=True, slots=True)
class _Block:
    section: tuple[str, ...]
    start: int
    end: int


def _is_plain_heading(text: str) -> bool:
    """A one-line block that reads like a heading in plain text (short, no closing punctuation)."""
    return "\n" not in text and len(text) <= 80 and not text.rstrip().endswith((".", ":", "?", "!", ",", ";")) \
        and len(text.split()) <= 10 and not text.lstrip().startswith(("-", "*", "|"))


def _blocks(doc: Document) -> Iterator[_Block]:
    """Paragraph blocks with the section path in force at each."""
    text = doc.text
    plain = doc.fmt in ("txt", "pdf")  # JSONL records carry their title separately: all their text is content
    section: list[tuple[int, str]] = []  # (level, heading)
    first_line_title = doc.fmt == "txt"
    paragraphs = list(re.finditer(r"[^\n](?:.|\n(?!\s*\n))*", text))
    for n, match in enumerate(paragraphs):
        start, end = match.start(), match.end()
        para = text[start:end]
        stripped = para.strip()
        if not stripped:
            continue
        head = _HEADING.match(stripped) if "\n" not in stripped else None
        if head:
            level, title = len(head.group(1)), head.group(2).strip()
            section = [(lv, t) for lv, t in section if lv < level] + [(level, title)]
            continue
        if plain and _is_plain_heading(stripped) and n + 1 < len(paragraphs):  # a last line is content
            if first_line_title:  # the title line of a plain text document
                first_line_title = False
                section = [(1, stripped)]
                continue
            section = [(lv, t) for lv, t in section if lv < 2] + [(2, stripped)]
            continue
        first_line_title = False
        # Trim surrounding whitespace so offsets point at visible text.
        lead = len(para) - len(para.lstrip())
        trail = len(para) - len(para.rstrip())
        path = tuple(t for lv, t in section if not (lv == 1 and t == doc.title))
        yield _Block(path, start + lead, end - trail)


def _split_long(text: str, start: int, end: int, max_chars: int) -> Iterator[tuple[int, int]]:
    """Cut an over-long span at sentence ends, else at whitespace, else hard."""
    pos = start
    while end - pos > max_chars:
        window = text[pos : pos + max_chars]
        cut = -1
        for m in _SENTENCE_END.finditer(window):
            if m.start() > max_chars // 3:
                cut = m.start()
        if cut == -1:
            ws = window.rfind(" ", max_chars // 3)
            cut = ws if ws != -1 else max_chars
        piece_end = pos + cut
        yield pos, piece_end
        pos = piece_end
        while pos < end and text[pos].isspace():
            pos += 1
    if pos < end:
        yield pos, end


def chunk_document(doc: Document, *, max_chars: int = 900) -> list[Chunk]:
    """Group paragraphs of one section until the cap; never merge across sections."""
    spans: list[tuple[tuple[str, ...], int, int]] = []
    for block in _blocks(doc):
        for s, e in _split_long(doc.text, block.start, block.end, max_chars):
            if spans:
                sec, ps, pe = spans[-1]
                if sec == block.section and e - ps <= max_chars:
                    spans[-1] = (sec, ps, e)
                    continue
            spans.append((block.section, s, e))
    if not spans and doc.text.strip():  # never lose a document whose only line looked like a heading
        lead = len(doc.text) - len(doc.text.lstrip())
        spans.append(((), lead, len(doc.text.rstrip())))
    chunks: list[Chunk] = []
    seen: dict[str, int] = {}
    for section, s, e in spans:
        body = doc.text[s:e]
        digest = hashlib.sha1(f"{doc.doc_id}\0{body}".encode()).hexdigest()[:10]
        n = seen.get(digest, 0)
        seen[digest] = n + 1
        chunk_id = f"{doc.doc_id}#{digest}" + (f"-{n}" if n else "")
        chunks.append(Chunk(chunk_id=chunk_id, doc_id=doc.doc_id, title=doc.title, section=section,
                            text=body, start=s, end=e))
    return chunks


def index_text(chunk: Chunk) -> str:
    """What retrievers see: the title and section path give context the paragraph alone lacks."""
    parts = [chunk.title, *chunk.section, chunk.text]
    return "\n".join(p for p in parts if p)
