"""Index a folder: load, chunk, scan, embed and write a new generation; only changed files are processed again.

When a guard is given, every chunk is scanned for instructions aimed at the assistant and the verdict is stored
with it. Unchanged files keep the flags stored for them, as long as the same scanner produced them; a different
scanner (or none) re-scans them, which costs far less than embedding them again.
"""

from __future__ import annotations

import hashlib
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from rightfit.core.errors import IngestError, InvalidInputError
from rightfit.core.progress import counting
from rightfit.core.protocols import Embedder, Guard
from rightfit.ingest.chunking import CHUNKER_VERSION, chunk_document, index_text
from rightfit.ingest.loaders import SUPPORTED, load_file, name_problem, shown_name
from rightfit.retrieval.bm25 import UNREADABLE, BM25Retriever, build_bm25
from rightfit.retrieval.stores.embedded import (
    EmbeddedStore,
    FileRecord,
    GenerationWriter,
    clean_stale,
    current_generation,
    exclusive_writer,
)
from rightfit.types import Chunk, Document, FlaggedChunk, IndexReport, SkippedFile

logger = logging.getLogger(__name__)

# progress(phase, done, total): phases are "load", "guard", "embed", "bm25".
Progress = Callable[[str, int, int], None]
# Stored in place of a file's hash when some of its records lost an id clash with another file: the clash may be
# gone by the next run (the other file removed), so the file must be loaded again rather than reused as it is.
_PARTIAL = "partial:"


@dataclass(frozen=True, slots=True)
class _Pending:
    record: FileRecord
    docs: list[Document]
    chunks: list[Chunk]


def _silent(_phase: str, _done: int, _total: int) -> None:
    return None


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def discover(root: Path, problems: list[SkippedFile] | None = None) -> list[Path]:
    """Supported files under root, sorted; hidden files and folders are ignored, symlinked folders not followed,
    and a symlinked file only when it leads to a file inside root.

    A folder that cannot be listed or has a name that is not UTF-8 is added to `problems`, when given: otherwise
    its files would be missing from the index without a word.
    """
    def report(rel: str, reason: str) -> None:
        if problems is not None:
            problems.append(SkippedFile(shown_name(rel) + "/", reason))
            logger.info("skipped folder %s/: %s", shown_name(rel), reason)

    # Logged at info: the run's report names every skipped file, and the CLI prints it (it was said twice).
    def skip(rel: str, reason: str) -> None:
        if problems is not None:
            problems.append(SkippedFile(shown_name(rel), reason))
        logger.info("skipped %s: %s", shown_name(rel), reason)

    def unreadable(exc: OSError) -> None:
        rel = Path(exc.filename).relative_to(root).as_posix() if exc.filename else "."
        report(rel, f"folder cannot be read ({exc.strerror}); its files were not indexed")

    found: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(root, onerror=unreadable):
        here = Path(dirpath)
        keep = []
        for d in dirnames:
            if d.startswith(".") or (here / d).is_symlink():
                continue
            problem = name_problem(d)
            if problem is None:
                keep.append(d)
            else:
                report((here / d).relative_to(root).as_posix(), problem)
        dirnames[:] = keep  # os.walk descends only into the folders left here
        for f in filenames:
            path = here / f
            if f.startswith("."):
                continue
            if (suffix := Path(f).suffix.lower()) not in SUPPORTED:
                # "notes.docx" left out is said, not silent (the README promises every skipped file by name).
                skip(path.relative_to(root).as_posix(), f"{suffix or 'no extension'} is not a supported type "
                     f"({', '.join(sorted(SUPPORTED))})")
                continue
            if path.is_symlink():
                # A link may lead anywhere ("docs/passwd.txt -> /etc/passwd"): only one to a file inside the
                # folder is followed, and a link that is not is said, not silently left out.
                why = _link_problem(path, root)
                if why is not None:
                    skip(path.relative_to(root).as_posix(), why)
                    continue
            if path.is_file():
                found.append(path)
    return sorted(found)


