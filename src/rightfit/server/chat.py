"""HTTP for the assistant: POST /v1/chat, the OpenAI-compatible POST /v1/chat/completions, and demo login."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from typing import Any, Literal

from fastapi import APIRouter, Header, Response
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from rightfit.assistant.chat import ChatAssistant
from rightfit.assistant.reply import ChatReply
from rightfit.core.errors import InvalidInputError, NotFoundError
from rightfit.core.settings import Settings
from rightfit.server.errors import documented

_SESSION_ID = r"^[A-Za-z0-9_\-]{1,64}$"
SessionId = Field(None, min_length=1, max_length=64, pattern=_SESSION_ID,
                  description="Continue this conversation; omit to start a new one.")


class ChatRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    message: str = Field(description="The customer's message.")
    session_id: str | None = SessionId


class CitationRef(BaseModel):
    doc_id: str
    title: str
    section: str
    quote: str


class ToolOut(BaseModel):
    name: str
    status: str
    result: Any = None


class ChatResponse(BaseModel):
    session_id: str
    reply: str
    route: str
    intent: str
    confidence: float
    citations: list[CitationRef]
    tool: ToolOut | None
    fields: dict[str, Any]
    ticket_id: str | None
    trace_id: str


class ContentPart(BaseModel):
    model_config = ConfigDict(extra="allow")
    type: str
    text: str | None = None


class OpenAIMessage(BaseModel):
    model_config = ConfigDict(extra="allow")
    role: Literal["system", "user", "assistant", "tool", "developer"]
    content: str | list[ContentPart] | None = None


class CompletionRequest(BaseModel):
    model_config = ConfigDict(extra="allow")  # clients send options (temperature, top_p ...) we do not use
    # Echoed back in the reply, so it must be printable text (a lone surrogate would fail the reply after
    # the turn had run).
    model: str = Field("rightfit-assistant", min_length=1, max_length=128, pattern=r"^[\x21-\x7e]+$")
    messages: list[OpenAIMessage] = Field(min_length=1, max_length=200)
    stream: bool = Field(False, strict=True)
    metadata: dict[str, str] | None = Field(None, description="metadata.session_id continues a conversation.")


class LoginRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    customer_id: str = Field(min_length=1, max_length=32)


def _bearer(authorization: str | None) -> str | None:
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else None


def reply_out(r: ChatReply) -> ChatResponse:
    tool = None if r.tool is None else ToolOut(name=r.tool.tool, status=r.tool.status,
                                               result=r.tool.result if r.tool.status == "ok" else None)
    return ChatResponse(session_id=r.session_id, reply=r.reply, route=r.route, intent=r.intent,
                        confidence=round(r.confidence, 4),
                        citations=[CitationRef(doc_id=c.doc_id, title=c.title, section=c.section, quote=c.quote)
                                   for c in r.citations],
                        tool=tool, fields=dict(r.fields), ticket_id=r.ticket_id, trace_id=r.trace_id)


def _text_of(message: OpenAIMessage) -> str:
    if isinstance(message.content, str):
        return message.content
    return " ".join(p.text or "" for p in message.content or () if p.type == "text")


def _last_user_text(messages: list[OpenAIMessage]) -> str:
    """This turn's text. Only the last message counts: a conversation ending with the assistant's reply
    has nothing new to answer, and re-running the user message before it would repeat its action."""
    last = messages[-1]
    if last.role == "user" and last.content:
        return _text_of(last)
    if last.role == "user":
        raise InvalidInputError("the last user message has no text; only text content is read")
    raise InvalidInputError(f"messages must end with a user message with text content (the last is "
                            f"{last.role!r}); send the customer's new message last")


def _session_id(value: str | None, where: str) -> str | None:
    if value is not None and not re.fullmatch(_SESSION_ID, value):
        raise InvalidInputError(f"{where} must be 1-64 letters, digits, '_' or '-', as returned by an "
                                "earlier reply")
    return value


def chat_router(settings: Settings, assistant: ChatAssistant) -> APIRouter:
    router = APIRouter()
    sessions = assistant.sessions

    @router.post("/v1/chat", response_model=ChatResponse, tags=["assistant"],
                 responses=documented(401, 404, 409, 413, 422))
    def chat(body: ChatRequest, authorization: str | None = Header(None)) -> ChatResponse:
        customer = sessions.customer_for(_bearer(authorization))
        return reply_out(assistant.run(customer_id=customer, message=body.message, session_id=body.session_id))

    @router.post("/v1/chat/completions", tags=["assistant"],
                 responses=documented(401, 404, 409, 413, 422))
    def completions(body: CompletionRequest, response: Response, authorization: str | None = Header(None),
                    x_session_id: str | None = Header(None)) -> Any:
        """OpenAI-compatible: the last user message is this turn; the conversation continues through the
        X-Session-Id header (or metadata.session_id) returned with every reply, not through resent history."""
        customer = sessions.customer_for(_bearer(authorization))
        session_id = (_session_id(x_session_id, "the X-Session-Id header")
                      or _session_id((body.metadata or {}).get("session_id"), "metadata.session_id")
                      or _resent(body.messages, customer))
        reply = assistant.run(customer_id=customer, message=_last_user_text(body.messages), session_id=session_id)
        created = int(time.time())
        extra = reply_out(reply).model_dump(mode="json")
        headers = {"X-Session-Id": reply.session_id}
        if body.stream:
            return StreamingResponse(_stream(reply, body.model, created, extra), media_type="text/event-stream",
                                     headers={**headers, "Cache-Control": "no-cache"})
        response.headers.update(headers)
        return {"id": f"chatcmpl-{reply.trace_id[:24]}", "object": "chat.completion", "created": created,
                "model": body.model,
                "choices": [{"index": 0, "message": {"role": "assistant", "content": reply.reply},
                             "finish_reason": "stop"}],
                "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
                "rightfit": extra}

    def _resent(messages: list[OpenAIMessage], customer: str) -> str | None:
        """The conversation a client that resends the history continues (stock OpenAI clients send no session
        id): the one whose last exchange is the history's last user and assistant messages."""
        said = [m for m in messages[:-1] if m.role in ("user", "assistant")]
        if not said or said[-1].role != "assistant":
            return None
        before = _text_of(said[-2]) if len(said) > 1 and said[-2].role == "user" else None
        return sessions.continuing(customer, assistant=assistant.redact(_text_of(said[-1])),
                                   customer=None if before is None else assistant.redact(before))

    @router.get("/v1/models", tags=["assistant"], responses=documented(401, 422))
    def models(authorization: str | None = Header(None)) -> dict[str, Any]:
        """OpenAI-compatible model list, for clients that list models before they chat: one entry, the
        assistant (any `model` name is accepted by /v1/chat/completions and echoed back)."""
        sessions.customer_for(_bearer(authorization))
        return {"object": "list", "data": [{"id": "rightfit-assistant", "object": "model", "created": 0,
                                            "owned_by": "rightfit"}]}

    @router.get("/v1/demo/customers", tags=["demo"], responses=documented(404))
    def demo_customers() -> list[dict[str, str]]:
        if not settings.assistant.demo_login:
            raise NotFoundError("demo login is off; set [assistant] demo_login = true for a local demo")
        return [{"customer_id": c, "name": n} for c, n in assistant.app.customers()]

    @router.post("/v1/demo/login", tags=["demo"], responses=documented(404, 413, 422))
    def demo_login(body: LoginRequest) -> dict[str, str]:
        if not settings.assistant.demo_login:
            raise NotFoundError("demo login is off; set [assistant] demo_login = true for a local demo")
        names = dict(assistant.app.customers())
        if body.customer_id not in names:
            raise NotFoundError(f"no demo customer {body.customer_id!r}; GET /v1/demo/customers lists them")
        token = sessions.issue_token(body.customer_id, ttl_seconds=settings.assistant.token_ttl_hours * 3600)
        return {"token": token, "customer_id": body.customer_id, "name": names[body.customer_id]}

    return router


def _stream(reply: ChatReply, model: str, created: int, extra: dict[str, Any]) -> Iterator[str]:
    base = {"id": f"chatcmpl-{reply.trace_id[:24]}", "object": "chat.completion.chunk", "created": created,
            "model": model}
    words = reply.reply.split(" ")
    yield "data: " + json.dumps({**base, "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""},
                                                      "finish_reason": None}]}) + "\n\n"
    for i, w in enumerate(words):
        piece = w if i == 0 else " " + w
        yield "data: " + json.dumps({**base, "choices": [{"index": 0, "delta": {"content": piece},
                                                          "finish_reason": None}]}, ensure_ascii=False) + "\n\n"
    yield "data: " + json.dumps({**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}],
                                 "rightfit": extra}, ensure_ascii=False) + "\n\n"
    yield "data: [DONE]\n\n"
