"""Generation with a real model (SmolLM2-135M, the smallest packaged one) in llama.cpp."""

from __future__ import annotations

import dataclasses
import json
import math
import shutil
import threading
import time
from pathlib import Path

import pytest

from rightfit.answer.grounded import answer_schema
from rightfit.answer.verify import verify_answer
from rightfit.assistant.qa import QAPipeline
from rightfit.core.errors import ModelIntegrityError
from rightfit.core.settings import JudgeSettings, Settings
from rightfit.models.catalog import GGUF_CATALOG
from rightfit.models.llama import LlamaCppGenerator
from rightfit.models.store import ModelStore
from rightfit.telemetry.store import read_trace
from rightfit.telemetry.tracing import configure_tracing, flush

pytestmark = pytest.mark.integration
MODEL = "smollm2-135m"


@pytest.fixture(scope="module")
def store() -> ModelStore:
    s = ModelStore()
    if MODEL not in s.installed():
        pytest.fail(f"{MODEL} is not installed; `bash scripts/install dev` installs it")
    return s


@pytest.fixture(scope="module")
def generator(store: ModelStore) -> LlamaCppGenerator:
    g = LlamaCppGenerator(model=MODEL, store=store, n_ctx=1024, max_tokens=64)
    g.warm_up()
    return g


def test_schema_constrained_output_is_valid_json(generator: LlamaCppGenerator) -> None:
    messages = [{"role": "system", "content": "Reply in JSON."},
                {"role": "user", "content": "Passages:\n[1] The ATM limit is £500 a day.\n\nQuestion: ATM limit?"}]
    out = generator.generate(messages=messages, schema=answer_schema(1), max_tokens=64)
    assert out.tokens_in > 0 and out.tokens_out > 0
    if out.finish_reason == "stop":
        obj = json.loads(out.text)
        assert set(obj) == {"answer", "citations", "answerable"}
        assert all(c == 1 for c in obj["citations"])


def test_streaming_yields_tokens(generator: LlamaCppGenerator) -> None:
    pieces: list[str] = []
    out = generator.generate(messages=[{"role": "user", "content": "Say hello."}], max_tokens=8,
                             on_token=pieces.append)
    assert pieces and "".join(pieces) == out.text


