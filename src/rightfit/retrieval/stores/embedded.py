"""The embedded store: one SQLite database for chunks and metadata, vectors in a .npy file, BM25 beside them.

Each index run writes a new generation directory; CURRENT names the live one and is switched with an
atomic rename, so a crash or a bad run never leaves readers with a half-written index.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from rightfit.core.errors import IndexDamagedError, IndexMissingError, InvalidInputError
from rightfit.types import Chunk, Document

logger = logging.getLogger(__name__)

# 2: chunks carry the ingest scan's flag. Version 1 indexes still load, with every chunk unflagged.
SCHEMA_VERSION = 2
_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE files (path TEXT PRIMARY KEY, sha256 TEXT NOT NULL, size INTEGER NOT NULL);
CREATE TABLE documents (doc_id TEXT PRIMARY KEY, file TEXT NOT NULL, title TEXT NOT NULL, source TEXT NOT NULL,
                        fmt TEXT NOT NULL, text TEXT NOT NULL);
CREATE TABLE chunks (row INTEGER PRIMARY KEY, chunk_id TEXT NOT NULL UNIQUE, doc_id TEXT NOT NULL, title TEXT NOT NULL,
                     section TEXT NOT NULL, text TEXT NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL,
                     flag TEXT NOT NULL DEFAULT '');
CREATE INDEX chunks_doc ON chunks(doc_id);
"""


def index_root(data_dir: Path) -> Path:
    return data_dir / "index"


def _gen_name(n: int) -> str:
    return f"gen-{n:06d}"


def current_generation(data_dir: Path) -> Path | None:
    pointer = index_root(data_dir) / "CURRENT"
    try:
        name = pointer.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise IndexDamagedError(f"the index in {data_dir} is damaged (index/CURRENT cannot be read: {exc}); rebuild "
                                f"it with `rightfit index DOCS_DIR --data-dir {data_dir}`") from None
    path = index_root(data_dir) / name
    return path if (path / "chunks.sqlite").is_file() else None


@dataclass(frozen=True, slots=True)
class FileRecord:
    path: str
    sha256: str
    size: int


