"""The ladder's first rung: answer with sentences copied from the top passages, or abstain.

No generative model, so nothing is invented: the answer is a quote with a citation. The confidence is a
blend of meaning match (MiniLM cosine), term coverage weighted by rarity, and the passage's rank; below
the calibrated threshold the answerer abstains.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from rightfit.core.protocols import Embedder
from rightfit.retrieval.bm25 import tokenize
from rightfit.types import Answer, Chunk, Citation, Hit

ABSTAIN_TEXT = "I can't find that in our documents."
_BOUNDARY = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[\"'(\[]?[A-Z0-9£$€])")
_ABBREV = ("e.g.", "i.e.", "etc.", "No.", "St.", "Mr.", "Mrs.", "Ms.", "Dr.", "approx.", "incl.", "vs.")
_NUMERIC = re.compile(r"(?:[£$€]\s?\d|\d+(?:[.,]\d+)?\s?(?:%|percent|days?|hours?|weeks?|months?|years?|"
                      r"working|business|minutes?|am|pm|p\b)|\b\d{1,2}(?:st|nd|rd|th)\b|\b\d+\b)", re.IGNORECASE)
_QUANT_Q = re.compile(r"\b(how (much|many|long|soon|often|quickly|old)|what('s| is| are)? (the )?"
                      r"(fee|charge|cost|limit|rate|maximum|minimum|interest|apr|aer|ear|price|number|time|"
                      r"deadline|age)|when|what time|by when|cut-?off|how late)\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Sentence:
    chunk: Chunk
    passage_rank: int
    start: int  # offsets into the chunk text
    end: int

    @property
    def text(self) -> str:
        return self.chunk.text[self.start : self.end]


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans; list items and table rows (one per line) count as sentences."""
    raw: list[tuple[int, int]] = []
    for line in re.finditer(r"[^\n]+", text):
        begin = line.start()
        for cut in _BOUNDARY.finditer(line.group()):
            before = line.group()[: cut.start()]
            if before.endswith(_ABBREV):
                continue
            raw.append((begin, line.start() + cut.start()))
            begin = line.start() + cut.end()
        raw.append((begin, line.end()))
    spans = []
    for begin, end in raw:
        s, e = begin, end
        while s < e and text[s] in " \t-*|#>":
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e - s >= 3 and any(ch.isalnum() for ch in text[s:e]):
            spans.append((s, e))
    return spans


class ExtractiveAnswerer:
    """Stage: pick the best-supported sentence(s) from the top passages, with citations, or abstain."""

    name = "extractive"

    def __init__(
        self,
        *,
        embedder: Embedder,
        idf: Callable[[str], float] | None = None,
        threshold: float = 0.5,
        passages: int = 5,
        max_sentences: int = 2,
    ) -> None:
        if not 0.0 <= threshold <= 1.0:
            raise ValueError(f"extractive: threshold must be within [0, 1], got {threshold}")
        if passages < 1 or max_sentences < 1:
            raise ValueError("extractive: passages and max_sentences must be >= 1")
        self.embedder = embedder
        self.idf = idf or (lambda _t: 1.0)
        self.threshold = threshold
        self.passages = passages
        self.max_sentences = max_sentences

    def warm_up(self) -> None:
        warm = getattr(self.embedder, "warm_up", None)
        if callable(warm):
            warm()

    def score(self, *, question: str, hits: Sequence[Hit]) -> tuple[list[Sentence], np.ndarray]:
        """Every candidate sentence with its score in [0, 1], in passage order."""
        sentences = [
            Sentence(hit.chunk, rank, s, e)
            for rank, hit in enumerate(hits[: self.passages])
            if hit.chunk is not None
            for s, e in split_sentences(hit.chunk.text)
        ]
        if not sentences:
            return [], np.zeros(0, dtype=np.float32)
        # The section heading is context for its sentences ("Daily limits" + "£500 at ATMs").
        vecs = self.embedder.embed([question, *(_with_context(s) for s in sentences)])
        semantic = np.clip(vecs[1:] @ vecs[0], 0.0, 1.0)
        q_terms = set(tokenize([question])[0])
        weights = {t: self.idf(t) for t in q_terms}
        total = sum(weights.values()) or 1.0
        wants_quantity = bool(_QUANT_Q.search(question))
        scores = np.zeros(len(sentences), dtype=np.float32)
        for i, sent in enumerate(sentences):
            own = set(tokenize([readable(sent)])[0])
            ctx = set(tokenize([" ".join((sent.chunk.title, *sent.chunk.section))])[0])
            covered = sum(w if t in own else 0.5 * w if t in ctx else 0.0 for t, w in weights.items()) / total
            prior = 1.0 / (1.0 + 0.5 * sent.passage_rank)
            quantity = 1.0 if (not wants_quantity or _NUMERIC.search(sent.text)) else 0.0
            scores[i] = 0.5 * semantic[i] + 0.3 * covered + 0.1 * prior + 0.1 * quantity
        return sentences, scores

    def run(self, *, question: str, hits: Sequence[Hit]) -> Answer:
        sentences, scores = self.score(question=question, hits=hits)
        if not sentences:
            return Answer(question=question, text=None, abstained=True, confidence=0.0,
                          reason="no passages were retrieved")
        best = int(np.argmax(scores))
        confidence = float(scores[best])
        if confidence < self.threshold:
            return Answer(question=question, text=None, abstained=True, confidence=confidence,
                          reason=f"confidence {confidence:.2f} is below the threshold {self.threshold:.2f}")
        table = _table_answer(sentences[best])
        if table is not None:
            text, citation = table
            return Answer(question=question, text=text, abstained=False, confidence=confidence,
                          citations=(citation,))
        chosen = [best]
        # A short best sentence often needs the next one on the same line ("Yes." / "It depends:").
        nxt = best + 1
        if (self.max_sentences > 1 and len(sentences[best].text) < 80 and nxt < len(sentences)
                and sentences[nxt].chunk.chunk_id == sentences[best].chunk.chunk_id
                and "\n" not in sentences[best].chunk.text[sentences[best].end : sentences[nxt].start]):
            chosen.append(nxt)
        text = " ".join(sentences[i].text for i in chosen)
        citations = tuple(_cite(sentences[i]) for i in chosen)
        return Answer(question=question, text=text, abstained=False, confidence=confidence, citations=citations)


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def readable(sent: Sentence) -> str:
    """The sentence as a reader understands it: a table row is paired with its column headers."""
    text = sent.chunk.text
    line_start = text.rfind("\n", 0, sent.start) + 1
    if not text[line_start:].lstrip().startswith("|"):
        return sent.text
    lines = text[:line_start].split("\n")[:-1]
    block: list[str] = []
    for line in reversed(lines):  # walk up to the table's first line, its header
        if not line.lstrip().startswith("|"):
            break
        block.append(line)
    if not block:
        return sent.text
    header = _cells(block[-1])
    row = _cells(text[line_start : text.find("\n", line_start) if "\n" in text[line_start:] else len(text)])
    if len(header) != len(row):
        return sent.text
    return "; ".join(f"{h}: {c}" for h, c in zip(header, row, strict=True) if c)


