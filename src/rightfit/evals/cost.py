"""Cost accounting from the trace: CPU time and tokens per request, priced by the configured price sheet.

A span processor keeps the finished spans of the traces it is asked to watch; after a request, the eval
runner reads that trace's root `cpu_ms` and every `generate` span's model and tokens.
"""

from __future__ import annotations

import functools
import threading
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from opentelemetry.sdk.trace import ReadableSpan, SpanProcessor

from rightfit.core.settings import PriceSettings


@dataclass(frozen=True, slots=True)
class Usage:
    cpu_ms: float = 0.0
    # model -> (tokens in, tokens out, remote endpoint?)
    tokens: dict[str, tuple[int, int, bool]] = field(default_factory=dict)


class TraceCollector(SpanProcessor):
    """Keeps the finished spans of watched traces in memory until they are taken."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._spans: dict[int, list[ReadableSpan]] = defaultdict(list)
        self._watched: set[int] = set()

    def watch(self, trace_id: int) -> None:
        with self._lock:
            self._watched.add(trace_id)

    def on_end(self, span: ReadableSpan) -> None:
        ctx = span.get_span_context()
        if ctx is not None and ctx.trace_id in self._watched:
            with self._lock:
                self._spans[ctx.trace_id].append(span)

    def take(self, trace_id: int) -> list[ReadableSpan]:
        with self._lock:
            self._watched.discard(trace_id)
            return self._spans.pop(trace_id, [])

    def shutdown(self) -> None:
        pass

    def force_flush(self, timeout_millis: int = 30000) -> bool:  # noqa: ARG002  (nothing buffered)
        return True


@functools.cache
def collector() -> TraceCollector:
    """The process's collector, attached to the SDK tracer provider once."""
    from opentelemetry import trace

    from rightfit.telemetry.tracing import configure_tracing

    configure_tracing()
    provider: Any = trace.get_tracer_provider()
    found = TraceCollector()
    provider.add_span_processor(found)
    return found


def usage_of(spans: list[ReadableSpan], root_span_id: int) -> Usage:
    """CPU time of the root span; tokens summed over the trace's generate spans, per model."""
    cpu = 0.0
    tokens: dict[str, tuple[int, int, bool]] = {}
    for s in spans:
        attrs = s.attributes or {}
        ctx = s.get_span_context()
        if ctx is not None and ctx.span_id == root_span_id:
            cpu = float(attrs.get("cpu_ms", 0.0))  # type: ignore[arg-type]
        if s.name == "stage.generate":
            model = str(attrs.get("model", "?"))
            t_in, t_out, _ = tokens.get(model, (0, 0, False))
            tokens[model] = (t_in + int(attrs.get("tokens_in", 0)), t_out + int(attrs.get("tokens_out", 0)),  # type: ignore[arg-type]
                             attrs.get("backend") == "openai")
    return Usage(cpu, tokens)


def price(usage: Usage, prices: PriceSettings) -> float:
    """Money for one request: its CPU time at the CPU-hour price, plus endpoint tokens at their price."""
    money = usage.cpu_ms / 3_600_000 * prices.cpu_hour
    for model, (t_in, t_out, remote) in usage.tokens.items():
        sheet = prices.endpoint.get(model)
        if remote and sheet is not None:
            money += t_in / 1e6 * sheet.input + t_out / 1e6 * sheet.output
    return money
