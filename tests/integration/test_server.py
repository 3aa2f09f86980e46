"""The HTTP API on a real server process: answers, and clear 4xx errors for bad requests."""

from __future__ import annotations

import gzip
import signal
import subprocess
import time

import httpx
import pytest

from tests.conftest import EXE, _free_port, copy_tree

pytestmark = pytest.mark.integration


def test_ask_returns_a_cited_answer_with_trace_id(bank_server: str) -> None:
    r = httpx.post(f"{bank_server}/v1/ask", json={"question": "How much cash can I take out of an ATM per day?"},
                   timeout=30)
    assert r.status_code == 200
    body = r.json()
    assert body["abstained"] is False
    assert "£500" in body["answer"]
    assert body["citations"][0]["doc_id"] == "atm-and-spending-limits"
    assert len(body["trace_id"]) == 32 and int(body["trace_id"], 16) > 0


def test_uncovered_question_abstains(bank_server: str) -> None:
    r = httpx.post(f"{bank_server}/v1/ask", json={"question": "What is your buy-to-let mortgage rate?"}, timeout=30)
    assert r.status_code == 200
    assert r.json()["abstained"] is True and r.json()["answer"] is None


def test_search_returns_hits_with_offsets(bank_server: str) -> None:
    r = httpx.post(f"{bank_server}/v1/search", json={"query": "report a stolen card", "top_k": 3}, timeout=30)
    assert r.status_code == 200
    hits = r.json()["hits"]
    assert len(hits) == 3
    assert all(h["end"] > h["start"] >= 0 for h in hits)


@pytest.mark.parametrize(("payload", "status", "fragment"), [
    ({"question": ""}, 422, "empty"),
    ({"question": "   \u200b  "}, 422, "empty"),
    ({"question": "x" * 3000}, 422, "limit is 2000"),
    ({"question": 5}, 422, "question"),
    ({}, 422, "question"),
    ({"question": "hi", "admin": True}, 422, "admin"),
    ({"question": "x" * 1_000_000}, 413, "limit"),
])
def test_bad_ask_requests_get_a_reason(bank_server: str, payload: dict, status: int, fragment: str) -> None:
    r = httpx.post(f"{bank_server}/v1/ask", json=payload, timeout=30)
    assert r.status_code == status
    assert fragment in r.json()["error"]["message"]


@pytest.mark.parametrize("raw", [b"{not json", b"\xff\xfe\x00garbage", b"[1, 2]", b"   ",
                                 b'{"question": "caf\xe9"}', b"[" * 5000 + b"]" * 5000])
def test_malformed_bodies_are_4xx_not_crashes(bank_server: str, raw: bytes) -> None:
    r = httpx.post(f"{bank_server}/v1/ask", content=raw, headers={"content-type": "application/json"}, timeout=30)
    assert r.status_code == 422
    assert r.json()["error"]["type"] == "invalid_request"
    assert r.json()["error"]["message"]


def test_a_body_that_is_not_json_says_how_to_send_it(bank_server: str) -> None:
    form = httpx.post(f"{bank_server}/v1/search", data={"query": "card fees"}, timeout=30)  # a form, not JSON
    assert form.status_code == 422 and "Content-Type: application/json" in form.json()["error"]["message"]
    assert "application/x-www-form-urlencoded" in form.json()["error"]["message"]


def test_json_syntax_errors_say_where(bank_server: str) -> None:
    r = httpx.post(f"{bank_server}/v1/ask", content=b'{"question": "hi",}',
                   headers={"content-type": "application/json"}, timeout=30)
    assert "not valid JSON" in r.json()["error"]["message"] and "character 18" in r.json()["error"]["message"]
    raw = httpx.post(f"{bank_server}/v1/ask", content=b'{"question": "a\tb"}',  # a raw tab inside a string
                     headers={"content-type": "application/json"}, timeout=30)
    assert "control character at character" in raw.json()["error"]["message"]  # once, not "at at"

    packed = httpx.post(f"{bank_server}/v1/ask", content=gzip.compress(b'{"question": "card fees"}'), timeout=30,
                        headers={"content-type": "application/json", "content-encoding": "gzip"})
    assert packed.status_code == 415 and "uncompressed" in packed.json()["error"]["message"]
    # What the parser gave up on is named: it was "not valid JSON" and nothing more.
    why = {b'{"question": ' + b"[" * 30000 + b"]" * 30000 + b"}": "nested too deeply",
           b'{"question": "x", "top_k": ' + b"9" * 5000 + b"}": "number in it is too long",
           '{"question": "caf\xe9"}'.encode("latin-1"): "not UTF-8"}
    for body, reason in why.items():
        r = httpx.post(f"{bank_server}/v1/ask", content=body, headers={"content-type": "application/json"},
                       timeout=30)
        assert r.status_code == 422 and reason in r.json()["error"]["message"], r.text
    empty = httpx.post(f"{bank_server}/v1/ask", json={"question": "  "}, timeout=30)
    assert empty.status_code == 422 and empty.json()["error"]["message"] == "question is empty; send some words"


@pytest.mark.parametrize("path", ["/v1/ask", "/v1/search"])
def test_length_limit_holds_after_unicode_normalization(bank_server: str, path: str) -> None:
    # 1,999 characters as sent, each one expanding to 18 under NFKC: refused, not answered at 36,000 characters.
    field = "question" if path == "/v1/ask" else "query"
    r = httpx.post(f"{bank_server}{path}", json={field: "\ufdfa" * 1999}, timeout=30)
    assert r.status_code == 422
    assert "once Unicode-normalized" in r.json()["error"]["message"]


