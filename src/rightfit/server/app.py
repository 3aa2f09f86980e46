"""HTTP layer: request models, status codes and the web page. No business logic lives here."""

from __future__ import annotations

import asyncio
import json
import logging
import queue
import threading
from collections.abc import Iterator, Mapping
from importlib import resources
from typing import Any, Literal

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from rightfit.assistant.qa import QAPipeline, clean_query
from rightfit.core.errors import (
    AuthenticationError,
    ConflictError,
    IndexDamagedError,
    IndexMissingError,
    InvalidInputError,
    NotFoundError,
    RightfitError,
)
from rightfit.core.settings import Settings
from rightfit.server.errors import documented, error
from rightfit.types import Answer, Hit

logger = logging.getLogger(__name__)


class SearchRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    query: str = Field(description="What to look for.")
    top_k: int = Field(5, ge=1, le=100, strict=True)
    method: Literal["bm25", "dense", "rrf", "weighted"] | None = None


class AskRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    question: str = Field(description="A question about the indexed documents.")
    stream: bool = Field(False, strict=True,
                         description="Send server-sent events: 'token' previews while a generative rung writes, "
                         "then one 'answer' event with the verified answer (or 'error').")


class CitationOut(BaseModel):
    doc_id: str
    chunk_id: str
    title: str
    section: str
    start: int
    end: int
    quote: str


class AskResponse(BaseModel):
    question: str
    answer: str | None
    abstained: bool
    confidence: float
    citations: list[CitationOut]
    reason: str
    trace_id: str


class HitOut(BaseModel):
    chunk_id: str
    doc_id: str
    title: str
    section: str
    start: int
    end: int
    score: float
    text: str
    flagged: bool = Field(False, description="The ingest scan found instructions to the assistant in this passage; "
                          "it is shown in search but kept out of answers unless [guard] answer_from_flagged is set.")
    flag_reason: str = Field("", description="What the scan matched (e.g. 'rule:fake_markup'); empty when not "
                             "flagged.")


class SearchResponseOut(BaseModel):
    query: str
    method: str
    hits: list[HitOut]
    trace_id: str


_MAX_PROBLEMS = 5


class BodyLimit:
    """Refuse request bodies over the limit before they are read into memory (413 with a reason), and bodies
    that do not arrive in time (408).

    A declared Content-Length is checked up front; the body is then read here, up to the limit, and replayed
    to the app, so an over-long chunked body is still a 413 and not the JSON parser's error. A client that
    declares more than it sends (or trickles it) would otherwise hold the connection open for ever.
    """

    def __init__(self, app: ASGIApp, max_bytes: int, timeout_s: float = 30.0) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.timeout_s = timeout_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(scope, receive, send)
            return
        buffered: list[Message] = []
        seen = 0
        deadline = asyncio.get_running_loop().time() + self.timeout_s
        while True:
            try:
                message = await asyncio.wait_for(receive(), max(0.0, deadline - asyncio.get_running_loop().time()))
            except TimeoutError:
                await error(408, "request_timeout", f"the request body did not arrive within {self.timeout_s:.0f} "
                            "s; send the whole body at once")(scope, receive, send)
                return
            buffered.append(message)
            if message["type"] != "http.request":
                break
            seen += len(message.get("body", b""))
            if seen > self.max_bytes:
                await self._refuse(scope, receive, send)
                return
            if not message.get("more_body", False):
                break

        async def replay() -> Message:
            return buffered.pop(0) if buffered else await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = error(413, "request_too_large",
                          f"request body is over the {self.max_bytes}-byte limit; send a shorter request")
        await response(scope, receive, send)


_NOT_JSON = "the request body is not valid JSON; send a UTF-8 JSON object"
_HTTP_KINDS = {404: "not_found", 405: "method_not_allowed"}


def _unparsed(cause: BaseException | None) -> str:
    """Why a body the JSON parser gave up on was refused, as far as its error tells."""
    if isinstance(cause, RecursionError):
        return f"{_NOT_JSON} (nested too deeply to read; a request needs only a few levels)"
    if isinstance(cause, UnicodeDecodeError):
        return f"{_NOT_JSON} (it is not UTF-8 text)"
    if isinstance(cause, ValueError) and "digits" in str(cause):
        return f"{_NOT_JSON} (a number in it is too long to read)"
    return _NOT_JSON


