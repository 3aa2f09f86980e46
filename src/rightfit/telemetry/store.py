"""The embedded trace store: finished spans in a SQLite table, queryable by trace id."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult

_SCHEMA = """
CREATE TABLE IF NOT EXISTS spans (
  trace_id TEXT NOT NULL, span_id TEXT NOT NULL, parent_id TEXT, name TEXT NOT NULL,
  start_ns INTEGER NOT NULL, end_ns INTEGER NOT NULL, duration_ms REAL NOT NULL,
  status TEXT NOT NULL, attributes TEXT NOT NULL, PRIMARY KEY (trace_id, span_id));
CREATE INDEX IF NOT EXISTS spans_start ON spans(start_ns);
"""


class SQLiteSpanExporter(SpanExporter):
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(_SCHEMA)

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        rows = []
        for s in spans:
            ctx = s.get_span_context()
            if ctx is None or s.start_time is None or s.end_time is None:
                continue
            rows.append((
                format(ctx.trace_id, "032x"), format(ctx.span_id, "016x"),
                format(s.parent.span_id, "016x") if s.parent else None, s.name, s.start_time, s.end_time,
                (s.end_time - s.start_time) / 1e6, s.status.status_code.name,
                json.dumps(dict(s.attributes or {}), default=str),
            ))
        try:
            with self._lock:
                self._db.executemany("INSERT OR REPLACE INTO spans VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
                self._db.commit()
        except sqlite3.Error:
            return SpanExportResult.FAILURE
        return SpanExportResult.SUCCESS

    def shutdown(self) -> None:
        with self._lock:
            self._db.close()


def read_trace(path: Path, trace_id: str) -> list[dict[str, Any]]:
    """Spans of one trace, oldest first."""
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        cur = db.execute(
            "SELECT span_id, parent_id, name, duration_ms, status, attributes FROM spans WHERE trace_id = ? "
            "ORDER BY start_ns", (trace_id,))
        return [{"span_id": r[0], "parent_id": r[1], "name": r[2], "duration_ms": r[3], "status": r[4],
                 "attributes": json.loads(r[5])} for r in cur]
    finally:
        db.close()