def _table_answer(sent: Sentence, max_rows: int = 6) -> tuple[str, Citation] | None:
    """A best sentence that is a row of a small table is answered with the whole table, rows made readable.

    Rows of one table usually differ by the case they apply to ("standard card" / "Premier card"); the
    customer needs to see them side by side, not the one row that happened to score highest.
    """
    text = sent.chunk.text
    if not text[text.rfind("\n", 0, sent.start) + 1 :].lstrip().startswith("|"):
        return None
    lines = [(m.start(), m.end()) for m in re.finditer(r"[^\n]+", text)]
    idx = next(i for i, (s, e) in enumerate(lines) if s <= sent.start <= e)
    lo = idx
    while lo > 0 and text[lines[lo - 1][0] : lines[lo - 1][1]].lstrip().startswith("|"):
        lo -= 1
    hi = idx
    while hi + 1 < len(lines) and text[lines[hi + 1][0] : lines[hi + 1][1]].lstrip().startswith("|"):
        hi += 1
    block = [text[s:e] for s, e in lines[lo : hi + 1]]
    if len(block) < 3 or set(block[1].replace("|", "").strip()) - set("-: "):
        return None  # not a table with a header and a separator line
    header, rows = _cells(block[0]), [_cells(r) for r in block[2:]]
    if len(rows) > max_rows or any(len(r) != len(header) for r in rows):
        return None
    if len(header) == 2:
        readable_rows = [f"{r[0]}: {r[1]}" for r in rows]
    else:
        readable_rows = ["; ".join(f"{h}: {c}" for h, c in zip(header, r, strict=True) if c) for r in rows]
    answer = ". ".join(readable_rows) + "."
    c = sent.chunk
    start, end = lines[lo][0], lines[hi][1]
    citation = Citation(doc_id=c.doc_id, chunk_id=c.chunk_id, title=c.title, section=c.section_path,
                        start=c.start + start, end=c.start + end, quote=text[start:end])
    return answer, citation


def _with_context(sent: Sentence) -> str:
    heading = sent.chunk.section[-1] if sent.chunk.section else sent.chunk.title
    body = readable(sent)
    return f"{heading}: {body}" if heading else body


def _cite(sent: Sentence) -> Citation:
    c = sent.chunk
    return Citation(doc_id=c.doc_id, chunk_id=c.chunk_id, title=c.title, section=c.section_path,
                    start=c.start + sent.start, end=c.start + sent.end, quote=sent.text)


def bm25_idf(num_docs: int, doc_freq: Callable[[str], int]) -> Callable[[str], float]:
    """IDF as BM25 computes it; a term the corpus never uses gets the highest weight."""

    def idf(term: str) -> float:
        df = doc_freq(term)
        return math.log(1.0 + (num_docs - df + 0.5) / (df + 0.5))

    return idf
