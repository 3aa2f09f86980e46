"""Append-only audit log of tool calls, in SQLite.

Triggers refuse UPDATE and DELETE, and each row carries the sha256 of the previous row, so an edit made
outside SQLite's rules (or by dropping the triggers) breaks the chain and `verify()` says where.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import sqlite3
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rightfit.core.sqlite import write_transaction

_SCHEMA = """
CREATE TABLE IF NOT EXISTS audit (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    ts REAL NOT NULL,
    customer_id TEXT NOT NULL,
    tool TEXT NOT NULL,
    arguments TEXT NOT NULL,
    decision TEXT NOT NULL,
    reason TEXT NOT NULL,
    result TEXT NOT NULL,
    trace_id TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
"""
_FIELDS = ("ts", "customer_id", "tool", "arguments", "decision", "reason", "result", "trace_id")


@dataclass(frozen=True, slots=True)
class AuditEntry:
    seq: int
    ts: float
    customer_id: str
    tool: str
    arguments: dict[str, Any]
    decision: str  # allowed | denied | invalid | needs_confirmation | error
    reason: str
    result: str
    trace_id: str


def _row_hash(prev: str, values: tuple[Any, ...]) -> str:
    return hashlib.sha256(json.dumps([prev, *values], ensure_ascii=False).encode()).hexdigest()


class AuditLog:
    """`redact` is applied to arguments and results before they are written (PII stays out of the log)."""

    def __init__(self, path: Path, *, redact: Callable[[str], str] | None = None) -> None:
        self.path = path
        self._redact = redact if redact is not None else (lambda s: s)
        self._lock = threading.Lock()
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.executescript(_SCHEMA)

    def _connect(self) -> contextlib.closing[sqlite3.Connection]:
        return contextlib.closing(sqlite3.connect(self.path, timeout=30, isolation_level=None))

    def record(self, *, customer_id: str, tool: str, arguments: Mapping[str, Any], decision: str, reason: str,
               result: str = "", trace_id: str = "") -> int:
        args_json = self._redact(json.dumps(dict(arguments), ensure_ascii=False, sort_keys=True, default=str))
        values = (round(time.time(), 6), customer_id, tool, args_json, decision, self._redact(reason),
                  self._redact(result[:2000]), trace_id)
        with self._lock, write_transaction(self.path) as db:
            row = db.execute("SELECT hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
            prev = row[0] if row else ""
            cur = db.execute(
                f"INSERT INTO audit ({', '.join(_FIELDS)}, prev_hash, hash) VALUES ({', '.join('?' * 10)})",
                (*values, prev, _row_hash(prev, values)))
            return int(cur.lastrowid or 0)

    def entries(self, *, customer_id: str | None = None, decision: str | None = None,
                trace_id: str | None = None) -> list[AuditEntry]:
        sql, params = "SELECT seq, " + ", ".join(_FIELDS) + " FROM audit WHERE 1=1", []
        for column, value in (("customer_id", customer_id), ("decision", decision), ("trace_id", trace_id)):
            if value is not None:
                sql += f" AND {column} = ?"
                params.append(value)
        with self._connect() as db:
            rows = db.execute(sql + " ORDER BY seq", params).fetchall()
        return [AuditEntry(r[0], r[1], r[2], r[3], json.loads(r[4]), r[5], r[6], r[7], r[8]) for r in rows]

    def verify(self) -> int | None:
        """The sequence number of the first row whose chain is broken, or None when the log is intact."""
        prev = ""
        with self._connect() as db:
            for row in db.execute("SELECT seq, " + ", ".join(_FIELDS) + ", prev_hash, hash FROM audit ORDER BY seq"):
                values, stored_prev, stored = tuple(row[1:9]), row[9], row[10]
                if stored_prev != prev or _row_hash(prev, values) != stored:
                    return int(row[0])
                prev = stored
        return None
