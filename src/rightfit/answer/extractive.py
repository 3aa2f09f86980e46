"""The ladder's first rung: answer with sentences copied from the top passages, or abstain.

No generative model, so nothing is invented: the answer is a quote with a citation. A sentence's score
blends meaning match (MiniLM cosine, with title and heading as context), term coverage weighted by
rarity and the passage's rank; it is lowered when the sentence lacks the kind of value asked for, when
question terms appear in no retrieved passage, and when the sentence describes the page rather than
stating a fact. The best score is the confidence; below the
calibrated threshold the answerer abstains.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from rightfit.answer.answer_types import offered_types, wanted_types
from rightfit.core.protocols import Embedder
from rightfit.retrieval.bm25 import tokenize
from rightfit.types import Answer, Chunk, Citation, Hit

# How much unmatched question terms lower confidence; chosen on the bank eval set's calibration split only.
UNSEEN_PENALTY = 0.6
_BOUNDARY = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[\"'(\[]?[A-Z0-9£$€])")
_ABBREV = ("e.g.", "i.e.", "etc.", "No.", "St.", "Mr.", "Mrs.", "Ms.", "Dr.", "approx.", "incl.", "vs.")
# Words that carry the question's form, not its subject: they must not count as evidence either way.
_FORM_WORDS = ("get", "got", "need", "want", "much", "many", "long", "would", "could", "please", "know", "tell",
               "like", "also", "still", "yet", "ever", "really", "thing", "way", "let", "say", "able", "im",
               "ive", "id", "whats", "hows", "dont", "cant", "wont", "happen", "happens", "mean", "means")


@lru_cache(maxsize=1)
def _stopwords() -> tuple[str, ...]:
    from bm25s.stopwords import STOPWORDS_EN_PLUS

    return (*STOPWORDS_EN_PLUS, *_FORM_WORDS)


# Irregular past forms the stemmer leaves apart from their verb: "I forgot my PIN" should meet "if you've
# forgotten your PIN", "my card was stolen" meet "if your card is stolen or you think it has been stolen".
_IRREGULAR = {"forgot": "forget", "forgotten": "forget", "stole": "steal", "stolen": "steal", "lost": "lose",
              "paid": "pay", "sent": "send", "spent": "spend", "took": "take", "taken": "take", "gave": "give",
              "given": "give", "bought": "buy", "withdrew": "withdraw", "withdrawn": "withdraw", "chose": "choose",
              "chosen": "choose", "broke": "break", "broken": "break", "froze": "freeze", "frozen": "freeze"}
_IRREGULAR_WORD = re.compile(r"\b(?:" + "|".join(_IRREGULAR) + r")\b", re.IGNORECASE)


def content_terms(text: str) -> set[str]:
    text = _IRREGULAR_WORD.sub(lambda m: _IRREGULAR[m.group().lower()], text)
    return set(tokenize([text], stopwords=_stopwords())[0])


_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
# A sentence about the page itself ("This page explains how to get copies of statements") names topics, never
# a fact: it must not be quoted as the answer, however closely its words match the question.
_ABOUT_THE_PAGE = re.compile(r"^(?:this|the|our) (?:page|guide|section|article|leaflet|document)s? (?:\w+ )?"
                             r"(?:explains?|lists?|covers?|summari[sz]es?|brings?|describes?|tells?|sets? out|"
                             r"gives?|shows?|answers?)\b", re.IGNORECASE)
META_FACTOR = 0.5


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
        bodies = [readable(s) for s in sentences]
        vecs = self.embedder.embed([question, *(_with_context(s, b) for s, b in zip(sentences, bodies, strict=True))])
        semantic = np.clip(vecs[1:] @ vecs[0], 0.0, 1.0)
        q_terms = content_terms(question)
        weights = {t: self.idf(t) for t in q_terms}
        total = sum(weights.values()) or 1.0
        wanted = wanted_types(question)
        # Question terms that no retrieved passage mentions at all ("bitcoin", "pension") are a sign the
        # documents do not cover the question, however close the rest of it is.
        seen = content_terms(" ".join(f"{h.chunk.title} {' '.join(h.chunk.section)} {h.chunk.text}"
                                      for h in hits[: self.passages] if h.chunk is not None))
        unseen = sum(w for t, w in weights.items() if t not in seen) / total
        # Title and section terms are the same for every sentence of a chunk.
        headings = {h.chunk.chunk_id: content_terms(" ".join((h.chunk.title, *h.chunk.section)))
                    for h in hits[: self.passages] if h.chunk is not None}
        scores = np.zeros(len(sentences), dtype=np.float32)
        for i, (sent, text) in enumerate(zip(sentences, bodies, strict=True)):
            own = content_terms(text)
            ctx = headings[sent.chunk.chunk_id]
            covered = sum(w if t in own else 0.5 * w if t in ctx else 0.0 for t, w in weights.items()) / total
            prior = 1.0 / (1.0 + 0.5 * sent.passage_rank)
            base = 0.55 * semantic[i] + 0.3 * covered + 0.15 * prior
            # A sentence without the kind of value asked for ("how much" with no amount) rarely answers it.
            scores[i] = base if not wanted or wanted & offered_types(text) else 0.7 * base
            scores[i] *= 1.0 - UNSEEN_PENALTY * unseen
            if _ABOUT_THE_PAGE.match(text):
                scores[i] *= META_FACTOR
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
        return self.compose(question=question, sentences=sentences, scores=scores, best=best, confidence=confidence)

    def compose(self, *, question: str, sentences: Sequence[Sentence], scores: np.ndarray, best: int,
                confidence: float) -> Answer:
        """The answer quoting sentence `best`: its table, or it with a neighbour that scored next to it, or a
        list item with the line that introduces its list."""
        whole = _table_answer(sentences[best]) or _list_answer(sentences[best]) or _table_after(sentences[best])
        if whole is not None:
            text, citation = whole
            return Answer(question=question, text=text, abstained=False, confidence=confidence,
                          citations=(citation,))
        chosen = [best]
        if self.max_sentences > 1:
            # When the runner-up is the best sentence's neighbour, the answer spans both ("We review your
            # overdraft every year." + "We'll give you 30 days' notice of a lower limit."); never a table row,
            # which is quoted with its table or not at all.
            ranked = [int(i) for i in np.argsort(-scores, kind="stable")[1:3]]
            for other in ranked:
                if (abs(other - best) == 1 and sentences[other].chunk.chunk_id == sentences[best].chunk.chunk_id
                        and not _ABOUT_THE_PAGE.match(sentences[other].text) and not _in_table(sentences[other])):
                    chosen = sorted([best, other])
                    break
        chosen = _with_antecedents(sentences, chosen)
        # A row of a table too long to quote whole is read with its column names, not as bare cells.
        text = " ".join(readable(sentences[i]) if _in_table(sentences[i]) else sentences[i].text for i in chosen)
        citations = tuple(_cite(sentences[i]) for i in chosen)
        # A list item quoted as the neighbour of a sentence after its list ("by phone: call ..." before "If
        # you've forgotten your PIN, ...") means nothing without its lead-in either.
        intro = next((found for i in [best, *chosen] if (found := lead_in(sentences[i])) is not None), None)
        same = [sentences[i] for i in chosen if sentences[i].chunk.chunk_id == sentences[best].chunk.chunk_id]
        if intro is not None and any(t.start < intro[1] and intro[0] < t.end for t in same):
            intro = None  # the lead-in line is itself quoted, as the item's neighbour: said once
        if intro is not None:  # "You can apply if you: have an income of at least £10,000 a year;"
            head = _cite_span(sentences[best].chunk, intro[0], intro[1])
            text = f"{head.quote} {text}"
            citations = (head, *citations)
        elif (opening := heading_lead_in(sentences[chosen[0]])) is not None:
            text = f"{opening} {text}"  # "Larkspur will never ask you to" + "move money to a "safe account" ..."
        return Answer(question=question, text=text, abstained=False, confidence=confidence, citations=citations)


# A quote that opens by pointing back ("It is set per transaction", "This limit is the same for every card")
# means nothing alone: the sentence before it says what "it" is.
_ANAPHOR = re.compile(r"(?:It|It's|Its|This|That|These|Those|They|Their|Such|The same)\b")
# So does a short one that ends on a bare auxiliary ("Withdrawing cash at the Post Office does."): the verb it
# stands for is in the sentence before. (A long one ending so, "... and help you pay more if you can.", does not.)
_ELLIPSIS = re.compile(r"\b(?:does|do|did|doesn't|don't|is|isn't|are|aren't|can|can't|will|won't|has|hasn't|have|"
                       r"haven't)(?:\s+(?:too|not|as well))?[.!]?\s*$", re.IGNORECASE)
MAX_ANTECEDENTS = 2
LONGEST_LIST = 8  # items quoted after a lead-in line that is itself the best answer
MAX_ELLIPSIS_WORDS = 10


def _with_antecedents(sentences: Sequence[Sentence], chosen: list[int]) -> list[int]:
    """`chosen` (consecutive indices) with up to MAX_ANTECEDENTS sentences before it, while the first one
    refers back (opens with a pronoun or ends on a bare auxiliary); only plain sentences of the same chunk,
    never a list item or table row."""
    out = list(chosen)
    while len(out) - len(chosen) < MAX_ANTECEDENTS and out[0] > 0:
        first, prev = sentences[out[0]], sentences[out[0] - 1]
        refers_back = _ANAPHOR.match(first.text) or (len(first.text.split()) <= MAX_ELLIPSIS_WORDS
                                                     and _ELLIPSIS.search(first.text))
        if not refers_back or prev.chunk.chunk_id != first.chunk.chunk_id:
            break
        line_start = prev.chunk.text.rfind("\n", 0, prev.start) + 1
        line = prev.chunk.text[line_start : prev.end]
        if _LIST_ITEM.match(line) or line.lstrip().startswith("|"):
            break
        out.insert(0, out[0] - 1)
    return out


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def lead_in(sent: Sentence) -> tuple[int, int] | None:
    """For a list item, the span of the line that introduces its list ("You can apply if you:")."""
    text = sent.chunk.text
    line_start = text.rfind("\n", 0, sent.start) + 1
    if not _LIST_ITEM.match(text[line_start : sent.end]):
        return None
    pos = line_start
    while pos > 0:
        prev_start = text.rfind("\n", 0, pos - 1) + 1
        line = text[prev_start : pos - 1]
        if line.strip() and not _LIST_ITEM.match(line):
            s = prev_start + len(line) - len(line.lstrip())
            return (s, prev_start + len(line.rstrip())) if line.rstrip().endswith(":") else None
        pos = prev_start
    return None


def heading_lead_in(sent: Sentence) -> str | None:
    """For a list item that continues its section's heading ("## Larkspur will never ask you to" over "- move
    money to a "safe account" to protect it."): the heading, without which the item reads as an instruction.
    Only an item that opens in lower case, of a list that opens its chunk, continues a heading."""
    text, section = sent.chunk.text, sent.chunk.section
    line_start = text.rfind("\n", 0, sent.start) + 1
    item = _LIST_ITEM.match(text[line_start : sent.end])
    if not section or item is None or not text[line_start + item.end() :][:1].islower():
        return None
    before = text[:line_start].splitlines()
    return section[-1] if all(not line.strip() or _LIST_ITEM.match(line) for line in before) else None


def _list_answer(sent: Sentence, max_items: int = 4) -> tuple[str, Citation] | None:
    """A best sentence that is an item of a short list with a lead-in line is answered with the whole list.

    Like table rows, the items are alternatives ("You can change your PIN at: any Larkspur ATM; most other ATMs
    in the UK"): one item alone reads as the only one. The best sentence may be the lead-in line itself."""
    text = sent.chunk.text
    intro = lead_in(sent)
    asked_for_list = intro is None and text[sent.start : sent.end].rstrip().endswith(":")
    if asked_for_list:
        intro = (sent.start, sent.end)  # checked below: items must follow it
    if intro is None:
        return None
    items: list[tuple[int, int]] = []
    for line in re.finditer(r"[^\n]*", text[intro[1] :]):
        start, body = intro[1] + line.start(), line.group()
        if (marker := _LIST_ITEM.match(body)) is not None:
            items.append((start + marker.end(), start + len(body.rstrip())))
        elif body.strip() or len(items) > LONGEST_LIST:
            break  # the list ended (or never began), or it is too long to quote whole
    # An item that answers best is quoted with its list only when the list is short (the items are its
    # alternatives); a lead-in that answers best ("These keep working while your card is frozen:") says
    # nothing without its list, so a longer list is quoted whole.
    if not 1 < len(items) <= (LONGEST_LIST if asked_for_list else max_items):
        return None
    answer = " ".join([text[intro[0] : intro[1]], *(text[a:b] for a, b in items)])
    return answer, _cite_span(sent.chunk, intro[0], items[-1][1])


def readable(sent: Sentence) -> str:
    """The sentence as a reader understands it: a table row with its column headers, a list item with the
    line that introduces the list."""
    text = sent.chunk.text
    intro = lead_in(sent)
    if intro is not None:
        return f"{text[intro[0] : intro[1]]} {sent.text}"
    table = _table_lines(text, sent.start)
    if table is None or table[1] == 0:  # not in a table, or the header row itself
        return sent.text
    lines, idx = table
    header = _cells(text[lines[0][0] : lines[0][1]])
    row = _cells(text[lines[idx][0] : lines[idx][1]])
    if len(header) != len(row):
        return sent.text
    return "; ".join(f"{h}: {c}" for h, c in zip(header, row, strict=True) if c)


def _in_table(sent: Sentence) -> bool:
    """A table row quoted beside a sentence reads as bare cells ("Student Account | 0% within your limit")."""
    return _table_lines(sent.chunk.text, sent.start) is not None


def _table_lines(text: str, pos: int) -> tuple[list[tuple[int, int]], int] | None:
    """The (start, end) spans of the table lines ("| ... |") around `pos`, and the index of pos's line."""
    if not text[text.rfind("\n", 0, pos) + 1 :].lstrip().startswith("|"):
        return None
    lines = [(m.start(), m.end()) for m in re.finditer(r"[^\n]+", text)]
    idx = next(i for i, (s, e) in enumerate(lines) if s <= pos <= e)

    def is_row(i: int) -> bool:
        return text[lines[i][0] : lines[i][1]].lstrip().startswith("|")

    lo = idx
    while lo > 0 and is_row(lo - 1):
        lo -= 1
    hi = idx
    while hi + 1 < len(lines) and is_row(hi + 1):
        hi += 1
    return lines[lo : hi + 1], idx - lo


def _table_after(sent: Sentence) -> tuple[str, Citation] | None:
    """A best sentence that introduces a table ("The limit depends on which year of your course you are in:")
    says nothing without it: quoted with the table, rows made readable, when the table is small."""
    text = sent.chunk.text
    if not text[sent.start : sent.end].rstrip().endswith(":"):
        return None
    after = text[sent.end :]
    first = after[len(after) - len(after.lstrip()) :]
    if not first.startswith("|"):
        return None
    row = Sentence(sent.chunk, sent.passage_rank, len(text) - len(first), len(text) - len(first) + 1)
    table = _table_answer(row)
    if table is None:
        return None
    quoted, citation = table
    end = citation.end - sent.chunk.start  # the table's end, as an offset into the chunk
    return f"{text[sent.start : sent.end]} {quoted}", _cite_span(sent.chunk, sent.start, end)


def _table_answer(sent: Sentence, max_rows: int = 6) -> tuple[str, Citation] | None:
    """A best sentence that is a row of a small table is answered with the whole table, rows made readable.

    Rows of one table usually differ by the case they apply to ("standard card" / "Premier card"); the
    customer needs to see them side by side, not the one row that happened to score highest.
    """
    text = sent.chunk.text
    table = _table_lines(text, sent.start)
    if table is None:
        return None
    lines = table[0]
    block = [text[s:e] for s, e in lines]
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
    return answer, _cite_span(sent.chunk, lines[0][0], lines[-1][1])


def heading(sent: Sentence) -> str:
    """The sentence's page title and section ("Savings accounts - Easy Access Saver"), each once."""
    parts = [p for p in (sent.chunk.title, sent.chunk.section[-1] if sent.chunk.section else "") if p]
    return " - ".join(dict.fromkeys(parts))


def _with_context(sent: Sentence, body: str) -> str:
    """Title and heading give a bare sentence (its `readable` form) its subject ("Interest rate: 3.60% AER"
    of which account)."""
    head = heading(sent)
    return f"{head}: {body}" if head else body


def _cite_span(c: Chunk, start: int, end: int) -> Citation:
    """A citation of chunk text [start, end) (offsets into the chunk), with its offsets into the document."""
    return Citation(doc_id=c.doc_id, chunk_id=c.chunk_id, title=c.title, section=c.section_path,
                    start=c.start + start, end=c.start + end, quote=c.text[start:end])


def _cite(sent: Sentence) -> Citation:
    return _cite_span(sent.chunk, sent.start, sent.end)


def bm25_idf(num_docs: int, doc_freq: Callable[[str], int]) -> Callable[[str], float]:
    """IDF as BM25 computes it; a term the corpus never uses gets the highest weight."""

    def idf(term: str) -> float:
        df = doc_freq(term)
        return math.log(1.0 + (num_docs - df + 0.5) / (df + 0.5))

    return idf
