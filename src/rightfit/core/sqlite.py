"""SQLite write transactions for the stores that must never leave a half-written row."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def write_transaction(path: Path, *, rows: bool = False, foreign_keys: bool = False) -> Iterator[sqlite3.Connection]:
    """One IMMEDIATE transaction (the write lock is taken up front, so concurrent writers queue instead of
    failing half-way): committed when the block ends, rolled back if it raises; the connection is closed.
    `rows` returns sqlite3.Row objects; `foreign_keys` turns on foreign key enforcement."""
    db = sqlite3.connect(path, timeout=30, isolation_level=None)
    try:
        if rows:
            db.row_factory = sqlite3.Row
        if foreign_keys:
            db.execute("PRAGMA foreign_keys = ON")
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")
    finally:
        db.close()
