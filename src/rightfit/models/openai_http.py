"""Any OpenAI-compatible chat endpoint (vLLM, TGI, llama.cpp server, Ollama) as a generator.

Timeouts on every request, retries with exponential backoff on connection errors, 429 and 5xx, and a
limit on requests in flight. The API key is read from an environment variable named in the settings, so
it never appears in configuration files, logs or traces.
"""

from __future__ import annotations

import json
import logging
import math
import os
import random
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from rightfit.core.errors import ModelError
from rightfit.telemetry.tracing import stage_span
from rightfit.types import Generation

logger = logging.getLogger(__name__)
_T = TypeVar("_T")
_RETRY_STATUS = {408, 409, 425, 429, 500, 502, 503, 504}
# One limit per endpoint in this process, however many generators (answers, judge, field filling) use it.
_ENDPOINT_SLOTS: dict[tuple[str, int], threading.BoundedSemaphore] = {}
_SLOTS_LOCK = threading.Lock()


def _endpoint_slots(base_url: str, limit: int) -> threading.BoundedSemaphore:
    with _SLOTS_LOCK:
        return _ENDPOINT_SLOTS.setdefault((base_url, limit), threading.BoundedSemaphore(limit))


class OpenAICompatibleGenerator:
    """Stage: chat completions over HTTP with JSON-schema output and token streaming.

    `max_concurrency` bounds the requests in flight to `base_url` from this process, shared by every
    generator on that endpoint.
    """

    def __init__(
        self,
        *,
        base_url: str,
        model: str,
        api_key_env: str | None = None,
        timeout: float = 60.0,
        retries: int = 3,
        backoff: float = 0.5,
        max_concurrency: int = 4,
        max_tokens: int = 256,
        temperature: float = 0.0,
        schema_style: str = "json_schema",
    ) -> None:
        if schema_style not in ("json_schema", "json_object"):
            raise ValueError(f"openai endpoint: schema_style must be json_schema or json_object, got {schema_style!r}")
        if not base_url.startswith(("http://", "https://")):
            raise ValueError(f"openai endpoint: base_url must start with http:// or https://, got {base_url!r}")
        if retries < 0 or timeout <= 0 or max_concurrency < 1:
            raise ValueError("openai endpoint: retries >= 0, timeout > 0 and max_concurrency >= 1 are required")
        self.base_url = base_url.rstrip("/")
        self.model_id = model
        self.name = f"openai:{model}"
        self.api_key_env = api_key_env
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.max_tokens = max_tokens
        self.temperature = temperature
        self.schema_style = schema_style
        self._slots = _endpoint_slots(self.base_url, max_concurrency)
        self._client: Any = None

    def warm_up(self) -> None:
        if self._client is None:
            import httpx

            headers = {}
            if self.api_key_env:
                key = os.environ.get(self.api_key_env)
                if not key:
                    raise ModelError(f"openai endpoint: environment variable {self.api_key_env} is not set; "
                                     "export the API key there")
                headers["Authorization"] = f"Bearer {key}"
            self._client = httpx.Client(base_url=self.base_url, headers=headers, timeout=self.timeout)

    def _payload(self, messages: Sequence[dict[str, str]], schema: dict[str, object] | None, max_tokens: int,
                 stream: bool) -> dict[str, Any]:
        body: dict[str, Any] = {"model": self.model_id, "messages": list(messages), "max_tokens": max_tokens,
                                "temperature": self.temperature, "stream": stream}
        if schema is not None and self.schema_style == "json_schema":
            # OpenAI's form, accepted by vLLM, TGI, llama.cpp's server and Ollama.
            body["response_format"] = {"type": "json_schema",
                                       "json_schema": {"name": "answer", "schema": schema, "strict": True}}
        elif schema is not None:  # llama-cpp-python's server takes the schema inside json_object
            body["response_format"] = {"type": "json_object", "schema": schema}
        return body

    def _send(self, body: dict[str, Any], on_token: Callable[[str], None] | None) -> tuple[str, str, dict[str, int]]:
        return self._retrying(lambda: self._once(body) if on_token is None else self._stream(body, on_token))

    def _retrying(self, call: Callable[[], _T]) -> _T:
        """`call` with retries and exponential backoff on connection errors, 429 and 5xx."""
        import httpx

        attempt = 0
        while True:
            try:
                return call()
            except (httpx.TransportError, _RetryableError) as exc:
                attempt += 1
                if attempt > self.retries:
                    raise ModelError(f"openai endpoint {self.base_url} failed after {attempt} attempts: {exc}") \
                        from None
                delay = self.backoff * (2 ** (attempt - 1)) * (1 + random.random() / 4)  # noqa: S311
                logger.warning("openai endpoint: %s; retry %d in %.1fs", exc, attempt, delay)
                time.sleep(delay)
            except (KeyError, IndexError, ValueError) as exc:
                raise ModelError(f"openai endpoint {self.base_url}: unexpected response ({exc})") from None

    def _check(self, status: int, text: Callable[[], str]) -> None:
        if status in _RETRY_STATUS:
            raise _RetryableError(f"HTTP {status}")
        if status >= 400:
            raise ModelError(f"openai endpoint {self.base_url}: HTTP {status}: {text()[:300]}")

    def _post_json(self, body: dict[str, Any]) -> dict[str, Any]:
        resp = self._client.post("/chat/completions", json=body)
        self._check(resp.status_code, lambda: resp.text)
        data = resp.json()
        if not isinstance(data, dict):
            raise ValueError("the response is not a JSON object")  # noqa: TRY004  (reported as an unexpected response)
        return data

    def _once(self, body: dict[str, Any]) -> tuple[str, str, dict[str, int]]:
        data = self._post_json(body)
        choice = data["choices"][0]
        return choice["message"].get("content") or "", choice.get("finish_reason") or "stop", data.get("usage") or {}

    def _stream(self, body: dict[str, Any], on_token: Callable[[str], None]) -> tuple[str, str, dict[str, int]]:
        import httpx

        pieces: list[str] = []
        try:
            return self._read_stream(body, on_token, pieces)
        except httpx.TransportError as exc:
            if not pieces:
                raise  # nothing reached the caller yet: safe to retry
            # A retry would send the caller the same tokens again.
            raise ModelError(f"openai endpoint {self.base_url}: the stream broke after {len(pieces)} tokens "
                             f"({exc}); not retried, since those tokens were already passed on") from None

    def _read_stream(self, body: dict[str, Any], on_token: Callable[[str], None],
                     pieces: list[str]) -> tuple[str, str, dict[str, int]]:
        finish = "stop"
        usage: dict[str, int] = {}
        with self._client.stream("POST", "/chat/completions", json=body) as resp:
            self._check(resp.status_code, lambda: resp.read().decode("utf-8", "replace"))
            for line in resp.iter_lines():
                if not line.startswith("data:"):
                    continue
                data = line[5:].strip()
                if data == "[DONE]":
                    break
                event = json.loads(data)
                if event.get("usage"):
                    usage = event["usage"]
                if not event.get("choices"):
                    continue
                choice = event["choices"][0]
                piece = (choice.get("delta") or {}).get("content") or ""
                if piece:
                    pieces.append(piece)
                    on_token(piece)
                finish = choice.get("finish_reason") or finish
        return "".join(pieces), finish, usage

    def generate(
        self,
        *,
        messages: Sequence[dict[str, str]],
        schema: dict[str, object] | None = None,
        max_tokens: int | None = None,
        on_token: Callable[[str], None] | None = None,
    ) -> Generation:
        self.warm_up()
        limit = self.max_tokens if max_tokens is None else max_tokens
        body = self._payload(messages, schema, limit, stream=on_token is not None)
        started = time.perf_counter()
        with self._slots, stage_span("generate", model=self.model_id, backend="openai") as span:
            text, finish, usage = self._send(body, on_token)
            tokens_in = int(usage.get("prompt_tokens", 0))
            tokens_out = int(usage.get("completion_tokens", 0)) or max(1, len(text) // 4)
            span.set_attributes({"tokens_in": tokens_in, "tokens_out": tokens_out, "finish_reason": finish})
        return Generation(text=text, model=self.model_id, tokens_in=tokens_in, tokens_out=tokens_out,
                          seconds=time.perf_counter() - started, finish_reason=finish)

    def yes_probability(self, *, messages: Sequence[dict[str, str]]) -> float:
        """P(yes) against P(no) for the reply's first token, from the endpoint's top log-probabilities."""
        self.warm_up()
        body = self._payload(messages, None, 1, stream=False)
        body.update(temperature=0.0, logprobs=True, top_logprobs=20)
        with self._slots, stage_span("generate", model=self.model_id, backend="openai", purpose="judge") as span:
            data = self._retrying(lambda: self._post_json(body))
            try:
                choice = data["choices"][0]
                top = (choice.get("logprobs") or {}).get("content") or []
                candidates = top[0].get("top_logprobs") or [] if top else []
                words = [(str(c["token"]).strip().lower(), math.exp(float(c["logprob"]))) for c in candidates]
                text = (choice.get("message") or {}).get("content") or ""
            except (KeyError, IndexError, TypeError, ValueError, AttributeError) as exc:
                raise ModelError(f"openai endpoint {self.base_url}: unexpected response ({exc})") from None
            if not candidates:
                raise ModelError(f"openai endpoint {self.base_url} returned no log-probabilities; a judge needs an "
                                 "endpoint that supports logprobs and top_logprobs")
            p_yes = sum(p for w, p in words if w == "yes")
            p_no = sum(p for w, p in words if w == "no")
            if p_yes + p_no > 0:
                probability = p_yes / (p_yes + p_no)
            else:  # neither in the top 20: the reply itself is the only evidence
                probability = 1.0 if text.strip().lower().startswith("yes") else 0.0
            usage = data.get("usage") or {}
            span.set_attributes({"tokens_in": int(usage.get("prompt_tokens", 0)), "tokens_out": 1,
                                 "finish_reason": "length", "p_yes": probability})
        return probability


class _RetryableError(Exception):
    pass