def _link_problem(link: Path, root: Path) -> str | None:
    try:
        target = link.resolve(strict=True)
    except (OSError, RuntimeError):
        return "a link that leads nowhere (broken, or a loop); not followed"
    if not target.is_relative_to(root.resolve()):
        return "a link to a file outside the documents folder; not followed"
    return None


def _bm25_loads(store: EmbeddedStore) -> bool:
    """Whether the generation's BM25 files load (emptied or overwritten ones are rebuilt, not kept)."""
    try:
        BM25Retriever(directory=store.bm25_dir, chunk_ids=store.chunk_ids).warm_up()
    except UNREADABLE:
        return False
    return True


class Indexer:
    """Builds the embedded index for one folder of documents in a data directory."""

    def __init__(self, *, data_dir: Path, embedder: Embedder, max_chars: int = 900,
                 max_file_bytes: int = 20_000_000, guard: Guard | None = None) -> None:
        """`guard` scans each chunk at ingest (rightfit.guard.ingest_scan.ChunkScanner); None stores none flagged."""
        self.data_dir = data_dir
        self.embedder = embedder
        self.max_chars = max_chars
        self.max_file_bytes = max_file_bytes
        self.guard = guard

    def _config_key(self) -> str:
        # A change to chunking or the embedding model invalidates every reused chunk and vector.
        return f"{self.embedder.model_id}|{self.embedder.dim}|max_chars={self.max_chars}|chunker={CHUNKER_VERSION}"

    def run(self, *, source: Path, files: list[Path] | None = None, progress: Progress | None = None,
            replace: bool = False) -> IndexReport:
        """Index every supported file under `source`, or only `files` (paths under `source`) when given. A source
        that shares no file with the index in use is refused unless `replace`: most likely the wrong folder, and
        it would have replaced the whole index."""
        started = time.perf_counter()
        if not source.is_dir():
            raise InvalidInputError(f"index: {source} is not a directory; pass the folder that holds the documents")
        note = progress or _silent
        self.data_dir.mkdir(parents=True, exist_ok=True)
        with exclusive_writer(self.data_dir):
            return self._build(source, files, note, started, replacing=replace)

    def _build(self, source: Path, files: list[Path] | None, note: Progress, started: float, *,
               replacing: bool) -> IndexReport:
        clean_stale(self.data_dir)
        previous = self._previous()
        old_files = previous.files() if previous else {}
        skipped: list[SkippedFile] = []
        files = discover(source, skipped) if files is None else sorted(files)
        reused: list[FileRecord] = []
        pending: list[_Pending] = []
        seen_ids: dict[str, tuple[str, str]] = {}
        for i, path in enumerate(files, start=1):
            rel = path.relative_to(source).as_posix()
            note("load", i, len(files))
            problem = name_problem(rel)
            if problem is not None:  # before anything stores the name, hashes it or prints it
                skipped.append(SkippedFile(shown_name(rel), problem))
                logger.info("skipped %s: %s", shown_name(rel), problem)
                continue
            try:
                record = FileRecord(rel, _sha256(path), path.stat().st_size)
            except OSError as exc:
                skipped.append(SkippedFile(rel, f"cannot be read ({exc.strerror})"))
                continue
            old = old_files.get(rel)
            if previous is not None and old is not None and old.sha256 == record.sha256:
                docs = previous.documents_of_file(rel)
                if not any(d.doc_id in seen_ids for d in docs):
                    self._claim_ids(docs, rel, seen_ids, skipped)  # claims all: none is taken
                    reused.append(record)
                    continue
                # An id is now taken by a file earlier in the order: load it again so only the clashing ones go.
            try:
                docs, problems = load_file(path, source, max_bytes=self.max_file_bytes)
            except IngestError as exc:
                # The report names the file already; the error names it too for callers that load one file.
                skipped.append(SkippedFile(rel, str(exc).removeprefix(f"{rel}: ")))
                logger.info("skipped %s", exc)
                continue
            skipped.extend(SkippedFile(rel, p) for p in problems)
            kept, lost_to_others = self._claim_ids(docs, rel, seen_ids, skipped)
            if not kept:
                continue
            if lost_to_others:
                record = replace(record, sha256=_PARTIAL + record.sha256)
            docs = kept
            chunks = [c for d in docs for c in chunk_document(d, max_chars=self.max_chars)]
            pending.append(_Pending(record, docs, chunks))
        if not reused and not pending:
            detail = "; ".join(f"{s.path}: {s.reason}" for s in skipped[:5])
            raise InvalidInputError(
                f"index: no usable documents in {source}"
                + (f" ({len(skipped)} skipped: {detail})" if skipped else "")
                + f"; supported types: {', '.join(sorted(SUPPORTED))}. The previous index, if any, is unchanged"
            )
        kept_paths = {r.path for r in reused} | {q.record.path for q in pending}
        removed = sum(1 for p in old_files if p not in kept_paths)
        if old_files and not kept_paths & set(old_files) and not replacing:
            if previous is not None:
                previous.close()
            example = next(iter(sorted(old_files)))
            raise InvalidInputError(
                f"index: {source} shares no file with the index in {self.data_dir} ({len(old_files)} files, such as "
                f"{example}); pass --replace to replace that index, or another --data-dir. Nothing was changed")
        if (previous is not None and not pending and not removed and previous.scanner == self._scanner()
                and _bm25_loads(previous)):
            # Nothing changed: the generation in use stays, byte for byte, so a lock that names it still holds
            # (`serve --docs` indexes on every start).
            try:
                return self._kept(previous, reused, skipped, started)
            finally:
                previous.close()
        writer = GenerationWriter(self.data_dir)
        try:
            n_docs, n_chunks, flagged = self._write(writer, previous, reused, pending, note)
            writer.commit()
        except BaseException:
            writer.abort()  # the previous generation stays live and untouched
            raise
        finally:
            if previous is not None:
                previous.close()
        return IndexReport(
            generation=writer.number,
            documents=n_docs,
            chunks=n_chunks,
            reused_files=len(reused),
            processed_files=len(pending),
            removed_files=removed,
            skipped=tuple(skipped),
            seconds=time.perf_counter() - started,
            flagged=tuple(flagged),
            scanned=self.guard is not None,
        )

    def _scanner(self) -> str | None:
        return None if self.guard is None else self.guard.name

    def _kept(self, previous: EmbeddedStore, reused: list[FileRecord], skipped: list[SkippedFile],
              started: float) -> IndexReport:
        """The report of a run that changed nothing: the generation in use, as it is."""
        flagged: list[FlaggedChunk] = []
        n_docs = 0
        for record in reused:
            for doc in previous.documents_of_file(record.path):
                n_docs += 1
                rows = [r for r in previous.rows_of_doc(doc.doc_id) if r in previous.flagged_rows]
                flagged.extend(FlaggedChunk(record.path, c.doc_id, c.chunk_id, c.flag) for c in previous.chunks(rows))
        return IndexReport(generation=int(previous.generation.name.removeprefix("gen-")), documents=n_docs,
                           chunks=len(previous), reused_files=len(reused), processed_files=0, removed_files=0,
                           skipped=tuple(skipped), seconds=time.perf_counter() - started, flagged=tuple(flagged),
                           scanned=self.guard is not None, written=False)

    def _previous(self) -> EmbeddedStore | None:
        gen = current_generation(self.data_dir)
        if gen is None:
            return None
        try:
            store = EmbeddedStore(gen)
        except Exception:  # an unreadable old generation only means nothing can be reused
            logger.warning("previous index in %s is unreadable; rebuilding from scratch", gen)
            return None
        if store.meta.get("config") != self._config_key():
            store.close()
            return None
        return store

    @staticmethod
    def _claim_ids(docs: list[Document], rel: str, seen: dict[str, tuple[str, str]],
                   skipped: list[SkippedFile]) -> tuple[list[Document], bool]:
        """The documents whose ids were still free, now claimed, and whether another file held any of the rest.

        Each clash is reported where it is. A clash skips a one-document file, but only the clashing record of a
        JSONL file: one repeated id must not drop a corpus of thousands. `seen` maps each id to the file that holds
        it and the JSONL line, if any.
        """
        kept: list[Document] = []
        lost_to_others = False
        for d in docs:
            line = d.source.rpartition(":")[2] if d.fmt == "jsonl" else ""
            if d.doc_id not in seen:
                seen[d.doc_id] = (rel, line)
                kept.append(d)
                continue
            file, held_line = seen[d.doc_id]
            lost_to_others = lost_to_others or file != rel
            holder = f"line {held_line} of {file}" if held_line else file
            taken = f"document id {d.doc_id!r} is already used by {holder}"
            if line:
                reason = f"line {line}: {taken}; give each record its own id"
            elif held_line:
                reason = f"{taken}; rename this file or change the id on that line"
            else:
                reason = f"{taken}; rename one of the files"
            skipped.append(SkippedFile(rel, reason))
        return kept, lost_to_others

    def _scan(self, chunks: list[Chunk], note: Progress, total: int, done: int) -> list[Chunk]:
        """The chunks with the guard's verdict stored in `flag` (cleared when there is no guard)."""
        if self.guard is None:
            return [replace(c, flag="") if c.flag else c for c in chunks]
        out = []
        for i, c in enumerate(chunks, start=1):
            verdict = self.guard.run(text=index_text(c))
            flag = (",".join(verdict.reasons) or "flagged") if verdict.flagged else ""
            out.append(replace(c, flag=flag))
            if i % 64 == 0 or i == len(chunks):
                note("guard", done + i, total)
        return out

    def _write(self, writer: GenerationWriter, previous: EmbeddedStore | None, reused: list[FileRecord],
               pending: list[_Pending], note: Progress) -> tuple[int, int, list[FlaggedChunk]]:
        blocks: list[np.ndarray] = []
        texts_by_row: list[str] = []
        flagged: list[FlaggedChunk] = []
        n_docs = 0
        scanner = self._scanner()
        rescan = previous is not None and previous.scanner != scanner
        to_scan = sum(len(p.chunks) for p in pending) + (len(previous) if rescan and previous is not None else 0)
        scanned = 0
        for record in reused:
            assert previous is not None
            writer.add_file(record)
            for doc in previous.documents_of_file(record.path):
                writer.add_document(doc, record.path)
                n_docs += 1
                rows = previous.rows_of_doc(doc.doc_id)
                chunks = previous.chunks(rows)
                if rescan:
                    chunks = self._scan(chunks, note, to_scan, scanned)
                    scanned += len(chunks)
                writer.add_chunks(chunks)
                flagged.extend(FlaggedChunk(record.path, c.doc_id, c.chunk_id, c.flag) for c in chunks if c.flag)
                texts_by_row.extend(index_text(c) for c in chunks)
                blocks.append(previous.vectors[rows] if rows else np.zeros((0, self.embedder.dim), np.float32))
        new_chunks: list[Chunk] = []
        for item in pending:
            writer.add_file(item.record)
            for doc in item.docs:
                writer.add_document(doc, item.record.path)
                n_docs += 1
            chunks = self._scan(item.chunks, note, to_scan, scanned)
            scanned += len(chunks)
            writer.add_chunks(chunks)
            flagged.extend(FlaggedChunk(item.record.path, c.doc_id, c.chunk_id, c.flag) for c in chunks if c.flag)
            new_chunks.extend(chunks)
        new_texts = [index_text(c) for c in new_chunks]
        texts_by_row.extend(new_texts)
        note("embed", 0, len(new_texts))
        blocks.append(self.embedder.embed(new_texts, progress=counting(note, "embed", len(new_texts))) if new_texts
                      else np.zeros((0, self.embedder.dim), np.float32))
        vectors = np.concatenate(blocks) if blocks else np.zeros((0, self.embedder.dim), np.float32)
        note("bm25", 0, 1)
        if texts_by_row:
            build_bm25(texts_by_row, writer.directory / "bm25")
        note("bm25", 1, 1)
        writer.finish(vectors=vectors, meta={"config": self._config_key(), "embedder": self.embedder.model_id,
                                             "scanner": scanner})
        if flagged:
            logger.warning("%d chunks carry instructions to the assistant and are flagged: %s", len(flagged),
                           ", ".join(sorted({f.file for f in flagged})))
        return n_docs, len(texts_by_row), flagged