class GenerationWriter:
    """Writes one new generation in a temporary directory; commit() makes it live atomically."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        root = index_root(data_dir)
        root.mkdir(parents=True, exist_ok=True)
        existing = [int(p.name[4:]) for p in root.glob("gen-*") if p.name[4:].isdigit()]
        self.number = max(existing, default=0) + 1
        self.tmp = root / f".tmp-{_gen_name(self.number)}-{os.getpid()}"
        if self.tmp.exists():
            shutil.rmtree(self.tmp)
        self.tmp.mkdir()
        self._db = sqlite3.connect(self.tmp / "chunks.sqlite")
        self._db.executescript(_SCHEMA)
        self._rows = 0

    @property
    def directory(self) -> Path:
        return self.tmp

    def add_file(self, record: FileRecord) -> None:
        self._db.execute("INSERT INTO files VALUES (?, ?, ?)", (record.path, record.sha256, record.size))

    def add_document(self, doc: Document, file: str) -> None:
        self._db.execute("INSERT INTO documents VALUES (?, ?, ?, ?, ?, ?)",
                         (doc.doc_id, file, doc.title, doc.source, doc.fmt, doc.text))

    def add_chunks(self, chunks: Iterable[Chunk]) -> int:
        rows = [(self._rows + i, c.chunk_id, c.doc_id, c.title, json.dumps(list(c.section)), c.text, c.start, c.end,
                 c.flag) for i, c in enumerate(chunks)]
        self._db.executemany("INSERT INTO chunks VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
        self._rows += len(rows)
        return len(rows)

    def finish(self, *, vectors: np.ndarray, meta: dict[str, Any]) -> None:
        if vectors.shape[0] != self._rows:
            raise RuntimeError(f"vector rows {vectors.shape[0]} != chunk rows {self._rows}")
        np.save(self.tmp / "vectors.npy", vectors.astype(np.float32, copy=False))
        meta = {**meta, "schema": SCHEMA_VERSION, "chunks": self._rows, "created": time.time()}
        self._db.executemany("INSERT INTO meta VALUES (?, ?)", [(k, json.dumps(v)) for k, v in meta.items()])
        self._db.commit()
        self._db.close()

    def commit(self, keep: int = 2) -> Path:
        """Rename into place and switch CURRENT; older generations beyond `keep` are removed. Ctrl-C and
        SIGTERM wait until it is done, so a stop never leaves a renamed generation without CURRENT pointing
        at it, and what a stop reports can say whether the switch happened (`committed_generations`)."""
        root = index_root(self.data_dir)
        final = root / _gen_name(self.number)
        _fsync_tree(self.tmp)
        with _stops_held():
            os.rename(self.tmp, final)
            pointer_tmp = root / f".CURRENT.{os.getpid()}"
            pointer_tmp.write_text(final.name + "\n")
            with pointer_tmp.open("rb") as fh:
                os.fsync(fh.fileno())
            os.replace(pointer_tmp, root / "CURRENT")
            _COMMITTED.append(final)
            gens = sorted(p for p in root.glob("gen-*") if p.is_dir())
            for old in gens[:-keep]:
                shutil.rmtree(old, ignore_errors=True)
        return final

    def abort(self) -> None:
        try:
            self._db.close()
        except sqlite3.Error:
            pass
        shutil.rmtree(self.tmp, ignore_errors=True)


_COMMITTED: list[Path] = []


def committed_generations() -> tuple[Path, ...]:
    """The generations this process has switched CURRENT to, oldest first."""
    return tuple(_COMMITTED)


@contextmanager
def _stops_held() -> Iterator[None]:
    """SIGINT and SIGTERM held back until the block ends, then handled as they would have been. Their handlers
    are swapped, not the signal mask: a blocked signal still reaches Python through any other thread."""
    if threading.current_thread() is not threading.main_thread():  # handlers can only be set from there
        yield
        return
    caught: list[tuple[int, Any]] = []
    previous: dict[int, Any] = {s: signal.signal(s, lambda n, f: caught.append((n, f)))
                                for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        for signum, frame in caught[:1]:
            handler = previous[signum]
            if callable(handler):
                handler(signum, frame)
            elif handler == signal.SIG_DFL:
                signal.raise_signal(signum)


def _fsync_tree(path: Path) -> None:
    for p in path.rglob("*"):
        if p.is_file():
            with p.open("rb") as fh:
                os.fsync(fh.fileno())


@contextmanager
def exclusive_writer(data_dir: Path) -> Iterator[None]:
    """Hold the data directory's writer lock for one index run; a second run at the same time is refused
    (it would take the same generation number and remove the first one's temporary directory)."""
    root = index_root(data_dir)
    root.mkdir(parents=True, exist_ok=True)
    with (root / ".writer.lock").open("a") as fh:
        try:
            import fcntl
        except ImportError:  # not POSIX: no advisory locks; runs are not serialized
            yield
            return
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise InvalidInputError(f"index: another index run is writing to {data_dir}; wait for it to finish and "
                                    "run again (the current index stays in use meanwhile)") from None
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def _damaged(generation: Path, what: str) -> IndexDamagedError:
    data_dir = generation.parent.parent
    return IndexDamagedError(f"the index in {data_dir} is damaged ({generation.name}: {what}); rebuild it with "
                             f"`rightfit index DOCS_DIR --data-dir {data_dir}`")


def _check_vectors(generation: Path, rows: int) -> None:
    """The vector file's header, read without loading it: present, a matrix, one row per chunk."""
    try:
        vectors = np.load(generation / "vectors.npy", mmap_mode="r")
    except FileNotFoundError:
        raise _damaged(generation, "vectors.npy is missing") from None
    except (OSError, ValueError, EOFError) as exc:  # an empty file is an EOFError
        raise _damaged(generation, f"vectors.npy cannot be read: {exc or type(exc).__name__}") from None
    if vectors.ndim != 2 or vectors.shape[0] != rows:
        raise _damaged(generation, f"vectors.npy holds {vectors.shape} vectors for {rows} chunks")


def clean_stale(data_dir: Path) -> None:
    """Remove temporary directories left by runs that were interrupted."""
    for p in index_root(data_dir).glob(".tmp-gen-*"):
        shutil.rmtree(p, ignore_errors=True)


class EmbeddedStore:
    """Read side of one generation. Safe to share between threads."""

    def __init__(self, generation: Path) -> None:
        self.generation = generation
        self._lock = threading.Lock()
        try:
            uri = f"file:{generation / 'chunks.sqlite'}?mode=ro"
            self._db = sqlite3.connect(uri, uri=True, check_same_thread=False)
            self.meta = {k: json.loads(v) for k, v in self._db.execute("SELECT key, value FROM meta")}
            columns = {r[1] for r in self._db.execute("PRAGMA table_info(chunks)")}
            # Indexes written before the ingest scan have no flag column: they load with every chunk unflagged.
            self._flag_column = "flag" if "flag" in columns else "''"
            rows = self._db.execute(
                f"SELECT chunk_id, doc_id, {self._flag_column} FROM chunks ORDER BY row").fetchall()
        except (sqlite3.Error, ValueError) as exc:
            raise _damaged(generation, f"chunks.sqlite cannot be read: {exc}") from None
        if "flag" not in columns:
            logger.warning("index %s was built before document scanning, so no chunk is flagged; run "
                           "`rightfit index DOCS_DIR` to scan it", generation)
        _check_vectors(generation, len(rows))
        if not (generation / "bm25").is_dir():
            raise _damaged(generation, "the bm25 folder is missing")
        self.chunk_ids: list[str] = [r[0] for r in rows]
        self.doc_ids: list[str] = [r[1] for r in rows]
        # Rows the ingest scan flagged, so answers can leave them out before any chunk text is read.
        self.flagged_rows: frozenset[int] = frozenset(i for i, r in enumerate(rows) if r[2])
        self._vectors: np.ndarray | None = None

    @classmethod
    def open(cls, data_dir: Path) -> EmbeddedStore:
        gen = current_generation(data_dir)
        if gen is None:
            raise IndexMissingError(
                f"no index in {data_dir}; build one with `rightfit index DOCS_DIR --data-dir {data_dir}`"
            )
        return cls(gen)

    def __len__(self) -> int:
        return len(self.chunk_ids)

    @property
    def scanner(self) -> str | None:
        """Name of the scanner whose flags this index holds; None when its chunks were not scanned."""
        value = self.meta.get("scanner")
        return str(value) if value else None

    @property
    def vectors(self) -> np.ndarray:
        if self._vectors is None:
            self._vectors = np.load(self.generation / "vectors.npy")
        return self._vectors

    @property
    def bm25_dir(self) -> Path:
        return self.generation / "bm25"

    def damaged(self, what: str) -> IndexDamagedError:
        """The error for a part of this generation that cannot be read, with the command that rebuilds it."""
        return _damaged(self.generation, what)

    @contextmanager
    def _reading(self) -> Iterator[None]:
        """One query at a time; a database damaged under a running server is the damaged-index error (a 503
        saying how to rebuild), not an internal error."""
        with self._lock:
            try:
                yield
            except sqlite3.DatabaseError as exc:
                raise _damaged(self.generation, f"chunks.sqlite cannot be read: {exc}") from None

    def chunks(self, rows: Sequence[int]) -> list[Chunk]:
        if not rows:
            return []
        marks = ",".join("?" * len(rows))
        with self._reading():
            found = {
                r[0]: Chunk(chunk_id=r[1], doc_id=r[2], title=r[3], section=tuple(json.loads(r[4])), text=r[5],
                            start=r[6], end=r[7], flag=r[8])
                for r in self._db.execute(
                    f'SELECT row, chunk_id, doc_id, title, section, text, start, "end", {self._flag_column} '  # noqa: S608
                    f"FROM chunks WHERE row IN ({marks})", list(rows))
            }
        return [found[r] for r in rows]

    def files(self) -> dict[str, FileRecord]:
        with self._reading():
            rows = self._db.execute("SELECT path, sha256, size FROM files").fetchall()
        return {r[0]: FileRecord(r[0], r[1], r[2]) for r in rows}

    def documents_of_file(self, path: str) -> list[Document]:
        with self._reading():
            return [Document(doc_id=r[0], title=r[1], source=r[2], fmt=r[3], text=r[4])
                    for r in self._db.execute(
                        "SELECT doc_id, title, source, fmt, text FROM documents WHERE file = ?", (path,))]

    def rows_of_doc(self, doc_id: str) -> list[int]:
        with self._reading():
            return [r[0] for r in self._db.execute("SELECT row FROM chunks WHERE doc_id = ? ORDER BY row", (doc_id,))]

    def document_text(self, doc_id: str) -> str:
        with self._reading():
            row = self._db.execute("SELECT text FROM documents WHERE doc_id = ?", (doc_id,)).fetchone()
        return "" if row is None else str(row[0])

    def document_count(self) -> int:
        with self._reading():
            return int(self._db.execute("SELECT count(*) FROM documents").fetchone()[0])

    def close(self) -> None:
        self._db.close()