def test_roles_on_one_model_take_turns(generator: LlamaCppGenerator, store: ModelStore) -> None:
    # A judge beside the answerer (same file, its own context) must not decode at the same time: on two
    # cores both would only slow down.
    judge = LlamaCppGenerator(model=MODEL, store=store, n_ctx=512, max_tokens=8)
    judge.warm_up()
    spans: list[tuple[float, float]] = []
    for g in (generator, judge):
        real = g._llm.create_chat_completion

        def timed(*args: object, _real=real, **kwargs: object) -> object:  # noqa: ANN001
            started = time.perf_counter()
            try:
                return _real(*args, **kwargs)
            finally:
                spans.append((started, time.perf_counter()))

        g._llm.create_chat_completion = timed
    try:
        threads = [threading.Thread(target=g.generate, kwargs={"messages": [{"role": "user", "content": "Hi"}],
                                                                "max_tokens": 8})
                   for g in (generator, judge, generator, judge)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        del generator._llm.create_chat_completion
    spans.sort()
    assert len(spans) == 4
    assert all(end <= nxt for (_, end), (nxt, _) in zip(spans, spans[1:], strict=False))


def test_tampered_model_file_is_refused_at_load(store: ModelStore, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    original = store.installed()[MODEL]
    copy = tmp_path / "models" / f"{MODEL}.gguf"
    copy.parent.mkdir()
    shutil.copyfile(original.path, copy)
    with copy.open("r+b") as fh:  # change one byte in the middle of the weights
        fh.seek(copy.stat().st_size // 2)
        byte = fh.read(1)
        fh.seek(-1, 1)
        fh.write(bytes([byte[0] ^ 0xFF]))
    tampered = ModelStore(tmp_path / "models")
    tampered._save({MODEL: dataclasses.replace(original, path=str(copy))})
    with pytest.raises(ModelIntegrityError) as err:
        LlamaCppGenerator(model=MODEL, store=tampered).warm_up()
    assert GGUF_CATALOG[MODEL].sha256 in str(err.value)


def test_generative_rung_answers_are_verified_or_abstained(bank_settings: Settings, real_embedder) -> None:  # noqa: ANN001
    configure_tracing(trace_db=bank_settings.data_dir / "traces.sqlite")
    settings = bank_settings.model_copy(update={
        "answer": bank_settings.answer.model_copy(update={"rung": MODEL}),
        "generation": bank_settings.generation.model_copy(update={"n_ctx": 2048, "max_tokens": 96}),
    })
    pipeline = QAPipeline(settings=settings, embedder=real_embedder)
    answer = pipeline.ask(question="How much cash can I take out of an ATM per day?")
    if answer.abstained:
        assert answer.reason and answer.text is None
    else:  # whatever this tiny model says, only a verified answer gets through
        assert answer.citations and answer.text
        assert verify_answer(answer.text, [1], {1: " ".join(c.quote for c in answer.citations)}).ok
    flush()
    names = {s["name"]: s for s in read_trace(settings.data_dir / "traces.sqlite", answer.trace_id)}
    assert f"stage.grounded:{MODEL}" in names
    assert names["stage.generate"]["attributes"]["tokens_in"] > 0


JUDGE_PROMPT = [{"role": "system", "content": "Reply with one word: yes or no."},
                {"role": "user", "content": "Passage: You can take out up to £500 a day from ATMs.\n\n"
                                            "Question: How much cash can I get from an ATM each day?\n\n"
                                            "Does the passage answer this question? Answer yes or no."}]


def test_yes_probability_is_read_from_the_first_token(generator: LlamaCppGenerator) -> None:
    first = generator.yes_probability(messages=JUDGE_PROMPT)
    assert 0.0 < first < 1.0
    assert generator.yes_probability(messages=JUDGE_PROMPT) == pytest.approx(first, abs=1e-6)  # greedy, repeatable
    # the same figure as llama.cpp's own log-probabilities (which need the logits_all buffer this avoids)
    from llama_cpp import Llama

    full = Llama(model_path=str(generator.store.resolve(MODEL)), n_ctx=1024, n_threads=2, logits_all=True,
                 verbose=False)
    top = full.create_chat_completion(messages=JUDGE_PROMPT, max_tokens=1, temperature=0.0, logprobs=True,
                                      top_logprobs=20)["choices"][0]["logprobs"]["content"][0]["top_logprobs"]
    p = {w: sum(math.exp(t["logprob"]) for t in top if t["token"].strip().lower() == w) for w in ("yes", "no")}
    assert first == pytest.approx(p["yes"] / (p["yes"] + p["no"]), abs=0.01)


def test_choice_probabilities_are_a_distribution_over_the_labels(generator: LlamaCppGenerator) -> None:
    from rightfit.core.errors import ModelError

    messages = [{"role": "user", "content": "1. Paris\n2. Berlin\n\nWhich one is the capital of France? "
                                            "Reply with its number."}]
    probs = generator.choice_probabilities(messages=messages, labels=["0", "1", "2"])
    assert len(probs) == 3 and sum(probs) == pytest.approx(1.0) and all(0.0 < p < 1.0 for p in probs)
    assert generator.choice_probabilities(messages=messages, labels=["0", "1", "2"]) == pytest.approx(probs)
    with pytest.raises(ModelError, match="not one token"):
        generator.choice_probabilities(messages=messages, labels=["0", "a label of several tokens"])


def test_judged_rung_gives_the_extractive_quote_or_abstains(bank_settings: Settings, real_embedder) -> None:  # noqa: ANN001
    configure_tracing(trace_db=bank_settings.data_dir / "traces.sqlite")
    question = "How much cash can I take out of an ATM per day?"
    plain = QAPipeline(settings=bank_settings, embedder=real_embedder).ask(question=question)
    settings = bank_settings.model_copy(update={"answer": bank_settings.answer.model_copy(update={
        "rung": f"extractive+{MODEL}", "judge": JudgeSettings(weight=0.5, threshold=0.0)})})
    judged = QAPipeline(settings=settings, embedder=real_embedder).ask(question=question)
    assert judged.text == plain.text and judged.citations == plain.citations  # the model never rewrites
    flush()
    names = {s["name"]: s for s in read_trace(settings.data_dir / "traces.sqlite", judged.trace_id)}
    p_yes = names["stage.judge"]["attributes"]["p_yes"]
    assert 0.0 < p_yes < 1.0
    assert judged.confidence == pytest.approx(0.5 * names["stage.judge"]["attributes"]["sentence_score"]
                                              + 0.5 * p_yes)
    assert names["stage.generate"]["attributes"]["tokens_in"] > 0  # priced like any generation


def test_server_streams_tokens_then_the_verified_answer(bank_settings: Settings) -> None:
    import httpx

    from tests.conftest import start_server, stop_server

    base, proc = start_server(bank_settings.data_dir, {"RIGHTFIT_ANSWER__RUNG": MODEL,
                                                       "RIGHTFIT_GENERATION__MAX_TOKENS": "64"})
    try:
        with httpx.stream("POST", f"{base}/v1/ask", timeout=120,
                          json={"question": "How long does a replacement card take?", "stream": True}) as r:
            assert r.status_code == 200
            kinds = [line.removeprefix("event: ") for line in r.iter_lines() if line.startswith("event: ")]
    finally:
        stop_server(proc)
    assert kinds[-1] == "answer"
    assert set(kinds[:-1]) <= {"token"}
