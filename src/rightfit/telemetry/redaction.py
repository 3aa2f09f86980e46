"""PII redaction at the trace export boundary.

Spans are redacted where they leave the process rather than where attributes are set: a stage that records a
question (trace_content = true), an exception message or a tool argument cannot forget to redact, and the
in-process span keeps the real values for anything that reads it before export.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, cast

from opentelemetry.sdk.trace import Event, ReadableSpan
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult
from opentelemetry.trace import Link, Status

from rightfit.guard.pii import AttributeValue, redact, redact_attributes


def _attributes(attributes: Mapping[str, Any] | None) -> dict[str, Any]:
    return redact_attributes(cast("Mapping[str, AttributeValue] | None", attributes))


def redacted_span(span: ReadableSpan) -> ReadableSpan:
    """A copy of a finished span with PII redacted from its attributes, event and link attributes, and status."""
    status = span.status
    if status.description:
        status = Status(status.status_code, redact(status.description))
    return ReadableSpan(
        name=span.name,
        context=span.context,
        parent=span.parent,
        resource=span.resource,
        attributes=_attributes(span.attributes),
        events=[Event(e.name, _attributes(e.attributes), e.timestamp) for e in span.events],
        links=[Link(link.context, _attributes(link.attributes)) for link in span.links],
        kind=span.kind,
        status=status,
        start_time=span.start_time,
        end_time=span.end_time,
        instrumentation_scope=span.instrumentation_scope,
    )


class RedactingSpanExporter(SpanExporter):
    """Wraps an exporter so it only ever receives redacted spans."""

    def __init__(self, inner: SpanExporter) -> None:
        self.inner = inner

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        return self.inner.export([redacted_span(s) for s in spans])

    def shutdown(self) -> None:
        self.inner.shutdown()

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return self.inner.force_flush(timeout_millis)
