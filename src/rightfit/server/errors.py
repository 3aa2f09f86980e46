"""The one shape of every refusal, {"error": {"type", "message"}}, and its place in the OpenAPI spec, so a
client generated from the spec reads errors the way the server writes them."""

from __future__ import annotations

from typing import Any

from fastapi.responses import JSONResponse
from pydantic import BaseModel


class ErrorDetail(BaseModel):
    type: str
    message: str


class ErrorBody(BaseModel):
    error: ErrorDetail


_MEANING = {
    401: "missing or invalid bearer token",
    404: "unknown session, customer or path",
    409: "the session is still answering an earlier message",
    413: "request body over the size limit",
    422: "invalid request: the message names the field and what is wrong",
    503: "no usable index in the data directory (none yet, or damaged: the message says how to rebuild it)",
}


def error(status: int, kind: str, message: str) -> JSONResponse:
    return JSONResponse(status_code=status, content={"error": {"type": kind, "message": message}})


def documented(*codes: int) -> dict[int | str, dict[str, Any]]:
    """`responses=` for a route that can refuse with these status codes."""
    return {code: {"model": ErrorBody, "description": _MEANING[code]} for code in codes}
