"""Trace export: exporters only ever see span attributes, exception events and statuses with PII redacted."""

from __future__ import annotations

from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import Status, StatusCode

from rightfit.telemetry.redaction import RedactingSpanExporter

EMAIL, PHONE, CARD = "alice.moreno@example.com", "07700 900101", "4929 1234 5672 8120"


def test_exported_spans_carry_no_pii_but_keep_everything_else() -> None:
    memory = InMemorySpanExporter()
    provider = TracerProvider()  # a private provider: the global one belongs to the rest of the suite
    provider.add_span_processor(SimpleSpanProcessor(RedactingSpanExporter(memory)))
    with provider.get_tracer("test").start_as_current_span("ask") as span:
        span.set_attributes({"question": f"my email is {EMAIL}, what are the fees?", "hits": 5,
                             "cards": [f"card {CARD}", "none"], "latency_ms": 1.5})
        span.record_exception(ValueError(f"no customer with phone {PHONE}"))
        span.set_status(Status(StatusCode.ERROR, f"lookup failed for {EMAIL}"))
    (exported,) = memory.get_finished_spans()
    attrs = dict(exported.attributes or {})
    assert attrs["question"] == "my email is [email], what are the fees?"
    assert attrs["hits"] == 5 and attrs["latency_ms"] == 1.5 and attrs["cards"] == ("card [card ****8120]", "none")
    event = exported.events[0]
    assert event.name == "exception" and PHONE not in str(event.attributes) and "[phone]" in str(event.attributes)
    assert exported.status.status_code is StatusCode.ERROR
    assert exported.status.description == "lookup failed for [email]"
    assert exported.context == span.get_span_context() and exported.name == "ask"
    everything = f"{attrs} {[dict(e.attributes or {}) for e in exported.events]} {exported.status.description}"
    assert not [v for v in (EMAIL, PHONE, CARD, CARD.replace(" ", "")) if v in everything]