def _problem(error: Mapping[str, Any]) -> str:
    """One validation error as "field: what is wrong"."""
    if error["type"] == "json_invalid":  # loc is ("body", character offset)
        where = error["loc"][-1] if isinstance(error["loc"][-1], int) else "?"
        why = str(error.get("ctx", {}).get("error", "decode error")).removesuffix(" at")  # "... character at"
        return f"{_NOT_JSON} ({why} at character {where})"
    field = ".".join(str(p) for p in error["loc"] if p != "body") or "body"
    return f"{field}: {error['msg']}"


def _hit_out(h: Hit) -> HitOut:
    c = h.chunk
    assert c is not None
    return HitOut(chunk_id=c.chunk_id, doc_id=c.doc_id, title=c.title, section=c.section_path, start=c.start,
                  end=c.end, score=h.score, text=c.text, flagged=c.flagged, flag_reason=c.flag)


def _answer_out(a: Answer) -> AskResponse:
    return AskResponse(question=a.question, answer=a.text, abstained=a.abstained, confidence=a.confidence,
                       citations=[CitationOut(**{k: getattr(c, k) for k in CitationOut.model_fields})
                                  for c in a.citations],
                       reason=a.reason, trace_id=a.trace_id)


def _event(kind: str, data: dict[str, Any]) -> str:
    return f"event: {kind}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def _sse(pipeline: Any, question: str) -> Iterator[str]:
    """Run the question in a worker thread; relay answer-text previews, then the verified answer."""
    from rightfit.answer.grounded import AnswerFieldStream

    events: queue.Queue[tuple[str, dict[str, Any]] | None] = queue.Queue()
    preview = AnswerFieldStream()

    def on_token(piece: str) -> None:
        text = preview.feed(piece)
        if text:
            events.put(("token", {"text": text}))

    def work() -> None:
        try:
            answer = pipeline.ask(question=question, on_token=on_token)
            events.put(("answer", _answer_out(answer).model_dump()))
        except RightfitError as exc:
            events.put(("error", {"type": type(exc).__name__, "message": str(exc)}))
        except Exception:  # the stream has started: report, don't drop the connection silently
            logger.exception("streamed answer failed")
            events.put(("error", {"type": "server_error", "message": "the answer failed; see the server log"}))
        finally:
            events.put(None)

    threading.Thread(target=work, daemon=True).start()
    while (item := events.get()) is not None:
        yield _event(*item)


