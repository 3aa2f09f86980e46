"""The OpenAI-compatible backend against a real llama.cpp server process on loopback, plus retries and the
concurrency limit against small real HTTP servers."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from rightfit.answer.grounded import answer_schema
from rightfit.core.errors import ModelError
from rightfit.models.llama import LlamaCppGenerator
from rightfit.models.openai_http import OpenAICompatibleGenerator
from rightfit.models.store import ModelStore

pytestmark = pytest.mark.integration


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def llama_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    model = ModelStore().resolve("smollm2-135m")
    port = _port()
    log = (tmp_path_factory.mktemp("llama-server") / "server.log").open("w+b")  # a pipe would fill and block it
    proc = subprocess.Popen(
        [sys.executable, "-m", "llama_cpp.server", "--model", str(model), "--host", "127.0.0.1", "--port",
         str(port), "--n_ctx", "1024", "--n_threads", "2", "--model_alias", "smollm2"],
        stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}/v1"
    deadline = time.monotonic() + 90
    while True:
        try:
            if httpx.get(f"{base}/models", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            log.seek(0)
            pytest.fail(f"llama.cpp server did not start:\n{log.read().decode(errors='replace')[-2000:]}")
        time.sleep(0.3)
    yield base
    proc.terminate()
    proc.wait(timeout=20)
    log.close()


def test_schema_output_and_streaming_against_llama_cpp_server(llama_server: str) -> None:
    gen = OpenAICompatibleGenerator(base_url=llama_server, model="smollm2", schema_style="json_object",
                                    max_tokens=64)
    messages = [{"role": "user", "content": "Passages:\n[1] The ATM limit is £500 a day.\n\nQuestion: ATM limit?"}]
    out = gen.generate(messages=messages, schema=answer_schema(1))
    assert out.tokens_in > 0
    if out.finish_reason == "stop":
        assert set(json.loads(out.text)) == {"answer", "citations", "answerable"}
    pieces: list[str] = []
    streamed = gen.generate(messages=[{"role": "user", "content": "Say hello."}], max_tokens=8,
                            on_token=pieces.append)
    assert pieces and "".join(pieces) == streamed.text


def test_yes_probability_over_http_matches_the_in_process_model(llama_server: str) -> None:
    messages = [{"role": "system", "content": "Reply with one word: yes or no."},
                {"role": "user", "content": "Passage: Replacement cards arrive in 3 to 5 working days.\n\n"
                                            "Question: Can I open a savings account online?\n\n"
                                            "Does the passage answer this question? Answer yes or no."}]
    remote = OpenAICompatibleGenerator(base_url=llama_server, model="smollm2").yes_probability(messages=messages)
    local = LlamaCppGenerator(model="smollm2-135m", n_ctx=1024, max_tokens=1).yes_probability(messages=messages)
    assert 0.0 < remote < 1.0
    assert remote == pytest.approx(local, abs=0.02)


class _Flaky(BaseHTTPRequestHandler):
    """Fails with 503 a set number of times, then answers; records concurrent requests."""

    failures = 0
    delay = 0.0
    break_stream = False
    streams_broken = 0
    active = 0
    peak = 0
    lock = threading.Lock()

    def do_POST(self) -> None:  # noqa: N802
        request = json.loads(self.rfile.read(int(self.headers.get("content-length", 0))) or b"{}")
        cls = type(self)
        if request.get("stream") and cls.break_stream:
            self._broken_stream()
            return
        with cls.lock:
            cls.active += 1
            cls.peak = max(cls.peak, cls.active)
        time.sleep(cls.delay)
        with cls.lock:
            cls.active -= 1
            failing = cls.failures > 0
            cls.failures -= 1
        if failing:
            self.send_response(503)
            self.end_headers()
            return
        body = json.dumps({"choices": [{"message": {"content": "hi"}, "finish_reason": "stop"}],
                           "usage": {"prompt_tokens": 3, "completion_tokens": 1}}).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _broken_stream(self) -> None:
        """Two tokens of a chunked event stream, then the connection drops mid-body."""
        self.protocol_version = "HTTP/1.1"
        self.send_response(200)
        self.send_header("content-type", "text/event-stream")
        self.send_header("transfer-encoding", "chunked")
        self.end_headers()
        for piece in ("Hel", "lo"):
            event = f"data: {json.dumps({'choices': [{'delta': {'content': piece}}]})}\n\n".encode()
            self.wfile.write(f"{len(event):x}\r\n".encode() + event + b"\r\n")
        self.wfile.flush()
        type(self).streams_broken += 1
        self.close_connection = True

    def log_message(self, *args: object) -> None:
        return None


@pytest.fixture
def flaky() -> Iterator[tuple[str, type[_Flaky]]]:
    handler = type("Handler", (_Flaky,), {"failures": 0, "delay": 0.0, "break_stream": False,
                                          "streams_broken": 0, "active": 0, "peak": 0,
                                          "lock": threading.Lock()})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1", handler
    server.shutdown()


def test_retries_with_backoff_then_succeeds(flaky) -> None:  # noqa: ANN001
    base, handler = flaky
    handler.failures = 2
    gen = OpenAICompatibleGenerator(base_url=base, model="m", retries=3, backoff=0.01)
    assert gen.generate(messages=[{"role": "user", "content": "x"}]).text == "hi"
    handler.failures = 5
    with pytest.raises(ModelError, match="after 3 attempts"):
        OpenAICompatibleGenerator(base_url=base, model="m", retries=2, backoff=0.01).generate(
            messages=[{"role": "user", "content": "x"}])


def test_a_stream_that_breaks_midway_is_not_replayed(flaky) -> None:  # noqa: ANN001
    base, handler = flaky
    handler.break_stream = True
    tokens: list[str] = []
    gen = OpenAICompatibleGenerator(base_url=base, model="m", retries=3, backoff=0.01)
    with pytest.raises(ModelError, match="stream broke after 2 tokens"):
        gen.generate(messages=[{"role": "user", "content": "x"}], on_token=tokens.append)
    assert tokens == ["Hel", "lo"]  # each token once: no retry repeated them
    assert handler.streams_broken == 1


def test_a_hung_endpoint_times_out_with_a_clear_error(flaky) -> None:  # noqa: ANN001
    base, handler = flaky
    handler.delay = 1.5
    gen = OpenAICompatibleGenerator(base_url=base, model="m", retries=1, backoff=0.01, timeout=0.3)
    started = time.perf_counter()
    with pytest.raises(ModelError, match="failed after 2 attempts"):
        gen.generate(messages=[{"role": "user", "content": "x"}])
    assert time.perf_counter() - started < 1.5  # gave up on the timeout, did not wait for the server


def test_unreachable_endpoint_is_a_clear_error() -> None:
    gen = OpenAICompatibleGenerator(base_url=f"http://127.0.0.1:{_port()}/v1", model="m", retries=1,
                                    backoff=0.01, timeout=2)
    with pytest.raises(ModelError, match="failed after 2 attempts"):
        gen.generate(messages=[{"role": "user", "content": "x"}])


def test_concurrency_limit_is_respected(flaky) -> None:  # noqa: ANN001
    base, handler = flaky
    handler.delay = 0.1
    gen = OpenAICompatibleGenerator(base_url=base, model="m", max_concurrency=2)
    threads = [threading.Thread(target=gen.generate, kwargs={"messages": [{"role": "user", "content": "x"}]})
               for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert handler.peak == 2


def test_the_limit_holds_for_every_role_on_one_endpoint(flaky, tmp_path) -> None:  # noqa: ANN001
    # The answer rung and the judge each build a generator; together they must stay within the endpoint's limit.
    from rightfit.core.settings import Settings
    from rightfit.models.generators import make_generator

    base, handler = flaky
    handler.delay = 0.1
    settings = Settings(data_dir=tmp_path, endpoint={"base_url": base, "max_concurrency": 2})
    answers, judge = make_generator(settings, "openai:m"), make_generator(settings, "openai:m", max_tokens=1)
    threads = [threading.Thread(target=g.generate, kwargs={"messages": [{"role": "user", "content": "x"}]})
               for g in (answers, judge) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert handler.peak == 2


def test_api_key_comes_from_the_environment(monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.delenv("RIGHTFIT_TEST_KEY", raising=False)
    gen = OpenAICompatibleGenerator(base_url="http://127.0.0.1:9/v1", model="m", api_key_env="RIGHTFIT_TEST_KEY")
    with pytest.raises(ModelError, match="RIGHTFIT_TEST_KEY is not set"):
        gen.warm_up()
