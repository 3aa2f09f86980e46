"""A trace store that cannot be opened (a read-only deployment) costs the traces, not the answers."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from rightfit.telemetry.tracing import configure_tracing, request_span, trace_id_of


def test_an_unwritable_trace_store_is_a_warning(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    (tmp_path / "blocked").write_text("a file where the store's folder should be")
    with caplog.at_level(logging.WARNING, logger="rightfit.telemetry.tracing"):
        configure_tracing(trace_db=tmp_path / "blocked" / "traces.sqlite")
    assert "traces are not stored" in caplog.text
    with request_span("search") as span:
        assert int(trace_id_of(span), 16) > 0
