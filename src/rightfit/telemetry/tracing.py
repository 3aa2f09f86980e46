"""OpenTelemetry wiring. Stages run inside `stage_span`; requests inside `request_span`.

If the host application already configured an OpenTelemetry tracer provider, rightfit uses it;
otherwise it installs an SDK provider so every answer still carries a real trace id.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from opentelemetry import trace
from opentelemetry.trace import Span

logger = logging.getLogger(__name__)
_lock = threading.Lock()
_trace_dbs: set[Path] = set()  # trace stores already attached to the provider


def _sdk_provider() -> object | None:
    from opentelemetry.sdk.trace import TracerProvider

    provider = trace.get_tracer_provider()
    return provider if isinstance(provider, TracerProvider) else None


def configure_tracing(*, trace_db: Path | None = None) -> None:
    """Idempotent: ensure an SDK provider exists; add the SQLite trace store and, if configured, OTLP export.

    OTLP export turns on when OTEL_EXPORTER_OTLP_ENDPOINT is set and the exporter package is installed.
    Both exporters receive spans with PII redacted from every attribute value (telemetry/redaction.py).
    """
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    from rightfit.telemetry.redaction import RedactingSpanExporter

    with _lock:
        provider = _sdk_provider()
        if provider is None:
            provider = TracerProvider(resource=Resource.create({"service.name": "rightfit"}))
            trace.set_tracer_provider(provider)
            if os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT"):
                try:
                    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
                except ImportError:
                    logger.warning("OTEL_EXPORTER_OTLP_ENDPOINT is set but opentelemetry-exporter-otlp-proto-http "
                                   "is not installed; pip install it to export traces")
                else:
                    provider.add_span_processor(BatchSpanProcessor(RedactingSpanExporter(OTLPSpanExporter())))
        if trace_db is not None and trace_db.resolve() not in _trace_dbs:
            from rightfit.telemetry.store import SQLiteSpanExporter

            try:
                store = SQLiteSpanExporter(trace_db)
            except (OSError, sqlite3.Error) as exc:
                # A read-only deployment must still answer; it just keeps no local traces.
                logger.warning("traces are not stored in %s (%s); answers still carry trace ids", trace_db, exc)
            else:
                provider.add_span_processor(  # type: ignore[attr-defined]
                    BatchSpanProcessor(RedactingSpanExporter(store)))
            _trace_dbs.add(trace_db.resolve())


def flush() -> None:
    provider = _sdk_provider()
    if provider is not None:
        provider.force_flush()  # type: ignore[attr-defined]


def tracer() -> trace.Tracer:
    return trace.get_tracer("rightfit")


def trace_id_of(span: Span) -> str:
    ctx = span.get_span_context()
    return format(ctx.trace_id, "032x") if ctx.trace_id else ""


@contextmanager
def request_span(name: str, **attributes: str | int | float | bool) -> Iterator[Span]:
    """The root span of one request. `cpu_ms` is the process CPU time spent meanwhile (every thread, so the
    inference pools count): exact when requests run one at a time, as in evals; an upper bound otherwise."""
    cpu = time.process_time()
    with tracer().start_as_current_span(name, attributes=attributes) as span:
        try:
            yield span
        finally:
            span.set_attribute("cpu_ms", round((time.process_time() - cpu) * 1000, 3))


@contextmanager
def stage_span(stage: str, **attributes: str | int | float | bool) -> Iterator[Span]:
    """One span per stage run, with its latency in milliseconds."""
    started, cpu = time.perf_counter(), time.process_time()
    with tracer().start_as_current_span(f"stage.{stage}", attributes={"rightfit.stage": stage, **attributes}) as span:
        try:
            yield span
        finally:
            span.set_attribute("latency_ms", round((time.perf_counter() - started) * 1000, 3))
            span.set_attribute("cpu_ms", round((time.process_time() - cpu) * 1000, 3))
