"""The bank example end to end with the real MiniLM model: retrieval, extractive answers, traces."""

from __future__ import annotations

import pytest

from rightfit.assistant.qa import QAPipeline
from rightfit.core.settings import Settings
from rightfit.telemetry.store import read_trace
from rightfit.telemetry.tracing import configure_tracing, flush

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def bank(bank_settings: Settings, real_embedder) -> QAPipeline:  # noqa: ANN001
    configure_tracing(trace_db=bank_settings.data_dir / "traces.sqlite")
    return QAPipeline(settings=bank_settings, embedder=real_embedder)


def test_atm_question_gets_the_figure_and_the_right_source(bank: QAPipeline) -> None:
    answer = bank.ask(question="How much cash can I take out of an ATM per day?")
    assert not answer.abstained, answer.reason
    assert "£500" in (answer.text or "")
    assert answer.citations[0].doc_id == "atm-and-spending-limits"


@pytest.mark.parametrize("question", [
    "Can you help me get a buy-to-let mortgage?",
    "Which cryptocurrencies can I trade in the app?",
    "Do you rent out safe deposit boxes?",
])
def test_uncovered_topics_are_abstained(bank: QAPipeline, question: str) -> None:
    answer = bank.ask(question=question)
    assert answer.abstained, f"answered {answer.text!r} with confidence {answer.confidence:.2f}"
    assert answer.citations == ()


def test_hybrid_search_ranks_the_fee_document_first(bank: QAPipeline) -> None:
    hits = bank.search(query="what does it cost to pay by card in euros", top_k=5).hits
    assert "foreign-currency-fees" in [h.chunk.doc_id for h in hits[:3]]


def test_each_stage_leaves_a_span_in_the_trace_store(bank: QAPipeline, bank_settings: Settings) -> None:
    answer = bank.ask(question="How do I report a stolen card?")
    flush()
    spans = read_trace(bank_settings.data_dir / "traces.sqlite", answer.trace_id)
    names = [s["name"] for s in spans]
    assert {"ask", "stage.bm25", "stage.dense", "stage.fusion", "stage.extractive"} <= set(names)
    for s in spans:
        if s["name"].startswith("stage."):
            assert s["attributes"]["latency_ms"] >= 0
    assert all("stolen" not in str(s["attributes"]) for s in spans)  # question text stays out by default