def create_app(settings: Settings, pipeline: Any | None = None, assistant: Any | None = None) -> FastAPI:
    """The app over `settings.data_dir`; pass a pipeline to share one (tests, embedding in another app).

    With an [assistant] app configured (or an assistant passed in) it also serves the chat endpoints.
    """
    from rightfit.core.runtime import limit_blas_threads
    from rightfit.telemetry.tracing import configure_tracing

    if pipeline is None:
        limit_blas_threads()
        configure_tracing(trace_db=settings.data_dir / "traces.sqlite")
        pipeline = QAPipeline(settings=settings)
    # No redirect for a trailing slash ("POST /v1/search/"): a 404 in the error shape, which clients can read.
    app = FastAPI(title="rightfit", version="0.1.0", redirect_slashes=False,
                  description="Grounded answers with citations from your documents, on small local models.")
    app.add_middleware(BodyLimit, max_bytes=settings.limits.max_request_bytes,
                       timeout_s=settings.limits.body_timeout_s)
    app.state.pipeline = pipeline
    if assistant is None and settings.assistant.app is not None:
        from rightfit.assistant.service import build_assistant

        assistant = build_assistant(settings, qa=pipeline)
    app.state.assistant = assistant
    if assistant is not None:
        from rightfit.server.chat import chat_router

        app.include_router(chat_router(settings, assistant))

    def _compressed(request: Request) -> JSONResponse | None:
        coding = request.headers.get("content-encoding", "identity").strip().lower()
        if coding in ("", "identity"):
            return None
        return error(415, "unsupported_media_type", f"compressed request bodies are not accepted (Content-Encoding: "
                     f"{coding[:40]}); send the JSON uncompressed")

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        if (compressed := _compressed(request)) is not None:
            return compressed
        kind = request.headers.get("content-type", "")
        if request.method == "POST" and "json" not in kind.lower():
            # A form, plain text or no type at all: the body was never read as JSON, so say how to send it.
            return error(422, "invalid_request", f"send the body as a JSON object with Content-Type: "
                         f"application/json (got {kind.split(';')[0].strip() or 'no Content-Type'})")
        problems = [_problem(e) for e in exc.errors()]
        # Many wrong items (200 bad messages) are named a few at a time: the reply stays readable and small.
        more = f"; and {len(problems) - _MAX_PROBLEMS} more" if len(problems) > _MAX_PROBLEMS else ""
        return error(422, "invalid_request", "; ".join(problems[:_MAX_PROBLEMS]) + more if problems else _NOT_JSON)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        # FastAPI's own refusals, in the same {"error": ...} shape as every other one.
        if exc.status_code == 400 and str(exc.detail).startswith("There was an error parsing the body"):
            # Compressed, not UTF-8, nested too deeply to parse, or a number too long to read.
            return _compressed(request) or error(422, "invalid_request", _unparsed(exc.__cause__))
        if exc.status_code == 404:
            message = f"no such endpoint: {request.url.path}; /docs lists them"
        elif exc.status_code == 405:
            allowed = (exc.headers or {}).get("Allow", "")
            message = f"{request.method} is not allowed on {request.url.path}; use {allowed or 'another method'}"
        else:
            message = str(exc.detail)
        response = error(exc.status_code, _HTTP_KINDS.get(exc.status_code, "http_error"), message)
        response.headers.update(exc.headers or {})
        return response

    @app.exception_handler(InvalidInputError)
    async def _bad_input(_: Request, exc: InvalidInputError) -> JSONResponse:
        return error(422, "invalid_input", str(exc))

    @app.exception_handler(AuthenticationError)
    async def _unauthenticated(_: Request, exc: AuthenticationError) -> JSONResponse:
        response = error(401, "unauthenticated", str(exc))
        response.headers["WWW-Authenticate"] = "Bearer"
        return response

    @app.exception_handler(NotFoundError)
    async def _not_found(_: Request, exc: NotFoundError) -> JSONResponse:
        return error(404, "not_found", str(exc))

    @app.exception_handler(ConflictError)
    async def _conflict(_: Request, exc: ConflictError) -> JSONResponse:
        return error(409, "conflict", str(exc))

    @app.exception_handler(IndexDamagedError)
    async def _damaged_index(_: Request, exc: IndexDamagedError) -> JSONResponse:
        logger.error("index damaged: %s", exc)
        return error(503, "index_damaged", str(exc))

    @app.exception_handler(IndexMissingError)
    async def _no_index(_: Request, exc: IndexMissingError) -> JSONResponse:
        return error(503, "index_missing", str(exc))

    @app.exception_handler(RightfitError)
    async def _other(_: Request, exc: RightfitError) -> JSONResponse:
        logger.error("request failed: %s", exc)
        return error(500, "server_error", str(exc))

    @app.api_route("/", methods=["GET", "HEAD"], response_class=HTMLResponse, include_in_schema=False)
    def page() -> str:
        return resources.files("rightfit.server").joinpath("static/index.html").read_text(encoding="utf-8")

    @app.api_route("/chat", methods=["GET", "HEAD"], response_class=HTMLResponse, include_in_schema=False)
    def chat_page() -> str:
        return resources.files("rightfit.server").joinpath("static/chat.html").read_text(encoding="utf-8")

    @app.head("/healthz", include_in_schema=False)  # for load balancers that probe with HEAD
    @app.get("/healthz")
    def health() -> dict[str, Any]:
        store = pipeline.store
        return {"status": "ok", "chunks": len(store), "generation": store.generation.name}

    @app.post("/v1/search", response_model=SearchResponseOut, responses=documented(413, 422, 503))
    def search(body: SearchRequest) -> SearchResponseOut:
        result = pipeline.search(query=body.query, top_k=body.top_k, method=body.method)
        return SearchResponseOut(query=result.query, method=result.method, trace_id=result.trace_id,
                                 hits=[_hit_out(h) for h in result.hits])

    @app.post("/v1/ask", response_model=AskResponse,
              responses={200: {"content": {"text/event-stream": {}},
                               "description": "JSON, or server-sent events when stream is true"},
                         **documented(413, 422, 503)})
    def ask(body: AskRequest) -> Any:
        if not body.stream:
            return _answer_out(pipeline.ask(question=body.question))
        # Validate before the stream starts, so bad input is still a 4xx and not an event.
        clean_query(body.question, max_chars=settings.limits.max_query_chars, what="question")
        return StreamingResponse(_sse(pipeline, body.question), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})

    return app