def test_chunked_body_over_the_limit_is_413(bank_server: str) -> None:
    body = b'{"question": "' + b"a" * 70_000 + b'"}'

    def chunks():  # noqa: ANN202  # no Content-Length: sent with Transfer-Encoding: chunked
        for i in range(0, len(body), 8192):
            yield body[i : i + 8192]

    r = httpx.post(f"{bank_server}/v1/ask", content=chunks(), headers={"content-type": "application/json"},
                   timeout=30)
    assert r.status_code == 413 and "limit" in r.json()["error"]["message"]
    small = httpx.post(f"{bank_server}/v1/search", content=iter([b'{"query": "card fees"}']),
                       headers={"content-type": "application/json"}, timeout=30)
    assert small.status_code == 200 and small.json()["hits"]


def test_unknown_paths_and_methods_get_the_error_shape(bank_server: str) -> None:
    missing = httpx.get(f"{bank_server}/v1/nothing-here", timeout=10)
    assert missing.status_code == 404 and "/docs" in missing.json()["error"]["message"]
    wrong = httpx.get(f"{bank_server}/v1/ask", timeout=10)
    assert wrong.status_code == 405 and "POST" in wrong.json()["error"]["message"]
    assert wrong.headers["allow"] == "POST"
    assert httpx.head(f"{bank_server}/healthz", timeout=10).status_code == 200
    slash = httpx.post(f"{bank_server}/v1/search/", json={"query": "fees"}, timeout=10)  # no redirect
    assert slash.status_code == 404 and slash.json()["error"]["type"]
    many = httpx.post(f"{bank_server}/v1/chat/completions", timeout=10,
                      json={"model": "rightfit", "messages": [{"role": "nobody", "content": 5}] * 200})
    assert many.status_code == 422 and "more" in many.json()["error"]["message"] and len(many.text) < 3000


def test_loosely_typed_flags_are_refused(bank_server: str) -> None:
    for payload in ({"question": "card fees", "stream": "yes"}, {"question": "card fees", "stream": 1}):
        r = httpx.post(f"{bank_server}/v1/ask", json=payload, timeout=30)
        assert r.status_code == 422 and "stream" in r.json()["error"]["message"]
    r = httpx.post(f"{bank_server}/v1/search", json={"query": "fees", "top_k": "5"}, timeout=30)
    assert r.status_code == 422 and "top_k" in r.json()["error"]["message"]


def test_search_validates_top_k(bank_server: str) -> None:
    r = httpx.post(f"{bank_server}/v1/search", json={"query": "fees", "top_k": 0}, timeout=30)
    assert r.status_code == 422
    assert "top_k" in r.json()["error"]["message"]


def test_search_returns_as_many_hits_as_asked_beyond_the_candidate_depth(bank_server: str) -> None:
    # Each retriever passes on 50 candidates by default; asking for 80 must not be cut to 50 silently.
    r = httpx.post(f"{bank_server}/v1/search", json={"query": "card fees", "top_k": 80}, timeout=30)
    assert r.status_code == 200 and len(r.json()["hits"]) == 80


def test_openapi_spec_and_page_are_served(bank_server: str) -> None:
    spec = httpx.get(f"{bank_server}/openapi.json", timeout=10).json()
    assert {"/v1/ask", "/v1/search"} <= set(spec["paths"])
    for path in ("/v1/ask", "/v1/search"):  # refusals are documented in the shape they are sent in
        for code in ("413", "422"):
            schema = spec["paths"][path]["post"]["responses"][code]["content"]["application/json"]["schema"]
            assert schema["$ref"].endswith("/ErrorBody")
    assert "HTTPValidationError" not in spec["components"]["schemas"]
    page = httpx.get(f"{bank_server}/", timeout=10)
    assert page.status_code == 200 and "<form" in page.text


def _events(text: str) -> list[tuple[str, dict]]:
    import json

    out = []
    for block in text.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines())
        out.append((lines["event"], json.loads(lines["data"])))
    return out


def test_streamed_ask_ends_with_the_verified_answer(bank_server: str) -> None:
    r = httpx.post(f"{bank_server}/v1/ask", json={"question": "How much cash can I take out of an ATM per day?",
                                                  "stream": True}, timeout=60)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
    events = _events(r.text)
    kind, answer = events[-1]
    assert kind == "answer" and "£500" in answer["answer"] and answer["citations"]


def test_streamed_ask_still_validates_first(bank_server: str) -> None:
    r = httpx.post(f"{bank_server}/v1/ask", json={"question": " ", "stream": True}, timeout=30)
    assert r.status_code == 422 and "empty" in r.json()["error"]["message"]


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_server_stopped_by_ctrl_c_or_a_service_manager_ends_normally(bank_settings, tmp_path, signum) -> None:  # noqa: ANN001
    # It exited 130 or 143 and said "interrupted; anything half-built ... was dropped", as a job cut short.
    data = copy_tree(bank_settings.data_dir, tmp_path / "data")
    port = _free_port()
    proc = subprocess.Popen([EXE, "serve", "--data-dir", str(data), "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.3)
    proc.send_signal(signum)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert "server stopped" in err and "interrupted" not in err and "Traceback" not in err
